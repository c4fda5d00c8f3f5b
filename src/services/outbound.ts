import { and, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { channels, contacts, conversations, messages } from '../db/schema'
import { findPlugin } from '../channels/registry'
import { channelContextOf } from '../channels/context'
import type { OutboundMessage } from '../channels/types'
import type { Bindings } from '../env'

/**
 * Outbound delivery: a reply is stored first (so it is never lost), marked pending, and handed
 * to the OUTBOUND queue; the queue consumer calls the channel plugin's `send`. Failures are
 * retried with backoff by the queue; after the last attempt the message shows "failed: reason"
 * with a retry button. Channels without `send` (live chat) deliver through their room instead.
 */
export const maxDeliveryAttempts = 5

export const deliveryJob = z.object({ accountId: z.string(), messageId: z.number().int() })
export type DeliveryJob = z.infer<typeof deliveryJob>

export interface DeliveryQueue {
  send(job: DeliveryJob): Promise<unknown>
}

/** Whether messages of this conversation's channel go out through the queue. */
export function sendsThroughQueue(pluginId: string): boolean {
  return typeof findPlugin(pluginId)?.send === 'function'
}

export async function queueDelivery(db: Db, queue: DeliveryQueue, job: DeliveryJob) {
  await db
    .update(messages)
    .set({ deliveryStatus: 'pending', deliveryError: null })
    .where(and(eq(messages.accountId, job.accountId), eq(messages.id, job.messageId)))
  await queue.send(job)
}

/** The seconds before the next try: 10 s, 40 s, 2.5 min, 10 min … (capped at 1 h). */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(3600, 10 * 4 ** Math.max(0, attempt - 1))
}

export type DeliveryOutcome = { status: 'sent' } | { status: 'retry'; delaySeconds: number; error: string } | { status: 'failed'; error: string } | { status: 'skipped' }

/** Builds what the plugin needs from the stored message and its conversation. */
async function outboundFor(db: Db, job: DeliveryJob) {
  const [row] = await db
    .select({ message: messages, conversation: conversations, channel: channels, contact: contacts })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(channels, eq(channels.id, messages.channelId))
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(messages.accountId, job.accountId), eq(messages.id, job.messageId)))
    .limit(1)
  if (!row) return null
  const references = await db
    .select({ externalId: messages.externalId })
    .from(messages)
    .where(and(eq(messages.conversationId, row.conversation.id), sql`${messages.externalId} is not null`, sql`${messages.seq} < ${row.message.seq}`, eq(messages.kind, 'message')))
    .orderBy(messages.seq)
  const outbound: OutboundMessage = {
    conversationId: row.conversation.id,
    messageId: row.message.id,
    to: { name: row.contact?.name, email: row.contact?.email, externalId: row.conversation.externalKey },
    subject: row.conversation.subject,
    text: row.message.text,
    html: row.message.html,
    references: references.map((reference) => reference.externalId!).filter(Boolean),
  }
  return { ...row, outbound }
}

/** One delivery attempt, as the queue consumer runs it. */
export async function deliver(db: Db, env: Bindings, job: DeliveryJob, attempt: number): Promise<DeliveryOutcome> {
  const loaded = await outboundFor(db, job)
  if (!loaded || loaded.message.deliveryStatus === 'sent') return { status: 'skipped' }
  const plugin = findPlugin(loaded.channel.pluginId)
  if (!plugin?.send) return { status: 'skipped' }
  const markAttempt = (set: Partial<typeof messages.$inferInsert>) =>
    db.update(messages).set({ ...set, deliveryAttempts: attempt }).where(eq(messages.id, loaded.message.id))
  try {
    const result = await plugin.send(loaded.outbound, channelContextOf(loaded.channel, env))
    await markAttempt({ deliveryStatus: 'sent', deliveryError: null, ...(result.externalId ? { externalId: result.externalId } : {}) })
    return { status: 'sent' }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (attempt >= maxDeliveryAttempts) {
      await markAttempt({ deliveryStatus: 'failed', deliveryError: reason.slice(0, 500) })
      return { status: 'failed', error: reason }
    }
    await markAttempt({ deliveryStatus: 'pending', deliveryError: reason.slice(0, 500) })
    return { status: 'retry', delaySeconds: retryDelaySeconds(attempt), error: reason }
  }
}
