import type { Bindings } from '../env'
import type { LiveEvent, Notifier } from '../channels/pipeline'

/** The live layer in Workers: the conversation's room and the inbox's hub, both told at once. */
export function durableObjectNotifier(env: Bindings): Notifier {
  const room = (conversationId: string) => env.CONVERSATION_ROOM.get(env.CONVERSATION_ROOM.idFromName(conversationId))
  const hub = (inboxId: string) => env.INBOX_HUB.get(env.INBOX_HUB.idFromName(inboxId))
  return {
    async messageAdded(event) {
      // The room first: agents watching the thread have now read the message, and the list row
      // the hub renders next must already say so.
      await room(event.conversationId).messageAdded(event)
      await hub(event.inboxId).conversationChanged(event)
    },
    async conversationChanged(event: LiveEvent) {
      await hub(event.inboxId).conversationChanged(event)
    },
  }
}
