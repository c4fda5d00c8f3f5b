import { z } from 'zod'
import type { ChannelContext, DeliveryReport, InboundAttachment, InboundMessage } from '../../src/channels/types'
import type { MessengerSettings } from './settings'
import { filedMessage, filedPostback, type Note } from './inbound-text'

const attachment = z.object({
  type: z.string().max(20),
  payload: z
    .object({ url: z.string().max(4000).optional(), title: z.string().max(500).optional() })
    .partial()
    .nullish(),
})

// The parts of Meta's webhook payload we read; everything else is ignored.
const event = z.object({
  sender: z.object({ id: z.string().max(64) }),
  recipient: z.object({ id: z.string().max(64) }),
  timestamp: z.number(),
  message: z
    .object({
      mid: z.string().max(200),
      text: z.string().max(20_000).optional(),
      is_echo: z.boolean().optional(),
      app_id: z.union([z.number(), z.string()]).optional(),
      quick_reply: z.object({ payload: z.string().max(1000) }).optional(),
      attachments: z.array(attachment).max(10).optional(),
    })
    .optional(),
  postback: z.object({ mid: z.string().max(200).optional(), title: z.string().max(1000).optional(), payload: z.string().max(1000).optional() }).optional(),
  delivery: z.object({ mids: z.array(z.string().max(200)).max(100).optional(), watermark: z.number() }).optional(),
  read: z.object({ watermark: z.number() }).optional(),
})

export const webhook = z.object({
  object: z.literal('page'),
  entry: z.array(z.object({ messaging: z.array(event).max(100).default([]) })).max(100),
})
type Event = z.infer<typeof event>

/** A received file is fetched only from Meta's CDN (or the configured Graph host, a stand-in in tests), and only up to this size. */
const maxAttachmentBytes = 10 * 1024 * 1024
const metaHosts = /(^|\.)(fbcdn\.net|fbsbx\.com|facebook\.com)$/

function fetchable(url: string, settings: MessengerSettings): URL | null {
  try {
    const parsed = new URL(url)
    const graphHost = new URL(settings.graphApiUrl).host
    if (parsed.host === graphHost) return parsed
    return parsed.protocol === 'https:' && metaHosts.test(parsed.hostname) ? parsed : null
  } catch {
    return null
  }
}

/** Downloads what the customer sent; what cannot be fetched is named in the text instead (a note). */
async function download(items: z.infer<typeof attachment>[], settings: MessengerSettings) {
  const files: InboundAttachment[] = []
  const notes: Note[] = []
  for (const [index, item] of items.entries()) {
    const url = item.payload?.url ? fetchable(item.payload.url, settings) : null
    if (!url || !['image', 'video', 'audio', 'file'].includes(item.type)) {
      notes.push(item.payload?.title ? { type: item.type, title: item.payload.title } : { type: item.type })
      continue
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) })
      const bytes = response.ok ? new Uint8Array(await response.arrayBuffer()) : null
      if (!bytes || bytes.byteLength > maxAttachmentBytes) throw new Error('unavailable')
      const name = decodeURIComponent(url.pathname.split('/').pop() ?? '')
        .replace(/[^\w.-]+/g, '_')
        .slice(0, 100)
      const contentType = (response.headers.get('Content-Type') ?? 'application/octet-stream').split(';')[0]!.trim().slice(0, 100)
      files.push({ filename: name || `${item.type}-${index + 1}`, contentType, content: bytes })
    } catch {
      notes.push({ type: item.type, failed: true })
    }
  }
  return { files, notes }
}

async function messageOf(entry: Event, ctx: ChannelContext<MessengerSettings>): Promise<InboundMessage | null> {
  const { settings } = ctx
  if (entry.postback) {
    // A button the customer pressed: its title is what they "said", the payload is kept.
    const { text, made } = filedPostback(entry.postback.title, entry.postback.payload)
    return {
      externalId: entry.postback.mid ?? `postback:${entry.sender.id}:${entry.timestamp}`,
      from: { externalId: entry.sender.id },
      text,
      sentAt: entry.timestamp,
      thread: { key: entry.sender.id },
      metadata: { messenger: { postback: entry.postback.payload ?? null, ...(made ? { text: made } : {}) } },
    }
  }
  const message = entry.message
  if (!message) return null
  const echo = message.is_echo === true || entry.sender.id === settings.pageId
  // Our own replies come back as echoes: sent by this app, they are in the thread already.
  if (echo && settings.appId && String(message.app_id ?? '') === settings.appId) return null
  const customer = echo ? entry.recipient.id : entry.sender.id
  const { files, notes } = await download(message.attachments ?? [], settings)
  // English for everyone (search, previews, the AI); the thread remakes our words in the reader's language (`messageText`).
  const { text, made } = filedMessage(
    message.text ?? '',
    notes,
    files.map((file) => file.filename),
  )
  const metadata = { ...(message.quick_reply ? { quickReply: message.quick_reply.payload } : {}), ...(made ? { text: made } : {}) }
  return {
    externalId: message.mid,
    from: { externalId: customer },
    text,
    sentAt: entry.timestamp,
    thread: { key: customer },
    attachments: files,
    // The page's name, else the channel's (both the admin's words, not ours).
    ...(echo ? { outgoing: { authorName: settings.pageName || ctx.channel.name } } : {}),
    ...(Object.keys(metadata).length > 0 ? { metadata: { messenger: metadata } } : {}),
  }
}

/** Messages, postbacks, quick-reply answers and echoes of the page's own messages, as inbound messages. */
export async function parseWebhook(body: unknown, ctx: ChannelContext<MessengerSettings>): Promise<InboundMessage[]> {
  const payload = webhook.parse(body)
  const messages: InboundMessage[] = []
  for (const entry of payload.entry) {
    for (const item of entry.messaging) {
      const message = await messageOf(item, ctx)
      if (message) messages.push(message)
    }
  }
  return messages
}

/** Delivery receipts (by message id, else up to a watermark) and read receipts (up to a watermark). */
export function receiptsOf(body: unknown): DeliveryReport[] {
  const payload = webhook.safeParse(body)
  if (!payload.success) return []
  const reports: DeliveryReport[] = []
  for (const entry of payload.data.entry) {
    for (const item of entry.messaging) {
      if (item.delivery) {
        const mids = item.delivery.mids ?? []
        if (mids.length > 0) for (const mid of mids) reports.push({ externalId: mid, status: 'delivered' })
        else reports.push({ threadKey: item.sender.id, status: 'delivered', upTo: item.delivery.watermark })
      }
      if (item.read) reports.push({ threadKey: item.sender.id, status: 'read', upTo: item.read.watermark })
    }
  }
  return reports
}
