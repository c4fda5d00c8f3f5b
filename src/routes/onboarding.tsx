import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { createSession } from '../auth/session'
import { requireSession, setSessionCookie } from '../auth/middleware'
import { FieldError, InputError } from '../lib/errors'
import { t } from '../i18n'
import { getInbox, listInboxes } from '../services/inboxes'
import { acceptInvitation, findInvitation } from '../services/invitations'
import { findPasswordReset, requestPasswordReset, resetPassword } from '../services/password-resets'
import { setUpWorkspace, workspaceExists } from '../services/setup'
import { sendResetMail } from '../services/team-mail'
import { baseUrlFor } from '../services/mention-email'
import { isValidAddress } from '../lib/email-address'
import { normalizeEmail } from '../lib/text'
import {
  AcceptInvitationPage,
  ConnectChannelPage,
  ForgotPasswordPage,
  LinkProblemPage,
  ResetPasswordPage,
  SetupPage,
  type FieldErrors,
} from '../../templates/onboarding'

/**
 * The public ways in that need no session: first-run setup, an invitation link, "Forgot
 * password?" and a reset link. Each link is its own key (a one-time token); none of these pages
 * tells whether an address has an account.
 */
export const onboardingRoutes = new Hono<AppEnv>()

const appName = (c: Context<AppEnv>) => c.env.APP_NAME ?? 'Switchboard'
const text = (value: unknown, max = 300) => (typeof value === 'string' ? value.slice(0, max) : '')

/** A service's complaint as a message next to its field (`form` when it concerns the whole form). */
function fieldErrors(error: unknown): FieldErrors | null {
  if (error instanceof FieldError) return { [error.field]: error.message }
  if (error instanceof InputError) return { form: error.message }
  return null
}

async function signIn(c: Context<AppEnv>, userId: string) {
  const { token } = await createSession(c.var.db, userId)
  setSessionCookie(c, token)
}

onboardingRoutes.get('/setup', async (c) => {
  const closed = await workspaceExists(c.var.db)
  return c.html(<SetupPage appName={appName(c)} closed={closed} />, closed ? 409 : 200)
})

onboardingRoutes.post('/setup', async (c) => {
  const body = await c.req.parseBody()
  const values = { workspaceName: text(body.workspaceName), name: text(body.name), email: text(body.email), locale: text(body.locale, 8) }
  try {
    const { user, inboxId } = await setUpWorkspace(c.var.db, { ...values, password: text(body.password, 1024) })
    await signIn(c, user.id)
    return c.redirect(`/setup/channel?inbox=${inboxId}`, 303)
  } catch (error) {
    const errors = fieldErrors(error)
    if (!errors) throw error
    // A second setup (someone else finished first) is refused with the page saying so.
    if (errors.form) return c.html(<SetupPage appName={appName(c)} closed />, 409)
    return c.html(<SetupPage appName={appName(c)} values={values} errors={errors} />, 422)
  }
})

/** "Connect your first channel": the inbox's settings are where channels are connected. */
onboardingRoutes.get('/setup/channel', requireSession, async (c) => {
  const { db, accountId } = c.var
  const inbox = (await getInbox(db, accountId, c.req.query('inbox') ?? '')) ?? (await listInboxes(db, accountId))[0]
  if (!inbox) return c.redirect('/')
  return c.html(<ConnectChannelPage appName={appName(c)} inboxId={inbox.id} inboxName={inbox.name} />)
})

const linkToken = z.string().max(200)

onboardingRoutes.get('/invite/:token', async (c) => {
  const token = linkToken.parse(c.req.param('token'))
  const found = await findInvitation(c.var.db, token)
  if (!found.ok) return c.html(<LinkProblemPage appName={appName(c)} message={t(`invite.link.${found.reason}`)} />, 410)
  return c.html(<AcceptInvitationPage appName={appName(c)} token={token} email={found.row.email} workspace={found.row.accountName} />)
})

onboardingRoutes.post('/invite/:token', async (c) => {
  const token = linkToken.parse(c.req.param('token'))
  const body = await c.req.parseBody()
  const values = { name: text(body.name) }
  try {
    const user = await acceptInvitation(c.var.db, token, { name: values.name, password: text(body.password, 1024) })
    await signIn(c, user.id)
    return c.redirect('/', 303)
  } catch (error) {
    const errors = fieldErrors(error)
    if (!errors) throw error
    const found = await findInvitation(c.var.db, token)
    if (!found.ok) return c.html(<LinkProblemPage appName={appName(c)} message={errors.form ?? t(`invite.link.${found.reason}`)} />, 410)
    return c.html(
      <AcceptInvitationPage appName={appName(c)} token={token} email={found.row.email} workspace={found.row.accountName} values={values} errors={errors} />,
      422,
    )
  }
})

onboardingRoutes.get('/forgot', (c) => c.html(<ForgotPasswordPage appName={appName(c)} />))

onboardingRoutes.post('/forgot', async (c) => {
  const email = normalizeEmail(text((await c.req.parseBody()).email, 254))
  if (!isValidAddress(email)) return c.html(<ForgotPasswordPage appName={appName(c)} email={email} errors={{ email: t('invite.error.email_invalid') }} />, 422)
  // The answer is the same, and as fast, whether or not the address has accounts: the look-up
  // and the mails happen after the response.
  const { db } = c.var
  const baseUrl = baseUrlFor(c.env, c.req.url)
  c.executionCtx.waitUntil(
    (async () => {
      const issued = await requestPasswordReset(db, email)
      await Promise.all(issued.map((reset) => sendResetMail(c.env, baseUrl, reset)))
    })().catch((error) => console.error('password reset mail failed', error)),
  )
  return c.html(<ForgotPasswordPage appName={appName(c)} sent />)
})

onboardingRoutes.get('/reset/:token', async (c) => {
  const token = linkToken.parse(c.req.param('token'))
  const found = await findPasswordReset(c.var.db, token)
  if (!found.ok) return c.html(<LinkProblemPage appName={appName(c)} message={t(`reset.link.${found.reason}`)} forgot />, 410)
  return c.html(<ResetPasswordPage appName={appName(c)} token={token} email={found.row.user.email} workspace={found.row.accountName} />)
})

onboardingRoutes.post('/reset/:token', async (c) => {
  const token = linkToken.parse(c.req.param('token'))
  const body = await c.req.parseBody()
  try {
    const user = await resetPassword(c.var.db, token, text(body.password, 1024))
    await signIn(c, user.id)
    return c.redirect('/', 303)
  } catch (error) {
    const errors = fieldErrors(error)
    if (!errors) throw error
    const found = await findPasswordReset(c.var.db, token)
    if (!found.ok) return c.html(<LinkProblemPage appName={appName(c)} message={errors.form ?? t(`reset.link.${found.reason}`)} forgot />, 410)
    return c.html(<ResetPasswordPage appName={appName(c)} token={token} email={found.row.user.email} workspace={found.row.accountName} errors={errors} />, 422)
  }
})
