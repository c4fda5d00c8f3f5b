import { aliasedTable, and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { answered, inOneRoundTrip, reads, type Reads } from '../db/round-trip'
import { compiled, statementBuilder } from '../db/compiled'
import type { BatchItem } from 'drizzle-orm/batch'
import { type AutomatedKind, contacts, conversationCounts, conversationReads, conversations, messages, users } from '../db/schema'
import { builtInViews, type ViewDefinition } from './views'
import { filterConditions, type ListFilters } from './filters'
import { ftsCondition, highlightSnippet } from './search'

export type Conversation = typeof conversations.$inferSelect

export interface ConversationRow {
  id: string
  subject: string | null
  preview: string
  status: Conversation['status']
  folder: Conversation['folder']
  pluginId: string
  lastMessageAt: number
  lastSeq: number
  assigneeId: string | null
  assigneeName: string | null
  assigneeBot: string | null
  contactId: string | null
  contactName: string | null
  contactEmail: string | null
  contactPhone: string | null
  unread: boolean
  /** The newest message was a bounce or an auto-reply (see messages.automated). */
  lastAutomated?: AutomatedKind | null
}

export interface ListQuery {
  accountId: string
  /** Omitted only with `conversationIds`: then each row is read in its own inbox. */
  inboxId?: string
  userId: string
  /** The view the list shows; a search (filters.q) spans the whole inbox instead. */
  view: ViewDefinition
  filters?: ListFilters
  cursor?: string
  limit?: number
  /** Restrict to these conversations: answers "are they in this list, and how do their rows look?" */
  conversationIds?: string[]
}

export interface ListPage {
  rows: (ConversationRow & { snippet?: string })[]
  nextCursor: string | null
}

/** A list page as its query returns it: a search page still needs its snippets (`snippetReads`). */
export interface RankedPage {
  rows: (ConversationRow & { bestMessageId: number | null })[]
  nextCursor: string | null
  search: { accountId: string; q: string } | null
}

const assignees = aliasedTable(users, 'assignee')

/**
 * A search ranks at most this many matching messages, the newest ones: a word in more messages
 * than this finds the conversations of its newest matches, best first, not every one that ever
 * mentioned it.
 */
export const maxMessagesRankedPerSearch = 1000

/**
 * Keyset cursors, never OFFSET, so page 500 costs what page 1 costs: (last_message_at, id) for
 * date order, (rank, id) for relevance.
 */
function encodeCursor(key: number, id: string): string {
  return `${key}_${id}`
}

function decodeCursor(cursor: string): { key: number; id: string } | null {
  const match = /^(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)_([a-z0-9]{1,32})$/i.exec(cursor)
  return match ? { key: Number(match[1]), id: match[2]! } : null
}

/** The rows of one list page: a view (with optional filters) or a search (two round trips: rows, then snippets). */
export async function listConversations(db: Db, query: ListQuery): Promise<ListPage> {
  return inOneRoundTrip(db, snippetReads(db, await inOneRoundTrip(db, listReads(db, query))))
}

/** The query of one list page, for a batch; its snippets (a search) come after, from `snippetReads`. */
export function listReads(db: Db, query: ListQuery): Reads<RankedPage> {
  if (query.inboxId === undefined && !query.conversationIds) throw new Error('a list is of one inbox, or of given conversations')
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200)
  const filters = query.filters ?? {}
  const c = conversations
  const match = filters.q ? ftsCondition(query.accountId, filters.q) : null
  const sort = filters.sort ?? (match ? 'relevance' : 'newest')
  const cursor = query.cursor ? decodeCursor(query.cursor) : null

  // A search ranks conversations by their best-matching message among the newest matches:
  // FTS5 walks its index newest-first (rowid order) and stops after maxMessagesRankedPerSearch,
  // so a word found in a quarter of all messages costs what a rare one does. bm25() runs only
  // inside that FTS query; the grouping per conversation happens outside, where SQLite's
  // min() also hands back the best message's id for the snippet.
  const matched = match
    ? db
        .select({ messageId: sql<number>`messages_fts.rowid`.as('fts_message_id'), score: sql<number>`bm25(messages_fts, 2.0, 1.0, 1.5, 0.0)`.as('score') })
        .from(sql`messages_fts`)
        .where(match)
        .orderBy(sql`messages_fts.rowid desc`)
        .limit(maxMessagesRankedPerSearch)
        .as('matched')
    : null
  const hits = matched
    ? db
        .select({
          conversationId: messages.conversationId,
          rank: sql<number>`min(${matched.score})`.as('rank'),
          bestMessageId: sql<number>`${messages.id}`.as('best_message_id'),
        })
        .from(matched)
        .innerJoin(messages, eq(messages.id, matched.messageId))
        .where(eq(messages.accountId, query.accountId))
        .groupBy(messages.conversationId)
        .as('hits')
    : null
  if (filters.q && !match) return answered({ rows: [], nextCursor: null, search: null })

  const orderKey = sort === 'relevance' && hits ? hits.rank : c.lastMessageAt
  const ascending = sort === 'oldest' || sort === 'relevance'
  const after = (column: SQL.Aliased<number> | typeof c.lastMessageAt, key: number, id: string) =>
    ascending
      ? or(sql`${column} > ${key}`, and(sql`${column} = ${key}`, sql`${c.id} > ${id}`))
      : or(sql`${column} < ${key}`, and(sql`${column} = ${key}`, sql`${c.id} < ${id}`))

  const conditions: (SQL | undefined)[] = [
    eq(c.accountId, query.accountId),
    query.inboxId === undefined ? undefined : eq(c.inboxId, query.inboxId),
    match ? undefined : query.view.where(query.userId),
    ...filterConditions(filters, query.accountId),
    query.conversationIds ? inArray(c.id, query.conversationIds) : undefined,
    cursor ? after(orderKey, cursor.key, cursor.id) : undefined,
  ]
  const row = {
    id: c.id,
    subject: c.subject,
    preview: c.preview,
    status: c.status,
    folder: c.folder,
    pluginId: c.pluginId,
    lastMessageAt: c.lastMessageAt,
    lastSeq: c.lastSeq,
    assigneeId: c.assigneeId,
    assigneeBot: c.assigneeBot,
    contactId: c.contactId,
    lastAutomated: c.lastAutomated,
  }
  const orderBy = (key: Parameters<typeof asc>[0], id: Parameters<typeof asc>[0]) => [ascending ? asc(key) : desc(key), ascending ? asc(id) : desc(id)] as const
  // A search picks its page first and joins the contact, assignee and read marker to those rows
  // only: joined before the LIMIT they were looked up for every matching conversation (up to
  // maxMessagesRankedPerSearch), which the sort then threw away. The joins are to unique keys,
  // so they neither add nor drop rows, and the page is the same.
  const source = hits
    ? db
        .select({ ...row, rank: hits.rank, bestMessageId: hits.bestMessageId })
        .from(c)
        .innerJoin(hits, eq(hits.conversationId, c.id))
        .where(and(...conditions))
        .orderBy(...orderBy(orderKey, c.id))
        .limit(limit + 1)
        .as('page')
    : null
  const r = source ?? { ...row, rank: sql<number>`0`.as('rank'), bestMessageId: sql<number | null>`null`.as('best_message_id') }
  const base = db
    .select({
      id: r.id,
      subject: r.subject,
      preview: r.preview,
      status: r.status,
      folder: r.folder,
      pluginId: r.pluginId,
      lastMessageAt: r.lastMessageAt,
      lastSeq: r.lastSeq,
      assigneeId: r.assigneeId,
      assigneeName: sql<string | null>`${assignees.name}`.as('assignee_name'),
      assigneeBot: r.assigneeBot,
      contactId: r.contactId,
      contactName: contacts.name,
      contactEmail: contacts.email,
      contactPhone: contacts.phone,
      unread: sql<boolean>`coalesce(${conversationReads.readSeq}, 0) < ${r.lastSeq}`.mapWith(Boolean).as('unread'),
      lastAutomated: r.lastAutomated,
      rank: r.rank,
      bestMessageId: r.bestMessageId,
    })
    .from(source ?? c)
  const joined = base
    .leftJoin(contacts, eq(contacts.id, r.contactId))
    .leftJoin(assignees, eq(assignees.id, r.assigneeId))
    .leftJoin(conversationReads, and(eq(conversationReads.conversationId, r.id), eq(conversationReads.userId, query.userId)))
  const statement = source
    ? joined.orderBy(...orderBy(sort === 'relevance' ? source.rank : source.lastMessageAt, source.id))
    : joined
        .where(and(...conditions))
        .orderBy(...orderBy(orderKey, c.id))
        .limit(limit + 1)
  return reads(statement, (rows) => {
    const hasMore = rows.length > limit
    const page = hasMore ? rows.slice(0, limit) : rows
    const last = page[page.length - 1]
    const nextCursor = hasMore && last ? encodeCursor(sort === 'relevance' && hits ? last.rank : last.lastMessageAt, last.id) : null
    return {
      rows: page.map(({ rank: _rank, ...row }) => row),
      nextCursor,
      search: filters.q ? { accountId: query.accountId, q: filters.q } : null,
    }
  })
}

