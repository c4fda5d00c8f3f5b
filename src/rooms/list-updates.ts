import type { Bindings } from '../env'
import { hostOf } from '../host'
import type { LiveEvent } from '../channels/pipeline'

/**
 * Inbox list updates wanted at about the same time by work running in this isolate (email
 * deliveries, chat rooms — Durable Objects of one class share their isolate), per inbox: gathered
 * for a few milliseconds and sent as one `conversationsChanged` (the hub re-renders all those
 * rows in one pass per subscriber) instead of one Durable Object call per message. Whoever
 * opened the window sends it, inside its own request or event (its waitUntil, or the object's
 * own liveness, keeps it going); later callers only add their conversation and are done — no
 * promise or I/O crosses from one request or object to another, which Workers do not allow.
 */
const listUpdateWindowMs = 15
const pendingListUpdates = new Map<string, { accountId: string; conversationIds: Set<string> }>()

export function queueListUpdate(env: Pick<Bindings, 'INBOX_HUB'>, event: Pick<LiveEvent, 'accountId' | 'inboxId' | 'conversationId'>): Promise<void> {
  const pending = pendingListUpdates.get(event.inboxId)
  if (pending && pending.accountId === event.accountId) {
    pending.conversationIds.add(event.conversationId)
    return Promise.resolve()
  }
  const conversationIds = new Set([event.conversationId])
  pendingListUpdates.set(event.inboxId, { accountId: event.accountId, conversationIds })
  return new Promise<void>((resolve) => setTimeout(resolve, listUpdateWindowMs)).then(async () => {
    if (pendingListUpdates.get(event.inboxId)?.conversationIds === conversationIds) pendingListUpdates.delete(event.inboxId)
    await hostOf(env)
      .rooms.inbox(event.inboxId)
      .conversationsChanged({
        accountId: event.accountId,
        inboxId: event.inboxId,
        conversationIds: [...conversationIds],
      })
  })
}
