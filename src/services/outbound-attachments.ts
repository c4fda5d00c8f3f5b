import { eq, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { insertInChunks, runInOneBatch } from '../db/chunk'
import { attachments, messages } from '../db/schema'
import { newId } from '../lib/ids'
import { t } from '../i18n'

/** What a mail can carry: Cloudflare accepts 25 MiB per message, and base64 adds a third. */
export const maxOutboundAttachmentBytes = 18 * 1024 * 1024
export const maxOutboundAttachments = 20

/** Files an agent attached, checked before anything is stored: null, or why they are refused. */
export function attachmentProblem(files: File[]): string | null {
  if (files.length > maxOutboundAttachments) return t('email.error.attachments_many', { max: maxOutboundAttachments })
  const total = files.reduce((sum, file) => sum + file.size, 0)
  return total > maxOutboundAttachmentBytes ? t('email.error.attachments_large') : null
}

/** The files of a form field (browsers send an empty file when none was chosen). */
export function filesOf(value: unknown): File[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value]
  return values.filter((item): item is File => item instanceof File && item.size > 0)
}

/** A file put in storage, not yet pointed at by any row. */
export interface PutAttachment {
  id: string
  r2Key: string
  filename: string
  contentType: string
  sizeBytes: number
  contentId: null
}

/**
 * Puts an outbound message's files in storage, before any row points at them (a row never names
 * bytes that are not there). Names and types come from the browser: both are cleaned like an
 * inbound mail's. A caller whose rows then fail to store removes them (`removePutAttachments`).
 */
export async function putOutboundAttachments(blobs: Pick<R2Bucket, 'put'>, place: { accountId: string; conversationId: string }, files: File[]) {
  const stored: PutAttachment[] = []
  for (const file of files) {
    const id = newId()
    const r2Key = `${place.accountId}/${place.conversationId}/attachments/${id}`
    // eslint-disable-next-line no-control-regex
    const filename =
      file.name
        .replace(/[\u0000-\u001f\u007f/\\]/g, '_')
        .trim()
        .slice(0, 200) || 'attachment'
    const type = file.type.toLowerCase()
    const contentType = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(type) ? type : 'application/octet-stream'
    await blobs.put(r2Key, await file.arrayBuffer(), { httpMetadata: { contentType } })
    stored.push({ id, r2Key, filename, contentType, sizeBytes: file.size, contentId: null })
  }
  return stored
}

/** Takes back files put for a message that was not stored; logged, never thrown (the caller reports its own failure). */
export async function removePutAttachments(blobs: Pick<R2Bucket, 'delete'>, stored: PutAttachment[]) {
  if (stored.length === 0) return
  try {
    await blobs.delete(stored.map((row) => row.r2Key))
  } catch (error) {
    console.error('attachments of an unsaved message not removed', String(error))
  }
}

/** The list the message's metadata keeps of its attachments (what the thread shows). */
export function attachmentsMetadata(stored: PutAttachment[]) {
  return stored.map(({ id, filename, contentType, sizeBytes, contentId }) => ({ id, filename, contentType, sizeBytes, contentId }))
}

/**
 * The rows of the files, in parts under D1's parameter limit, for the caller's batch. `messageId`
 * may be SQL binding at most one parameter that names the message stored earlier in the same
 * batch (`newestMessageIdIn`).
 */
export function attachmentRowStatements(db: Db, accountId: string, messageId: number | SQL<number>, stored: PutAttachment[], nowMs: number) {
  const rows = stored.map((row) => ({ ...row, accountId, messageId, createdAt: nowMs }))
  return insertInChunks(attachments, rows, (part) => db.insert(attachments).values(part))
}

/**
 * Stores an outbound message's attachments: bytes to R2 first, then the rows and the list in the
 * message's metadata that the thread shows, all before the message is queued for sending.
 */
export async function storeOutboundAttachments(
  db: Db,
  blobs: Pick<R2Bucket, 'put'>,
  message: { accountId: string; conversationId: string; id: number; metadata: Record<string, unknown> },
  files: File[],
  nowMs = Date.now(),
) {
  if (files.length === 0) return
  const stored = await putOutboundAttachments(blobs, message, files)
  // Rows in parts under D1's parameter limit, with the message's list of them, in one transaction.
  await runInOneBatch(db, [
    ...attachmentRowStatements(db, message.accountId, message.id, stored, nowMs),
    db
      .update(messages)
      .set({ metadata: { ...message.metadata, attachments: attachmentsMetadata(stored) } })
      .where(eq(messages.id, message.id)),
  ])
}