/**
 * A page with the snippets of a search: for each conversation, its best-matching message with
 * the hits marked (one query for the whole page). A page that is not a search needs no query.
 */
export function snippetReads(db: Db, page: RankedPage): Reads<ListPage> {
  const done = (snippets: Map<string, string>): ListPage => ({
    rows: page.rows.map(({ bestMessageId: _best, ...row }) => ({ ...row, snippet: snippets.get(row.id) })),
    nextCursor: page.nextCursor,
  })
  const search = page.search
  const ids = page.rows.map((row) => row.bestMessageId).filter((id): id is number => typeof id === 'number')
  if (!search || ids.length === 0) return answered(done(new Map()))
  const texts = db
    .select({ id: messages.id, text: messages.text })
    .from(messages)
    .where(and(eq(messages.accountId, search.accountId), inArray(messages.id, ids), sql`${messages.hiddenAt} is null`))
  return reads(texts, (found) => {
    const byId = new Map(found.map((row) => [row.id, row.text]))
    const snippets = new Map<string, string>()
    for (const row of page.rows) {
      const text = row.bestMessageId === null ? undefined : byId.get(row.bestMessageId)
      const snippet = text ? highlightSnippet(text, search.q) : null
      if (snippet) snippets.set(row.id, snippet)
    }
    return done(snippets)
  })
}

