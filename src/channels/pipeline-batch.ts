import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { compiled, CompiledInsert, statementBuilder } from '../db/compiled'
import { isConstraintViolation } from '../db/errors'
import { blockedSenders, contactIdentities, contacts, conversations } from '../db/schema'
import { newId } from '../lib/ids'
import { normalizeEmail } from '../lib/text'
import { localeOf, type Contact } from '../services/contacts'
import { appendMessageStatements, findMessageByExternalIdQuery } from '../services/messages'
import { defaultAssignmentLookups, pickDefaultAssignee, roundRobinStatements } from '../services/inbox-settings'
import { discardBlobs, isE164, type IngestResult, type PipelineDeps } from './pipeline-deps'
import { attachmentStatements, newMessageOf, ofChannel, participantRows, participantStatements, putAttachments, type StoredAttachment } from './pipeline-rows'
import { findByKeyQuery, findByOwnTokenQuery, findByReferencesQuery, findBySubjectQuery, maxReferencesLookedUp } from './pipeline-threading'
import type { ChannelRecord, InboundMessage } from './types'

// The rest of ingestInOneBatch's look-ups, compiled like the threading ones above.
const contactByIdentity = compiled<Contact[]>(() => {
  const fields = getTableColumns(contacts)
  return {
    query: statementBuilder
      .select(fields)
      .from(contactIdentities)
      .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
      .where(
        and(
          eq(contactIdentities.accountId, sql.placeholder('accountId')),
          eq(contactIdentities.pluginId, sql.placeholder('pluginId')),
          eq(contactIdentities.externalId, sql.placeholder('externalId')),
        ),
      )
      .limit(1),
    fields,
  }
})

const contactByEmail = compiled<Contact[]>(() => {
  const fields = getTableColumns(contacts)
  return {
    query: statementBuilder
      .select(fields)
      .from(contacts)
      .where(and(eq(contacts.accountId, sql.placeholder('accountId')), eq(contacts.email, sql.placeholder('email'))))
      .limit(1),
    fields,
  }
})

const contactByPhone = compiled<Contact[]>(() => {
  const fields = getTableColumns(contacts)
  return {
    query: statementBuilder
      .select(fields)
      .from(contacts)
      .where(and(eq(contacts.accountId, sql.placeholder('accountId')), eq(contacts.phone, sql.placeholder('phone'))))
      .orderBy(contacts.createdAt)
      .limit(1),
    fields,
  }
})

/** A blocked sender by address or by `<plugin id>:<external id>`; either may be null (`in (null, …)` never matches it). */
const blockedSender = compiled<{ id: string }[]>(() => {
  const fields = { id: blockedSenders.identifier }
  return {
    query: statementBuilder
      .select(fields)
      .from(blockedSenders)
      .where(
        and(
          eq(blockedSenders.accountId, sql.placeholder('accountId')),
          inArray(blockedSenders.identifier, [sql.placeholder('email'), sql.placeholder('externalIdentifier')]),
        ),
      )
      .limit(1),
    fields,
  }
})

// Whether an agent has the thread open (see ConversationRoom), read inside the write transaction.
const conversationWatched = compiled<{ watched: boolean }[]>(() => {
  const fields = { watched: conversations.watched }
  return {
    query: statementBuilder
      .select(fields)
      .from(conversations)
      .where(eq(conversations.id, sql.placeholder('conversationId'))),
    fields,
  }
})

// The rows ingestInOneBatch adds for a new sender and a new conversation, compiled per shape.
const insertContact = new CompiledInsert<typeof contacts, void>(
  contacts,
  ({ values }) => ({ query: statementBuilder.insert(contacts).values(values as unknown as typeof contacts.$inferInsert) }),
  () => '',
)
const insertIdentity = new CompiledInsert<typeof contactIdentities, void>(
  contactIdentities,
  ({ values }) => ({ query: statementBuilder.insert(contactIdentities).values(values as unknown as typeof contactIdentities.$inferInsert) }),
  () => '',
)
const insertConversation = new CompiledInsert<typeof conversations, void>(
  conversations,
  ({ values }) => ({ query: statementBuilder.insert(conversations).values(values as unknown as typeof conversations.$inferInsert) }),
  () => '',
)

