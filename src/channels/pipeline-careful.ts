import { and, eq, inArray, isNotNull, or } from 'drizzle-orm'
import type { Db } from '../db/client'
import { isConstraintViolation } from '../db/errors'
import { blockedSenders, contacts, conversations, messages, type ConversationFolder } from '../db/schema'
import { newId } from '../lib/ids'
import { t } from '../i18n'
import { normalizeEmail } from '../lib/text'
import { resolveContact, type Contact } from '../services/contacts'
import { appendMessageStatements, findMessageByExternalId } from '../services/messages'
import { applyDefaultAssignment } from '../services/inbox-settings'
import { afterBounce } from '../services/partial-delivery'
import { runInOneBatch } from '../db/chunk'
import { discardBlobs, notifyReplacedSafely, notifySafely, type IngestResult, type PipelineDeps } from './pipeline-deps'
import { attachmentStatements, newMessageOf, ofChannel, participantRows, participantStatements, putAttachments, type StoredAttachment } from './pipeline-rows'
import { findThread } from './pipeline-threading'
import type { ChannelRecord, InboundMessage } from './types'

type StoredRef = { id: number; conversationId: string }

/**
 * Decides the external id a message is stored under, or finds it stored already. The same id
 * with the same content is a repeated delivery; the same id with different content (senders do
 * reuse Message-IDs) is a different message and gets a suffixed id.
 */
async function resolveExternalId(db: Db, channelId: string, message: InboundMessage): Promise<{ duplicate: StoredRef } | { externalId: string | null }> {
  if (!message.externalId) return { externalId: null }
  const existing = await findMessageByExternalId(db, channelId, message.externalId)
  if (!existing) return { externalId: message.externalId }
  const sameContent = !existing.contentHash || !message.contentHash || existing.contentHash === message.contentHash
  if (sameContent) return { duplicate: existing }
  const variant = `${message.externalId}#${message.contentHash!.slice(0, 16)}`
  const storedVariant = await findMessageByExternalId(db, channelId, variant)
  return storedVariant ? { duplicate: storedVariant } : { externalId: variant }
}

/** Blocked senders are filed in Filtered: by address, or by `<plugin id>:<external id>`. */
async function isBlockedSender(db: Db, channel: ChannelRecord, contact: Contact, message: InboundMessage): Promise<boolean> {
  if (contact.blocked) return true
  const identifiers = [
    message.from.email ? normalizeEmail(message.from.email) : null,
    contact.email,
    message.from.externalId ? `${channel.pluginId}:${message.from.externalId}` : null,
  ].filter((value): value is string => Boolean(value))
  if (identifiers.length === 0) return false
  const [row] = await db
    .select({ identifier: blockedSenders.identifier })
    .from(blockedSenders)
    .where(and(eq(blockedSenders.accountId, channel.accountId), inArray(blockedSenders.identifier, identifiers)))
    .limit(1)
  return Boolean(row)
}

/**
 * A delivery failure report marks the recipients it names as unreachable (`bouncing_at`) and our
 * messages it reports on as failed, in the conversation it joined only; a contact who writes
 * again is reachable again. Of a message sent to several, only the recipients it names are left to
 * Retry. Returns the ids of the messages it marked failed.
 */
async function recordDeliveryFailure(
  db: Db,
  channel: ChannelRecord,
  conversationId: string,
  contact: Contact,
  message: InboundMessage,
  nowMs: number,
): Promise<number[]> {
  const failure = message.deliveryFailure
  const recipients = [...new Set((failure?.recipients ?? []).map((recipient) => (recipient.includes('@') ? normalizeEmail(recipient) : recipient.trim())))]
    .filter(Boolean)
    .slice(0, maxRecipientsMarked)
  if (recipients.length > 0) {
    await db
      .update(contacts)
      .set({ bouncingAt: nowMs })
      .where(and(eq(contacts.accountId, channel.accountId), or(inArray(contacts.email, recipients), inArray(contacts.phone, recipients))))
  }
  const reported = [...new Set(failure?.messageIds ?? [])].filter(Boolean).slice(-maxRecipientsMarked)
  let failed: { id: number; metadata: Record<string, unknown> }[] = []
  if (reported.length > 0) {
    failed = await db
      .update(messages)
      .set({ deliveryStatus: 'failed', deliveryError: (failure?.reason ?? '').slice(0, 500) || t('inbox.delivery.unknown'), deliveryUpdatedAt: nowMs })
      .where(
        and(
          eq(messages.accountId, channel.accountId),
          eq(messages.conversationId, conversationId),
          eq(messages.direction, 'out'),
          inArray(messages.externalId, reported),
        ),
      )
      .returning({ id: messages.id, metadata: messages.metadata })
    // Sent to several and returned by some: Retry goes to those alone (see services/partial-delivery.ts).
    const narrowed = failed.flatMap((row) => {
      const metadata = afterBounce(row.metadata ?? {}, recipients)
      return metadata ? [db.update(messages).set({ metadata }).where(eq(messages.id, row.id))] : []
    })
    if (narrowed.length > 0) await runInOneBatch(db, narrowed)
  }
  if (contact.bouncingAt && !message.automated) {
    await db
      .update(contacts)
      .set({ bouncingAt: null })
      .where(and(eq(contacts.id, contact.id), isNotNull(contacts.bouncingAt)))
  }
  return failed.map((row) => row.id)
}

