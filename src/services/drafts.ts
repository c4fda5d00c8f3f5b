import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { inOneRoundTrip, reads, type Reads } from '../db/round-trip'
import { drafts, type DraftKind } from '../db/schema'
import { richTextToPlain, sanitizeRichText } from '../lib/rich-text'
import { InputError } from '../lib/errors'
import { t } from '../i18n'

/**
 * What an agent is writing in a conversation, saved as they type so a reload (or another tab)
 * keeps it. One draft per user, conversation and kind (reply or comment); only its author ever
 * reads it. The caller has checked that the conversation belongs to the user's account.
 */

/** The editor's HTML limit, before sanitising (a long reply with a pasted table is well under). */
export const draftHtmlMaxChars = 200_000
const draftFieldMaxChars = 10_000
const draftFieldMaxCount = 20
const fieldNamePattern = /^[a-zA-Z][a-zA-Z0-9_-]{0,39}$/

export interface Draft {
  kind: DraftKind
  html: string
  fields: Record<string, string>
  updatedAt: number
}

export type DraftsByKind = Partial<Record<DraftKind, Draft>>

export function draftsOf(db: Db, userId: string, conversationId: string): Promise<DraftsByKind> {
  return inOneRoundTrip(db, draftReads(db, userId, conversationId))
}

export function draftReads(db: Db, userId: string, conversationId: string): Reads<DraftsByKind> {
  const statement = db
    .select()
    .from(drafts)
    .where(and(eq(drafts.userId, userId), eq(drafts.conversationId, conversationId)))
  return reads(statement, (rows) => {
    const byKind: DraftsByKind = {}
    for (const row of rows) byKind[row.kind] = { kind: row.kind, html: row.html, fields: row.fields ?? {}, updatedAt: row.updatedAt }
    return byKind
  })
}

/**
 * Saves (or, when nothing is written, deletes) a draft. The HTML is sanitised here like a sent
 * reply, so a draft is never a way to store what a message could not contain; the other composer
 * fields are kept as short strings under plain names.
 */
export async function saveDraft(
  db: Db,
  input: { userId: string; conversationId: string; kind: DraftKind; html: string; fields: Record<string, string> },
  nowMs = Date.now(),
): Promise<Draft | null> {
  if (input.html.length > draftHtmlMaxChars) throw new InputError(t('drafts.too_long'))
  const html = sanitizeRichText(input.html)
  if (!richTextToPlain(html)) {
    await deleteDraft(db, input.userId, input.conversationId, input.kind)
    return null
  }
  const fields: Record<string, string> = {}
  for (const [name, value] of Object.entries(input.fields)) {
    if (Object.keys(fields).length >= draftFieldMaxCount) break
    if (fieldNamePattern.test(name)) fields[name] = value.slice(0, draftFieldMaxChars)
  }
  const row = { userId: input.userId, conversationId: input.conversationId, kind: input.kind, html, fields, updatedAt: nowMs }
  await db
    .insert(drafts)
    .values(row)
    .onConflictDoUpdate({ target: [drafts.userId, drafts.conversationId, drafts.kind], set: { html, fields, updatedAt: nowMs } })
  return { kind: row.kind, html, fields, updatedAt: nowMs }
}

export async function deleteDraft(db: Db, userId: string, conversationId: string, kind: DraftKind) {
  await deleteDraftStatement(db, userId, conversationId, kind)
}

/** `deleteDraft` as a statement, for the batch that stores the message the draft became. */
export function deleteDraftStatement(db: Db, userId: string, conversationId: string, kind: DraftKind) {
  return db.delete(drafts).where(and(eq(drafts.userId, userId), eq(drafts.conversationId, conversationId), eq(drafts.kind, kind)))
}