/**
 * The common case in two round trips: every look-up the pipeline needs (repeat delivery,
 * contact, blocked sender, each threading rule, the inbox's assignment mode) in one batch, then
 * the contact (when new), the conversation (when new), the message and the participants in one
 * transaction. Anything off that path — a repeat or a reused Message-ID, a contact to complete,
 * a delivery failure report, a race that makes the transaction fail (and roll back) — returns null, and
 * `ingestStepByStep` files the message with a look-up per decision.
 */
export async function ingestInOneBatch(
  deps: PipelineDeps,
  channel: ChannelRecord,
  message: InboundMessage,
  nowMs: number,
): Promise<
  (Extract<IngestResult, { status: 'created' | 'appended' }> & { watched?: boolean }) | { status: 'unsettled'; storedAttachments?: StoredAttachment[] }
> {
  const { db } = deps
  const unsettled = { status: 'unsettled' as const }
  if (message.deliveryFailure) return unsettled
  const email = message.from.email ? normalizeEmail(message.from.email) : null
  const thread = message.thread
  const references = [...new Set(thread?.references ?? [])].slice(-maxReferencesLookedUp)
  const sender = email ?? ''
  const externalIdentifier = message.from.externalId ? `${channel.pluginId}:${message.from.externalId}` : null
  // Only the look-ups this message needs go into the batch; a missing one reads as no rows.
  const lookups: unknown[] = []
  const slot = (query: unknown | null) => (query === null ? -1 : lookups.push(query) - 1)
  const slots = {
    existing: slot(message.externalId ? findMessageByExternalIdQuery(db, channel.id, message.externalId) : null),
    byIdentity: slot(
      message.from.externalId
        ? contactByIdentity().bind(db, { accountId: channel.accountId, pluginId: channel.pluginId, externalId: message.from.externalId })
        : null,
    ),
    byEmail: slot(email ? contactByEmail().bind(db, { accountId: channel.accountId, email }) : null),
    byPhone: slot(isE164(message.from.phone) ? contactByPhone().bind(db, { accountId: channel.accountId, phone: message.from.phone }) : null),
    blocked: slot(email || externalIdentifier ? blockedSender().bind(db, { accountId: channel.accountId, email: email || null, externalIdentifier }) : null),
    byKey: slot(thread?.key ? findByKeyQuery(db, channel, thread.key) : null),
    byToken: slot(thread?.conversationId ? findByOwnTokenQuery(db, channel, thread.conversationId) : null),
    byReferences: slot(references.length > 0 ? findByReferencesQuery(db, channel, references) : null),
    bySubject: slot(thread?.subjectKey && sender ? findBySubjectQuery(db, channel, sender, thread.subjectKey, nowMs) : null),
  }
  const assignmentSlots = defaultAssignmentLookups(db, channel.inboxId).map(slot)
  const looked = (await db.batch(lookups as unknown as Parameters<Db['batch']>[0])) as unknown as unknown[][]
  const rows = <T>(index: number) => (index < 0 ? [] : looked[index]) as T[]
  const existing = rows<{ id: number }>(slots.existing)
  const byIdentity = rows<Contact>(slots.byIdentity)
  const byEmail = rows<Contact>(slots.byEmail)
  const byPhone = rows<Contact>(slots.byPhone)
  const blockedRows = rows<unknown>(slots.blocked)
  const byKey = rows<{ id: string }>(slots.byKey)
  const byToken = rows<{ id: string }>(slots.byToken)
  const byReferences = rows<{ conversationId: string }>(slots.byReferences)
  const bySubject = rows<{ conversationId: string }>(slots.bySubject)
  if (existing.length > 0) return unsettled
  const found = byIdentity[0] ?? byEmail[0] ?? byPhone[0]
  const name = message.from.name?.trim() || null
  const phone = message.from.phone?.trim() || null
  const locale = localeOf(message.from)
  // A known contact with a detail to fill in, or one who was bouncing: the careful path updates them.
  if (found && ((!found.name && name) || (!found.email && email) || (!found.phone && phone) || (!found.locale && locale) || found.bouncingAt)) return unsettled
  if (found && message.from.externalId && !byIdentity[0]) return unsettled
  // The identity check only covered the sender's own address; a contact found by identity may have another.
  if (found?.email && found.email !== email && !found.blocked) return unsettled
  const existingConversationId = byKey[0]?.id ?? byToken[0]?.id ?? byReferences[0]?.conversationId ?? bySubject[0]?.conversationId ?? null
  const contactId = found?.id ?? newId()
  const conversationId = existingConversationId ?? thread?.createAs ?? newId()
  const folder = found?.blocked || blockedRows.length > 0 ? 'filtered' : (message.folder ?? 'inbox')

  // A new conversation in the inbox gets its default owner in the same transaction.
  const assignee =
    !existingConversationId && !message.deferAssignment && folder === 'inbox'
      ? pickDefaultAssignee(assignmentSlots.map((index) => rows(index)) as unknown as Parameters<typeof pickDefaultAssignee>[0], nowMs)
      : null

  const storedAttachments = await putAttachments(deps, channel, conversationId, message)
  const statements: unknown[] = []
  if (!found) {
    statements.push(insertContact.bind(db, { id: contactId, accountId: channel.accountId, name, email, phone, locale, createdAt: nowMs }, undefined))
    if (message.from.externalId) {
      statements.push(
        insertIdentity.bind(db, { accountId: channel.accountId, pluginId: channel.pluginId, externalId: message.from.externalId, contactId }, undefined),
      )
    }
  }
  if (!existingConversationId) {
    statements.push(
      insertConversation.bind(
        db,
        {
          ...ofChannel(channel),
          id: conversationId,
          contactId,
          folder,
          subject: message.subject?.trim() || null,
          externalKey: thread?.key ?? null,
          ...(assignee ? { assigneeId: assignee.userId } : {}),
          lastMessageAt: nowMs,
          createdAt: nowMs,
        },
        undefined,
      ),
    )
  }
  if (assignee) statements.push(...roundRobinStatements(db, conversationId, channel.inboxId, assignee, nowMs))
  const append = appendMessageStatements(
    db,
    newMessageOf(channel, conversationId, contactId, name ?? found?.name ?? email, message, storedAttachments, nowMs),
    { repeat: 'fail', returning: 'id' },
  )
  const messageIndex = statements.length
  statements.push(...append)
  // The message row inserted just before, in the same transaction.
  statements.push(...attachmentStatements(db, channel.accountId, conversationId, storedAttachments, nowMs))
  if (!message.automated)
    statements.push(...participantStatements(db, participantRows(conversationId, email ? { email, name: found?.name ?? name } : null, message)))
  // Last, inside the transaction: whether an agent has the thread open (see ConversationRoom).
  const watchedIndex = existingConversationId ? statements.push(conversationWatched().bind(db, { conversationId })) - 1 : -1
  let results: unknown[]
  try {
    results = (await db.batch(statements as unknown as Parameters<Db['batch']>[0])) as unknown as unknown[]
  } catch (error) {
    // A unique key or a reference said no (a repeat or a race with another delivery): nothing was
    // written; the careful path files the message, with the attachments already stored. Anything
    // else (the network, an overloaded database, a bad statement) fails the delivery, so Email
    // Routing retries it, instead of hiding behind the slower path.
    if (!isConstraintViolation(error)) {
      await discardBlobs(deps, storedAttachments)
      throw error
    }
    return { status: 'unsettled', storedAttachments }
  }
  const [stored] = results[messageIndex] as { id: number }[]
  if (!stored) throw new Error('the message insert returned no row')
  const watched = watchedIndex < 0 ? undefined : Boolean((results[watchedIndex] as { watched: boolean }[])[0]?.watched)
  return { status: existingConversationId ? 'appended' : 'created', conversationId, messageId: stored.id, contactId, watched }
}
