import { aliasedTable, and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { channels, contacts, conversationReads, conversations, users } from '../db/schema'
import { builtInViews, type ViewDefinition } from './views'

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
}

export interface ListQuery {
  accountId: string
  inboxId: string
  userId: string
  view: ViewDefinition
  cursor?: string
  limit?: number
  /** Restrict to one conversation: answers "is it in this view, and how does its row look?" */
  conversationId?: string
}

const assignees = aliasedTable(users, 'assignee')

/** Keyset cursor over (last_message_at desc, id desc): never OFFSET, so page 500 costs page 1. */
export function encodeCursor(row: { lastMessageAt: number; id: string }): string {
  return `${row.lastMessageAt}_${row.id}`
}

function decodeCursor(cursor: string): { lastMessageAt: number; id: string } | null {
  const match = /^(\d{1,16})_([a-z0-9]{1,32})$/.exec(cursor)
  return match ? { lastMessageAt: Number(match[1]), id: match[2]! } : null
}

export async function listConversations(db: Db, query: ListQuery) {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200)
  const cursor = query.cursor ? decodeCursor(query.cursor) : null
  const c = conversations
  const conditions: (SQL | undefined)[] = [
    eq(c.accountId, query.accountId),
    eq(c.inboxId, query.inboxId),
    query.view.where(query.userId),
    query.conversationId ? eq(c.id, query.conversationId) : undefined,
    cursor
      ? or(lt(c.lastMessageAt, cursor.lastMessageAt), and(eq(c.lastMessageAt, cursor.lastMessageAt), lt(c.id, cursor.id)))
      : undefined,
  ]
  const rows: ConversationRow[] = await db
    .select({
      id: c.id,
      subject: c.subject,
      preview: c.preview,
      status: c.status,
      folder: c.folder,
      pluginId: c.pluginId,
      lastMessageAt: c.lastMessageAt,
      lastSeq: c.lastSeq,
      assigneeId: c.assigneeId,
      assigneeName: assignees.name,
      assigneeBot: c.assigneeBot,
      contactId: c.contactId,
      contactName: contacts.name,
      contactEmail: contacts.email,
      contactPhone: contacts.phone,
      unread: sql<boolean>`coalesce(${conversationReads.readSeq}, 0) < ${c.lastSeq}`.mapWith(Boolean),
    })
    .from(c)
    .leftJoin(contacts, eq(contacts.id, c.contactId))
    .leftJoin(assignees, eq(assignees.id, c.assigneeId))
    .leftJoin(
      conversationReads,
      and(eq(conversationReads.conversationId, c.id), eq(conversationReads.userId, query.userId)),
    )
    .where(and(...conditions))
    .orderBy(desc(c.lastMessageAt), desc(c.id))
    .limit(limit + 1)
  const hasMore = rows.length > limit
  const page = hasMore ? rows.slice(0, limit) : rows
  const last = page[page.length - 1]
  return { rows: page, nextCursor: hasMore && last ? encodeCursor(last) : null }
}

/** Counts for every built-in view of an inbox, in one scan of its conversations. */
export async function countViews(
  db: Db,
  query: { accountId: string; inboxId: string; userId: string },
): Promise<Record<string, number>> {
  const columns = Object.fromEntries(
    builtInViews.map((view) => [
      view.id,
      sql<number>`coalesce(sum(case when ${view.where(query.userId)} then 1 else 0 end), 0)`.mapWith(Number),
    ]),
  )
  const [row] = await db
    .select(columns)
    .from(conversations)
    .where(and(eq(conversations.accountId, query.accountId), eq(conversations.inboxId, query.inboxId)))
  return (row ?? {}) as Record<string, number>
}

export interface ConversationDetail {
  conversation: Conversation
  channelName: string
  contact: typeof contacts.$inferSelect | null
  assigneeName: string | null
}

export async function getConversation(
  db: Db,
  accountId: string,
  conversationId: string,
): Promise<ConversationDetail | null> {
  const [row] = await db
    .select({ conversation: conversations, channelName: channels.name, contact: contacts, assigneeName: users.name })
    .from(conversations)
    .innerJoin(channels, eq(channels.id, conversations.channelId))
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(users, eq(users.id, conversations.assigneeId))
    .where(and(eq(conversations.accountId, accountId), eq(conversations.id, conversationId)))
    .limit(1)
  return row ?? null
}

export async function markRead(db: Db, userId: string, conversationId: string, seq: number) {
  await db
    .insert(conversationReads)
    .values({ userId, conversationId, readSeq: seq })
    .onConflictDoUpdate({
      target: [conversationReads.userId, conversationReads.conversationId],
      set: { readSeq: sql`max(${conversationReads.readSeq}, excluded.read_seq)` },
    })
}

/** Other conversations of the same contact, newest first, for the sidebar. */
export async function otherConversationsOfContact(
  db: Db,
  accountId: string,
  contactId: string,
  exceptConversationId: string,
  limit = 5,
) {
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
