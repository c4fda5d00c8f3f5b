import { z } from 'zod'
import { type StoredMessage, words } from '../../src/channels/types'
import { messengerTexts, say } from './texts'

type Say = typeof say
/** What is filed for everyone (search, previews, notifications, the AI): English. */
const english: Say = words(messengerTexts, 'en')

/** An attachment the thread cannot show: Meta's own type word (and title), or that it could not be downloaded. */
const note = z.object({ type: z.string().max(20), title: z.string().max(500).optional(), failed: z.literal(true).optional() })
export type Note = z.infer<typeof note>

/**
 * What a message's line is made from, kept in `metadata.messenger.text` when it has words of ours:
 * the customer's text is the first `bodyLength` characters of the stored text, then a line per note;
 * `button` marks a button press that had neither a title nor a payload.
 */
const made = z.object({ bodyLength: z.number().int().min(0), notes: z.array(note).max(10), button: z.literal(true).optional() })
type Made = z.infer<typeof made>

const noteLine = (item: Note, speak: Say) =>
  item.failed ? speak('inbound.not_downloaded', { type: item.type }) : item.title ? `(${item.type}: ${item.title})` : `(${item.type})`

function line(body: string, made: Made, speak: Say): string {
  if (made.button) return speak('inbound.button')
  return [body, ...made.notes.map((item) => noteLine(item, speak))].filter(Boolean).join('\n') || speak('inbound.empty')
}

/**
 * A message's stored text (English) and, when it has words of ours, what to remake them from.
 * Without text or notes, the names of the files that came are its text (the sender's, not ours).
 */
export function filedMessage(body: string, notes: Note[], fileNames: string[]): { text: string; made?: Made } {
  const shape: Made = { bodyLength: body.length, notes }
  if (!body && notes.length === 0 && fileNames.length > 0) return { text: fileNames.join(', ') }
  const ours = notes.some((item) => item.failed) || (!body && notes.length === 0)
  return { text: line(body, shape, english), ...(ours ? { made: shape } : {}) }
}

/** A button press's stored text: its title, else its payload, else our word for a button. */
export function filedPostback(title: string | undefined, payload: string | undefined): { text: string; made?: Made } {
  const theirs = title || payload
  return theirs ? { text: theirs } : { text: english('inbound.button'), made: { bodyLength: 0, notes: [], button: true } }
}

/** `messageText`: the message with our words in the reader's language; null for one without them (or from before they were kept). */
export function messengerMessageText(message: StoredMessage): string | null {
  const parsed = made.safeParse((message.metadata as { messenger?: { text?: unknown } } | null)?.messenger?.text)
  if (!parsed.success || parsed.data.bodyLength > message.text.length) return null
  return line(message.text.slice(0, parsed.data.bodyLength), parsed.data, say)
}
