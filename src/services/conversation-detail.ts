import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '../db/client'
import { compiled, statementBuilder } from '../db/compiled'
import { columnsAs, inOneRoundTrip, joinedOrNull, reads, type Reads } from '../db/round-trip'
import { botSessions, channels, contacts, conversations, tickets, users } from '../db/schema'
import type { Conversation } from './conversations'

/** A conversation with what its thread header shows: the channel, contact, owner, bot progress and ticket. */
export interface ConversationDetail {
  conversation: Conversation
  channelName: string
  /** A removed channel's conversations stay readable, but take no replies. */
  channelStatus: (typeof channels.$inferSelect)['status']
  contact: typeof contacts.$inferSelect | null
  assigneeName: string | null
  /** The chatflow's progress, for bot conversations. */
  botSession: typeof botSessions.$inferSelect | null
  /** The ticket created from this conversation (the header links to it). */
  ticket: { id: string; name: string; status: 'open' | 'closed' } | null
}

export function getConversation(db: Db, accountId: string, conversationId: string): Promise<ConversationDetail | null> {
  return inOneRoundTrip(db, conversationDetailReads(db, accountId, conversationId))
}

// The parts of a conversation's detail, every column under a name of its own (the read goes into
// the thread's batch). Compiled: ~80 aliased columns were the costliest SQL to build per open.
const detailParts = () => ({
  conversation: columnsAs(conversations, 'conversation'),
  contact: columnsAs(contacts, 'contact'),
  botSession: columnsAs(botSessions, 'bot_session'),
  ticket: {
    id: sql<string>`${tickets.id}`.as('ticket_id'),
    name: sql<string>`${tickets.name}`.as('ticket_name'),
    status: sql<'open' | 'closed'>`${tickets.status}`.as('ticket_status'),
  },
})
type DetailParts = ReturnType<typeof detailParts>
type DetailRow = { [P in keyof DetailParts]: { [K in keyof DetailParts[P]]: DetailParts[P][K] extends SQL.Aliased<infer T> ? T : never } } & {
  channelName: string
  channelStatus: (typeof channels.$inferSelect)['status']
  assigneeName: string | null
}

const conversationDetail = compiled<DetailRow[]>(() => {
  // Flat for the compiled statement (`part.key`), nested again when read.
  const fields: Record<string, SQL.Aliased> = {
    channelName: sql<string>`${channels.name}`.as('channel_name'),
    channelStatus: sql<string>`${channels.status}`.as('channel_status'),
    assigneeName: sql<string | null>`${users.name}`.as('assignee_name'),
  }
  for (const [part, columns] of Object.entries(detailParts())) for (const [key, field] of Object.entries(columns)) fields[`${part}.${key}`] = field
  const accountId = sql.placeholder('accountId')
  return {
    query: statementBuilder
      .select(fields)
      .from(conversations)
      .innerJoin(channels, eq(channels.id, conversations.channelId))
      .leftJoin(contacts, eq(contacts.id, conversations.contactId))
      .leftJoin(users, eq(users.id, conversations.assigneeId))
      .leftJoin(botSessions, eq(botSessions.conversationId, conversations.id))
      .leftJoin(tickets, and(eq(tickets.id, conversations.ticketId), eq(tickets.accountId, accountId)))
      .where(and(eq(conversations.accountId, accountId), eq(conversations.id, sql.placeholder('conversationId'))))
      .limit(1),
    fields,
  }
})

function nested(flat: Record<string, unknown>): DetailRow {
  const row: Record<string, Record<string, unknown> | unknown> = {}
  for (const [key, value] of Object.entries(flat)) {
    const dot = key.indexOf('.')
    if (dot < 0) row[key] = value
    else {
      row[key.slice(0, dot)] ??= {}
      ;(row[key.slice(0, dot)] as Record<string, unknown>)[key.slice(dot + 1)] = value
    }
  }
  return row as DetailRow
}

export function conversationDetailReads(db: Db, accountId: string, conversationId: string): Reads<ConversationDetail | null> {
  const statement = conversationDetail().bind(db, { accountId, conversationId }) as unknown as BatchItem<'sqlite'> & PromiseLike<Record<string, unknown>[]>
  return reads(statement, ([flat]) => {
    if (!flat) return null
    const row = nested(flat)
    return { ...row, contact: joinedOrNull(row.contact), botSession: joinedOrNull(row.botSession), ticket: joinedOrNull(row.ticket) }
  })
}
