import { newId } from '../../src/channels/types'

/**
 * Email threading helpers: our own Message-ID scheme and reply address, Message-ID lists as mail
 * clients write them, and the subject key used for the last-resort subject match.
 */

/** Message-IDs are stored bare (no angle brackets), so every header form compares equal. */
export function normalizeMessageId(id: string): string {
  return id.trim().replace(/^<+/, '').replace(/>+$/, '').trim()
}

/** Every id in an In-Reply-To or References header, in order, without duplicates. */
export function messageIdList(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(' ') : (value ?? '')
  // Ids are `<...>`; some clients separate them with commas or nothing, a few omit the brackets.
  const bracketed = [...text.matchAll(/<([^<>\s]+)>/g)].map((match) => match[1]!)
  const ids = bracketed.length > 0 ? bracketed : text.split(/[\s,]+/)
  return [...new Set(ids.map(normalizeMessageId).filter((id) => id.includes('@')))]
}

// Our conversation ids are 16 lower-case base32 characters (lib/ids.ts).
const conversationIdPattern = /^[a-z2-7]{16}$/

/**
 * The Message-ID we give outbound mail: `sb.<conversationId>.<random>@<domain>`. A reply that
 * keeps any of our ids in In-Reply-To or References finds its conversation even when every
 * other header was rewritten.
 */
export function ourMessageId(conversationId: string, domain: string): string {
  return `sb.${conversationId}.${newId()}@${domain}`
}

/** The conversation id inside one of our Message-IDs, or null for anyone else's. */
export function conversationIdFromMessageId(messageId: string): string | null {
  const match = /^sb\.([a-z2-7]{16})\.[a-z2-7]+@[^@\s]+$/.exec(normalizeMessageId(messageId).toLowerCase())
  return match ? match[1]! : null
}

/** The reply address for a conversation: `reply+<conversationId>@<domain>`. */
export function replyAddress(conversationId: string, domain: string): string {
  return `reply+${conversationId}@${domain}`
}

/** The conversation id of a `reply+<token>@` address, or null. */
export function conversationIdFromReplyAddress(address: string): string | null {
  const match = /^reply\+([^@\s]+)@[^@\s]+$/.exec(address.trim().toLowerCase())
  return match && conversationIdPattern.test(match[1]!) ? match[1]! : null
}

// Reply and forward prefixes in the languages our users' correspondents write: English, German
// (AW, WG), Scandinavian (SV, VS, Vs, VB, Fwd), Dutch (Antw, Doorst), French (Réf, TR), Spanish
// and Italian (RE, RV, I), Finnish (VL, VS), Polish (Odp, PD), and the numbered forms `Re[2]:`.
const subjectPrefix =
  /^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|vb|antw|antwort|doorst|ref|réf|tr|rv|enc|odp|pd|vl|i|r)(?:\s*\[\d+\]|\s*\(\d+\))?\s*[:：]|\[[^\]]{0,64}\])\s*/i

/**
 * The subject with every reply/forward prefix and [tag] stripped, repeated and nested, lower-cased
 * and with whitespace collapsed: "AW: Re: [Ticket#12] SV: Order" → "order". Empty when nothing
 * is left, and an empty key never matches anything.
 */
export function subjectKey(subject: string | undefined | null): string {
  let rest = (subject ?? '').normalize('NFC')
  for (let rounds = 0; rounds < 20; rounds++) {
    const next = rest.replace(subjectPrefix, '')
    if (next === rest) break
    rest = next
  }
  // A trailing "(fwd)" as some old clients add it.
  rest = rest.replace(/\s*\((?:fwd|fw)\)\s*$/i, '')
  return rest.replace(/\s+/g, ' ').trim().toLowerCase()
}