// Two lists of ids in one statement stay well under D1's 100 bound parameters.
const maxRecipientsMarked = 40

/** Every look-up and decision on its own: repeats, reused ids, races, contacts to complete, delivery failure reports. */
export async function ingestStepByStep(
  deps: PipelineDeps,
  channel: ChannelRecord,
  message: InboundMessage,
  nowMs: number,
  alreadyStored?: StoredAttachment[],
): Promise<IngestResult> {
  const { db } = deps
  const resolved = await resolveExternalId(db, channel.id, message)
  if ('duplicate' in resolved) {
    await discardBlobs(deps, alreadyStored ?? [])
    return { status: 'duplicate', conversationId: resolved.duplicate.conversationId, messageId: resolved.duplicate.id }
  }
  const externalId = resolved.externalId

  const contact = await resolveContact(db, channel.accountId, channel.pluginId, message.from, nowMs)
  let conversationId = await findThread(db, channel, message, nowMs)
  let createdConversation = false
  let folder: ConversationFolder | null = null
  if (!conversationId) {
    conversationId = message.thread?.createAs ?? newId()
    const blocked = await isBlockedSender(db, channel, contact, message)
    folder = blocked ? 'filtered' : (message.folder ?? 'inbox')
    const [created] = await db
      .insert(conversations)
      .values({
        ...ofChannel(channel),
        id: conversationId,
        contactId: contact.id,
        folder,
        subject: message.subject?.trim() || null,
        externalKey: message.thread?.key ?? null,
        lastMessageAt: nowMs,
        createdAt: nowMs,
      })
      .onConflictDoNothing()
      .returning({ id: conversations.id })
    if (created) {
      createdConversation = true
    } else {
      // Another delivery created the keyed conversation a moment ago: join it.
      conversationId = (await findThread(db, channel, message, nowMs)) ?? conversationId
    }
  }

  let stored: { id: number }
  let storedAttachments = alreadyStored ?? []
  try {
    // New conversations go to whoever the inbox's default assignment picks (unless a bot goes first).
    if (createdConversation && !message.deferAssignment && folder === 'inbox') await applyDefaultAssignment(db, conversationId, channel.inboxId, nowMs)
    storedAttachments = alreadyStored ?? (await putAttachments(deps, channel, conversationId, message))
    // The message, its attachments and its participants in one transaction: a delivery that fails
    // here leaves nothing behind, and its redelivery is stored whole instead of being taken for a
    // duplicate of a message without attachments.
    const row = {
      ...newMessageOf(
        channel,
        conversationId,
        contact.id,
        message.from.name?.trim() || contact.name || contact.email || null,
        message,
        storedAttachments,
        nowMs,
      ),
      externalId,
    }
    const statements = [
      ...appendMessageStatements(db, row, { repeat: 'fail', returning: 'id' }),
      ...attachmentStatements(db, channel.accountId, conversationId, storedAttachments, nowMs),
      // A machine (a bounce daemon, an autoresponder) never becomes someone the subject rule trusts.
      ...(message.automated ? [] : participantStatements(db, participantRows(conversationId, contact, message))),
    ]
    const results = (await db.batch(statements as unknown as Parameters<Db['batch']>[0])) as unknown as [{ id: number }[]]
    stored = results[0][0]!
  } catch (error) {
    // Leave no empty conversation and no unlisted attachment behind, whatever went wrong.
    if (createdConversation) await db.delete(conversations).where(eq(conversations.id, conversationId))
    await discardBlobs(deps, storedAttachments)
    if (!isConstraintViolation(error)) throw error
    // Lost a race with an identical delivery.
    const existing = await findMessageByExternalId(db, channel.id, externalId ?? '')
    if (!existing) throw error
    return { status: 'duplicate', conversationId: existing.conversationId, messageId: existing.id }
  }
  const failed = await recordDeliveryFailure(db, channel, conversationId, contact, message, nowMs)

  const event = { accountId: channel.accountId, inboxId: channel.inboxId, conversationId }
  await notifySafely(deps.notifier, { ...event, messageId: stored.id, startedConversation: createdConversation && !message.thread?.createAs })
  // Agents on the thread see the reply the report returned turn "Failed: …" at once, as a send's failure does.
  await notifyReplacedSafely(deps.notifier, event, failed)
  return { status: createdConversation ? 'created' : 'appended', conversationId, messageId: stored.id, contactId: contact.id }
}
