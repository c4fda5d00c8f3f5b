import type { Bindings } from '../env'
import { hostOf } from '../host'
import type { LiveEvent, Notifier } from '../channels/pipeline'

/**
 * Tells the conversation's room about a committed message, when anyone can be in it. A
 * conversation this message started has no room yet, and waking one up costs more than the whole
 * list update; nor does a thread nobody has open (the pipeline read the room's `watched` flag
 * with its write).
 */
export async function tellRoom(env: Pick<Bindings, 'CONVERSATION_ROOM'>, event: LiveEvent & { messageId: number }) {
  if (event.startedConversation || event.watched === false) return
  await hostOf(env).rooms.conversation(event.conversationId).messageAdded(event)
}

/**
 * Redraws a message that changed in place (sent, failed, hidden) for everyone on its thread: the
 * one broadcast for a delivery's outcome, whether the queue consumer or a bounce decided it.
 */
export async function redrawInRoom(env: Pick<Bindings, 'CONVERSATION_ROOM'>, event: { accountId: string; conversationId: string; messageId: number }) {
  await hostOf(env)
    .rooms.conversation(event.conversationId)
    .messageReplaced({ accountId: event.accountId, conversationId: event.conversationId, messageId: event.messageId })
}

/** The live layer in Workers: the conversation's room and the inbox's hub, both told at once. */
export function durableObjectNotifier(env: Bindings): Notifier {
  const hub = (inboxId: string) => hostOf(env).rooms.inbox(inboxId)
  return {
    async messageAdded(event) {
      // The room first: agents watching the thread have now read the message, and the list row
      // the hub renders next must already say so.
      await tellRoom(env, event)
      await hub(event.inboxId).conversationChanged(event)
    },
    async conversationChanged(event: LiveEvent) {
      await hub(event.inboxId).conversationChanged(event)
    },
    // The list shows no delivery state: only the thread is redrawn.
    async messageReplaced(event) {
      await redrawInRoom(env, event)
    },
  }
}

/**
 * After conversations changed (owner, status, folder): each inbox's hub re-renders the rows in one
 * pass, and each conversation's room refreshes its header for agents on the thread.
 */
export async function notifyConversationsChanged(
  env: Bindings,
  accountId: string,
  changed: { id: string; inboxId: string }[],
  options: { rooms?: boolean } = {},
) {
  const byInbox = new Map<string, string[]>()
  for (const { id, inboxId } of changed) byInbox.set(inboxId, [...(byInbox.get(inboxId) ?? []), id])
  const hubs = [...byInbox].map(([inboxId, conversationIds]) => hostOf(env).rooms.inbox(inboxId).conversationsChanged({ accountId, inboxId, conversationIds }))
  // A bulk action over hundreds of rows refreshes the lists; open threads catch up on reopen.
  const rooms =
    options.rooms !== false && changed.length <= 20
      ? changed.map(({ id }) => hostOf(env).rooms.conversation(id).conversationUpdated({ accountId, conversationId: id }))
      : []
  const results = await Promise.allSettled([...hubs, ...rooms])
  for (const result of results) if (result.status === 'rejected') console.error('live update failed', String(result.reason))
}

export async function notifyMessageReplaced(env: Bindings, event: { accountId: string; inboxId: string; conversationId: string; messageId: number }) {
  const results = await Promise.allSettled([redrawInRoom(env, event), hostOf(env).rooms.inbox(event.inboxId).conversationChanged(event)])
  for (const result of results) if (result.status === 'rejected') console.error('live update failed', String(result.reason))
}
