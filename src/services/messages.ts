import { and, asc, desc, eq, getTableColumns, gt, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { inOneRoundTrip, reads, type Reads } from '../db/round-trip'
import type { BatchItem } from 'drizzle-orm/batch'
import { assertNoUpdateFns, compiled, CompiledInsert, statementBuilder, boundValue, type BoundStatement } from '../db/compiled'
import { automatedKinds, channels, conversations, messages, users, type AutomatedKind } from '../db/schema'
import { toPreview } from '../lib/text'

export type Message = typeof messages.$inferSelect
export type NewMessage = Omit<typeof messages.$inferInsert, 'id' | 'seq'>

/**
 * Appends a message to a conversation and moves the conversation along, atomically (one batch,
 * which D1 and libSQL run as a transaction). The sequence number is taken inside the INSERT
 * itself, so concurrent writers (the pipeline, a ConversationRoom, an agent) never collide; the
 * unique (conversation_id, seq) index makes that a guarantee rather than a hope.
 *
 * Returns null when the message's external id was stored before: a repeated delivery.
 */
export async function appendMessage(db: Db, input: NewMessage): Promise<Message | null> {
  const statements = appendMessageStatements(db, input)
  if (statements.length === 1) {
    const [row] = (await statements[0]) as Message[]
    return row ?? null
  }
  const [inserted] = (await db.batch(statements as unknown as Parameters<Db['batch']>[0])) as unknown as [Message[]]
  return inserted[0] ?? null
}

type AppendShape = { repeat: 'skip' | 'fail'; returning: 'row' | 'id' }

// The three statements of an append, compiled once per shape (see src/db/compiled.ts): every
// chat message and inbound email runs them, and their SQL text never changes.
const insertMessage = new CompiledInsert<typeof messages, AppendShape, NewMessage>(
  messages,
  ({ values, param }, { repeat, returning }) => {
    const insert = statementBuilder.insert(messages).values({
      ...values,
      seq: sql`(select coalesce(max(${messages.seq}), 0) + 1 from ${messages} where ${messages.conversationId} = ${param('conversationId')})`,
    } as unknown as typeof messages.$inferInsert)
    // Only what the caller needs back: a whole row carries the message's text and HTML again.
    const fields = returning === 'id' ? { id: messages.id } : getTableColumns(messages)
    // 'fail' makes a repeated external id abort the whole transaction instead of inserting nothing.
    const query = (repeat === 'fail' ? insert : insert.onConflictDoNothing({ target: [messages.channelId, messages.externalId] })).returning(fields)
    return { query, fields }
  },
  ({ repeat, returning }) => `${repeat}/${returning}`,
)

/** Messages and comments move lastSeq; only messages (`conversationMessage`) also the list order and preview. */
const touchConversation = compiled<unknown, boolean>((conversationMessage) => {
  const set = {
    lastSeq: sql`(select coalesce(max(${messages.seq}), 0) from ${messages} where ${messages.conversationId} = ${sql.placeholder('conversationId')})`,
    ...(conversationMessage
      ? {
          lastMessageAt: sql`max(${conversations.lastMessageAt}, ${sql.placeholder('createdAt')})`,
          preview: boundValue('preview', conversations.preview),
          lastAutomated: boundValue('lastAutomated', conversations.lastAutomated),
        }
      : {}),
  }
  assertNoUpdateFns(conversations, Object.keys(set))
  return {
    query: statementBuilder
      .update(conversations)
      .set(set)
      .where(eq(conversations.id, sql.placeholder('conversationId'))),
  }
})

// A new message from the contact reopens a closed conversation, and a reply to an email we
// started moves it out of Sent into the inbox. A statement of its own that matches only when
// something changes, so the view counters' triggers fire only then.
const reopenConversation = compiled(() => {
  const set = {
    status: 'open' as const,
    closedAt: null,
    folder: sql`case when ${conversations.folder} = 'sent' then 'inbox' else ${conversations.folder} end`,
  }
  assertNoUpdateFns(conversations, Object.keys(set))
  return {
    query: statementBuilder
      .update(conversations)
      .set(set)
      .where(and(eq(conversations.id, sql.placeholder('conversationId')), sql`(${conversations.status} <> 'open' or ${conversations.folder} = 'sent')`)),
  }
})

/**
 * The statements `appendMessage` runs in one batch, for a caller that adds its own to the same
 * transaction (the pipeline: contact, conversation, participants). The first one inserts the
 * message and returns its row (none when the external id was stored before, unless
 * `repeat: 'fail'`, which makes that an error that rolls the transaction back). Compiled
 * statements: they go into `db.batch` next to drizzle builders, or can be awaited.
 */
export function appendMessageStatements(db: Db, input: NewMessage, options: { repeat?: 'skip' | 'fail'; returning?: 'row' | 'id' } = {}): BoundStatement[] {
  const insert = insertMessage.bind(db, input, { repeat: options.repeat === 'fail' ? 'fail' : 'skip', returning: options.returning === 'id' ? 'id' : 'row' })
  // Activity entries (assigned, closed, …) leave the conversation as it was: they neither make it
  // unread (lastSeq follows messages and comments only) nor move it in the list.
  if (input.kind === 'activity') return [insert]
  const isConversationMessage = input.kind === undefined || input.kind === 'message'
  const inbound = isConversationMessage && input.direction === 'in'
  const machine = automatedKindOf(input)
  const touch = touchConversation(isConversationMessage).bind(db, {
    conversationId: input.conversationId,
    createdAt: input.createdAt,
    preview: isConversationMessage ? toPreview(input.text ?? '') : undefined,
    lastAutomated: isConversationMessage ? machine : undefined,
  })
  // An out-of-office answering our reply is no reason to reopen a closed conversation (or to move
  // one we started out of Sent): it joins the thread, marked, and leaves it where it was. A bounce
  // does reopen: our mail did not arrive, and someone has to act.
  if (!inbound || (machine !== null && machine !== 'bounce')) return [insert, touch]
  return [insert, touch, reopenConversation().bind(db, { conversationId: input.conversationId })]
}

/** The kind of machine that wrote a message (the channel puts it in `metadata.automatedKind`), or null for a person. */
export function automatedKindOf(message: Pick<Message, 'automated' | 'metadata'> | Pick<NewMessage, 'automated' | 'metadata'>): AutomatedKind | null {
  if (!message.automated) return null
  const kind = (message.metadata as { automatedKind?: unknown } | null | undefined)?.automatedKind
  return automatedKinds.includes(kind as AutomatedKind) ? (kind as AutomatedKind) : 'automated'
}

export interface ThreadMessage extends Message {
  authorUserName: string | null
  /** The plugin of the channel the message travelled through (a conversation can change channel). */
  channelPluginId: string | null
}

export function listMessages(db: Db, accountId: string, conversationId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<ThreadMessage[]> {
  return inOneRoundTrip(db, messageReads(db, accountId, conversationId, options))
}

// Compiled: a thread of 100 messages made drizzle build this SQL and decode 2,500 cells through
// its generic mapper on every open; the compiled statement only binds and decodes with column
// decoders picked once. Every column keeps its own name (a batch on D1 keys rows by name).
/** A thread message's row as the thread shows it: the message with its author's name and its channel's plugin. */
function threadMessageSelect() {
  const fields = { ...getTableColumns(messages), authorUserName: users.name, channelPluginId: channels.pluginId }
  const query = statementBuilder
    .select(fields)
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorUserId))
    .leftJoin(channels, eq(channels.id, messages.channelId))
  return { fields, query }
}

