import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import { identityHeader, type AgentIdentity } from '../rooms/protocol'
import { currentLocale } from '../i18n'

/**
 * Hands an agent's WebSocket upgrade to a Durable Object, with the identity the session proved.
 * Browsers do not apply CORS to WebSockets, so the Origin check here is what stops another site
 * from opening a socket with our cookie (cross-site WebSocket hijacking).
 */
export function forwardAgentSocket(c: Context<AppEnv>, stub: { fetch(request: Request): Promise<Response> }, params: Record<string, string>) {
  if (c.req.header('Upgrade') !== 'websocket') throw new HTTPException(426, { message: 'Expected a WebSocket.' })
  const origin = c.req.header('Origin')
  if (origin !== new URL(c.req.url).origin) throw new HTTPException(403, { message: 'Cross-site socket refused.' })
  const user = c.var.user
  const identity: AgentIdentity = {
    accountId: user.accountId,
    userId: user.id,
    name: user.name,
    role: user.role,
    timeZone: user.timeZone,
    locale: currentLocale(),
  }
  const url = new URL('https://live.internal/connect')
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value)
  const headers = new Headers({ Upgrade: 'websocket', [identityHeader]: JSON.stringify(identity) })
  return stub.fetch(new Request(url, { headers }))
}
