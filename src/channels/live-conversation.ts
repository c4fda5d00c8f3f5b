import { eq, getTableColumns, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { compiled, CompiledInsert, statementBuilder } from '../db/compiled'
import { isConstraintViolation } from '../db/errors'
import { blockedSenders, contactIdentities, contacts, conversations, messages } from '../db/schema'
import { newId } from '../lib/ids'
import { normalizeEmail, toPreview } from '../lib/text'
import { localeOf } from '../services/contacts'
import { appendMessage, findMessageByExternalId, type Message } from '../services/messages'
import { defaultAssignmentLookups, pickDefaultAssignee, roundRobinStatements } from '../services/inbox-settings'
import { ofChannel } from './pipeline-rows'
import type { ChannelRecord, InboundMessage } from './types'

/*
 * The live layer's two fast paths (a channel with `capabilities.realtime`: its ConversationRoom
 * holds the conversation open). Everything off them goes through `ingestInbound`.
 */

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

// The statements of a live conversation's first message (below), compiled once (see src/db/compiled.ts): every
// new chat runs them. Values that are not columns of the row are `$`-named placeholders.
const liveLookup = compiled<{ conversationExists: number; identityContactId: string | null }[]>(() => {
  const fields = {
    conversationExists: sql<number>`(select count(*) from ${conversations} where ${conversations.id} = ${sql.placeholder('$conversationId')})`,
    identityContactId: sql<
      string | null
    >`(select ${contactIdentities.contactId} from ${contactIdentities} where ${contactIdentities.accountId} = ${sql.placeholder('$accountId')} and ${contactIdentities.pluginId} = ${sql.placeholder('$pluginId')} and ${contactIdentities.externalId} = ${sql.placeholder('$senderId')})`,
  }
  return { query: statementBuilder.select(fields).from(sql`(select 1)`), fields }
})

/**
 * The sender's contact: the known one (`$knownContactId`), else a new one (`$newContactId`) — or,
 * when the address belongs to an existing contact, that contact (the insert then does nothing
 * and this finds it).
 */
const liveContactId = (known: boolean) =>
  known
    ? sql`${sql.placeholder('$knownContactId')}`
    : sql`(select ${contacts.id} from ${contacts} where ${contacts.accountId} = ${sql.placeholder('$accountId')} and (${contacts.id} = ${sql.placeholder('$newContactId')} or (${sql.placeholder('$email')} is not null and ${contacts.email} = ${sql.placeholder('$email')})) limit 1)`

const insertLiveContact = new CompiledInsert<typeof contacts, void>(
  contacts,
  ({ values }) => ({
    query: statementBuilder
      .insert(contacts)
      .values(values as unknown as typeof contacts.$inferInsert)
      .onConflictDoNothing(),
  }),
  () => '',
)

const insertLiveIdentity = new CompiledInsert<typeof contactIdentities, void, Omit<typeof contactIdentities.$inferInsert, 'contactId'>>(
  contactIdentities,
  ({ values }) => ({
    query: statementBuilder
      .insert(contactIdentities)
      .values({ ...values, contactId: liveContactId(false) } as unknown as typeof contactIdentities.$inferInsert)
      .onConflictDoNothing(),
  }),
  () => '',
)

// Filtered when the contact is blocked, or the sender's address or id is a blocked sender
// (`$emailIdentifier` is null without an address: `in (null, …)` matches only the id); owned by
// the default assignee (`$assigneeId`, may be null) only when it lands in the inbox.
const insertLiveConversation = new CompiledInsert<
  typeof conversations,
  boolean,
  Omit<typeof conversations.$inferInsert, 'contactId' | 'folder' | 'assigneeId'>,
  { folder: string }[]
>(
  conversations,
  ({ values }, known) => {
    const contactId = liveContactId(known)
    const folder = sql`case when exists (select 1 from ${contacts} where ${contacts.id} = ${contactId} and ${contacts.blocked} = 1)
    or exists (select 1 from ${blockedSenders} where ${blockedSenders.accountId} = ${sql.placeholder('$accountId')} and ${blockedSenders.identifier} in (${sql.placeholder('$emailIdentifier')}, ${sql.placeholder('$senderIdentifier')}))
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

const insertLiveMessage = new CompiledInsert<typeof messages, boolean, Omit<typeof messages.$inferInsert, 'authorContactId'>, Message[]>(
  messages,
  ({ values }, known) => {
    const fields = getTableColumns(messages)
    return {
      query: statementBuilder
        .insert(messages)
        .values({ ...values, authorContactId: liveContactId(known) } as unknown as typeof messages.$inferInsert)
        .returning(fields),
      fields,
    }
  },
  String,
)

/**
 * The fast path for a realtime channel's first message (a chat visitor's), from a sender whose conversation does not exist
 * yet: contact (unless known), identity, conversation and message in one batch — one transaction,
 * one round trip — instead of the dozen look-ups `ingestInbound` makes. When the conversation
 * already exists and the sender is known it returns their contact ('known'), so the caller can
 * append with `appendToOpenConversation`. Returns null when anything else is off the happy path
 * (a repeat, a race): the caller then uses `ingestInbound`, which handles each such case.
 */
export async function startLiveConversation(
  db: Db,
  channel: ChannelRecord,
  input: { conversationId: string; senderId: string; message: InboundMessage },
  nowMs = Date.now(),
): Promise<{ status: 'started'; contactId: string; message: Message } | { status: 'known'; contactId: string } | null> {
  const { message } = input
  const email = message.from.email ? normalizeEmail(message.from.email) : null
  const lookup = liveLookup().bind(db, {
    $conversationId: input.conversationId,
    $accountId: channel.accountId,
    $pluginId: channel.pluginId,
    $senderId: input.senderId,
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
            insertLiveContact.bind(
              db,
              { id: newContactId, accountId: channel.accountId, name, email, locale: localeOf(message.from), createdAt: nowMs },
              undefined,
            ),
            insertLiveIdentity.bind(db, { accountId: channel.accountId, pluginId: channel.pluginId, externalId: input.senderId }, undefined, contact),
          ]),
      insertLiveConversation.bind(
        db,
        {
          ...ofChannel(channel),
          id: input.conversationId,
          externalKey: input.senderId,
          preview: toPreview(message.text),
          lastSeq: 1,
          lastMessageAt: nowMs,
          createdAt: nowMs,
        },
        knownContact,
        { ...contact, $emailIdentifier: email || null, $senderIdentifier: `${channel.pluginId}:${input.senderId}`, $assigneeId: assignee?.userId ?? null },
      ),
      ...(assignee ? roundRobinStatements(db, input.conversationId, channel.inboxId, assignee, nowMs) : []),
      insertLiveMessage.bind(
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
