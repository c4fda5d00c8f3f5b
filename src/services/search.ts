import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { messages } from '../db/schema'

/**
 * Turns what an agent typed into an FTS5 query that cannot be malformed: every word becomes a
 * quoted phrase (so operators and punctuation in the input are inert), words are ANDed, and the
 * last word also matches as a prefix, so results appear while typing.
 */
export function toFtsQuery(input: string): string | null {
  const words = input
    .split(/\s+/)
    .map((word) => word.replace(/"/g, '').trim())
    .filter(Boolean)
    .slice(0, 12)
  if (words.length === 0) return null
  return words.map((word, index) => `"${word}"${index === words.length - 1 ? '*' : ''}`).join(' ')
}

export interface MessageHit {
  messageId: number
  conversationId: string
  /** The matched text with «…» around hits; escaped when rendered. */
  snippet: string
}

/** Ranked full-text search over message text, subject and contact, scoped to one account. */
export async function searchMessages(
  db: Db,
  input: { accountId: string; query: string; limit?: number },
): Promise<MessageHit[]> {
  const match = toFtsQuery(input.query)
  if (!match) return []
  return db
    .select({
      messageId: messages.id,
      conversationId: messages.conversationId,
      snippet: sql<string>`snippet(messages_fts, -1, '«', '»', '…', 12)`,
    })
    .from(sql`messages_fts`)
    .innerJoin(messages, sql`${messages.id} = messages_fts.rowid`)
    .where(and(sql`messages_fts match ${match}`, eq(messages.accountId, input.accountId)))
    .orderBy(sql`bm25(messages_fts, 2.0, 1.0, 1.5)`)
    .limit(input.limit ?? 50)
}
