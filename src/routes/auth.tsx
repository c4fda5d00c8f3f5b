import { Hono } from 'hono'
import { getCookie } from 'hono/cookie'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { clearLoginFailures, loginRetryAfterSeconds, recordLoginFailure, throttleKeys } from '../auth/login-throttle'
import { clearSessionCookie, setSessionCookie } from '../auth/middleware'
import { createSession, invalidateSession, sessionCookieName, validateSessionToken } from '../auth/session'
import { passwordMaxLength } from '../auth/password'
import { authenticate } from '../services/users'
import { normalizeEmail } from '../lib/text'
import { LoginPage } from '../../templates/login'
import { t } from '../i18n'

const loginForm = z.object({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(passwordMaxLength),
})

export const authRoutes = new Hono<AppEnv>()

const appName = (env: AppEnv['Bindings']) => env.APP_NAME ?? 'Switchboard'
const demoHint = (env: AppEnv['Bindings']) =>
  env.DEMO_SEED === 'true' ? t('login.demo_hint', { email: 'ada@demo.switchboard.test', password: 'switchboard-demo' }) : undefined

authRoutes.get('/login', async (c) => {
  const token = getCookie(c, sessionCookieName)
  if (token && (await validateSessionToken(c.var.db, token))) return c.redirect('/')
  return c.html(<LoginPage appName={appName(c.env)} demoHint={demoHint(c.env)} />)
})

authRoutes.post('/login', async (c) => {
  const form = loginForm.safeParse(await c.req.parseBody())
  const page = (status: 400 | 401 | 403 | 429, error: string, email?: string) =>
    c.html(<LoginPage appName={appName(c.env)} email={email} error={error} demoHint={demoHint(c.env)} />, status)
  if (!form.success) return page(400, t('login.error.missing'))
  const email = normalizeEmail(form.data.email)
  const keys = throttleKeys(email, c.req.header('CF-Connecting-IP'))
  const waitSeconds = await loginRetryAfterSeconds(c.var.db, keys)
  if (waitSeconds > 0) {
    c.header('Retry-After', String(waitSeconds))
    return page(429, t('login.error.throttled', { count: Math.ceil(waitSeconds / 60) }), email)
  }
  const result = await authenticate(c.var.db, email, form.data.password)
  if (!result.ok) {
    if (result.reason === 'inactive') return page(403, t('login.error.inactive'), email)
    await recordLoginFailure(c.var.db, keys)
    return page(401, t('login.error.wrong'), email)
  }
  await clearLoginFailures(c.var.db, email)
  const { token } = await createSession(c.var.db, result.user.id)
  setSessionCookie(c, token)
  return c.redirect('/', 303)
})

authRoutes.post('/logout', async (c) => {
  const token = getCookie(c, sessionCookieName)
  const validated = token ? await validateSessionToken(c.var.db, token) : null
  if (validated) await invalidateSession(c.var.db, validated.session.id)
  clearSessionCookie(c)
  return c.redirect('/login', 303)
})
