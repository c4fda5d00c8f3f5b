import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { articles, users } from '../db/schema'
import { InputError } from '../lib/errors'
import { likePattern, matchesLike } from '../lib/like'
import { newId } from '../lib/ids'
import { sanitizeRichText } from '../lib/rich-text'
import { t } from '../i18n'
import { assertCanManage, isUniqueViolation, requireBody, type ContentActor } from './content-access'
import { placeholdersIn } from './placeholders'

export type Article = typeof articles.$inferSelect

/** The last part of the public address /kb/<account>/<slug>. */
export const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

export interface ArticleInput {
  title: string
  /** Empty: made from the title. */
  slug: string
  body: string
  published: boolean
}

/** "Returns & refunds (EU)" → "returns-refunds-eu"; letters outside a–z lose their accents or go. */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '')
}

function cleanArticle(input: ArticleInput): ArticleInput {
  const title = input.title.trim()
  const slug = (input.slug.trim() || slugify(title)).toLowerCase()
  if (!slugPattern.test(slug) || slug.length > 80) throw new InputError(t('content.error.slug_format'))
  const body = requireBody(sanitizeRichText(input.body), t('content.error.body_required'))
  // A public page has no conversation to fill placeholders from; it would show them raw.
  const placeholders = placeholdersIn(`${title}\n${body}`)
  if (placeholders.length > 0) throw new InputError(t('content.error.article_placeholder', { names: placeholders.join(', ') }))
  return { title, slug, body, published: input.published }
}

async function saveArticle(run: () => Promise<Article | undefined>, slug: string): Promise<Article> {
  try {
    const saved = await run()
    if (!saved) throw new InputError(t('content.error.gone'))
    return saved
  } catch (error) {
    if (isUniqueViolation(error)) throw new InputError(t('content.error.slug_taken', { slug }))
    throw error
  }
}

export async function createArticle(db: Db, actor: ContentActor, input: ArticleInput, nowMs = Date.now()): Promise<Article> {
  const clean = cleanArticle(input)
  return saveArticle(
    async () =>
      (
        await db
          .insert(articles)
          .values({ id: newId(), accountId: actor.accountId, ...clean, createdBy: actor.id, createdAt: nowMs, updatedAt: nowMs })
          .returning()
      )[0],
    clean.slug,
  )
}

export async function getArticle(db: Db, accountId: string, id: string): Promise<Article | null> {
  const [row] = await db
    .select()
    .from(articles)
    .where(and(eq(articles.accountId, accountId), eq(articles.id, id)))
    .limit(1)
  return row ?? null
}

export async function updateArticle(db: Db, actor: ContentActor, id: string, input: ArticleInput, nowMs = Date.now()): Promise<Article> {
  const existing = await getArticle(db, actor.accountId, id)
  if (!existing) throw new InputError(t('content.error.gone'))
  assertCanManage(actor, existing.createdBy, t('content.error.not_yours'))
  const clean = cleanArticle(input)
  return saveArticle(
    async () =>
      (
        await db
          .update(articles)
          .set({ ...clean, updatedAt: nowMs })
          .where(and(eq(articles.accountId, actor.accountId), eq(articles.id, id)))
          .returning()
      )[0],
    clean.slug,
  )
}

export async function deleteArticle(db: Db, actor: ContentActor, id: string): Promise<void> {
  const existing = await getArticle(db, actor.accountId, id)
  if (!existing) return
  assertCanManage(actor, existing.createdBy, t('content.error.not_yours'))
  await db.delete(articles).where(and(eq(articles.accountId, actor.accountId), eq(articles.id, id)))
}

export async function listArticles(db: Db, accountId: string) {
  const rows = await db
    .select({ article: articles, authorName: users.name })
    .from(articles)
    .leftJoin(users, eq(users.id, articles.createdBy))
    .where(eq(articles.accountId, accountId))
    .orderBy(asc(articles.title))
  return rows.map((row) => ({ ...row.article, authorName: row.authorName }))
}

/** Published articles whose title or body contains every typed word, for the picker. */
export async function searchPublishedArticles(db: Db, accountId: string, query: string): Promise<Article[]> {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean).slice(0, 5)
  const conditions = words.map((word) => {
    const pattern = likePattern(word, 'contains')
    return sql`(${matchesLike(articles.title, pattern)} OR ${matchesLike(articles.body, pattern)})`
  })
  return db
    .select()
    .from(articles)
    .where(and(eq(articles.accountId, accountId), eq(articles.published, true), ...conditions))
    .orderBy(asc(articles.title))
    .limit(20)
}

/** The article the public page shows: published only, by account and slug (the unique index). */
export async function publishedArticle(db: Db, accountId: string, slug: string): Promise<Article | null> {
  const [row] = await db
    .select()
    .from(articles)
    .where(and(eq(articles.accountId, accountId), eq(articles.slug, slug), eq(articles.published, true)))
    .limit(1)
  return row ?? null
}

export const articlePath = (article: Pick<Article, 'accountId' | 'slug'>) => `/kb/${article.accountId}/${article.slug}`
