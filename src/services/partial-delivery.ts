import type { PartialDelivery } from '../channels/types'

/*
 * Who has an outbound message already, when an attempt reached some of its recipients and not
 * the others (`PartialDelivery`): kept in the message's metadata as `deliveredTo` and
 * `notDeliveredTo`, so every later attempt (the queue's, or the agent's Retry) skips those who
 * have it, and the thread names who does not. A send that reached everyone keeps `deliveredTo`
 * alone, for a bounce from some of them later (`afterBounce`).
 */

/** A plugin's list of recipients, as far as it can be stored: strings, bounded. */
const recipientList = (value: unknown): string[] =>
  Array.isArray(value)
    ? value
        .filter((entry): entry is string => typeof entry === 'string')
        .map((entry) => entry.slice(0, 254))
        .slice(0, 200)
    : []

/**
 * The metadata that records who has a message already after a failed attempt (`PartialDelivery`,
 * from the plugin's answer or its thrown error), or nothing to change when nobody has it.
 */
export function partialDeliveryOf(metadata: Record<string, unknown>, source: unknown): { metadata?: Record<string, unknown> } {
  const reported = (source ?? {}) as Partial<PartialDelivery>
  const deliveredTo = recipientList(reported.deliveredTo)
  if (deliveredTo.length === 0) return {}
  return { metadata: { ...metadata, deliveredTo, notDeliveredTo: recipientList(reported.notDeliveredTo) } }
}

/** The metadata without a past attempt's partial delivery: once everyone has it, nothing is skipped or shown as missing. */
export function withoutPartialDelivery(metadata: Record<string, unknown>): Record<string, unknown> {
  const { deliveredTo: _delivered, notDeliveredTo: _missing, ...rest } = metadata
  return rest
}

/** The metadata of a message every recipient took: who they are, nobody missing. */
export function sentToEveryone(metadata: Record<string, unknown>, deliveredTo: unknown): Record<string, unknown> {
  const everyone = recipientList(deliveredTo)
  return everyone.length > 0 ? { ...withoutPartialDelivery(metadata), deliveredTo: everyone } : withoutPartialDelivery(metadata)
}

/**
 * The metadata of a sent message after a report that it bounced for `bounced` (addresses, any
 * case): those move from `deliveredTo` to `notDeliveredTo`, so Retry goes to them alone. When the
 * report names nobody the message was delivered to (or everyone), who is missing it is unknown:
 * the lists go, and Retry sends to every recipient again. Null when there is nothing to change.
 */
export function afterBounce(metadata: Record<string, unknown>, bounced: string[]): Record<string, unknown> | null {
  const delivered = recipientList(metadata.deliveredTo)
  if (delivered.length === 0 && !('notDeliveredTo' in metadata)) return null
  const returned = new Set(bounced.map((address) => address.toLowerCase()))
  const kept = delivered.filter((address) => !returned.has(address.toLowerCase()))
  const missing = delivered.filter((address) => returned.has(address.toLowerCase()))
  if (kept.length === 0 || missing.length === 0) return withoutPartialDelivery(metadata)
  return { ...metadata, deliveredTo: kept, notDeliveredTo: missing }
}
