import { and, eq, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { inOneRoundTrip, reads, type Reads } from '../db/round-trip'
import type { Channel } from './inboxes'
import { insertInChunks, runInOneBatch } from '../db/chunk'
import { attachments, channels, contacts, conversationParticipants, conversations, messages, users } from '../db/schema'
import { findPlugin } from '../channels/registry'
import { channelContextOf } from '../channels/context'
import type { ChannelPlugin, DraftProblem, OutboundAttachment, OutboundMessage } from '../channels/types'
import { partialDeliveryOf, sentToEveryone } from './partial-delivery'
import { normalizeEmail } from '../lib/text'
import { isConstraintViolation } from '../db/errors'
import type { Bindings } from '../env'
import { hostOf } from '../host'
import { t, withLocale } from '../i18n'

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

/**
 * Marks a stored message pending and puts its job on the queue. A queue that refuses the job
 * leaves the message pending, not lost: the sweep (`sweepStaleDeliveries`) queues it again once
 * it is stale, and the thread offers "Send again". So the caller's request still succeeds.
 */
export async function queueDelivery(db: Db, queue: DeliveryQueue, job: DeliveryJob, nowMs = Date.now()): Promise<boolean> {
  await db
    .update(messages)
    .set({ deliveryStatus: 'pending', deliveryError: null, deliveryUpdatedAt: nowMs })
    .where(and(eq(messages.accountId, job.accountId), eq(messages.id, job.messageId)))
  return sendDeliveryJob(queue, job)
}

/**
 * Puts a job on the queue for a message already stored pending (`queueDelivery`, or a message
 * inserted with `deliveryStatus: 'pending'`): false, logged, when the queue refuses it.
 */
export async function sendDeliveryJob(queue: DeliveryQueue, job: DeliveryJob): Promise<boolean> {
  try {
    await queue.send(job)
    return true
  } catch (error) {
    console.error('outbound: queueing failed, the sweep will retry', job, error)
    return false
  }
}

/**
 * A pending delivery that has not moved for this long lost its queue job (queue.send failed, or
 * the consumer died mid-send). Longer than the widest gap between two attempts of a live job
 * (the fourth retry waits 640 s) plus queue latency, so a job still retrying is never doubled.
 */
export const staleDeliveryAfterMs = 15 * 60 * 1000
/** How long one consumer's attempt holds a message; a send takes seconds. */
const deliveryClaimMs = 10 * 60 * 1000
/** Cloudflare Queues take at most 100 messages per sendBatch. */
const sweepBatchSize = 100

const isPending = sql`${messages.deliveryStatus} = 'pending'`
const staleBefore = (cutoffMs: number) => sql`coalesce(${messages.deliveryUpdatedAt}, ${messages.createdAt}) < ${cutoffMs}`

/** Whether the thread should offer "Send again" on a pending message: it has not moved for too long. */
export function isStaleDelivery(message: { deliveryStatus: string; deliveryUpdatedAt: number | null; createdAt: number }, nowMs = Date.now()) {
  return message.deliveryStatus === 'pending' && (message.deliveryUpdatedAt ?? message.createdAt) < nowMs - staleDeliveryAfterMs
}

/**
 * Takes a stale pending message for a new queue job ("Send again" on it, or the sweep): one
 * conditional UPDATE, so of two clicks or a click and a sweep only one queues it.
 */
export async function claimStaleDelivery(db: Db, job: DeliveryJob, nowMs = Date.now()): Promise<boolean> {
  const claimed = await db
    .update(messages)
    .set({ deliveryUpdatedAt: nowMs, deliveryError: null })
    .where(and(eq(messages.accountId, job.accountId), eq(messages.id, job.messageId), isPending, staleBefore(nowMs - staleDeliveryAfterMs)))
    .returning({ id: messages.id })
  return claimed.length > 0
}

/**
 * The cron's sweep: every pending delivery that has not moved for `staleDeliveryAfterMs` is
 * claimed (its clock restarts, so the next sweep leaves it alone) and queued again.
 * Returns how many were queued.
 */
export async function sweepStaleDeliveries(db: Db, queue: { sendBatch(jobs: { body: DeliveryJob }[]): Promise<unknown> }, nowMs = Date.now()): Promise<number> {
  const claimed = await db
    .update(messages)
    .set({ deliveryUpdatedAt: nowMs })
    .where(
      sql`${messages.id} in (select ${messages.id} from ${messages} where ${isPending} and ${staleBefore(nowMs - staleDeliveryAfterMs)} limit ${sweepBatchSize})`,
    )
    .returning({ accountId: messages.accountId, messageId: messages.id })
  if (claimed.length > 0) await queue.sendBatch(claimed.map((job) => ({ body: job })))
  return claimed.length
}

/** The longest wait a provider's retry-after gets: a minute inside `staleDeliveryAfterMs`. */
const maxProviderRetryDelaySeconds = staleDeliveryAfterMs / 1000 - 60

/** The seconds before the next try: 10 s, 40 s, 2.5 min, 10 min … (capped at 1 h). */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(3600, 10 * 4 ** Math.max(0, attempt - 1))
}

