import { createMiddleware } from 'hono/factory'
import { HTTPException } from 'hono/http-exception'

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * CSRF defence for cookie-authenticated routes: a state-changing request must come from our own
 * origin. Browsers send Sec-Fetch-Site on every request (and Origin on every POST); a request
 * that carries neither is refused, since a browser-borne forgery always carries one of them.
 */
export const csrfProtection = createMiddleware(async (c, next) => {
  if (safeMethods.has(c.req.method)) return next()
  const fetchSite = c.req.header('Sec-Fetch-Site')
  const origin = c.req.header('Origin')
  const ownOrigin = new URL(c.req.url).origin
  const allowed = fetchSite !== undefined ? fetchSite === 'same-origin' : origin !== undefined && origin === ownOrigin
  if (!allowed || (origin !== undefined && origin !== ownOrigin)) {
    throw new HTTPException(403, { message: 'Cross-site request refused.' })
  }
  return next()
})
