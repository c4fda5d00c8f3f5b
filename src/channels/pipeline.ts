import { and, desc, eq, getTableColumns, gte, inArray, isNotNull, ne, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { insertInChunks } from '../db/chunk'
import { compiled, CompiledInsert, statementBuilder } from '../db/compiled'
import { isConstraintViolation } from '../db/errors'
import {
  attachments,
  blockedSenders,
  contactIdentities,
  contacts,
  conversationParticipants,
  conversations,
  messages,
  type ConversationFolder,
} from '../db/schema'
import { newId } from '../lib/ids'
import { normalizePhone } from '../lib/phone'
import { normalizeEmail, toPreview } from '../lib/text'
import { localeOf, resolveContact, type Contact } from '../services/contacts'
import { appendMessage, appendMessageStatements, findMessageByExternalId, findMessageByExternalIdQuery, type Message } from '../services/messages'
import { applyDefaultAssignment, defaultAssignmentLookups, roundRobinStatements, pickDefaultAssignee } from '../services/inbox-settings'
import type { ChannelRecord, InboundMessage } from './types'

/** What the pipeline tells the live layer after a write has been committed. */
export interface LiveEvent {
  accountId: string
  inboxId: string
  conversationId: string
  messageId?: number
  /**
   * The message started a conversation that did not exist before this delivery (under an id the
   * pipeline made up): nobody can be watching its thread yet, only its inbox's list.
   */
  startedConversation?: boolean
  /**
   * Whether an agent had the thread open when the message was committed (read in the same
   * transaction). False lets the live layer skip waking the conversation's room; unknown means ask.
   */
  watched?: boolean
}

export interface Notifier {
  messageAdded(event: LiveEvent & { messageId: number }): Promise<void>
  conversationChanged(event: LiveEvent): Promise<void>
}

/** Where attachment bytes go: the R2 bucket in Workers (`put`, and `delete` to take back what a failed delivery stored). */
export interface BlobStore {
  put(key: string, value: Uint8Array, options?: { httpMetadata?: { contentType?: string } }): Promise<unknown>
  delete?(keys: string[]): Promise<unknown>
}

/**
 * Takes back the attachment bytes of a delivery that stored no message (it failed, or it was a
 * repeat): the redelivery stores its own. Best effort: an orphaned object is only wasted space.
 */
async function discardBlobs(deps: PipelineDeps, stored: StoredAttachment[]) {
  if (stored.length === 0 || !deps.blobs.delete) return
  try {
    await deps.blobs.delete(stored.map((attachment) => attachment.r2Key))
  } catch (error) {
    console.error('could not remove the attachments of a failed delivery', String(error))
  }
}

export interface PipelineDeps {
  db: Db
  notifier: Notifier
  blobs: BlobStore
}

export type IngestResult =
  | { status: 'created' | 'appended'; conversationId: string; messageId: number; contactId: string }
  | { status: 'duplicate'; conversationId: string; messageId: number }

const maxReferencesLookedUp = 50
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

const findByKeyQuery = (db: Db, channel: ChannelRecord, key: string) => byKeyStatement().bind(db, { channelId: channel.id, key })

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
const findByOwnTokenQuery = (db: Db, channel: ChannelRecord, conversationId: string) =>
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
const findByReferencesQuery = (db: Db, channel: ChannelRecord, references: string[]) => {
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
const findBySubjectQuery = (db: Db, channel: ChannelRecord, senderAddress: string, key: string, nowMs: number) =>
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
async function findThread(db: Db, channel: ChannelRecord, message: InboundMessage, nowMs: number): Promise<string | null> {
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

type StoredRef = { id: number; conversationId: string }

/**
 * Decides the external id a message is stored under, or finds it stored already. The same id
 * with the same content is a repeated delivery; the same id with different content (senders do
 * reuse Message-IDs) is a different message and gets a suffixed id.
 */
async function resolveExternalId(db: Db, channelId: string, message: InboundMessage): Promise<{ duplicate: StoredRef } | { externalId: string | null }> {
  if (!message.externalId) return { externalId: null }
  const existing = await findMessageByExternalId(db, channelId, message.externalId)
  if (!existing) return { externalId: message.externalId }
  const sameContent = !existing.contentHash || !message.contentHash || existing.contentHash === message.contentHash
  if (sameContent) return { duplicate: existing }
  const variant = `${message.externalId}#${message.contentHash!.slice(0, 16)}`
  const storedVariant = await findMessageByExternalId(db, channelId, variant)
  return storedVariant ? { duplicate: storedVariant } : { externalId: variant }
}

/** Blocked senders are filed in Filtered: by address, or by `<plugin id>:<external id>`. */
async function isBlockedSender(db: Db, channel: ChannelRecord, contact: Contact, message: InboundMessage): Promise<boolean> {
  if (contact.blocked) return true
  const identifiers = [
    message.from.email ? normalizeEmail(message.from.email) : null,
    contact.email,
    message.from.externalId ? `${channel.pluginId}:${message.from.externalId}` : null,
  ].filter((value): value is string => Boolean(value))
  if (identifiers.length === 0) return false
  const [row] = await db
    .select({ identifier: blockedSenders.identifier })
    .from(blockedSenders)
    .where(and(eq(blockedSenders.accountId, channel.accountId), inArray(blockedSenders.identifier, identifiers)))
    .limit(1)
  return Boolean(row)
}

function participantRows(conversationId: string, sender: { email: string | null; name: string | null } | null, message: InboundMessage) {
  const rows = new Map<string, { conversationId: string; address: string; name: string | null; role: 'from' | 'to' | 'cc' }>()
  if (sender?.email) rows.set(sender.email, { conversationId, address: sender.email, name: sender.name, role: 'from' })
  for (const participant of message.participants ?? []) {
    const address = normalizeEmail(participant.address)
    if (!address || rows.has(address)) continue
    rows.set(address, { conversationId, address, name: participant.name ?? null, role: participant.role })
  }
  return [...rows.values()]
}

/** A mail to a long Cc list is still one transaction: the rows go in parts under D1's parameter limit. */
const participantStatements = (db: Db, rows: ReturnType<typeof participantRows>) =>
  insertInChunks(conversationParticipants, rows, (part) => db.insert(conversationParticipants).values(part).onConflictDoNothing())

/**
 * The attachment rows of the message inserted just before them in the same transaction (the
 * conversation's newest), in parts under D1's parameter limit: a scanner's 30-page batch is one
 * statement of 270 parameters otherwise, and fails whole.
 */
function attachmentStatements(db: Db, accountId: string, conversationId: string, stored: StoredAttachment[], nowMs: number) {
  const rows = stored.map((attachment) => ({
    ...attachment,
    accountId,
    messageId: sql<number>`(select ${messages.id} from ${messages} where ${messages.conversationId} = ${conversationId} order by ${messages.seq} desc limit 1)`,
    createdAt: nowMs,
  }))
  return insertInChunks(attachments, rows, (part) => db.insert(attachments).values(part))
}

/** A bounce marks the addresses it reports; a contact who writes again is no longer bouncing. */
async function updateBouncing(db: Db, accountId: string, contact: Contact, message: InboundMessage, nowMs: number) {
  const bounced = [...new Set((message.bouncedAddresses ?? []).map(normalizeEmail))].filter(Boolean)
  if (bounced.length > 0) {
    await db
      .update(contacts)
      .set({ bouncingAt: nowMs })
      .where(and(eq(contacts.accountId, accountId), inArray(contacts.email, bounced)))
  }
  if (contact.bouncingAt && !message.automated) {
    await db
      .update(contacts)
      .set({ bouncingAt: null })
      .where(and(eq(contacts.id, contact.id), isNotNull(contacts.bouncingAt)))
  }
}

/**
 * The one way an inbound message enters Switchboard: normalize → contact → thread → persist →
 * index (FTS triggers, in the same transaction) → notify the live layer. Idempotent on the
 * message's external id: a repeated delivery returns the stored message and writes nothing.
 */
export async function ingestInbound(deps: PipelineDeps, channel: ChannelRecord, message: InboundMessage, nowMs = Date.now()): Promise<IngestResult> {
  message = withSenderPhoneNormalised(message)
  const fast = await ingestInOneBatch(deps, channel, message, nowMs)
  if (fast.status !== 'unsettled') {
    await notifySafely(deps.notifier, {
      accountId: channel.accountId,
      inboxId: channel.inboxId,
      conversationId: fast.conversationId,
      messageId: fast.messageId,
      startedConversation: fast.status === 'created' && !message.thread?.createAs,
      watched: fast.watched,
    })
    return fast
  }
  return ingestStepByStep(deps, channel, message, nowMs, fast.storedAttachments)
}

/**
 * The sender's phone in E.164, however the channel wrote it ("+47 912 34 567", "0047…"), so the
 * same number is one contact across channels. A number that cannot be read is kept as written
 * (trimmed) and matches nothing.
 */
function withSenderPhoneNormalised(message: InboundMessage): InboundMessage {
  const raw = message.from.phone?.trim()
  if (!raw) return message
  const phone = normalizePhone(raw) ?? raw.slice(0, 64)
  return phone === message.from.phone ? message : { ...message, from: { ...message.from, phone } }
}

/** Whether a stored phone is one we normalised (E.164), and so may match another channel's contact. */
export const isE164 = (phone: string | null | undefined): phone is string => typeof phone === 'string' && /^\+[1-9]\d{5,14}$/.test(phone)

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
 * a bounce, a race that makes the transaction fail (and roll back) — returns null, and
 * `ingestStepByStep` files the message with a look-up per decision.
 */
async function ingestInOneBatch(
  deps: PipelineDeps,
  channel: ChannelRecord,
  message: InboundMessage,
  nowMs: number,
): Promise<
  (Extract<IngestResult, { status: 'created' | 'appended' }> & { watched?: boolean }) | { status: 'unsettled'; storedAttachments?: StoredAttachment[] }
> {
  const { db } = deps
  const unsettled = { status: 'unsettled' as const }
  if ((message.bouncedAddresses ?? []).length > 0) return unsettled
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

/** The columns a conversation takes from the channel it arrives through. */
const ofChannel = (channel: ChannelRecord) => ({ accountId: channel.accountId, inboxId: channel.inboxId, channelId: channel.id, pluginId: channel.pluginId })

/** The message row a channel's inbound message becomes. */
function newMessageOf(
  channel: ChannelRecord,
  conversationId: string,
  contactId: string,
  authorName: string | null | undefined,
  message: InboundMessage,
  storedAttachments: StoredAttachment[],
  nowMs: number,
) {
  const metadata: Record<string, unknown> = { ...message.metadata }
  if (message.thread?.subjectKey) metadata.subjectKey = message.thread.subjectKey
  if (storedAttachments.length > 0) {
    metadata.attachments = storedAttachments.map(({ id, filename, contentType, sizeBytes, contentId }) => ({ id, filename, contentType, sizeBytes, contentId }))
  }
  return {
    accountId: channel.accountId,
    conversationId,
    channelId: channel.id,
    // Written by the business elsewhere (a page's own inbox): shown as a reply that went out.
    direction: message.outgoing ? ('out' as const) : ('in' as const),
    kind: 'message' as const,
    authorContactId: message.outgoing ? null : contactId,
    authorName: message.outgoing ? (message.outgoing.authorName ?? null) : (authorName ?? message.from.name ?? null),
    ...(message.outgoing ? { deliveryStatus: 'sent' as const } : {}),
    text: message.notice ? `${message.notice}\n\n${message.text}`.trim() : message.text,
    html: message.html ?? null,
    externalId: message.externalId ?? null,
    contentHash: message.contentHash ?? null,
    rawKey: message.rawKey ?? null,
    automated: message.automated ?? false,
    metadata,
    createdAt: nowMs,
  }
}

interface StoredAttachment {
  id: string
  r2Key: string
  filename: string
  contentType: string
  sizeBytes: number
  contentId: string | null
}

/** Attachment bytes go to the blob store before the message row that lists them, so a stored message never points at a missing file. */
async function putAttachments(deps: PipelineDeps, channel: ChannelRecord, conversationId: string, message: InboundMessage): Promise<StoredAttachment[]> {
  const stored: StoredAttachment[] = []
  try {
    for (const attachment of message.attachments ?? []) {
      const id = newId()
      const r2Key = `${channel.accountId}/${conversationId}/attachments/${id}`
      await deps.blobs.put(r2Key, attachment.content, { httpMetadata: { contentType: attachment.contentType } })
      stored.push({
        id,
        r2Key,
        filename: attachment.filename,
        contentType: attachment.contentType,
        sizeBytes: attachment.content.byteLength,
        contentId: attachment.contentId ?? null,
      })
    }
  } catch (error) {
    await discardBlobs(deps, stored)
    throw error
  }
  return stored
}

/** Every look-up and decision on its own: repeats, reused ids, races, contacts to complete, bounces. */
async function ingestStepByStep(
  deps: PipelineDeps,
  channel: ChannelRecord,
  message: InboundMessage,
  nowMs: number,
  alreadyStored?: StoredAttachment[],
): Promise<IngestResult> {
  const { db } = deps
  const resolved = await resolveExternalId(db, channel.id, message)
  if ('duplicate' in resolved) {
    await discardBlobs(deps, alreadyStored ?? [])
    return { status: 'duplicate', conversationId: resolved.duplicate.conversationId, messageId: resolved.duplicate.id }
  }
  const externalId = resolved.externalId

  const contact = await resolveContact(db, channel.accountId, channel.pluginId, message.from, nowMs)
  let conversationId = await findThread(db, channel, message, nowMs)
  let createdConversation = false
  let folder: ConversationFolder | null = null
  if (!conversationId) {
    conversationId = message.thread?.createAs ?? newId()
    const blocked = await isBlockedSender(db, channel, contact, message)
    folder = blocked ? 'filtered' : (message.folder ?? 'inbox')
    const [created] = await db
      .insert(conversations)
      .values({
        ...ofChannel(channel),
        id: conversationId,
        contactId: contact.id,
        folder,
        subject: message.subject?.trim() || null,
        externalKey: message.thread?.key ?? null,
        lastMessageAt: nowMs,
        createdAt: nowMs,
      })
      .onConflictDoNothing()
      .returning({ id: conversations.id })
    if (created) {
      createdConversation = true
    } else {
      // Another delivery created the keyed conversation a moment ago: join it.
      conversationId = (await findThread(db, channel, message, nowMs)) ?? conversationId
    }
  }

  let stored: { id: number }
  let storedAttachments = alreadyStored ?? []
  try {
    // New conversations go to whoever the inbox's default assignment picks (unless a bot goes first).
    if (createdConversation && !message.deferAssignment && folder === 'inbox') await applyDefaultAssignment(db, conversationId, channel.inboxId, nowMs)
    storedAttachments = alreadyStored ?? (await putAttachments(deps, channel, conversationId, message))
    // The message, its attachments and its participants in one transaction: a delivery that fails
    // here leaves nothing behind, and its redelivery is stored whole instead of being taken for a
    // duplicate of a message without attachments.
    const row = {
      ...newMessageOf(
        channel,
        conversationId,
        contact.id,
        message.from.name?.trim() || contact.name || contact.email || null,
        message,
        storedAttachments,
        nowMs,
      ),
      externalId,
    }
    const statements = [
      ...appendMessageStatements(db, row, { repeat: 'fail', returning: 'id' }),
      ...attachmentStatements(db, channel.accountId, conversationId, storedAttachments, nowMs),
      // A machine (a bounce daemon, an autoresponder) never becomes someone the subject rule trusts.
      ...(message.automated ? [] : participantStatements(db, participantRows(conversationId, contact, message))),
    ]
    const results = (await db.batch(statements as unknown as Parameters<Db['batch']>[0])) as unknown as [{ id: number }[]]
    stored = results[0][0]!
  } catch (error) {
    // Leave no empty conversation and no unlisted attachment behind, whatever went wrong.
    if (createdConversation) await db.delete(conversations).where(eq(conversations.id, conversationId))
    await discardBlobs(deps, storedAttachments)
    if (!isConstraintViolation(error)) throw error
    // Lost a race with an identical delivery.
    const existing = await findMessageByExternalId(db, channel.id, externalId ?? '')
    if (!existing) throw error
    return { status: 'duplicate', conversationId: existing.conversationId, messageId: existing.id }
  }
  await updateBouncing(db, channel.accountId, contact, message, nowMs)

  await notifySafely(deps.notifier, {
    accountId: channel.accountId,
    inboxId: channel.inboxId,
    conversationId,
    messageId: stored.id,
    startedConversation: createdConversation && !message.thread?.createAs,
  })
  return { status: createdConversation ? 'created' : 'appended', conversationId, messageId: stored.id, contactId: contact.id }
}

/**
 * The fast path for a caller that holds the conversation open — a live chat room, after the
 * visitor's first message went through `ingestInbound`: contact and thread are known, so the
 * message is stored in one transaction (the row and the conversation's update) and stays
 * idempotent through its external id. The caller is the live layer and broadcasts it itself.
 */
export async function appendToOpenConversation(
  db: Db,
  channel: ChannelRecord,
  target: { conversationId: string; contactId: string; authorName: string | null },
  message: InboundMessage,
  nowMs = Date.now(),
): Promise<{ status: 'appended' | 'duplicate'; message: Message }> {
  const stored = await appendMessage(db, {
    accountId: channel.accountId,
    conversationId: target.conversationId,
    channelId: channel.id,
    direction: 'in',
    kind: 'message',
    authorContactId: target.contactId,
    authorName: target.authorName ?? message.from.name ?? null,
    text: message.text,
    externalId: message.externalId ?? null,
    createdAt: nowMs,
  })
  if (stored) return { status: 'appended', message: stored }
  const existing = await findMessageByExternalId(db, channel.id, message.externalId ?? '')
  const [row] = existing ? await db.select().from(messages).where(eq(messages.id, existing.id)).limit(1) : []
  if (!row) throw new Error('message vanished after a conflicting insert')
  return { status: 'duplicate', message: row }
}

/** The message is committed already; a live-update failure must not turn into a lost message. */
export async function notifySafely(notifier: Notifier, event: LiveEvent & { messageId: number }) {
  try {
    await notifier.messageAdded(event)
  } catch (error) {
    console.error('live update failed', { conversationId: event.conversationId, error: String(error) })
  }
}

// The statements of a chat's first message (below), compiled once (see src/db/compiled.ts): every
// new chat runs them. Values that are not columns of the row are `$`-named placeholders.
const visitorLookup = compiled<{ conversationExists: number; identityContactId: string | null }[]>(() => {
  const fields = {
    conversationExists: sql<number>`(select count(*) from ${conversations} where ${conversations.id} = ${sql.placeholder('$conversationId')})`,
    identityContactId: sql<
      string | null
    >`(select ${contactIdentities.contactId} from ${contactIdentities} where ${contactIdentities.accountId} = ${sql.placeholder('$accountId')} and ${contactIdentities.pluginId} = ${sql.placeholder('$pluginId')} and ${contactIdentities.externalId} = ${sql.placeholder('$visitorId')})`,
  }
  return { query: statementBuilder.select(fields).from(sql`(select 1)`), fields }
})

/**
 * The visitor's contact: the known one (`$knownContactId`), else a new one (`$newContactId`) — or,
 * when the address belongs to an existing contact, that contact (the insert then does nothing
 * and this finds it).
 */
const visitorContactId = (known: boolean) =>
  known
    ? sql`${sql.placeholder('$knownContactId')}`
    : sql`(select ${contacts.id} from ${contacts} where ${contacts.accountId} = ${sql.placeholder('$accountId')} and (${contacts.id} = ${sql.placeholder('$newContactId')} or (${sql.placeholder('$email')} is not null and ${contacts.email} = ${sql.placeholder('$email')})) limit 1)`

const insertVisitorContact = new CompiledInsert<typeof contacts, void>(
  contacts,
  ({ values }) => ({
    query: statementBuilder
      .insert(contacts)
      .values(values as unknown as typeof contacts.$inferInsert)
      .onConflictDoNothing(),
  }),
  () => '',
)

const insertVisitorIdentity = new CompiledInsert<typeof contactIdentities, void, Omit<typeof contactIdentities.$inferInsert, 'contactId'>>(
  contactIdentities,
  ({ values }) => ({
    query: statementBuilder
      .insert(contactIdentities)
      .values({ ...values, contactId: visitorContactId(false) } as unknown as typeof contactIdentities.$inferInsert)
      .onConflictDoNothing(),
  }),
  () => '',
)

// Filtered when the contact is blocked, or the visitor's address or id is a blocked sender
// (`$emailIdentifier` is null without an address: `in (null, …)` matches only the id); owned by
// the default assignee (`$assigneeId`, may be null) only when it lands in the inbox.
const insertVisitorConversation = new CompiledInsert<
  typeof conversations,
  boolean,
  Omit<typeof conversations.$inferInsert, 'contactId' | 'folder' | 'assigneeId'>,
  { folder: string }[]
>(
  conversations,
  ({ values }, known) => {
    const contactId = visitorContactId(known)
    const folder = sql`case when exists (select 1 from ${contacts} where ${contacts.id} = ${contactId} and ${contacts.blocked} = 1)
    or exists (select 1 from ${blockedSenders} where ${blockedSenders.accountId} = ${sql.placeholder('$accountId')} and ${blockedSenders.identifier} in (${sql.placeholder('$emailIdentifier')}, ${sql.placeholder('$visitorIdentifier')}))
    then 'filtered' else 'inbox' end`
    const fields = { folder: conversations.folder }
    return {
      query: statementBuilder
        .insert(conversations)
        .values({
          ...values,
          contactId,
          folder,
          assigneeId: sql`case when (${folder}) = 'inbox' then ${sql.placeholder('$assigneeId')} else null end`,
        } as unknown as typeof conversations.$inferInsert)
        .returning(fields),
      fields,
    }
  },
  String,
)

const insertVisitorMessage = new CompiledInsert<typeof messages, boolean, Omit<typeof messages.$inferInsert, 'authorContactId'>, Message[]>(
  messages,
  ({ values }, known) => {
    const fields = getTableColumns(messages)
    return {
      query: statementBuilder
        .insert(messages)
        .values({ ...values, authorContactId: visitorContactId(known) } as unknown as typeof messages.$inferInsert)
        .returning(fields),
      fields,
    }
  },
  String,
)

/**
 * The fast path for a live chat's first message, from a visitor whose conversation does not exist
 * yet: contact (unless known), identity, conversation and message in one batch — one transaction,
 * one round trip — instead of the dozen look-ups `ingestInbound` makes. When the conversation
 * already exists and the visitor is known it returns their contact ('known'), so the caller can
 * append with `appendToOpenConversation`. Returns null when anything else is off the happy path
 * (a repeat, a race): the caller then uses `ingestInbound`, which handles each such case.
 */
export async function startVisitorConversation(
  db: Db,
  channel: ChannelRecord,
  input: { conversationId: string; visitorId: string; message: InboundMessage },
  nowMs = Date.now(),
): Promise<{ status: 'started'; contactId: string; message: Message } | { status: 'known'; contactId: string } | null> {
  const { message } = input
  const email = message.from.email ? normalizeEmail(message.from.email) : null
  const lookup = visitorLookup().bind(db, {
    $conversationId: input.conversationId,
    $accountId: channel.accountId,
    $pluginId: channel.pluginId,
    $visitorId: input.visitorId,
  })
  // The default owner is looked up in the same round trip (a bot-first chat defers it to the handoff).
  const looked = (await db.batch([lookup, ...(message.deferAssignment ? [] : defaultAssignmentLookups(db, channel.inboxId))] as unknown as Parameters<
    Db['batch']
  >[0])) as unknown as unknown[][]
  const [known] = looked[0] as Awaited<typeof lookup>
  if (!known) return null
  // Already started (the visitor's other tab, a reconnect): the caller appends with this contact.
  if (known.conversationExists > 0) return known.identityContactId ? { status: 'known', contactId: known.identityContactId } : null
  const newContactId = newId()
  const knownContact = Boolean(known.identityContactId)
  const contact = {
    $knownContactId: known.identityContactId,
    $accountId: channel.accountId,
    $newContactId: newContactId,
    $email: email,
  }
  const name = message.from.name?.trim() || null
  const assignee = message.deferAssignment ? null : pickDefaultAssignee(looked.slice(1) as unknown as Parameters<typeof pickDefaultAssignee>[0], nowMs)
  try {
    const statements = [
      ...(knownContact
        ? []
        : [
            insertVisitorContact.bind(
              db,
              { id: newContactId, accountId: channel.accountId, name, email, locale: localeOf(message.from), createdAt: nowMs },
              undefined,
            ),
            insertVisitorIdentity.bind(db, { accountId: channel.accountId, pluginId: channel.pluginId, externalId: input.visitorId }, undefined, contact),
          ]),
      insertVisitorConversation.bind(
        db,
        {
          ...ofChannel(channel),
          id: input.conversationId,
          externalKey: input.visitorId,
          preview: toPreview(message.text),
          lastSeq: 1,
          lastMessageAt: nowMs,
          createdAt: nowMs,
        },
        knownContact,
        { ...contact, $emailIdentifier: email || null, $visitorIdentifier: `${channel.pluginId}:${input.visitorId}`, $assigneeId: assignee?.userId ?? null },
      ),
      ...(assignee ? roundRobinStatements(db, input.conversationId, channel.inboxId, assignee, nowMs) : []),
      insertVisitorMessage.bind(
        db,
        {
          accountId: channel.accountId,
          conversationId: input.conversationId,
          channelId: channel.id,
          seq: 1,
          direction: 'in',
          kind: 'message',
          authorName: name,
          text: message.text,
          externalId: message.externalId ?? null,
          createdAt: nowMs,
        },
        knownContact,
        contact,
      ),
    ]
    const results = (await db.batch(statements as unknown as Parameters<Db['batch']>[0])) as unknown as unknown[]
    const [stored] = results[results.length - 1] as Message[]
    if (!stored?.authorContactId) return null
    return { status: 'started', contactId: stored.authorContactId, message: stored }
  } catch (error) {
    // A unique key said no (a repeat or a race): the full pipeline sorts it out. Anything else
    // is a real failure and must reach the visitor's retry.
    if (!isConstraintViolation(error)) throw error
    return null
  }
}