const threadMessages = compiled<ThreadMessage[], boolean>((afterSeq) => {
  const { fields, query } = threadMessageSelect()
  return {
    query: query
      .where(
        and(
          eq(messages.accountId, sql.placeholder('accountId')),
          eq(messages.conversationId, sql.placeholder('conversationId')),
          afterSeq ? gt(messages.seq, sql.placeholder('afterSeq')) : undefined,
        ),
      )
      .orderBy(asc(messages.seq))
      .limit(sql.placeholder('limit')),
    fields,
  }
})

export function messageReads(db: Db, accountId: string, conversationId: string, options: { afterSeq?: number; limit?: number } = {}): Reads<ThreadMessage[]> {
  const afterSeq = options.afterSeq !== undefined
  const statement = threadMessages(afterSeq).bind(db, { accountId, conversationId, afterSeq: options.afterSeq, limit: options.limit ?? 500 })
  return reads(statement as unknown as BatchItem<'sqlite'> & PromiseLike<ThreadMessage[]>)
}

export async function getMessage(db: Db, accountId: string, messageId: number): Promise<ThreadMessage | null> {
  const [row] = await db
    .select({ message: messages, authorUserName: users.name, channelPluginId: channels.pluginId })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorUserId))
    .leftJoin(channels, eq(channels.id, messages.channelId))
    .where(and(eq(messages.accountId, accountId), eq(messages.id, messageId)))
    .limit(1)
  return row ? { ...row.message, authorUserName: row.authorUserName, channelPluginId: row.channelPluginId } : null
}

