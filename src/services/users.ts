import { and, asc, eq, ne } from 'drizzle-orm'
import type { Db } from '../db/client'
import { auditLog, conversations, sessions, users, type UserRole, type UserStatus } from '../db/schema'
import { hashPassword, needsRehash, unknownUserPasswordHash, verifyPassword } from '../auth/password'
import { InputError } from '../lib/errors'
import { newId } from '../lib/ids'
import { normalizeEmail } from '../lib/text'
import { isLocale, t } from '../i18n'

export type User = typeof users.$inferSelect

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' | 'inactive' }

/**
 * Checks an address and password. Unknown addresses cost the same hashing time as known ones,
 * and both get the same answer, so the form does not reveal who has an account.
 */
export async function authenticate(db: Db, email: string, password: string): Promise<LoginResult> {
  const [user] = await db.select().from(users).where(eq(users.email, normalizeEmail(email))).limit(1)
  const valid = await verifyPassword(password, user?.passwordHash ?? unknownUserPasswordHash)
  if (!user || !valid) return { ok: false, reason: 'invalid' }
  if (user.status !== 'active') return { ok: false, reason: 'inactive' }
  if (needsRehash(user.passwordHash)) {
    await db.update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, user.id))
  }
  return { ok: true, user }
}

export function listUsers(db: Db, accountId: string): Promise<User[]> {
  return db
    .select()
    .from(users)
    .where(and(eq(users.accountId, accountId), ne(users.status, 'removed')))
    .orderBy(asc(users.name))
}

export async function getUser(db: Db, accountId: string, userId: string): Promise<User | null> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.accountId, accountId), eq(users.id, userId)))
    .limit(1)
  return row ?? null
}

export async function createUser(
  db: Db,
  input: { accountId: string; name: string; email: string; password: string; role: UserRole; actorUserId?: string },
  nowMs = Date.now(),
): Promise<User> {
  const email = normalizeEmail(input.email)
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1)
  if (existing) throw new InputError(t('errors.user_exists'))
  const [user] = await db
    .insert(users)
    .values({
      id: newId(),
      accountId: input.accountId,
      name: input.name.trim(),
      email,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      createdAt: nowMs,
    })
    .returning()
  await recordAudit(db, input.accountId, input.actorUserId ?? null, 'user:create', user!.id, { role: input.role }, nowMs)
  return user!
}

/** Who may change whom: only a super admin grants or touches super admin rights. */
function assertMayManage(actor: User, target: User, newRole?: UserRole) {
  if (actor.id === target.id) throw new InputError(t('errors.own_role'))
  if (actor.role === 'agent') throw new InputError(t('errors.agents_cannot_manage'))
  if (actor.role !== 'super_admin' && (target.role === 'super_admin' || newRole === 'super_admin')) {
    throw new InputError(t('errors.only_super_admin'))
  }
}

export async function changeRole(db: Db, actor: User, targetUserId: string, role: UserRole, nowMs = Date.now()) {
  const target = await getUser(db, actor.accountId, targetUserId)
  if (!target || target.status === 'removed') throw new InputError(t('errors.no_such_user'))
  assertMayManage(actor, target, role)
  await db.update(users).set({ role }).where(eq(users.id, target.id))
  await recordAudit(db, actor.accountId, actor.id, 'user:role', target.id, { from: target.role, to: role }, nowMs)
  return { ...target, role }
}

/**
 * Deactivates, removes or reactivates a user. Leaving users lose their sessions at once and their
 * open conversations become unassigned, so nothing waits on someone who is gone.
 * Returns the conversations that changed, for live updates.
 */
export async function setUserStatus(db: Db, actor: User, targetUserId: string, status: UserStatus, nowMs = Date.now()) {
  const target = await getUser(db, actor.accountId, targetUserId)
  if (!target || target.status === 'removed') throw new InputError(t('errors.no_such_user'))
  assertMayManage(actor, target)
  let released: { id: string; inboxId: string }[] = []
  if (status === 'active') {
    await db.update(users).set({ status }).where(eq(users.id, target.id))
  } else {
    const [, , unassigned] = await db.batch([
      db.update(users).set({ status }).where(eq(users.id, target.id)),
      db.delete(sessions).where(eq(sessions.userId, target.id)),
      db
        .update(conversations)
        .set({ assigneeId: null })
        .where(
          and(
            eq(conversations.accountId, actor.accountId),
            eq(conversations.assigneeId, target.id),
            eq(conversations.status, 'open'),
          ),
        )
        .returning({ id: conversations.id, inboxId: conversations.inboxId }),
    ])
    released = unassigned
  }
  await recordAudit(db, actor.accountId, actor.id, `user:${status}`, target.id, { from: target.status }, nowMs)
  return { user: { ...target, status }, released }
}

export async function recordAudit(
  db: Db,
  accountId: string,
  actorUserId: string | null,
  action: string,
  targetId: string,
  details: Record<string, unknown>,
  nowMs = Date.now(),
) {
  await db.insert(auditLog).values({
    accountId,
    actorUserId,
    action,
    targetType: action.split(':')[0] ?? 'unknown',
    targetId,
    details,
    createdAt: nowMs,
  })
}

/** Everyone who ever had an account here, removed users included (for filters over history). */
export function listAllUsers(db: Db, accountId: string) {
  return db
    .select({ id: users.id, name: users.name, status: users.status, role: users.role })
    .from(users)
    .where(eq(users.accountId, accountId))
    .orderBy(asc(users.name))
}

/** Saves the language a user sees the UI in; anything but a shipped locale is refused. */
export async function setUserLocale(db: Db, userId: string, locale: unknown) {
  if (!isLocale(locale)) throw new InputError(t('profile.language.invalid'))
  await db.update(users).set({ locale }).where(eq(users.id, userId))
}