export type DeliveryOutcome =
  | { status: 'sent' }
  | { status: 'retry'; delaySeconds: number; error: string }
  | { status: 'failed'; error: string }
  | { status: 'skipped' }

/** Builds what the plugin needs from the stored message and its conversation. */
async function outboundFor(db: Db, job: DeliveryJob) {
  const [row] = await db
    .select({
      message: messages,
      conversation: conversations,
      channel: channels,
      contact: contacts,
      // The reply's author's language: what goes wrong with it is written in it (see deliver).
      authorLocale: users.locale,
      lastInboundAt: sql<
        number | null
      >`(select max(m2.created_at) from messages m2 where m2.conversation_id = ${messages.conversationId} and m2.direction = 'in')`,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(channels, eq(channels.id, messages.channelId))
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(users, eq(users.id, messages.authorUserId))
    .where(and(eq(messages.accountId, job.accountId), eq(messages.id, job.messageId)))
    .limit(1)
  if (!row) return null
  const earlier = await db
    .select({ externalId: messages.externalId, metadata: messages.metadata })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, row.conversation.id),
        sql`${messages.externalId} is not null`,
        sql`${messages.seq} < ${row.message.seq}`,
        eq(messages.kind, 'message'),
      ),
    )
    .orderBy(messages.seq)
  const metadata = row.message.metadata ?? {}
  // A forward or a transcript carries more than the thread shows of it: what goes out is kept apart.
  const sendBody = z.object({ text: z.string(), html: z.string().nullish() }).safeParse(metadata.sendBody)
  const outbound: OutboundMessage = {
    conversationId: row.conversation.id,
    messageId: row.message.id,
    // The thread key is the conversation's own channel's: a reply handed off through another channel has none there.
    to: {
      name: row.contact?.name,
      email: row.contact?.email,
      phone: row.contact?.phone,
      externalId: row.message.channelId === row.conversation.channelId ? row.conversation.externalKey : null,
    },
    subject: row.conversation.subject,
    text: sendBody.success ? sendBody.data.text : row.message.text,
    html: sendBody.success ? (sendBody.data.html ?? null) : row.message.html,
    // A forward or a transcript starts a thread of its own at the recipient's end.
    references: metadata.startsThread ? [] : earlier.map((reference) => reference.externalId!).filter(Boolean),
    conversationStartedAt: row.conversation.createdAt,
    options: metadata.replyOptions,
    lastInboundAt: row.lastInboundAt,
    metadata,
    parentMetadata: metadata.startsThread ? undefined : (earlier[earlier.length - 1]?.metadata ?? undefined),
    automatic: row.message.automated ? (metadata.autoSubmitted === 'auto-generated' ? 'auto-generated' : 'auto-replied') : undefined,
  }
  return { ...row, outbound }
}

