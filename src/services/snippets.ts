import { and, asc, desc, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { emailTemplates, snippets, users } from '../db/schema'
import { InputError } from '../lib/errors'
import { likePattern, matchesLike } from '../lib/like'
import { newId } from '../lib/ids'
import { sanitizeRichText } from '../lib/rich-text'
import { t } from '../i18n'
import { assertCanManage, isUniqueViolation, requireBody, type ContentActor } from './content-access'
import { unknownPlaceholders } from './placeholders'

export type Snippet = typeof snippets.$inferSelect
export type EmailTemplate = typeof emailTemplates.$inferSelect
export type WithAuthor<T> = T & { authorName: string | null }

/** `#shortcut`: lower-case letters, digits, - and _, typed after `#` in the editor. */
export const shortcutPattern = /^[a-z0-9_-]{1,40}$/

/** How many snippets the `#` popover shows; it is re-queried on every keystroke. */
export const snippetPickerLimit = 10

function checkPlaceholders(...texts: string[]) {
  const unknown = unknownPlaceholders(texts.join('\n'))
  if (unknown.length > 0) throw new InputError(t('content.error.unknown_placeholder', { names: unknown.join(', ') }))
}

export interface SnippetInput {
  name: string
  shortcut: string
  body: string
}

function cleanSnippet(input: SnippetInput): SnippetInput {
  const shortcut = input.shortcut.trim().replace(/^#/, '').toLowerCase()
  if (!shortcutPattern.test(shortcut)) throw new InputError(t('content.error.shortcut_format'))
  const body = requireBody(sanitizeRichText(input.body), t('content.error.body_required'))
  checkPlaceholders(input.name, body)
  return { name: input.name.trim(), shortcut, body }
}

async function saveSnippet(run: () => Promise<Snippet | undefined>, shortcut: string): Promise<Snippet> {
  try {
    const saved = await run()
    if (!saved) throw new InputError(t('content.error.gone'))
    return saved
  } catch (error) {
    if (isUniqueViolation(error)) throw new InputError(t('content.error.shortcut_taken', { shortcut }))
    throw error
  }
}

export async function createSnippet(db: Db, actor: ContentActor, input: SnippetInput, nowMs = Date.now()): Promise<Snippet> {
  const clean = cleanSnippet(input)
  return saveSnippet(
    async () =>
      (
        await db
          .insert(snippets)
          .values({ id: newId(), accountId: actor.accountId, ...clean, createdBy: actor.id, createdAt: nowMs, updatedAt: nowMs })
          .returning()
      )[0],
    clean.shortcut,
  )
}

export async function getSnippet(db: Db, accountId: string, id: string): Promise<Snippet | null> {
  const [row] = await db
    .select()
    .from(snippets)
    .where(and(eq(snippets.accountId, accountId), eq(snippets.id, id)))
    .limit(1)
  return row ?? null
}

export async function updateSnippet(db: Db, actor: ContentActor, id: string, input: SnippetInput, nowMs = Date.now()): Promise<Snippet> {
  const existing = await getSnippet(db, actor.accountId, id)
  if (!existing) throw new InputError(t('content.error.gone'))
  assertCanManage(actor, existing.createdBy, t('content.error.not_yours'))
  const clean = cleanSnippet(input)
  return saveSnippet(
    async () =>
      (
        await db
          .update(snippets)
          .set({ ...clean, updatedAt: nowMs })
          .where(and(eq(snippets.accountId, actor.accountId), eq(snippets.id, id)))
          .returning()
      )[0],
    clean.shortcut,
  )
}

export async function deleteSnippet(db: Db, actor: ContentActor, id: string): Promise<void> {
  const existing = await getSnippet(db, actor.accountId, id)
  if (!existing) return
  assertCanManage(actor, existing.createdBy, t('content.error.not_yours'))
  await db.delete(snippets).where(and(eq(snippets.accountId, actor.accountId), eq(snippets.id, id)))
}

export async function listSnippets(db: Db, accountId: string): Promise<WithAuthor<Snippet>[]> {
  return db
    .select({ ...snippetColumns, authorName: users.name })
    .from(snippets)
    .leftJoin(users, eq(users.id, snippets.createdBy))
    .where(eq(snippets.accountId, accountId))
    .orderBy(asc(snippets.shortcut))
}

const snippetColumns = {
  id: snippets.id,
  accountId: snippets.accountId,
  name: snippets.name,
  shortcut: snippets.shortcut,
  body: snippets.body,
  createdBy: snippets.createdBy,
  createdAt: snippets.createdAt,
  updatedAt: snippets.updatedAt,
}

/**
 * The snippets for the picker and the `#` trigger: shortcuts that start with what was typed come
 * first (a range on the (account_id, shortcut) index), then names and bodies containing every
 * typed word. One query over one account's snippets (a team has tens to hundreds), at most 10 rows.
 */
export async function searchSnippets(db: Db, accountId: string, query: string): Promise<Snippet[]> {
  const q = query.trim().replace(/^#/, '').toLowerCase().slice(0, 100)
  if (q === '') return db.select().from(snippets).where(eq(snippets.accountId, accountId)).orderBy(asc(snippets.shortcut)).limit(snippetPickerLimit)
  const prefix = matchesLike(snippets.shortcut, likePattern(q, 'startsWith'))
  const words = q.split(/\s+/).filter(Boolean).slice(0, 5)
  const everyWord = sql.join(
    words.map((word) => {
      const pattern = likePattern(word, 'contains')
      return sql`(${matchesLike(snippets.name, pattern)} OR ${matchesLike(snippets.body, pattern)})`
    }),
    sql` AND `,
  )
  return db
    .select()
    .from(snippets)
    .where(and(eq(snippets.accountId, accountId), sql`(${prefix} OR (${everyWord}))`))
    .orderBy(desc(prefix), asc(snippets.shortcut))
    .limit(snippetPickerLimit)
}

export interface TemplateInput {
  name: string
  subject: string
  body: string
}

function cleanTemplate(input: TemplateInput): TemplateInput {
  const body = requireBody(sanitizeRichText(input.body), t('content.error.body_required'))
  const subject = input.subject.replace(/[\r\n]+/g, ' ').trim()
  checkPlaceholders(input.name, subject, body)
  return { name: input.name.trim(), subject, body }
}

export async function createTemplate(db: Db, actor: ContentActor, input: TemplateInput, nowMs = Date.now()): Promise<EmailTemplate> {
  const clean = cleanTemplate(input)
  const [row] = await db
    .insert(emailTemplates)
    .values({ id: newId(), accountId: actor.accountId, ...clean, createdBy: actor.id, createdAt: nowMs, updatedAt: nowMs })
    .returning()
  return row!
}

export async function getTemplate(db: Db, accountId: string, id: string): Promise<EmailTemplate | null> {
  const [row] = await db
    .select()
    .from(emailTemplates)
    .where(and(eq(emailTemplates.accountId, accountId), eq(emailTemplates.id, id)))
    .limit(1)
  return row ?? null
}

export async function updateTemplate(db: Db, actor: ContentActor, id: string, input: TemplateInput, nowMs = Date.now()): Promise<EmailTemplate> {
  const existing = await getTemplate(db, actor.accountId, id)
  if (!existing) throw new InputError(t('content.error.gone'))
  assertCanManage(actor, existing.createdBy, t('content.error.not_yours'))
  const clean = cleanTemplate(input)
  const [row] = await db
    .update(emailTemplates)
    .set({ ...clean, updatedAt: nowMs })
    .where(and(eq(emailTemplates.accountId, actor.accountId), eq(emailTemplates.id, id)))
    .returning()
  return row!
}

export async function deleteTemplate(db: Db, actor: ContentActor, id: string): Promise<void> {
  const existing = await getTemplate(db, actor.accountId, id)
  if (!existing) return
  assertCanManage(actor, existing.createdBy, t('content.error.not_yours'))
  await db.delete(emailTemplates).where(and(eq(emailTemplates.accountId, actor.accountId), eq(emailTemplates.id, id)))
}

export async function listTemplates(db: Db, accountId: string): Promise<WithAuthor<EmailTemplate>[]> {
  const rows = await db
    .select({ template: emailTemplates, authorName: users.name })
    .from(emailTemplates)
    .leftJoin(users, eq(users.id, emailTemplates.createdBy))
    .where(eq(emailTemplates.accountId, accountId))
    .orderBy(asc(emailTemplates.name))
  return rows.map((row) => ({ ...row.template, authorName: row.authorName }))
}

/** Templates whose name or subject contains every typed word (an account has a handful). */
export async function searchTemplates(db: Db, accountId: string, query: string): Promise<EmailTemplate[]> {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean).slice(0, 5)
  const conditions = words.map((word) => {
    const pattern = likePattern(word, 'contains')
    return sql`(${matchesLike(emailTemplates.name, pattern)} OR ${matchesLike(emailTemplates.subject, pattern)})`
  })
  return db
    .select()
    .from(emailTemplates)
    .where(and(eq(emailTemplates.accountId, accountId), ...conditions))
    .orderBy(asc(emailTemplates.name))
    .limit(20)
}
