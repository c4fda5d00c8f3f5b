import { and, asc, eq, gt, inArray, isNull, lt, or } from 'drizzle-orm'
import type { Db } from '../db/client'
import { accounts, inboxes, inboxMembers, invitations, passwordResets, users, type UserRole } from '../db/schema'
import { hashPassword, passwordMaxLength, passwordMinLength } from '../auth/password'
import { issueToken, parseToken, secretMatches } from '../auth/one-time-token'
import { isValidAddress } from '../lib/email-address'
import { FieldError, InputError } from '../lib/errors'
import { newId } from '../lib/ids'
import { normalizeEmail } from '../lib/text'
import { isLocale, t } from '../i18n'
import { isUniqueViolation } from './content-access'
import { recordAudit, type User } from './users'

export type Invitation = typeof invitations.$inferSelect

/** An invitation link works for 7 days; resending starts a new week with a new link. */
export const invitationValidMs = 7 * 24 * 60 * 60 * 1000

export interface InviteInput {
  email: string
  role: UserRole
  inboxIds: string[]
  locale: string
}

/** Checks what an admin typed; the errors name the field they belong to. */
async function checkInvite(db: Db, actor: User, input: InviteInput) {
  const email = normalizeEmail(input.email)
  if (!isValidAddress(email)) throw new FieldError('email', t('invite.error.email_invalid'))
  if (actor.role === 'agent') throw new InputError(t('errors.agents_cannot_manage'))
  if (input.role === 'super_admin' && actor.role !== 'super_admin') throw new FieldError('role', t('users.add.super_admin_only'))
  // Only this workspace's users: an account elsewhere is none of this workspace's business.
  const [member] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.accountId, actor.accountId), eq(users.email, email)))
    .limit(1)
  if (member) throw new FieldError('email', t('invite.error.already_member'))
  const inboxIds = [...new Set(input.inboxIds)].slice(0, 100)
  if (inboxIds.length > 0) {
    const found = await db
      .select({ id: inboxes.id })
      .from(inboxes)
      .where(and(eq(inboxes.accountId, actor.accountId), inArray(inboxes.id, inboxIds)))
    if (found.length !== inboxIds.length) throw new FieldError('inboxes', t('errors.no_such_inbox'))
  }
  return { email, inboxIds }
}

/**
 * Invites an address into the actor's workspace. An earlier pending invitation to the same address
 * is revoked, so only the newest link works. Returns the link's token for the mail (never stored).
 */
export async function inviteTeammate(db: Db, actor: User, input: InviteInput, nowMs = Date.now()): Promise<{ invitation: Invitation; token: string }> {
  const { email, inboxIds } = await checkInvite(db, actor, input)
  const issued = issueToken()
  const invitation: Invitation = {
    id: issued.id,
    accountId: actor.accountId,
    email,
    role: input.role,
    inboxIds,
    locale: isLocale(input.locale) ? input.locale : 'en',
    secretHash: issued.secretHash,
    invitedBy: actor.id,
    createdAt: nowMs,
    expiresAt: nowMs + invitationValidMs,
    acceptedAt: null,
    revokedAt: null,
  }
  await db.batch([
    db
      .update(invitations)
      .set({ revokedAt: nowMs })
      .where(and(eq(invitations.accountId, actor.accountId), eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt))),
    db.insert(invitations).values(invitation),
  ])
  await recordAudit(db, actor.accountId, actor.id, 'invitation:create', invitation.id, { role: input.role }, nowMs)
  return { invitation, token: issued.token }
}

