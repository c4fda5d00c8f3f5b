import { and, asc, eq, ne } from 'drizzle-orm'
import type { Db } from '../db/client'
import { accounts, auditLog, conversations, sessions, users, type UserRole, type UserStatus } from '../db/schema'
import { hashPassword, needsRehash, unknownUserPasswordHash, verifyPassword } from '../auth/password'
import { InputError } from '../lib/errors'
import { isUniqueViolation } from './content-access'
import { newId } from '../lib/ids'
import { normalizeEmail } from '../lib/text'
import { isLocale, t } from '../i18n'

export type User = typeof users.$inferSelect

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' | 'inactive' }
  /** The password is right in several workspaces: the person picks one. */
  | { ok: false; reason: 'choose'; workspaces: { accountId: string; name: string }[] }

/** An address in more workspaces than this is checked against the oldest ones only (each costs a hash). */
export const maxWorkspacesPerAddress = 10

/**
 * Checks an address and password. An address can have an account in several workspaces (each
 * with its own password); the password is checked against each (or against `accountId`'s only,
 * once the person chose). Unknown addresses cost the same hashing time as an address with one
 * account, and both get the same answer, so the form does not reveal who has an account; the
 * list of workspaces is shown only to someone whose password is right in each of them.
 */
export async function authenticate(db: Db, email: string, password: string, accountId?: string): Promise<LoginResult> {
  const candidates = await db
    .select({ user: users, accountName: accounts.name })
    .from(users)
    .innerJoin(accounts, eq(accounts.id, users.accountId))
    .where(and(eq(users.email, normalizeEmail(email)), accountId ? eq(users.accountId, accountId) : undefined))
    .orderBy(asc(users.createdAt))
    .limit(maxWorkspacesPerAddress)
  const hashes = candidates.length > 0 ? candidates.map(({ user }) => user.passwordHash) : [unknownUserPasswordHash]
  const valid = await Promise.all(hashes.map((hash) => verifyPassword(password, hash)))
  const matched = candidates.filter((_, index) => valid[index])
  if (matched.length === 0) return { ok: false, reason: 'invalid' }
  const active = matched.filter(({ user }) => user.status === 'active')
  if (active.length === 0) return { ok: false, reason: 'inactive' }
  if (active.length > 1) {
    return { ok: false, reason: 'choose', workspaces: active.map(({ user, accountName }) => ({ accountId: user.accountId, name: accountName })) }
  }
  const { user } = active[0]!
  if (needsRehash(user.passwordHash)) {
    await db
      .update(users)
      .set({ passwordHash: await hashPassword(password) })
      .where(eq(users.id, user.id))
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
  // Only this workspace's users are looked at: whether the address has an account in another
  // workspace is none of this one's business (and the unique index is per workspace).
  const [existing] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.accountId, input.accountId), eq(users.email, email)))
    .limit(1)
  if (existing) throw new InputError(t('errors.user_exists'))
  const passwordHash = await hashPassword(input.password)
  let user: User | undefined
  try {
    ;[user] = await db
      .insert(users)
      .values({ id: newId(), accountId: input.accountId, name: input.name.trim(), email, passwordHash, role: input.role, createdAt: nowMs })
      .returning()
  } catch (error) {
    // Two admins adding the same address at once: the index refuses the second.
    if (isUniqueViolation(error)) throw new InputError(t('errors.user_exists'))
    throw error
  }
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
        .where(and(eq(conversations.accountId, actor.accountId), eq(conversations.assigneeId, target.id), eq(conversations.status, 'open')))
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
