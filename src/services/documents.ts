import { and, desc, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { documents, users } from '../db/schema'
import { InputError } from '../lib/errors'
import { likePattern, matchesLike } from '../lib/like'
import { newId, newSecret } from '../lib/ids'
import { t } from '../i18n'
import { assertCanManage, type ContentActor } from './content-access'

export type Document = typeof documents.$inferSelect

export const documentMaxBytes = 25 * 1024 * 1024

/** What the service needs of R2 (the ATTACHMENTS binding), so tests and Node can pass their own. */
export interface DocumentStore {
  put(key: string, value: ArrayBuffer | Uint8Array | ReadableStream, options?: { httpMetadata?: { contentType?: string } }): Promise<unknown>
  delete(key: string): Promise<void>
}

const documentKey = (accountId: string, id: string) => `documents/${accountId}/${id}`

/** A file name we can store and show: no path, no control characters, at most 200 characters. */
export function cleanFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim()
  return base.slice(0, 200) || 'document'
}

/** A MIME type as the browser declared it, if it has the shape of one; the download route decides what it sends. */
export function cleanContentType(type: string): string {
  const value = type.split(';')[0]!.trim().toLowerCase()
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(value) ? value : 'application/octet-stream'
}

export interface DocumentUpload {
  name: string
  type: string
  size: number
  bytes: ArrayBuffer
}

export async function uploadDocument(db: Db, store: DocumentStore, actor: ContentActor, file: DocumentUpload, nowMs = Date.now()): Promise<Document> {
  if (file.size === 0) throw new InputError(t('content.error.file_empty'))
  if (file.size > documentMaxBytes) throw new InputError(t('content.error.file_too_large'))
  const id = newId()
  const r2Key = documentKey(actor.accountId, id)
  const contentType = cleanContentType(file.type)
  // The object first: a row never points at bytes that are not there.
  await store.put(r2Key, file.bytes, { httpMetadata: { contentType } })
  try {
    const [row] = await db
      .insert(documents)
      .values({
        id,
        accountId: actor.accountId,
        name: cleanFileName(file.name),
        r2Key,
        contentType,
        sizeBytes: file.size,
        shareToken: newSecret(),
        uploadedBy: actor.id,
        createdAt: nowMs,
      })
      .returning()
    return row!
  } catch (error) {
    await store.delete(r2Key).catch(() => undefined)
    throw error
  }
}

export async function getDocument(db: Db, accountId: string, id: string): Promise<Document | null> {
  const [row] = await db
    .select()
    .from(documents)
    .where(and(eq(documents.accountId, accountId), eq(documents.id, id)))
    .limit(1)
  return row ?? null
}

/** Renames a document (its bytes stay). */
export async function renameDocument(db: Db, actor: ContentActor, id: string, name: string): Promise<Document> {
  const existing = await getDocument(db, actor.accountId, id)
  if (!existing) throw new InputError(t('content.error.gone'))
  assertCanManage(actor, existing.uploadedBy, t('content.error.not_yours'))
  const [row] = await db
    .update(documents)
    .set({ name: cleanFileName(name) })
    .where(eq(documents.id, id))
    .returning()
  return row!
}

/** Deletes the row and the bytes; a share link sent earlier stops working. */
export async function deleteDocument(db: Db, store: DocumentStore, actor: ContentActor, id: string): Promise<void> {
  const existing = await getDocument(db, actor.accountId, id)
  if (!existing) return
  assertCanManage(actor, existing.uploadedBy, t('content.error.not_yours'))
  await db.delete(documents).where(and(eq(documents.accountId, actor.accountId), eq(documents.id, id)))
  await store.delete(existing.r2Key)
}

export async function listDocuments(db: Db, accountId: string) {
  const rows = await db
    .select({ document: documents, uploaderName: users.name })
    .from(documents)
    .leftJoin(users, eq(users.id, documents.uploadedBy))
    .where(eq(documents.accountId, accountId))
    .orderBy(desc(documents.createdAt))
  return rows.map((row) => ({ ...row.document, uploaderName: row.uploaderName }))
}

export async function searchDocuments(db: Db, accountId: string, query: string): Promise<Document[]> {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean).slice(0, 5)
  const conditions = words.map((word) => matchesLike(documents.name, likePattern(word, 'contains')))
  return db
    .select()
    .from(documents)
    .where(and(eq(documents.accountId, accountId), ...conditions))
    .orderBy(desc(documents.createdAt))
    .limit(20)
}

/** The document behind a share link (the token is the only key: it is unguessable). */
export async function documentByShareToken(db: Db, shareToken: string): Promise<Document | null> {
  if (!/^[a-z0-9]{16,40}$/.test(shareToken)) return null
  const [row] = await db.select().from(documents).where(eq(documents.shareToken, shareToken)).limit(1)
  return row ?? null
}

export const documentSharePath = (document: Pick<Document, 'shareToken'>) => `/d/${document.shareToken}`

/** The type the download is sent as: never one a browser would render as a page or run. */
export function downloadContentType(stored: string): string {
  const type = stored.toLowerCase()
  const active =
    /html|xml|svg|javascript|ecmascript|xsl|shockwave|multipart/.test(type) || (type.startsWith('text/') && type !== 'text/plain' && type !== 'text/csv')
  return active ? 'application/octet-stream' : type
}

/** Content-Disposition for a download: an ASCII fallback name and the real one (RFC 6266 / 5987). */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\;]/g, '_') || 'document'
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