/**
 * Counts for every built-in view of an inbox. The counts come from conversation_counts, which
 * triggers keep exact per combination of the columns views test; the subquery presents those
 * few hundred rows under the name `conversations`, so each view's own condition runs unchanged
 * on them. A view that tests another column fails loudly here ("no such column") until the
 * column is added to conversation_counts.
 */
export function countViews(db: Db, query: { accountId: string; inboxId: string; userId: string }): Promise<Record<string, number>> {
  return inOneRoundTrip(db, countReads(db, query))
}

// Compiled: one sum per built-in view made this the costliest SQL to build on a list page.
const viewCounts = compiled<Record<string, number>[]>(() => {
  const c = conversations
  const k = conversationCounts
  const grouped = sql`(select ${k.folder} as folder, ${k.status} as status, ${k.pluginId} as plugin_id,
      nullif(${k.assigneeId}, '') as assignee_id, nullif(${k.assigneeBot}, '') as assignee_bot, ${k.count} as row_count
    from ${k} where ${and(eq(k.accountId, sql.placeholder('accountId')), eq(k.inboxId, sql.placeholder('inboxId')))} and ${k.count} > 0) as ${c}`
  // A view's condition takes the viewer's id as a value; here it is the statement's placeholder.
  const userId = sql.placeholder('userId') as unknown as string
  const columns = Object.fromEntries(
    builtInViews.map((view) => [
      view.id,
      sql<number>`coalesce(sum(case when ${view.where(userId)} then row_count else 0 end), 0)`.mapWith(Number).as(`count_${view.id}`),
    ]),
  )
  return { query: statementBuilder.select(columns).from(grouped), fields: columns }
})