/** The message's stored attachments, read from R2 only when the plugin asks for the bytes. */
async function attachmentsOf(db: Db, env: Bindings, messageId: number): Promise<OutboundAttachment[]> {
  const rows = await db.select().from(attachments).where(eq(attachments.messageId, messageId))
  return rows.map((row) => ({
    filename: row.filename,
    contentType: row.contentType,
    sizeBytes: row.sizeBytes,
    contentId: row.contentId,
    async read() {
      const object = await hostOf(env).blobs.get(row.r2Key)
      if (!object) throw new Error(`The attachment ${row.filename} is missing from storage.`)
      return new Uint8Array(await object.arrayBuffer())
    },
  }))
}

/** Whoever a message went to is a participant: their reply may join by subject, and reply all includes them. */
async function recordRecipients(db: Db, conversationId: string, participants: NonNullable<import('../channels/types').SendResult['participants']>) {
  const rows = new Map<string, typeof conversationParticipants.$inferInsert>()
  for (const participant of participants) {
    const address = normalizeEmail(participant.address)
    if (address && !rows.has(address)) rows.set(address, { conversationId, address, name: participant.name ?? null, role: participant.role })
  }
  await runInOneBatch(
    db,
    insertInChunks(conversationParticipants, [...rows.values()], (part) => db.insert(conversationParticipants).values(part).onConflictDoNothing()),
  )
}

/**
 * Keeps the bytes that went out; null when storage refused them. The mail is out by then: a
 * failure here must not fail the attempt, or the queue's retry would send every copy again.
 */
async function keepSentCopy(env: Bindings, key: string, raw: string | Uint8Array): Promise<string | null> {
  try {
    await hostOf(env).blobs.put(key, raw, { httpMetadata: { contentType: 'message/rfc822' } })
    return key
  } catch (error) {
    console.error('outbound: the sent copy could not be kept', key, String(error))
    return null
  }
}

/** One delivery attempt, as the queue consumer runs it. */
export async function deliver(db: Db, env: Bindings, job: DeliveryJob, attempt: number, nowMs = Date.now()): Promise<DeliveryOutcome> {
  // Only a pending message is sent, and by one attempt at a time: a second job for it (a sweep or
  // "Send again" while the first job was only late) finds it claimed, or sent, and stands down.
  const [claimed] = await db
    .update(messages)
    .set({ deliveryClaimedAt: nowMs, deliveryUpdatedAt: nowMs })
    .where(
      and(
        eq(messages.accountId, job.accountId),
        eq(messages.id, job.messageId),
        isPending,
        sql`(${messages.deliveryClaimedAt} is null or ${messages.deliveryClaimedAt} < ${nowMs - deliveryClaimMs})`,
      ),
    )
    .returning({ id: messages.id })
  if (!claimed) return { status: 'skipped' }
  const loaded = await outboundFor(db, job)
  const plugin = loaded && findPlugin(loaded.channel.pluginId)
  if (!loaded || !plugin?.send) {
    await db.update(messages).set({ deliveryClaimedAt: null }).where(eq(messages.id, job.messageId))
    return { status: 'skipped' }
  }
  // The reason a send failed is stored on the message and everyone on the conversation reads it
  // as it was written: it is written once, in the language of the agent who wrote the reply (the
  // queue has no viewer), by the plugin and by core alike. A reply without an author (an
  // automatic one) gets English.
  return withLocale(loaded.authorLocale, () => attemptDelivery(db, env, loaded, plugin.send!, attempt))
}