const messageByExternalId = compiled<{ id: number; conversationId: string; contentHash: string | null }[]>(() => {
  const fields = { id: messages.id, conversationId: messages.conversationId, contentHash: messages.contentHash }
  return {
    query: statementBuilder
      .select(fields)
      .from(messages)
      .where(and(eq(messages.channelId, sql.placeholder('channelId')), eq(messages.externalId, sql.placeholder('externalId'))))
      .limit(1),
    fields,
  }
})

/** A message of a channel by the provider's id (Message-ID, event id): how repeated deliveries are recognised. Compiled: it runs for every inbound message. */
export const findMessageByExternalIdQuery = (db: Db, channelId: string, externalId: string) => messageByExternalId().bind(db, { channelId, externalId })

export async function findMessageByExternalId(db: Db, channelId: string, externalId: string) {
  const [row] = await findMessageByExternalIdQuery(db, channelId, externalId)
  return row ?? null
}

/** The newest sequence number in a conversation, activity lines included (0 when empty). */
export async function lastSeqOf(db: Db, accountId: string, conversationId: string): Promise<number> {
  const [row] = await db
    .select({ seq: sql<number>`coalesce(max(${messages.seq}), 0)`.mapWith(Number) })
    .from(messages)
    .where(and(eq(messages.accountId, accountId), eq(messages.conversationId, conversationId)))
  return row?.seq ?? 0
}

/** The newest reply another agent sent after `seq`, if any (collision detection before sending). */
export function replyByAnotherAgentSince(db: Db, accountId: string, conversationId: string, seq: number, userId: string) {
  return inOneRoundTrip(db, replyByAnotherAgentReads(db, accountId, conversationId, seq, userId))
}

/** `replyByAnotherAgentSince` as one statement, for the batch a reply reads before it is stored. */
export function replyByAnotherAgentReads(
  db: Db,
  accountId: string,
  conversationId: string,
  seq: number,
  userId: string,
): Reads<{ id: number; authorName: string | null; seq: number } | null> {
  const statement = db
    .select({ id: messages.id, authorName: messages.authorName, seq: messages.seq })
    .from(messages)
    .where(
      and(
        eq(messages.accountId, accountId),
        eq(messages.conversationId, conversationId),
        gt(messages.seq, seq),
        eq(messages.kind, 'message'),
        eq(messages.direction, 'out'),
        sql`coalesce(${messages.authorUserId}, '') <> ${userId}`,
        // A forward or a transcript went somewhere else; it does not answer the contact.
        sql`json_extract(${messages.metadata}, '$.startsThread') is null`,
      ),
    )
    .orderBy(desc(messages.seq))
    .limit(1)
  return reads(statement, ([row]) => row ?? null)
}

/**
 * The id of the conversation's newest message, as SQL. In a batch right after `appendMessage`'s
 * statements it is the id of the message just appended: the batch is one transaction, the insert
 * took the conversation's highest seq, and no other writer runs until it commits. So rows that
 * point at a new message (its notifications, its attachments) go into the same batch as it.
 */
export function newestMessageIdIn(conversationId: string): SQL<number> {
  return sql<number>`(select ${messages.id} from ${messages} where ${messages.conversationId} = ${conversationId} order by ${messages.seq} desc limit 1)`
}

// The newest message with the names the thread shows beside it, like `getMessage`; compiled like
// the thread's own read, every column under its own name (it goes into a batch).
const newestMessage = compiled<ThreadMessage[]>(() => {
  const { fields, query } = threadMessageSelect()
  return {
    query: query
      .where(and(eq(messages.accountId, sql.placeholder('accountId')), eq(messages.conversationId, sql.placeholder('conversationId'))))
      .orderBy(desc(messages.seq))
      .limit(1),
    fields,
  }
})

/** The conversation's newest message as `getMessage` reads it: in the batch that appended it, that message (see `newestMessageIdIn`). */
export function newestMessageReads(db: Db, accountId: string, conversationId: string): Reads<ThreadMessage | null> {
  const statement = newestMessage().bind(db, { accountId, conversationId })
  return reads(statement as unknown as BatchItem<'sqlite'> & PromiseLike<ThreadMessage[]>, ([row]) => row ?? null)
}
