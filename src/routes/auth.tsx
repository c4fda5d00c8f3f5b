import { Hono } from 'hono'
import { getCookie } from 'hono/cookie'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { creditLoginSuccess, takeLoginAttempt, throttleKeys } from '../auth/login-throttle'
import { deviceTokenOf, knownDeviceFor, rememberDevice } from '../auth/known-devices'
import { clearSessionCookie, setSessionCookie } from '../auth/middleware'
import { createSession, invalidateSession, sessionCookieName, validateSessionToken } from '../auth/session'
import { passwordMaxLength } from '../auth/password'
import { authenticate } from '../services/users'
import { workspaceExists } from '../services/setup'
import { normalizeEmail } from '../lib/text'
import { LoginPage, type WorkspaceChoice } from '../../templates/login'
import { t } from '../i18n'

const loginForm = z.object({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(passwordMaxLength),
  // Sent by the workspace chooser, when the address has accounts in several workspaces.
  accountId: z
    .string()
    .regex(/^[a-z0-9]{1,32}$/)
    .optional(),
})

export const authRoutes = new Hono<AppEnv>()

const appName = (env: AppEnv['Bindings']) => env.APP_NAME ?? 'Switchboard'
const demoHint = (env: AppEnv['Bindings']) =>
  env.DEMO_SEED === 'true' ? t('login.demo_hint', { email: 'ada@demo.switchboard.test', password: 'switchboard-demo' }) : undefined

authRoutes.get('/login', async (c) => {
  const token = getCookie(c, sessionCookieName)
  if (token && (await validateSessionToken(c.var.db, token))) return c.redirect('/')
  // A database without a workspace (a new install): the first visitor sets one up.
  if (!(await workspaceExists(c.var.db))) return c.redirect('/setup')
  return c.html(<LoginPage appName={appName(c.env)} demoHint={demoHint(c.env)} />)
})

authRoutes.post('/login', async (c) => {
  const form = loginForm.safeParse(await c.req.parseBody())
  const page = (status: 200 | 400 | 401 | 403 | 429, error: string | undefined, email?: string, workspaces?: WorkspaceChoice[]) =>
    c.html(<LoginPage appName={appName(c.env)} email={email} error={error} demoHint={demoHint(c.env)} workspaces={workspaces} />, status)
  if (!form.success) return page(400, t('login.error.missing'))
  const { db } = c.var
  const email = normalizeEmail(form.data.email)
  // Counted before the password is hashed, in one step per key, so parallel guesses cannot
  // outrun the count; a browser that signed in as this address before counts on its own.
  const knownDevice = await knownDeviceFor(db, deviceTokenOf(c), email)
  const keys = throttleKeys(email, c.req.header('CF-Connecting-IP'), knownDevice)
  const attempt = await takeLoginAttempt(db, keys)
  if (!attempt.allowed) {
    c.header('Retry-After', String(attempt.retryAfterSeconds))
    return page(429, t('login.error.throttled', { count: Math.ceil(attempt.retryAfterSeconds / 60) }), email)
  }
  const result = await authenticate(db, email, form.data.password, form.data.accountId)
  if (!result.ok) {
    if (result.reason === 'inactive') return page(403, t('login.error.inactive'), email)
    if (result.reason === 'choose') {
      // The password was right: the count starts afresh, so choosing costs no extra attempt.
      await creditLoginSuccess(db, keys)
      return page(200, undefined, email, result.workspaces)
    }
    return page(401, t('login.error.wrong'), email)
  }
  await creditLoginSuccess(db, keys)
  const { token } = await createSession(db, result.user.id)
  setSessionCookie(c, token)
  await rememberDevice(c, db, result.user.id)
  return c.redirect('/', 303)
})

authRoutes.post('/logout', async (c) => {
  const token = getCookie(c, sessionCookieName)
  const validated = token ? await validateSessionToken(c.var.db, token) : null
  if (validated) await invalidateSession(c.var.db, validated.session.id)
  clearSessionCookie(c)
  return c.redirect('/login', 303)
})
