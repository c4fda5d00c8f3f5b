import { Hono, type Context } from 'hono'
import type { AppEnv } from '../env'
import { requireRole } from '../auth/middleware'
import { FieldError, InputError } from '../lib/errors'
import { currentLocale, isLocale, t } from '../i18n'
import { inviteTeammate, listOpenInvitations, resendInvitation, revokeInvitation, type Invitation } from '../services/invitations'
import { hostOf } from '../host'
import { adminPasswordReset } from '../services/password-resets'
import { sendInvitationMail, sendResetMail } from '../services/team-mail'
import { baseUrlFor } from '../services/mention-email'
import { accounts, inboxes, users as usersTable } from '../db/schema'
import { and, asc, eq, ne } from 'drizzle-orm'
import { UsersPage, type TeamExtras } from '../../templates/settings-users'

/**
 * Teammates: invitations (invite, resend, revoke) and an admin's "Reset password", which mails
 * the teammate a reset link instead of an admin typing a password. Plain form posts that come
 * back to the users page; a refused invite re-renders it with the typed values and the message
 * next to its field.
 */
export const teamRoutes = new Hono<AppEnv>()
// Mounted under /settings behind the signed-in area's requireSession (src/app.tsx).
teamRoutes.use('/users/*', requireRole('admin', 'super_admin'))

const noticeKeys = { revoked: 'invite.notice.revoked', reset: 'users.reset_sent' } as const

/** The users page with the team's invitations; `extras` carries a refused invite's values and errors. */
export async function renderUsersPage(c: Context<AppEnv>, extras: Partial<TeamExtras> = {}, status: 200 | 422 = 200) {
  const { db, accountId } = c.var
  // The users, inboxes and open invitations in one round trip (the session was the first).
  const [users, inboxRows, invitations] = await db.batch([
    db
      .select()
      .from(usersTable)
      .where(and(eq(usersTable.accountId, accountId), ne(usersTable.status, 'removed')))
      .orderBy(asc(usersTable.name)),
    db.select().from(inboxes).where(eq(inboxes.accountId, accountId)).orderBy(asc(inboxes.createdAt), asc(inboxes.name)),
    listOpenInvitations(db, accountId),
  ])
  const noticeKey = noticeKeys[c.req.query('done') as keyof typeof noticeKeys]
  const notice = extras.notice ?? (noticeKey ? t(noticeKey) : undefined)
  return c.html(
    <UsersPage appName={c.env.APP_NAME ?? 'Switchboard'} actor={c.var.user} users={users} team={{ inboxes: inboxRows, invitations, ...extras, notice }} />,
    status,
  )
}

async function accountName(c: Context<AppEnv>) {
  const [row] = await c.var.db.select({ name: accounts.name }).from(accounts).where(eq(accounts.id, c.var.accountId)).limit(1)
  return row?.name ?? ''
}

/**
 * Mails a new invitation link and answers with the users page showing that link once, to copy: the
 * token is stored only hashed, so this answer is the one moment it can be shown. It matters most
 * where no mail goes out (the self-host without SMTP_URL writes it to the outbox folder), and it
 * helps anywhere a mail is slow or filtered. Never in a URL or a log: the page's own address stays
 * /settings/users (replaced in history), so a reload shows the list without it.
 */
async function invitationIssued(c: Context<AppEnv>, invitation: Invitation, token: string, sentKey: 'invite.notice.sent' | 'invite.notice.resent') {
  const baseUrl = baseUrlFor(c.env, c.req.url)
  await sendInvitationMail(c.env, baseUrl, { invitation, token, inviterName: c.var.user.name, accountName: await accountName(c) })
  const smtp = hostOf(c.env).smtp
  const notice = smtp && !smtp.relay ? t('invite.notice.not_sent', { outbox: smtp.outbox }) : t(sentKey)
  c.header('Cache-Control', 'no-store')
  return renderUsersPage(c, { notice, issued: { invitationId: invitation.id, link: `${baseUrl}/invite/${token}` } })
}

teamRoutes.post('/users/invite', async (c) => {
  const body = await c.req.parseBody({ all: true })
  const values = {
    email: typeof body.email === 'string' ? body.email.slice(0, 254) : '',
    role: typeof body.role === 'string' ? body.role : 'agent',
    inboxIds: [body.inboxes ?? []].flat().filter((id): id is string => typeof id === 'string' && id.length <= 32),
    // The invitation mail's language (and the new account's): the invitee has no account to ask.
    locale: isLocale(body.locale) ? body.locale : currentLocale(),
  }
  try {
    if (values.role !== 'agent' && values.role !== 'admin' && values.role !== 'super_admin') throw new FieldError('role', t('errors.choose_role'))
    const { invitation, token } = await inviteTeammate(c.var.db, c.var.user, {
      email: values.email,
      role: values.role,
      inboxIds: values.inboxIds,
      locale: values.locale,
    })
    return await invitationIssued(c, invitation, token, 'invite.notice.sent')
  } catch (error) {
    if (error instanceof FieldError) return renderUsersPage(c, { inviteValues: values, inviteErrors: { [error.field]: error.message } }, 422)
    if (error instanceof InputError) return renderUsersPage(c, { inviteValues: values, inviteErrors: { form: error.message } }, 422)
    throw error
  }
})

teamRoutes.post('/users/invitations/:id/resend', async (c) => {
  try {
    const { invitation, token } = await resendInvitation(c.var.db, c.var.user, c.req.param('id'))
    return await invitationIssued(c, invitation, token, 'invite.notice.resent')
  } catch (error) {
    if (error instanceof InputError) return renderUsersPage(c, { inviteErrors: { form: error.message } }, 422)
    throw error
  }
})

teamRoutes.post('/users/invitations/:id/revoke', async (c) => {
  try {
    await revokeInvitation(c.var.db, c.var.user, c.req.param('id'))
  } catch (error) {
    if (error instanceof InputError) return renderUsersPage(c, { inviteErrors: { form: error.message } }, 422)
    throw error
  }
  return c.redirect('/settings/users?done=revoked', 303)
})

teamRoutes.post('/users/:id/reset-password', async (c) => {
  try {
    const reset = await adminPasswordReset(c.var.db, c.var.user, c.req.param('id'))
    if (reset) await sendResetMail(c.env, baseUrlFor(c.env, c.req.url), reset)
  } catch (error) {
    if (error instanceof InputError) return renderUsersPage(c, { notice: undefined, inviteErrors: { form: error.message } }, 422)
    throw error
  }
  return c.redirect('/settings/users?done=reset', 303)
})
