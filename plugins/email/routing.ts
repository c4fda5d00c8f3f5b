import { conversationIdFromReplyAddress } from './threading'

/** An address as we compare it: trimmed and lower-cased. */
const normalize = (address: string) => address.trim().toLowerCase()

/** The address an email channel answers to, with plus-addressing (support+tag@) folded away. */
export function baseAddress(address: string): string {
  const normalized = normalize(address)
  const at = normalized.lastIndexOf('@')
  const local = normalized.slice(0, at).split('+')[0]
  return `${local}${normalized.slice(at)}`
}

/** The addresses a channel's settings list (read defensively: the settings are stored JSON). */
function addressesOf(settings: unknown): string[] {
  const addresses = (settings as { addresses?: unknown } | null)?.addresses
  return Array.isArray(addresses) ? addresses.filter((address): address is string => typeof address === 'string') : []
}

/**
 * How an email channel takes mail for `recipient`: as one of its addresses or aliases (a
 * plus-variant of either included), or, for our `reply+<conversation>@` address at one of its
 * domains, as a reply into that conversation (core then checks the conversation is the channel's).
 */
export function emailRecipient(settings: unknown, recipient: string): { kind: 'address' } | { kind: 'conversation'; conversationId: string } | null {
  const addresses = addressesOf(settings)
  const base = baseAddress(recipient)
  if (addresses.some((address) => baseAddress(address) === base)) return { kind: 'address' }
  const conversationId = conversationIdFromReplyAddress(recipient)
  if (!conversationId) return null
  const domain = base.slice(base.lastIndexOf('@'))
  return addresses.some((address) => normalize(address).endsWith(domain)) ? { kind: 'conversation', conversationId } : null
}

/** The address mail from the channel comes from: the first it lists. */
export function emailFromAddress(settings: unknown): string | null {
  return addressesOf(settings)[0] ?? null
}

/** The From name the channel's settings give (`fromName`), or null. */
export function emailFromName(settings: unknown): string | null {
  const name = (settings as { fromName?: unknown } | null)?.fromName
  return typeof name === 'string' && name.trim() ? name.trim() : null
}
