import { and, desc, eq, gte, inArray, ne, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { compiled, statementBuilder } from '../db/compiled'
import { conversationParticipants, conversations, messages } from '../db/schema'
import { normalizeEmail } from '../lib/text'
import type { ChannelRecord, InboundMessage } from './types'

export const maxReferencesLookedUp = 50
/** How long a conversation stays joinable by subject alone (and only for its participants). */
export const subjectThreadingWindowDays = 30
const dayMs = 86_400_000

// The threading look-ups run for every inbound message (in ingestInOneBatch's batch, or one by
// one): compiled once (see src/db/compiled.ts), then only re-bound.
const byKeyStatement = compiled<{ id: string }[]>(() => {
  const fields = { id: conversations.id }
  return {
    query: statementBuilder
      .select(fields)
      .from(conversations)
      .where(and(eq(conversations.channelId, sql.placeholder('channelId')), eq(conversations.externalKey, sql.placeholder('key'))))
      .limit(1),
    fields,
  }
})

export const findByKeyQuery = (db: Db, channel: ChannelRecord, key: string) => byKeyStatement().bind(db, { channelId: channel.id, key })

async function findByKey(db: Db, channel: ChannelRecord, key: string) {
  const [row] = await findByKeyQuery(db, channel, key)
  return row?.id ?? null
}

const byOwnTokenStatement = compiled<{ id: string }[]>(() => {
  const fields = { id: conversations.id }
  return {
    query: statementBuilder
      .select(fields)
      .from(conversations)
      .where(
        and(
          eq(conversations.id, sql.placeholder('conversationId')),
          eq(conversations.accountId, sql.placeholder('accountId')),
          eq(conversations.inboxId, sql.placeholder('inboxId')),
        ),
      )
      .limit(1),
    fields,
  }
})

/** A conversation named by one of our own tokens counts only inside the channel's inbox. */
export const findByOwnTokenQuery = (db: Db, channel: ChannelRecord, conversationId: string) =>
  byOwnTokenStatement().bind(db, { conversationId, accountId: channel.accountId, inboxId: channel.inboxId })

async function findByOwnToken(db: Db, channel: ChannelRecord, conversationId: string) {
  const [row] = await findByOwnTokenQuery(db, channel, conversationId)
  return row?.id ?? null
}

/** One statement per number of references (placeholders `ref0`…), up to maxReferencesLookedUp. */
const byReferencesStatement = compiled<{ conversationId: string }[], number>((count) => {
  const fields = { conversationId: messages.conversationId }
  return {
    query: statementBuilder
      .select(fields)
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(
        and(
          eq(messages.accountId, sql.placeholder('accountId')),
          inArray(
            messages.externalId,
            Array.from({ length: count }, (_, index) => sql.placeholder(`ref${index}`)),
          ),
          eq(conversations.inboxId, sql.placeholder('inboxId')),
        ),
      )
      .orderBy(desc(messages.id))
      .limit(1),
    fields,
  }
})

// Every referenced id counts, not only the first: mail clients trim and reorder References.
export const findByReferencesQuery = (db: Db, channel: ChannelRecord, references: string[]) => {
  const values: Record<string, unknown> = { accountId: channel.accountId, inboxId: channel.inboxId }
  for (let index = 0; index < references.length; index++) values[`ref${index}`] = references[index]
  return byReferencesStatement(references.length).bind(db, values)
}

async function findByReferences(db: Db, channel: ChannelRecord, references: string[]) {
  const [row] = await findByReferencesQuery(db, channel, references)
  return row?.conversationId ?? null
}

const bySubjectStatement = compiled<{ conversationId: string }[]>(() => {
  const fields = { conversationId: conversations.id }
  return {
    query: statementBuilder
      .select(fields)
      .from(conversationParticipants)
      .innerJoin(conversations, eq(conversations.id, conversationParticipants.conversationId))
      .innerJoin(messages, eq(messages.conversationId, conversations.id))
      .where(
        and(
          eq(conversationParticipants.address, sql.placeholder('senderAddress')),
          eq(conversations.accountId, sql.placeholder('accountId')),
          eq(conversations.inboxId, sql.placeholder('inboxId')),
          ne(conversations.folder, 'trash'),
          gte(conversations.lastMessageAt, sql.placeholder('since')),
          sql`json_extract(${messages.metadata}, '$.subjectKey') = ${sql.placeholder('key')}`,
        ),
      )
      .orderBy(desc(conversations.lastMessageAt))
      .limit(1),
    fields,
  }
})

/**
 * The last resort: the same subject key in a recent conversation of which the sender is a
 * participant. Without the participant rule, two strangers answering the same newsletter would
 * land in one thread.
 */
export const findBySubjectQuery = (db: Db, channel: ChannelRecord, senderAddress: string, key: string, nowMs: number) =>
  bySubjectStatement().bind(db, {
    senderAddress,
    accountId: channel.accountId,
    inboxId: channel.inboxId,
    since: nowMs - subjectThreadingWindowDays * dayMs,
    key,
  })

async function findBySubject(db: Db, channel: ChannelRecord, senderAddress: string, key: string, nowMs: number) {
  const [row] = await findBySubjectQuery(db, channel, senderAddress, key, nowMs)
  return row?.conversationId ?? null
}

/** Threading, strongest evidence first: channel key, our own token, references, then subject. */
export async function findThread(db: Db, channel: ChannelRecord, message: InboundMessage, nowMs: number): Promise<string | null> {
  const thread = message.thread
  if (!thread) return null
  if (thread.key) {
    const found = await findByKey(db, channel, thread.key)
    if (found) return found
  }
  if (thread.conversationId) {
    const found = await findByOwnToken(db, channel, thread.conversationId)
    if (found) return found
  }
  const references = [...new Set(thread.references ?? [])].slice(-maxReferencesLookedUp)
  if (references.length > 0) {
    const found = await findByReferences(db, channel, references)
    if (found) return found
  }
  const sender = message.from.email ? normalizeEmail(message.from.email) : ''
  if (thread.subjectKey && sender) return findBySubject(db, channel, sender, thread.subjectKey, nowMs)
  return null
}
