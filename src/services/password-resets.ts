import { and, asc, count, eq, gt, isNull } from 'drizzle-orm'
import type { Db } from '../db/client'
import { accounts, passwordResets, sessions, users } from '../db/schema'
import { hashPassword } from '../auth/password'
import { issueToken, parseToken, secretMatches } from '../auth/one-time-token'
import { InputError } from '../lib/errors'
import { normalizeEmail } from '../lib/text'
import { t } from '../i18n'
import { checkNewPassword, type LinkState } from './invitations'
import { getUser, maxWorkspacesPerAddress, recordAudit, type User } from './users'

/** A reset link works for an hour. */
export const resetValidMs = 60 * 60 * 1000
/** At most this many unused links per account and hour: "Forgot password?" cannot flood a mailbox. */
export const maxResetsPerHour = 3

export interface IssuedReset {
  user: User
  accountName: string
  token: string
}

async function issueReset(db: Db, user: User, nowMs: number): Promise<string | null> {
  const [recent] = await db
    .select({ n: count() })
    .from(passwordResets)
    .where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt), gt(passwordResets.createdAt, nowMs - resetValidMs)))
  if ((recent?.n ?? 0) >= maxResetsPerHour) return null
  const issued = issueToken()
  await db.insert(passwordResets).values({ id: issued.id, userId: user.id, secretHash: issued.secretHash, createdAt: nowMs, expiresAt: nowMs + resetValidMs })
  return issued.token
}

/**
 * "Forgot password?": one link per active account with this address (an address can have an
 * account in several workspaces; each mail names its workspace and resets that account only).
 * The caller answers the same whatever this returns, so the form reveals no account.
 */
export async function requestPasswordReset(db: Db, email: string, nowMs = Date.now()): Promise<IssuedReset[]> {
  const rows = await db
    .select({ user: users, accountName: accounts.name })
    .from(users)
    .innerJoin(accounts, eq(accounts.id, users.accountId))
    .where(and(eq(users.email, normalizeEmail(email)), eq(users.status, 'active')))
    .orderBy(asc(users.createdAt))
    .limit(maxWorkspacesPerAddress)
  const issued: IssuedReset[] = []
  for (const { user, accountName } of rows) {
    const token = await issueReset(db, user, nowMs)
    if (token) issued.push({ user, accountName, token })
  }
  return issued
}

/** An admin's "Reset password": the teammate gets the link; nobody types a password for them. */
export async function adminPasswordReset(db: Db, actor: User, targetUserId: string, nowMs = Date.now()): Promise<IssuedReset> {
  const target = await getUser(db, actor.accountId, targetUserId)
  if (target?.status !== 'active') throw new InputError(t('errors.no_such_user'))
  if (actor.role === 'agent') throw new InputError(t('errors.agents_cannot_manage'))
  if (actor.role !== 'super_admin' && target.role === 'super_admin') throw new InputError(t('errors.only_super_admin'))
  const [account] = await db.select({ name: accounts.name }).from(accounts).where(eq(accounts.id, actor.accountId))
  const token = await issueReset(db, target, nowMs)
  if (!token) throw new InputError(t('reset.error.too_many'))
  await recordAudit(db, actor.accountId, actor.id, 'user:reset_password', target.id, {}, nowMs)
  return { user: target, accountName: account?.name ?? '', token }
}

export async function findPasswordReset(db: Db, token: string, nowMs = Date.now()): Promise<LinkState<{ id: string; user: User; accountName: string }>> {
  const parsed = parseToken(token)
  if (!parsed) return { ok: false, reason: 'invalid' }
  const [row] = await db
    .select({ reset: passwordResets, user: users, accountName: accounts.name })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .innerJoin(accounts, eq(accounts.id, users.accountId))
    .where(eq(passwordResets.id, parsed.id))
    .limit(1)
  if (!row || !secretMatches(parsed.secret, row.reset.secretHash)) return { ok: false, reason: 'invalid' }
  if (row.reset.usedAt !== null || row.user.status !== 'active') return { ok: false, reason: 'used' }
  if (row.reset.expiresAt <= nowMs) return { ok: false, reason: 'expired' }
  return { ok: true, row: { id: row.reset.id, user: row.user, accountName: row.accountName } }
}

/**
 * Sets the new password: the link is spent (conditionally, once), every other unused link of the
 * account too, and every session of the account ends; the caller signs this browser in afresh.
 */
export async function resetPassword(db: Db, token: string, password: string, nowMs = Date.now()): Promise<User> {
  checkNewPassword(password)
  const found = await findPasswordReset(db, token, nowMs)
  if (!found.ok) throw new InputError(t(`reset.link.${found.reason}`))
  const { user } = found.row
  const passwordHash = await hashPassword(password)
  const claimed = await db
    .update(passwordResets)
    .set({ usedAt: nowMs })
    .where(and(eq(passwordResets.id, found.row.id), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, nowMs)))
    .returning({ id: passwordResets.id })
  if (claimed.length === 0) throw new InputError(t('reset.link.used'))
  await db.batch([
    db.update(users).set({ passwordHash }).where(eq(users.id, user.id)),
    db
      .update(passwordResets)
      .set({ usedAt: nowMs })
      .where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt))),
    db.delete(sessions).where(eq(sessions.userId, user.id)),
  ])
  await recordAudit(db, user.accountId, user.id, 'user:password_reset', user.id, {}, nowMs)
  return user
}
