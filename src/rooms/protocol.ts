import { z } from 'zod'
import type { JSX } from 'hono/jsx/jsx-runtime'
import { locales, withLocale, type Locale } from '../i18n'
import { renderHtml } from '../lib/render'

/** Who an agent socket belongs to; set by the worker after it checked the session. */
export const agentIdentity = z.object({
  accountId: z.string(),
  userId: z.string(),
  name: z.string(),
  role: z.enum(['super_admin', 'admin', 'agent']),
  timeZone: z.string().default('UTC'),
  /** The UI language the agent reads (their profile's choice): fragments pushed to them use it. */
  locale: z.enum(locales).catch('en'),
})
export type AgentIdentity = z.infer<typeof agentIdentity>

export const identityHeader = 'X-Switchboard-Agent'

/**
 * The JSON a room's caller (our own worker) put in an identity header, or null. Read defensively
 * all the same: a malformed header is a 400 from the room, never a thrown fetch.
 */
export function headerJson(request: Request, name: string): unknown {
  try {
    return JSON.parse(request.headers.get(name) ?? 'null')
  } catch {
    return null
  }
}

/** Frames an agent's browser may send. Anything else gets an error frame, never a crash. */
export const agentFrame = z.discriminatedUnion('type', [z.object({ type: z.literal('ping') }), z.object({ type: z.literal('typing'), typing: z.boolean() })])
export type AgentFrame = z.infer<typeof agentFrame>

export const maxFrameBytes = 16 * 1024

/** Parses a raw socket frame; returns null for anything malformed or oversized. */
export function parseAgentFrame(data: string | ArrayBuffer): AgentFrame | null {
  if (typeof data !== 'string' || data.length > maxFrameBytes) return null
  try {
    const parsed = agentFrame.safeParse(JSON.parse(data))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/**
 * Completes a close the peer started. 1006 (the connection dropped) and 1015 (TLS failed) mean
 * no Close frame came and the transport is gone: nothing may be written to it (workerd throws for
 * those codes anyway). 1005 is a Close frame without a code: it is answered with one without a
 * code. Any other code is echoed, as RFC 6455 §5.5.1 suggests. A socket the runtime already
 * closed (it answers Close frames itself on recent compatibility dates) is left alone.
 */
export function answerClose(socket: WebSocket, code: number) {
  if (code === 1006 || code === 1015 || socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) return
  const sendable = code === 1000 || (code >= 1001 && code <= 1014 && code !== 1004 && code !== 1005) || (code >= 3000 && code <= 4999)
  try {
    if (code === 1005) socket.close()
    else socket.close(sendable ? code : 1000, 'closing')
  } catch {
    // Closed meanwhile.
  }
}

/** Sends without throwing: a socket can close between listing and sending. */
export function sendSafely(socket: WebSocket, data: string) {
  try {
    socket.send(data)
  } catch {
    // The close handler cleans up; nothing else to do.
  }
}

/**
 * Renders a fragment in a locale. The element is built inside too: t() in attributes runs when
 * the JSX is created, and components run while it is rendered, both within the locale.
 */
export function renderIn(locale: Locale | undefined, build: () => JSX.Element): Promise<string> {
  return withLocale(locale, () => renderHtml(build()))
}
