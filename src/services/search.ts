import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { messages } from '../db/schema'

/**
 * Turns what an agent typed into an FTS5 query that cannot be malformed: every word becomes a
 * quoted phrase (so operators and punctuation in the input are inert), words are ANDed, and the
 * last word also matches as a prefix, so results appear while typing. Control characters go
 * too: FTS5 reads a NUL inside a quoted phrase as the end of the query ("unterminated string").
 */
export function toFtsQuery(input: string): string | null {
  const words = input
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .split(/\s+/)
    .map((word) => word.replace(/"/g, '').trim())
    .filter(Boolean)
    .slice(0, 12)
  if (words.length === 0) return null
  return words.map((word, index) => `"${word}"${index === words.length - 1 ? '*' : ''}`).join(' ')
}

/** The FTS5 condition for a search in one account: the words, and the account column (stored, not indexed). */
export function ftsCondition(accountId: string, input: string): SQL | null {
  const words = toFtsQuery(input)
  return words ? sql`messages_fts match ${words} and messages_fts.account = ${accountId}` : null
}

const stripMarks = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()

/**
 * A window of text around the first hit, with every hit wrapped in \u0002…\u0003 (the template
 * turns those into <mark>). Matching follows the index: whole words, diacritics ignored, and the
 * last word also as a prefix. Null when the text has no hit (the match was in the subject or the
 * contact).
 */
export function highlightSnippet(text: string, query: string, windowWords = 16): string | null {
  const terms = query
    .split(/\s+/)
    .map((word) => stripMarks(word.replace(/["*]/g, '')))
    .filter(Boolean)
  if (terms.length === 0) return null
  const tokens = text.replace(/[\u0002\u0003]/g, '').split(/(\s+)/)
  const isHit = (token: string) => {
    const bare = stripMarks(token).replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    return terms.some((term, index) => (index === terms.length - 1 ? bare.startsWith(term) : bare === term))
  }
  const words = tokens.filter((token) => token.trim() !== '')
  const first = words.findIndex(isHit)
  if (first < 0) return null
  const start = Math.max(0, first - Math.floor(windowWords / 3))
  const slice = words.slice(start, start + windowWords).map((word) => (isHit(word) ? `\u0002${word}\u0003` : word))
  return `${start > 0 ? '… ' : ''}${slice.join(' ')}${start + windowWords < words.length ? ' …' : ''}`
}

export interface MessageHit {
  messageId: number
  conversationId: string
  /** The matched text with «…» around hits; escaped when rendered. */
  snippet: string
}

/** Ranked full-text search over message text, subject and contact, scoped to one account. */
export async function searchMessages(db: Db, input: { accountId: string; query: string; limit?: number }): Promise<MessageHit[]> {
  const condition = ftsCondition(input.accountId, input.query)
  if (!condition) return []
  return db
    .select({
      messageId: messages.id,
      conversationId: messages.conversationId,
      snippet: sql<string>`snippet(messages_fts, -1, '«', '»', '…', 12)`,
    })
    .from(sql`messages_fts`)
    .innerJoin(messages, sql`${messages.id} = messages_fts.rowid`)
    .where(and(condition, eq(messages.accountId, input.accountId)))
    .orderBy(sql`bm25(messages_fts, 2.0, 1.0, 1.5, 0.0)`)
    .limit(input.limit ?? 50)
}
