import { getCookie, setCookie, deleteCookie } from 'hono/cookie'
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import type { UserRole } from '../db/schema'
import { setRequestLocale, t } from '../i18n'
import { sessionCookieName, sessionExpiresInSeconds, validateSessionToken } from './session'

function isSecureRequest(c: Context) {
  return new URL(c.req.url).protocol === 'https:'
}

export function setSessionCookie(c: Context, token: string) {
  setCookie(c, sessionCookieName, token, {
    httpOnly: true,
    // Browsers refuse Secure cookies over plain http, which is what local development uses.
    secure: isSecureRequest(c),
    sameSite: 'Lax',
    path: '/',
    maxAge: sessionExpiresInSeconds,
  })
}

export function clearSessionCookie(c: Context) {
  deleteCookie(c, sessionCookieName, { path: '/', secure: isSecureRequest(c), httpOnly: true, sameSite: 'Lax' })
}

/**
 * Requires a valid session. Pages redirect to the login page; HTMX and other non-page requests
 * get a 401 (HTMX follows the HX-Redirect header to the login page).
 */
export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, sessionCookieName)
  const validated = token ? await validateSessionToken(c.var.db, token) : null
  if (!validated) {
    if (token) clearSessionCookie(c)
    if (c.req.header('HX-Request')) {
      c.header('HX-Redirect', '/login')
      return c.body(null, 401)
    }
    if (c.req.method === 'GET' && c.req.header('Upgrade') !== 'websocket') return c.redirect('/login')
    throw new HTTPException(401, { message: t('auth.log_in_first') })
  }
  if (validated.refreshed && token) setSessionCookie(c, token)
  c.set('session', validated.session)
  c.set('user', validated.user)
  c.set('accountId', validated.user.accountId)
  setRequestLocale(validated.user.locale)
  await next()
})

export function requireRole(...roles: UserRole[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!roles.includes(c.var.user.role)) throw new HTTPException(403, { message: t('auth.no_access') })
    await next()
  })
}
