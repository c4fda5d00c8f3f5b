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

/** Frames an agent's browser may send. Anything else gets an error frame, never a crash. */
export const agentFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('typing'), typing: z.boolean() }),
])
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

/** WebSocket close codes 1005 and 1006 are reserved for the runtime; answer them with 1000. */
export function closeCodeFor(code: number): number {
  return code === 1005 || code === 1006 || code < 1000 || code > 4999 ? 1000 : code
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
