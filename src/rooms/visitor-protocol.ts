import { z } from 'zod'
import { locales } from '../i18n'

/** Who a visitor socket belongs to; set by the worker after it checked the widget token and origin. */
export const visitorIdentity = z.object({
  accountId: z.string(),
  inboxId: z.string(),
  channelId: z.string(),
  pluginId: z.string(),
  channelName: z.string(),
  visitorId: z.string(),
  conversationId: z.string(),
  /** The channel's chatflow, if it has one. */
  chatflow: z.string().optional(),
  /** The widget's language (the channel's, or the visitor's browser's): texts the room sends the visitor use it. */
  locale: z.enum(locales).catch('en'),
})
export type VisitorIdentityHeader = z.infer<typeof visitorIdentity>
export const visitorHeader = 'X-Switchboard-Visitor'

export const maxVisitorMessageLength = 4000

/** Frames the widget may send. Anything else gets an error frame and changes nothing. */
export const visitorFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message'),
    /** The widget's own id for the message: a resend after a lost ack is stored once. */
    clientId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    text: z.string().trim().min(1).max(maxVisitorMessageLength),
  }),
  z.object({ type: z.literal('typing'), typing: z.boolean() }),
  z.object({
    type: z.literal('profile'),
    name: z.string().trim().max(120).optional(),
    email: z.string().trim().email().max(254).optional(),
  }),
  z.object({ type: z.literal('ping') }),
  /** The answer to the satisfaction survey the room offered (the survey's token ties it to this conversation). */
  z.object({
    type: z.literal('survey'),
    token: z.string().regex(/^[a-z0-9]{16,64}$/),
    score: z.number().int().min(1).max(5),
    comment: z.string().max(2000).optional(),
  }),
])
export type VisitorFrame = z.infer<typeof visitorFrame>

export const maxVisitorFrameBytes = 16 * 1024

export type ParsedVisitorFrame = { ok: true; frame: VisitorFrame } | { ok: false; error: string }

export function parseVisitorFrame(data: string | ArrayBuffer): ParsedVisitorFrame {
  if (typeof data !== 'string') return { ok: false, error: 'Frames are JSON text.' }
  if (data.length > maxVisitorFrameBytes) return { ok: false, error: 'That message is too long.' }
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return { ok: false, error: 'Malformed frame' }
  }
  const parsed = visitorFrame.safeParse(json)
  if (parsed.success) return { ok: true, frame: parsed.data }
  const tooLong = parsed.error.issues.some((issue) => issue.code === 'too_big')
  return { ok: false, error: tooLong ? `Messages have at most ${maxVisitorMessageLength} characters.` : 'Malformed frame' }
}

/** A message as the widget shows it: plain text, never HTML, never internal comments. */
export interface VisitorMessage {
  id: number
  seq: number
  from: 'visitor' | 'agent'
  clientId?: string
  author: string | null
  /** Quick replies a bot offers with this message. */
  buttons?: string[]
  /** Files sent with the message; the widget fetches them with its token. */
  files?: { id: string; filename: string; contentType: string; sizeBytes: number }[]
  text: string
  at: number
}
