import { z } from 'zod'
import { type StoredMessage, words } from '../../src/channels/types'
import { say, smsTexts } from './texts'

type Say = typeof say
/** What is filed for everyone (search, previews, notifications, the AI): English. */
const english: Say = words(smsTexts, 'en')

/**
 * What an SMS's line is made from besides its body, kept in `metadata.sms` when it has words of
 * ours: the body is the first `bodyLength` characters of the stored text, then how many pictures
 * were left out (MMS media is not fetched), or nothing at all.
 */
const made = z.object({ bodyLength: z.number().int().min(0), omittedMedia: z.number().int().min(0).max(10) })
type Made = z.infer<typeof made>

function line(body: string, omittedMedia: number, speak: Say): string {
  const note = omittedMedia === 1 ? speak('inbound.picture_not_shown') : omittedMedia > 1 ? speak('inbound.pictures_not_shown', { count: omittedMedia }) : ''
  return [body, note].filter(Boolean).join('\n') || speak('inbound.empty')
}

/** An arriving SMS's stored text (English) and, when it has words of ours, what to remake them from. */
export function filedSms(body: string, omittedMedia: number): { text: string; metadata?: { sms: Made } } {
  const text = line(body, omittedMedia, english)
  return body && omittedMedia === 0 ? { text } : { text, metadata: { sms: { bodyLength: body.length, omittedMedia } } }
}

/** `messageText`: the SMS with our notes in the reader's language; null for one without them (or from before they were kept). */
export function smsMessageText(message: StoredMessage): string | null {
  const parsed = made.safeParse((message.metadata as { sms?: unknown } | null)?.sms)
  if (!parsed.success || parsed.data.bodyLength > message.text.length) return null
  return line(message.text.slice(0, parsed.data.bodyLength), parsed.data.omittedMedia, say)
}
