import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { insertInChunks } from '../db/chunk'
import { attachments, conversationParticipants, messages } from '../db/schema'
import { newId } from '../lib/ids'
import { normalizeEmail } from '../lib/text'
import { discardBlobs, type PipelineDeps } from './pipeline-deps'
import type { ChannelRecord, InboundMessage } from './types'

/* The rows an inbound message becomes, shared by the one-batch and the careful path. */

export function participantRows(conversationId: string, sender: { email: string | null; name: string | null } | null, message: InboundMessage) {
  const rows = new Map<string, { conversationId: string; address: string; name: string | null; role: 'from' | 'to' | 'cc' }>()
  if (sender?.email) rows.set(sender.email, { conversationId, address: sender.email, name: sender.name, role: 'from' })
  for (const participant of message.participants ?? []) {
    const address = normalizeEmail(participant.address)
    if (!address || rows.has(address)) continue
    rows.set(address, { conversationId, address, name: participant.name ?? null, role: participant.role })
  }
  return [...rows.values()]
}

/** A mail to a long Cc list is still one transaction: the rows go in parts under D1's parameter limit. */
export const participantStatements = (db: Db, rows: ReturnType<typeof participantRows>) =>
  insertInChunks(conversationParticipants, rows, (part) => db.insert(conversationParticipants).values(part).onConflictDoNothing())

/**
 * The attachment rows of the message inserted just before them in the same transaction (the
 * conversation's newest), in parts under D1's parameter limit: a scanner's 30-page batch is one
 * statement of 270 parameters otherwise, and fails whole.
 */
export function attachmentStatements(db: Db, accountId: string, conversationId: string, stored: StoredAttachment[], nowMs: number) {
  const rows = stored.map((attachment) => ({
    ...attachment,
    accountId,
    messageId: sql<number>`(select ${messages.id} from ${messages} where ${messages.conversationId} = ${conversationId} order by ${messages.seq} desc limit 1)`,
    createdAt: nowMs,
  }))
  return insertInChunks(attachments, rows, (part) => db.insert(attachments).values(part))
}

/** The columns a conversation takes from the channel it arrives through. */
export const ofChannel = (channel: ChannelRecord) => ({
  accountId: channel.accountId,
  inboxId: channel.inboxId,
  channelId: channel.id,
  pluginId: channel.pluginId,
})

/** The message row a channel's inbound message becomes. */
export function newMessageOf(
  channel: ChannelRecord,
  conversationId: string,
  contactId: string,
  authorName: string | null | undefined,
  message: InboundMessage,
  storedAttachments: StoredAttachment[],
  nowMs: number,
) {
  const metadata: Record<string, unknown> = { ...message.metadata }
  if (message.thread?.subjectKey) metadata.subjectKey = message.thread.subjectKey
  // The provider's own time, kept beside ours: the thread dates and orders by arrival (a clock
  // that is off, or a mail held for days, must not reorder a conversation).
  if (typeof message.sentAt === 'number' && Number.isFinite(message.sentAt)) metadata.sentAt = message.sentAt
  if (storedAttachments.length > 0) {
    metadata.attachments = storedAttachments.map(({ id, filename, contentType, sizeBytes, contentId }) => ({ id, filename, contentType, sizeBytes, contentId }))
  }
  return {
    accountId: channel.accountId,
    conversationId,
    channelId: channel.id,
    // Written by the business elsewhere (a page's own inbox): shown as a reply that went out.
    direction: message.outgoing ? ('out' as const) : ('in' as const),
    kind: 'message' as const,
    authorContactId: message.outgoing ? null : contactId,
    authorName: message.outgoing ? (message.outgoing.authorName ?? null) : (authorName ?? message.from.name ?? null),
    ...(message.outgoing ? { deliveryStatus: 'sent' as const } : {}),
    text: message.notice ? `${message.notice}\n\n${message.text}`.trim() : message.text,
    html: message.html ?? null,
    externalId: message.externalId ?? null,
    contentHash: message.contentHash ?? null,
    rawKey: message.rawKey ?? null,
    automated: message.automated ?? false,
    metadata,
    createdAt: nowMs,
  }
}

export interface StoredAttachment {
  id: string
  r2Key: string
  filename: string
  contentType: string
  sizeBytes: number
  contentId: string | null
}

/** Attachment bytes go to the blob store before the message row that lists them, so a stored message never points at a missing file. */
export async function putAttachments(deps: PipelineDeps, channel: ChannelRecord, conversationId: string, message: InboundMessage): Promise<StoredAttachment[]> {
  const stored: StoredAttachment[] = []
  try {
    for (const attachment of message.attachments ?? []) {
      const id = newId()
      const r2Key = `${channel.accountId}/${conversationId}/attachments/${id}`
      await deps.blobs.put(r2Key, attachment.content, { httpMetadata: { contentType: attachment.contentType } })
      stored.push({
        id,
        r2Key,
        filename: attachment.filename,
        contentType: attachment.contentType,
        sizeBytes: attachment.content.byteLength,
        contentId: attachment.contentId ?? null,
      })
    }
  } catch (error) {
    await discardBlobs(deps, stored)
    throw error
  }
  return stored
}
