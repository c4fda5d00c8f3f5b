import type { Db } from '../db/client'

/*
 * The pipeline's shared vocabulary: what it needs (a database, a live layer, a blob store) and
 * what it answers. pipeline.ts is the entry; pipeline-batch.ts, pipeline-careful.ts and
 * live-conversation.ts are its three ways of storing a message.
 */

/** What the pipeline tells the live layer after a write has been committed. */
export interface LiveEvent {
  accountId: string
  inboxId: string
  conversationId: string
  messageId?: number
  /**
   * The message started a conversation that did not exist before this delivery (under an id the
   * pipeline made up): nobody can be watching its thread yet, only its inbox's list.
   */
  startedConversation?: boolean
  /**
   * Whether an agent had the thread open when the message was committed (read in the same
   * transaction). False lets the live layer skip waking the conversation's room; unknown means ask.
   */
  watched?: boolean
}

export interface Notifier {
  messageAdded(event: LiveEvent & { messageId: number }): Promise<void>
  conversationChanged(event: LiveEvent): Promise<void>
  /**
   * A stored message changed in place (a delivery failure report marked our reply failed): it is
   * redrawn for whoever has its thread open, as a send's outcome is.
   */
  messageReplaced(event: LiveEvent & { messageId: number }): Promise<void>
}

/** Where attachment bytes go: the R2 bucket in Workers (`put`, and `delete` to take back what a failed delivery stored). */
export interface BlobStore {
  put(key: string, value: Uint8Array, options?: { httpMetadata?: { contentType?: string } }): Promise<unknown>
  delete?(keys: string[]): Promise<unknown>
}

/**
 * Takes back the attachment bytes of a delivery that stored no message (it failed, or it was a
 * repeat): the redelivery stores its own. Best effort: an orphaned object is only wasted space.
 */
export async function discardBlobs(deps: PipelineDeps, stored: { r2Key: string }[]) {
  if (stored.length === 0 || !deps.blobs.delete) return
  try {
    await deps.blobs.delete(stored.map((attachment) => attachment.r2Key))
  } catch (error) {
    console.error('could not remove the attachments of a failed delivery', String(error))
  }
}

export interface PipelineDeps {
  db: Db
  notifier: Notifier
  blobs: BlobStore
}

export type IngestResult =
  | { status: 'created' | 'appended'; conversationId: string; messageId: number; contactId: string }
  | { status: 'duplicate'; conversationId: string; messageId: number }

/** The message is committed already; a live-update failure must not turn into a lost message. */
export async function notifySafely(notifier: Notifier, event: LiveEvent & { messageId: number }) {
  try {
    await notifier.messageAdded(event)
  } catch (error) {
    console.error('live update failed', { conversationId: event.conversationId, error: String(error) })
  }
}

/** As `notifySafely`, for messages the delivery changed in place. */
export async function notifyReplacedSafely(notifier: Notifier, event: LiveEvent, messageIds: number[]) {
  for (const messageId of messageIds) {
    try {
      await notifier.messageReplaced({ ...event, messageId })
    } catch (error) {
      console.error('live update failed', { conversationId: event.conversationId, error: String(error) })
    }
  }
}

/** Whether a stored phone is one we normalised (E.164), and so may match another channel's contact. */
export const isE164 = (phone: string | null | undefined): phone is string => typeof phone === 'string' && /^\+[1-9]\d{5,14}$/.test(phone)