async function attemptDelivery(
  db: Db,
  env: Bindings,
  loaded: NonNullable<Awaited<ReturnType<typeof outboundFor>>>,
  send: NonNullable<ChannelPlugin['send']>,
  attempt: number,
): Promise<DeliveryOutcome> {
  const markAttempt = (set: Partial<typeof messages.$inferInsert>) =>
    db
      .update(messages)
      .set({ ...set, deliveryAttempts: attempt, deliveryClaimedAt: null, deliveryUpdatedAt: Date.now() })
      .where(eq(messages.id, loaded.message.id))
  try {
    const outbound = { ...loaded.outbound, attachments: await attachmentsOf(db, env, loaded.message.id) }
    const sent = await send(outbound, channelContextOf(loaded.channel, env))
    // A plugin that knows the send can never succeed says so: the agent sees why at once.
    if (sent.status === 'failed') {
      const reason = sent.reason.slice(0, 500) || t('inbox.delivery.refused')
      await markAttempt({ deliveryStatus: 'failed', deliveryError: reason, ...partialDeliveryOf(loaded.message.metadata, sent) })
      return { status: 'failed', error: reason }
    }
    if (sent.status === 'retry') {
      const reason = sent.reason.slice(0, 500) || t('inbox.delivery.try_later')
      const partial = partialDeliveryOf(loaded.message.metadata, sent)
      if (attempt >= maxDeliveryAttempts) {
        await markAttempt({ deliveryStatus: 'failed', deliveryError: reason, ...partial })
        return { status: 'failed', error: reason }
      }
      await markAttempt({ deliveryStatus: 'pending', deliveryError: reason, ...partial })
      // The provider's own wait, kept under the stale-delivery window (else the sweep would queue
      // the message a second time while its job still waits); else the usual backoff.
      const asked = Number.isFinite(sent.retryAfterSeconds) ? Math.round(sent.retryAfterSeconds!) : Number.NaN
      return { status: 'retry', delaySeconds: asked >= 0 ? Math.min(asked, maxProviderRetryDelaySeconds) : retryDelaySeconds(attempt), error: reason }
    }
    const result = sent
    // What went out is kept before the row points at it, so "Download original" never 404s.
    const rawKey = result.raw
      ? await keepSentCopy(env, `${loaded.message.accountId}/${loaded.conversation.id}/sent/${loaded.message.id}.eml`, result.raw)
      : null
    const recipientsChanged = 'deliveredTo' in loaded.message.metadata || 'notDeliveredTo' in loaded.message.metadata || Boolean(result.deliveredTo)
    const sentRow = {
      deliveryStatus: 'sent' as const,
      deliveryError: null,
      ...(result.externalId ? { externalId: result.externalId } : {}),
      ...(rawKey ? { rawKey } : {}),
      ...(result.metadata || recipientsChanged ? { metadata: sentToEveryone({ ...loaded.message.metadata, ...result.metadata }, result.deliveredTo) } : {}),
    }
    await markAttempt(sentRow).catch(async (error: unknown) => {
      if (!result.externalId || !isConstraintViolation(error)) throw error
      // The provider's echo of this very reply (Messenger's) was filed before the send returned:
      // the agent's reply is the one kept, the echo (outgoing, written by nobody here) goes.
      const echo = and(eq(messages.channelId, loaded.message.channelId), eq(messages.externalId, result.externalId), eq(messages.direction, 'out'))
      await db.delete(messages).where(and(echo, isNull(messages.authorUserId)))
      await markAttempt(sentRow)
    })
    await recordRecipients(db, loaded.conversation.id, result.participants ?? [])
    return { status: 'sent' }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    // Recorded with the attempt, in the same statement: the next try must find who has it already.
    const partial = partialDeliveryOf(loaded.message.metadata, error)
    if (attempt >= maxDeliveryAttempts) {
      await markAttempt({ deliveryStatus: 'failed', deliveryError: reason.slice(0, 500), ...partial })
      return { status: 'failed', error: reason }
    }
    await markAttempt({ deliveryStatus: 'pending', deliveryError: reason.slice(0, 500), ...partial })
    return { status: 'retry', delaySeconds: retryDelaySeconds(attempt), error: reason }
  }
}

// An agent's files on an outbound message: checked, put in storage, listed on the message.
export {
  attachmentProblem,
  filesOf,
  maxOutboundAttachmentBytes,
  maxOutboundAttachments,
  storeOutboundAttachments,
} from './outbound-attachments'

