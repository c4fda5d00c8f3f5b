import { and, desc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client'
import { attachments, conversations, messages } from '../db/schema'
import { newId } from '../lib/ids'
import { resolveContact } from '../services/contacts'
import { appendMessage, findMessageByExternalId } from '../services/messages'
import type { ChannelRecord, InboundMessage } from './types'

/** What the pipeline tells the live layer after a write has been committed. */
export interface LiveEvent {
  accountId: string
  inboxId: string
  conversationId: string
  messageId?: number
}

export interface Notifier {
  messageAdded(event: LiveEvent & { messageId: number }): Promise<void>
  conversationChanged(event: LiveEvent): Promise<void>
}

/** Where attachment bytes go: the R2 bucket in Workers (only `put` is used). */
export interface BlobStore {
  put(key: string, value: Uint8Array, options?: { httpMetadata?: { contentType?: string } }): Promise<unknown>
}

export interface PipelineDeps {
  db: Db
  notifier: Notifier
  blobs: BlobStore
}

export type IngestResult =
  | { status: 'created' | 'appended'; conversationId: string; messageId: number }
  | { status: 'duplicate'; conversationId: string; messageId: number }

const maxReferencesLookedUp = 50

async function findThread(db: Db, channel: ChannelRecord, message: InboundMessage): Promise<string | null> {
  const key = message.thread?.key
  if (key) {
    const [row] = await db
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.channelId, channel.id), eq(conversations.externalKey, key)))
      .limit(1)
    if (row) return row.id
  }
  const references = [...new Set(message.thread?.references ?? [])].slice(-maxReferencesLookedUp)
  if (references.length > 0) {
    // Every referenced id counts, not only the first: mail clients trim and reorder References.
    const [row] = await db
      .select({ conversationId: messages.conversationId })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(
        and(
          eq(messages.accountId, channel.accountId),
          inArray(messages.externalId, references),
          eq(conversations.inboxId, channel.inboxId),
        ),
      )
      .orderBy(desc(messages.id))
      .limit(1)
    if (row) return row.conversationId
  }
  return null
}

/**
 * The one way an inbound message enters Switchboard: normalize → contact → thread → persist →
 * index (FTS triggers, in the same transaction) → notify the live layer. Idempotent on the
 * message's external id: a repeated delivery returns the stored message and writes nothing.
 */
export async function ingestInbound(
  deps: PipelineDeps,
  channel: ChannelRecord,
  message: InboundMessage,
  nowMs = Date.now(),
): Promise<IngestResult> {
  const { db } = deps
  if (message.externalId) {
    const existing = await findMessageByExternalId(db, channel.id, message.externalId)
    if (existing) return { status: 'duplicate', conversationId: existing.conversationId, messageId: existing.id }
  }

  const contact = await resolveContact(db, channel.accountId, channel.pluginId, message.from, nowMs)
  let conversationId = await findThread(db, channel, message)
  let createdConversation = false
  if (!conversationId) {
    conversationId = newId()
    const folder = contact.blocked ? 'filtered' : (message.folder ?? 'inbox')
    const [created] = await db
      .insert(conversations)
      .values({
        id: conversationId,
        accountId: channel.accountId,
        inboxId: channel.inboxId,
        channelId: channel.id,
        pluginId: channel.pluginId,
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
      conversationId = (await findThread(db, channel, message)) ?? conversationId
    }
  }

  const stored = await appendMessage(db, {
    accountId: channel.accountId,
    conversationId,
    channelId: channel.id,
    direction: 'in',
    kind: 'message',
    authorContactId: contact.id,
    authorName: contact.name ?? message.from.name ?? contact.email ?? null,
    text: message.notice ? `${message.notice}\n\n${message.text}`.trim() : message.text,
    html: message.html ?? null,
    externalId: message.externalId ?? null,
    createdAt: nowMs,
  })
  if (!stored) {
    // Lost a race with an identical delivery; leave no empty conversation behind.
    if (createdConversation) await db.delete(conversations).where(eq(conversations.id, conversationId))
    const existing = await findMessageByExternalId(db, channel.id, message.externalId ?? '')
    if (!existing) throw new Error('message vanished after a conflicting insert')
    return { status: 'duplicate', conversationId: existing.conversationId, messageId: existing.id }
  }

  for (const attachment of message.attachments ?? []) {
    const id = newId()
    const r2Key = `${channel.accountId}/${conversationId}/${stored.id}/${id}`
    await deps.blobs.put(r2Key, attachment.content, { httpMetadata: { contentType: attachment.contentType } })
    await db.insert(attachments).values({
      id,
      accountId: channel.accountId,
      messageId: stored.id,
      r2Key,
      filename: attachment.filename,
      contentType: attachment.contentType,
      sizeBytes: attachment.content.byteLength,
      contentId: attachment.contentId ?? null,
      createdAt: nowMs,
    })
  }

  await notifySafely(deps.notifier, {
    accountId: channel.accountId,
    inboxId: channel.inboxId,
    conversationId,
    messageId: stored.id,
  })
  return { status: createdConversation ? 'created' : 'appended', conversationId, messageId: stored.id }
}

/** The message is committed already; a live-update failure must not turn into a lost message. */
export async function notifySafely(notifier: Notifier, event: LiveEvent & { messageId: number }) {
  try {
    await notifier.messageAdded(event)
  } catch (error) {
    console.error('live update failed', { conversationId: event.conversationId, error: String(error) })
  }
}
