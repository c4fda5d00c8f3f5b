import type { PartialDelivery } from '../channels/types'

/*
 * Who has an outbound message already, when an attempt reached some of its recipients and not
 * the others (`PartialDelivery`): kept in the message's metadata as `deliveredTo` and
 * `notDeliveredTo`, so every later attempt (the queue's, or the agent's Retry) skips those who
 * have it, and the thread names who does not.
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