/** Invitations not yet accepted or revoked (expired ones too: the admin can resend them). */
export function listOpenInvitations(db: Db, accountId: string) {
  return db
    .select()
    .from(invitations)
    .where(and(eq(invitations.accountId, accountId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(asc(invitations.createdAt))
}

async function openInvitation(db: Db, accountId: string, invitationId: string) {
  const [row] = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.accountId, accountId), eq(invitations.id, invitationId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .limit(1)
  if (!row) throw new InputError(t('invite.error.gone'))
  return row
}

/** A new link (the old one stops working) and a new week. */
export async function resendInvitation(db: Db, actor: User, invitationId: string, nowMs = Date.now()) {
  const invitation = await openInvitation(db, actor.accountId, invitationId)
  if (invitation.role === 'super_admin' && actor.role !== 'super_admin') throw new InputError(t('errors.only_super_admin'))
  const issued = issueToken()
  // The id is part of the link: a new row id, so an old link's id finds nothing.
  const renewed: Invitation = { ...invitation, id: issued.id, secretHash: issued.secretHash, createdAt: nowMs, expiresAt: nowMs + invitationValidMs }
  await db.batch([db.delete(invitations).where(eq(invitations.id, invitation.id)), db.insert(invitations).values(renewed)])
  await recordAudit(db, actor.accountId, actor.id, 'invitation:resend', renewed.id, { previous: invitation.id }, nowMs)
  return { invitation: renewed, token: issued.token }
}

export async function revokeInvitation(db: Db, actor: User, invitationId: string, nowMs = Date.now()) {
  const invitation = await openInvitation(db, actor.accountId, invitationId)
  await db.update(invitations).set({ revokedAt: nowMs }).where(eq(invitations.id, invitation.id))
  await recordAudit(db, actor.accountId, actor.id, 'invitation:revoke', invitation.id, {}, nowMs)
}

export type LinkState<T> = { ok: true; row: T } | { ok: false; reason: 'invalid' | 'expired' | 'used' }

/** The invitation a link names, and whether it can still be used. */
export async function findInvitation(db: Db, token: string, nowMs = Date.now()): Promise<LinkState<Invitation & { accountName: string }>> {
  const parsed = parseToken(token)
  if (!parsed) return { ok: false, reason: 'invalid' }
  const [row] = await db
    .select({ invitation: invitations, accountName: accounts.name })
    .from(invitations)
    .innerJoin(accounts, eq(accounts.id, invitations.accountId))
    .where(eq(invitations.id, parsed.id))
    .limit(1)
  if (!row || !secretMatches(parsed.secret, row.invitation.secretHash)) return { ok: false, reason: 'invalid' }
  if (row.invitation.acceptedAt !== null || row.invitation.revokedAt !== null) return { ok: false, reason: 'used' }
  if (row.invitation.expiresAt <= nowMs) return { ok: false, reason: 'expired' }
  return { ok: true, row: { ...row.invitation, accountName: row.accountName } }
}

export function checkNewPassword(password: string) {
  if (password.length < passwordMinLength) throw new FieldError('password', t('users.add.password_short', { min: passwordMinLength }))
  if (password.length > passwordMaxLength) throw new FieldError('password', t('error.check_input'))
}

/**
 * The invitee sets their name and password: the link is spent (one conditional update, so two
 * submits make one account), the user is created with the invitation's role and inboxes.
 */
export async function acceptInvitation(db: Db, token: string, input: { name: string; password: string }, nowMs = Date.now()): Promise<User> {
  const name = input.name.trim()
  if (!name || name.length > 120) throw new FieldError('name', t('users.add.name_missing'))
  checkNewPassword(input.password)
  const found = await findInvitation(db, token, nowMs)
  if (!found.ok) throw new InputError(t(`invite.link.${found.reason}`))
  const invitation = found.row
  const passwordHash = await hashPassword(input.password)
  const claimed = await db
    .update(invitations)
    .set({ acceptedAt: nowMs })
    .where(and(eq(invitations.id, invitation.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, nowMs)))
    .returning({ id: invitations.id })
  if (claimed.length === 0) throw new InputError(t('invite.link.used'))
  const userId = newId()
  const liveInboxes = invitation.inboxIds.length
    ? (
        await db
          .select({ id: inboxes.id })
          .from(inboxes)
          .where(and(eq(inboxes.accountId, invitation.accountId), inArray(inboxes.id, invitation.inboxIds)))
      ).map((row) => row.id)
    : []
  try {
    const [user] = await db.batch([
      db
        .insert(users)
        .values({
          id: userId,
          accountId: invitation.accountId,
          name,
          email: invitation.email,
          passwordHash,
          role: invitation.role,
          locale: invitation.locale,
          createdAt: nowMs,
        })
        .returning(),
      ...liveInboxes.map((inboxId) => db.insert(inboxMembers).values({ inboxId, userId }).onConflictDoNothing()),
    ])
    await recordAudit(db, invitation.accountId, userId, 'user:join', userId, { invitation: invitation.id, role: invitation.role }, nowMs)
    return user[0]!
  } catch (error) {
    // Someone with this address joined (or was added) in the meantime.
    if (isUniqueViolation(error)) throw new InputError(t('invite.error.already_member'))
    throw error
  }
}

/** Daily housekeeping: links that can no longer be used are forgotten after a month. */
export async function deleteSpentLinks(db: Db, nowMs = Date.now()) {
  const monthAgo = nowMs - 30 * 24 * 60 * 60 * 1000
  await db.batch([
    db.delete(invitations).where(or(lt(invitations.expiresAt, monthAgo), lt(invitations.acceptedAt, monthAgo), lt(invitations.revokedAt, monthAgo))),
    db.delete(passwordResets).where(lt(passwordResets.expiresAt, nowMs - 24 * 60 * 60 * 1000)),
  ])
}
