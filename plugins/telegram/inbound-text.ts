import { z } from 'zod'
import { type StoredMessage, words } from '../../src/channels/types'
import { say, telegramTexts } from './texts'

type Say = typeof say
/** What is filed for everyone (search, previews, notifications, the AI): English. */
const english: Say = words(telegramTexts, 'en')

/** What a message carried besides text that the thread does not show. */
export const mediaKinds = ['photo', 'document', 'sticker', 'voice', 'video', 'audio', 'location', 'contact'] as const
type MediaKind = (typeof mediaKinds)[number]

/**
 * What a message's line is made from besides its text, kept in `metadata.telegram` when it has
 * words of ours: the body is the first `bodyLength` characters of the stored text, then what was
 * left out (`omitted`), or nothing at all.
 */
const made = z.object({ bodyLength: z.number().int().min(0), omitted: z.enum(mediaKinds).nullable() })

function line(body: string, omitted: MediaKind | null, speak: Say): string {
  return [body, omitted ? speak(`inbound.not_shown.${omitted}`) : ''].filter(Boolean).join('\n') || speak('inbound.empty')
}

/** An arriving message's stored text (English) and, when it has words of ours, what to remake them from. */
export function filedTelegram(body: string, omitted: MediaKind | null): { text: string; made?: z.infer<typeof made> } {
  const text = line(body, omitted, english)
  return body && !omitted ? { text } : { text, made: { bodyLength: body.length, omitted } }
}

/** `messageText`: the message with our notes in the reader's language; null for one without them (or from before they were kept). */
export function telegramMessageText(message: StoredMessage): string | null {
  const parsed = made.safeParse((message.metadata as { telegram?: unknown } | null)?.telegram)
  if (!parsed.success || parsed.data.bodyLength > message.text.length) return null
  return line(message.text.slice(0, parsed.data.bodyLength), parsed.data.omitted, say)
}