export function countReads(db: Db, query: { accountId: string; inboxId: string; userId: string }): Reads<Record<string, number>> {
  const statement = viewCounts().bind(db, query) as unknown as BatchItem<'sqlite'> & PromiseLike<Record<string, number>[]>
  return reads(statement, ([row]) => row ?? {})
}

export { conversationDetailReads, getConversation, type ConversationDetail } from './conversation-detail'

export async function markRead(db: Db, userId: string, conversationId: string, seq: number) {
  await db
    .insert(conversationReads)
    .values({ userId, conversationId, readSeq: seq })
    .onConflictDoUpdate({
      target: [conversationReads.userId, conversationReads.conversationId],
      set: { readSeq: sql`max(${conversationReads.readSeq}, excluded.read_seq)` },
    })
}

/**
 * Marks a thread read for the user up to its newest message (activity lines included), when the
 * conversation is in the account and has one: the write that opening a thread makes, for the
 * thread's batch (before the read of its list row, which then shows it read).
 */
export function markReadToNewestReads(db: Db, input: { accountId: string; userId: string; conversationId: string }): Reads<unknown> {
  const newest = db
    .select({
      userId: sql<string>`${input.userId}`.as('user_id'),
      conversationId: messages.conversationId,
      readSeq: sql<number>`max(${messages.seq})`.as('read_seq'),
    })
    .from(messages)
    .where(and(eq(messages.accountId, input.accountId), eq(messages.conversationId, input.conversationId)))
    .groupBy(messages.conversationId)
  return reads(
    db
      .insert(conversationReads)
      .select(newest)
      .onConflictDoUpdate({
        target: [conversationReads.userId, conversationReads.conversationId],
        set: { readSeq: sql`max(${conversationReads.readSeq}, excluded.read_seq)` },
      }),
  )
}

/**
 * Whether an agent has the thread open, as the conversation's room last saw it. Inbound
 * deliveries read it to decide whether the room needs waking at all.
 */
export async function setConversationWatched(db: Db, accountId: string, conversationId: string, watched: boolean) {
  await db
    .update(conversations)
    .set({ watched })
    .where(and(eq(conversations.id, conversationId), eq(conversations.accountId, accountId)))
}

/** Other conversations of the same contact, newest first, for the sidebar. */
export async function otherConversationsOfContact(db: Db, accountId: string, contactId: string, exceptConversationId: string, limit = 5) {
  return db
    .select({
      id: conversations.id,
      inboxId: conversations.inboxId,
      subject: conversations.subject,
      preview: conversations.preview,
      status: conversations.status,
      pluginId: conversations.pluginId,
      lastMessageAt: conversations.lastMessageAt,
    })
    .from(conversations)
    .where(
      and(
        eq(conversations.accountId, accountId),
        eq(conversations.contactId, contactId),
        sql`${conversations.id} <> ${exceptConversationId}`,
        sql`${conversations.folder} <> 'trash'`,
      ),
    )
    .orderBy(desc(conversations.lastMessageAt))
    .limit(limit)
}

/** The chatflows that own conversations in an inbox, for the assignee filter. */
export function listBots(db: Db, accountId: string, inboxId: string): Promise<string[]> {
  return inOneRoundTrip(db, botReads(db, accountId, inboxId))
}

export function botReads(db: Db, accountId: string, inboxId: string): Reads<string[]> {
  const statement = db
    .selectDistinct({ bot: conversations.assigneeBot })
    .from(conversations)
    .where(and(eq(conversations.accountId, accountId), eq(conversations.inboxId, inboxId), sql`${conversations.assigneeBot} is not null`))
    .limit(50)
  return reads(statement, (rows) => rows.map((row) => row.bot!).sort())
}