/** Who a reply on this conversation is for, as `replyWindow`, `validate` and `send` see it. */
export const replyRecipient = (
  conversation: { externalKey: string | null },
  contact: { name?: string | null; email?: string | null; phone?: string | null } | null | undefined,
) => ({ name: contact?.name, email: contact?.email, phone: contact?.phone, externalId: conversation.externalKey })

/**
 * The conversation's channel and when its customer last wrote: what a channel's reply window is
 * judged on. One statement, so the thread page reads it in its batch and a reply in one round trip.
 */
export function replyStateReads(db: Db, accountId: string, conversationId: string): Reads<{ channel: Channel; lastInboundAt: number | null } | null> {
  const statement = db
    .select({
      channel: channels,
      lastInboundAt: sql<number | null>`(select max(m.created_at) from messages m where m.conversation_id = ${conversationId} and m.direction = 'in')`.as(
        'last_inbound_at',
      ),
    })
    .from(channels)
    .where(and(eq(channels.accountId, accountId), sql`${channels.id} = (select c.channel_id from conversations c where c.id = ${conversationId})`))
    .limit(1)
  return reads(statement, ([row]) => row ?? null)
}

/**
 * Checks a reply against its channel before anything is stored: the channel's declared length
 * limit, then the plugin's own `validate` (one read of the channel and the customer's last
 * message, only for plugins that have one). Returns the problems to show in the composer.
 */
export async function draftProblems(
  db: Db,
  env: Bindings,
  conversation: { id: string; accountId: string; channelId: string; pluginId: string; externalKey: string | null },
  contact: { name: string | null; email: string | null; phone: string | null } | null,
  draft: { text: string; html: string | null; options?: unknown },
): Promise<DraftProblem[]> {
  const plugin = findPlugin(conversation.pluginId)
  const needsState = plugin && !tooLong(plugin, draft) && (plugin.validate || plugin.replyWindow)
  const state = needsState ? await inOneRoundTrip(db, replyStateReads(db, conversation.accountId, conversation.id)) : null
  return draftProblemsGiven(env, conversation, contact, draft, state)
}

const tooLong = (plugin: ChannelPlugin, draft: { text: string }) => Boolean(plugin.capabilities.maxLength && draft.text.length > plugin.capabilities.maxLength)

/** `draftProblems` with the reply state already read (`replyStateReads`, in the caller's batch): no round trip. */
export async function draftProblemsGiven(
  env: Bindings,
  conversation: { id: string; pluginId: string; externalKey: string | null },
  contact: { name: string | null; email: string | null; phone: string | null } | null,
  draft: { text: string; html: string | null; options?: unknown },
  state: { channel: Channel; lastInboundAt: number | null } | null,
): Promise<DraftProblem[]> {
  const plugin = findPlugin(conversation.pluginId)
  if (!plugin) return []
  if (tooLong(plugin, draft))
    return [{ field: 'text', message: t('composer.error.channel_too_long', { max: String(plugin.capabilities.maxLength), length: String(draft.text.length) }) }]
  if (!plugin.validate && !plugin.replyWindow) return []
  if (!state) return []
  const ctx = channelContextOf(state.channel, env)
  const reply = { conversationId: conversation.id, to: replyRecipient(conversation, contact), lastInboundAt: state.lastInboundAt }
  // A closed window refuses every reply, whatever it says.
  const closed = plugin.replyWindow?.(reply, ctx)
  if (closed) return [{ message: String(closed).slice(0, 500) }]
  if (!plugin.validate) return []
  const problems = await plugin.validate(
    {
      conversationId: conversation.id,
      text: draft.text,
      html: draft.html,
      options: draft.options,
      to: reply.to,
      lastInboundAt: reply.lastInboundAt,
    },
    ctx,
  )
  // A plugin's messages are shown as text; a few are plenty.
  return problems.slice(0, 5).map((problem) => ({ message: String(problem.message).slice(0, 500), field: problem.field }))
}
