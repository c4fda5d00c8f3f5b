import { and, desc, eq, inArray, isNotNull, isNull, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { chunks as chunkList, idChunks } from '../db/chunk'
import {
  attachments,
  blockedSenders,
  botSessions,
  contactIdentities,
  contacts,
  conversationParticipants,
  conversationReads,
  conversations,
  messages,
  tickets,
  users,
  type ConversationFolder,
  type ConversationStatus,
} from '../db/schema'
import { InputError } from '../lib/errors'
import { t } from '../i18n'
import { intlLocale } from '../lib/time'
import { toPreview } from '../lib/text'
import { recordAudit, type User } from './users'
import { botCloseAllowedAt } from './chatflows'

export const maxBulkConversations = 1000
export const trashRetentionDays = 30

export interface Touched {
  id: string
  inboxId: string
}

/** Deletes objects from the attachment store (R2's `delete` takes a list). */
export interface BlobRemover {
  delete(keys: string[]): Promise<void>
}

/** Id lists go in parts under D1's parameter limit (src/db/chunk.ts); R2 deletes take 1000 keys. */
const chunks = <T>(items: T[], size?: number): T[][] => (size ? chunkList(items, size) : idChunks(items))

/** The conversations among `ids` that belong to the actor's account (others are silently not there). */
async function ownConversations(db: Db, accountId: string, ids: string[], extra?: SQL) {
  if (ids.length > maxBulkConversations) throw new InputError(t('errors.bulk_limit', { max: maxBulkConversations }))
  const found: (typeof conversations.$inferSelect)[] = []
  for (const part of chunks([...new Set(ids)])) {
    found.push(
      ...(await db
        .select()
        .from(conversations)
        .where(and(eq(conversations.accountId, accountId), inArray(conversations.id, part), extra))),
    )
  }
  return found
}

/** An activity line as a catalog key (src/i18n/inbox.ts, `activity.*`) and its parameters. */
export interface Activity {
  key: string
  params: Record<string, string>
}

/**
 * Writes one activity line ("Ada closed the conversation") into each conversation, in one
 * INSERT … SELECT per chunk, so a bulk action of 500 costs a handful of statements. Runs after
 * the change it describes (drizzle cannot batch raw SQL on D1); a failure here loses a line of
 * history, never the change itself.
 */
export async function writeActivity(db: Db, actor: User, ids: string[], line: string | Activity, nowMs: number) {
  // The text is stored in English (search, exports); a catalog key with its parameters goes in
  // the metadata too, so the thread shows the line in each reader's language.
  const text = typeof line === 'string' ? line : t(line.key, line.params, 'en')
  const metadata = JSON.stringify(typeof line === 'string' ? {} : { activity: line })
  for (const part of chunks(ids)) {
    await db.run(sql`
      insert into ${messages} (account_id, conversation_id, channel_id, seq, direction, kind, author_user_id, author_name, text, metadata, created_at)
      select ${conversations.accountId}, ${conversations.id}, ${conversations.channelId},
             (select coalesce(max(m.seq), 0) + 1 from ${messages} m where m.conversation_id = ${conversations.id}),
             'out', 'activity', ${actor.id}, ${actor.name}, ${text}, ${metadata}, ${nowMs}
      from ${conversations}
      where ${conversations.accountId} = ${actor.accountId} and ${inArray(conversations.id, part)}`)
  }
}

async function runAll(db: Db, statements: Parameters<Db['batch']>[0][number][]) {
  if (statements.length === 0) return
  await db.batch(statements as unknown as Parameters<Db['batch']>[0])
}

const touched = (rows: { id: string; inboxId: string }[]): Touched[] => rows.map(({ id, inboxId }) => ({ id, inboxId }))

export async function assignConversation(db: Db, actor: User, conversationId: string, assigneeId: string | null, nowMs = Date.now()) {
  const [conversation] = await ownConversations(db, actor.accountId, [conversationId])
  if (!conversation) throw new InputError(t('errors.no_such_conversation'))
  let assigneeName: string | null = 'nobody'
  if (assigneeId) {
    const [assignee] = await db
      .select()
      .from(users)
      .where(and(eq(users.id, assigneeId), eq(users.accountId, actor.accountId), eq(users.status, 'active')))
      .limit(1)
    if (!assignee) throw new InputError(t('errors.owner_inactive'))
    assigneeName = assignee.id === actor.id ? null : assignee.name
  }
  if (conversation.assigneeId === assigneeId) return touched([conversation])
  await runAll(db, [
    // A person taking a conversation over from a bot ends the bot's part.
    db
      .update(conversations)
      .set({ assigneeId, ...(assigneeId ? { assigneeBot: null } : {}) })
      .where(eq(conversations.id, conversation.id)),
  ])
  const line: Activity = !assigneeId
    ? { key: 'activity.unassigned', params: { actor: actor.name } }
    : assigneeName === null
      ? { key: 'activity.assigned_self', params: { actor: actor.name } }
      : { key: 'activity.assigned', params: { actor: actor.name, assignee: assigneeName } }
  await writeActivity(db, actor, [conversation.id], line, nowMs)
  return touched([conversation])
}

/**
 * Closes or reopens. A bot conversation whose visitor has not reached the handoff stays open
 * until 30 minutes after the visitor's last activity (they may still be mid-flow): closing one
 * alone explains when it can be closed; a bulk close leaves such conversations open.
 */
export async function setStatus(db: Db, actor: User, ids: string[], status: ConversationStatus, nowMs = Date.now()) {
  let rows = (await ownConversations(db, actor.accountId, ids)).filter((row) => row.status !== status && row.folder !== 'trash')
  if (status === 'closed') {
    const withBots = rows.filter((row) => row.assigneeBot)
    const sessions: (typeof botSessions.$inferSelect)[] = []
    for (const part of chunks(withBots.map((row) => row.id)))
      sessions.push(...(await db.select().from(botSessions).where(inArray(botSessions.conversationId, part))))
    const heldUntil = new Map<string, number>()
    for (const session of sessions) {
      const row = withBots.find((candidate) => candidate.id === session.conversationId)!
      const allowedAt = botCloseAllowedAt(session, row.assigneeBot)
      if (allowedAt !== null && allowedAt > nowMs) heldUntil.set(row.id, allowedAt)
    }
    if (ids.length === 1 && heldUntil.size === 1) {
      const until = [...heldUntil.values()][0]!
      const at = new Date(until).toLocaleTimeString(intlLocale(), { hour: '2-digit', minute: '2-digit', timeZone: actor.timeZone })
      throw new InputError(t('errors.bot_holds', { time: at }))
    }
    rows = rows.filter((row) => !heldUntil.has(row.id))
  }
  const changing = rows.map((row) => row.id)
  await runAll(db, [
    ...chunks(changing).map((part) =>
      db
        .update(conversations)
        .set({ status, closedAt: status === 'closed' ? nowMs : null })
        .where(and(eq(conversations.accountId, actor.accountId), inArray(conversations.id, part))),
    ),
  ])
  await writeActivity(db, actor, changing, { key: status === 'closed' ? 'activity.closed' : 'activity.reopened', params: { actor: actor.name } }, nowMs)
  return touched(rows)
}

async function moveToFolder(db: Db, actor: User, ids: string[], folder: ConversationFolder, text: string | Activity, nowMs: number, only?: SQL) {
  const rows = (await ownConversations(db, actor.accountId, ids, only)).filter((row) => row.folder !== folder)
  const moving = rows.map((row) => row.id)
  await runAll(db, [
    ...chunks(moving).map((part) =>
      db
        .update(conversations)
        .set({ folder, trashedAt: folder === 'trash' ? nowMs : null })
        .where(and(eq(conversations.accountId, actor.accountId), inArray(conversations.id, part))),
    ),
  ])
  await writeActivity(db, actor, moving, text, nowMs)
  return touched(rows)
}

export function moveToTrash(db: Db, actor: User, ids: string[], nowMs = Date.now()) {
  return moveToFolder(db, actor, ids, 'trash', { key: 'activity.trashed', params: { actor: actor.name } }, nowMs)
}

export function restoreFromTrash(db: Db, actor: User, ids: string[], nowMs = Date.now()) {
  return moveToFolder(db, actor, ids, 'inbox', { key: 'activity.restored', params: { actor: actor.name } }, nowMs, eq(conversations.folder, 'trash'))
}

export function markSpam(db: Db, actor: User, ids: string[], nowMs = Date.now()) {
  return moveToFolder(db, actor, ids, 'spam', { key: 'activity.spam', params: { actor: actor.name } }, nowMs, ne(conversations.folder, 'trash'))
}

export function markNotSpam(db: Db, actor: User, ids: string[], nowMs = Date.now()) {
  return moveToFolder(db, actor, ids, 'inbox', { key: 'activity.not_spam', params: { actor: actor.name } }, nowMs, eq(conversations.folder, 'spam'))
}

/**
 * Deletes a trashed conversation for good: its messages (and so their search entries), its
 * attachments in the blob store, its participants and read marks, and its ticket.
 */
export async function deleteForever(db: Db, blobs: BlobRemover, actor: User | null, accountId: string, ids: string[], nowMs = Date.now()) {
  const rows = await ownConversations(db, accountId, ids, eq(conversations.folder, 'trash'))
  for (const part of chunks(rows.map((row) => row.id))) {
    const keys = await db
      .select({ attachmentKey: attachments.r2Key })
      .from(attachments)
      .innerJoin(messages, eq(messages.id, attachments.messageId))
      .where(inArray(messages.conversationId, part))
    const rawKeys = await db
      .select({ rawKey: messages.rawKey })
      .from(messages)
      .where(and(inArray(messages.conversationId, part), isNotNull(messages.rawKey)))
    const ticketIds = rows.filter((row) => part.includes(row.id) && row.ticketId).map((row) => row.ticketId!)
    await runAll(db, [
      db.delete(attachments).where(inArray(attachments.messageId, db.select({ id: messages.id }).from(messages).where(inArray(messages.conversationId, part)))),
      db.delete(messages).where(inArray(messages.conversationId, part)),
      db.delete(conversationParticipants).where(inArray(conversationParticipants.conversationId, part)),
      db.delete(conversationReads).where(inArray(conversationReads.conversationId, part)),
      db.delete(conversations).where(and(eq(conversations.accountId, accountId), inArray(conversations.id, part))),
      ...(ticketIds.length > 0 ? [db.delete(tickets).where(and(eq(tickets.accountId, accountId), inArray(tickets.id, ticketIds)))] : []),
    ])
    // Bytes go after the rows: a failure here leaves orphaned blobs, never rows pointing nowhere.
    const blobKeys = [...keys.map((row) => row.attachmentKey), ...rawKeys.map((row) => row.rawKey!)]
    for (const keyPart of chunks(blobKeys, 1000)) await blobs.delete(keyPart)
  }
  for (const row of rows) {
    await recordAudit(db, accountId, actor?.id ?? null, 'conversation:delete_forever', row.id, { subject: row.subject, automatic: actor === null }, nowMs)
  }
  return touched(rows)
}

/** The cron's part: conversations in Trash longer than the retention period go for good. */
export async function purgeTrash(db: Db, blobs: BlobRemover, nowMs = Date.now()) {
  const cutoff = nowMs - trashRetentionDays * 24 * 60 * 60 * 1000
  const expired = await db
    .select({ id: conversations.id, accountId: conversations.accountId })
    .from(conversations)
    .where(and(eq(conversations.folder, 'trash'), sql`${conversations.trashedAt} < ${cutoff}`))
    .limit(500)
  const idsByAccount = new Map<string, string[]>()
  for (const row of expired) idsByAccount.set(row.accountId, [...(idsByAccount.get(row.accountId) ?? []), row.id])
  let purged = 0
  for (const [accountId, ids] of idsByAccount) purged += (await deleteForever(db, blobs, null, accountId, ids, nowMs)).length
  return purged
}

/** What identifies a sender for blocking: their address, and their id on each other channel. */
async function senderIdentifiers(db: Db, accountId: string, contactId: string) {
  const [contact] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.accountId, accountId), eq(contacts.id, contactId)))
    .limit(1)
  if (!contact) return { contact: null, identifiers: [] }
  const identities = await db
    .select()
    .from(contactIdentities)
    .where(and(eq(contactIdentities.accountId, accountId), eq(contactIdentities.contactId, contactId)))
  const identifiers = [...(contact.email ? [contact.email] : []), ...identities.map((identity) => `${identity.pluginId}:${identity.externalId}`)]
  return { contact, identifiers }
}

/**
 * Blocks the sender of a conversation: the thread moves to Filtered, everything later from the
 * same address or visitor is filtered, and tickets linked to their conversations are deleted for
 * good (the confirm dialog says so).
 */
export async function blockSender(db: Db, actor: User, conversationId: string, nowMs = Date.now()) {
  const [conversation] = await ownConversations(db, actor.accountId, [conversationId])
  if (!conversation?.contactId) throw new InputError(t('errors.no_sender_block'))
  const { contact, identifiers } = await senderIdentifiers(db, actor.accountId, conversation.contactId)
  if (!contact) throw new InputError(t('errors.no_sender_block'))
  const linkedTickets = await db
    .select({ id: tickets.id })
    .from(tickets)
    .where(
      and(
        eq(tickets.accountId, actor.accountId),
        or(
          eq(tickets.contactId, contact.id),
          inArray(
            tickets.id,
            db
              .select({ id: sql<string>`${conversations.ticketId}` })
              .from(conversations)
              .where(and(eq(conversations.contactId, contact.id), isNotNull(conversations.ticketId))),
          ),
        ),
      ),
    )
  const ticketIds = linkedTickets.map((ticket) => ticket.id)
  await runAll(db, [
    db.update(contacts).set({ blocked: true }).where(eq(contacts.id, contact.id)),
    ...identifiers.map((identifier) =>
      db.insert(blockedSenders).values({ accountId: actor.accountId, identifier, blockedBy: actor.id, createdAt: nowMs }).onConflictDoNothing(),
    ),
    db
      .update(conversations)
      .set({ ticketId: null })
      .where(and(eq(conversations.accountId, actor.accountId), eq(conversations.contactId, contact.id))),
    ...chunks(ticketIds).map((part) => db.delete(tickets).where(inArray(tickets.id, part))),
  ])
  const moved = await moveToFolder(db, actor, [conversation.id], 'filtered', `${actor.name} blocked ${contact.email ?? contact.name ?? 'this sender'}`, nowMs)
  await recordAudit(db, actor.accountId, actor.id, 'contact:block', contact.id, { identifiers, deletedTickets: ticketIds.length }, nowMs)
  return moved.length > 0 ? moved : touched([conversation])
}

/** Unblocks a sender; their filtered conversations return to the inbox. */
export async function unblockSender(db: Db, actor: User, conversationId: string, nowMs = Date.now()) {
  const [conversation] = await ownConversations(db, actor.accountId, [conversationId])
  if (!conversation?.contactId) throw new InputError(t('errors.no_sender_unblock'))
  const { contact, identifiers } = await senderIdentifiers(db, actor.accountId, conversation.contactId)
  if (!contact) throw new InputError(t('errors.no_sender_unblock'))
  await runAll(db, [
    db.update(contacts).set({ blocked: false }).where(eq(contacts.id, contact.id)),
    ...chunks(identifiers).map((part) =>
      db.delete(blockedSenders).where(and(eq(blockedSenders.accountId, actor.accountId), inArray(blockedSenders.identifier, part))),
    ),
  ])
  const filtered = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.accountId, actor.accountId), eq(conversations.contactId, contact.id), eq(conversations.folder, 'filtered')))
  const moved = await moveToFolder(
    db,
    actor,
    filtered.map((row) => row.id),
    'inbox',
    `${actor.name} unblocked ${contact.email ?? contact.name ?? 'this sender'}`,
    nowMs,
  )
  await recordAudit(db, actor.accountId, actor.id, 'contact:unblock', contact.id, { identifiers }, nowMs)
  return moved.length > 0 ? moved : touched([conversation])
}

/** Keeps the list preview free of hidden text: it shows the newest visible message. */
async function refreshPreview(db: Db, conversationId: string) {
  const [latest] = await db
    .select({ text: messages.text })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.kind, 'message'), isNull(messages.hiddenAt)))
    .orderBy(desc(messages.seq))
    .limit(1)
  await db
    .update(conversations)
    .set({ preview: latest ? toPreview(latest.text) : 'Message is hidden' })
    .where(eq(conversations.id, conversationId))
}

async function ownMessage(db: Db, actor: User, conversationId: string, messageId: number) {
  const [message] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.accountId, actor.accountId), eq(messages.conversationId, conversationId), eq(messages.id, messageId)))
    .limit(1)
  if (!message || message.kind === 'activity') throw new InputError(t('errors.no_such_message'))
  return message
}

/**
 * Hides a sensitive message everywhere: the thread, previews, the search index (the FTS trigger
 * drops it) and live fragments. Only a super admin or the person who hid it may show it again.
 */
export async function hideMessage(db: Db, actor: User, conversationId: string, messageId: number, nowMs = Date.now()) {
  const message = await ownMessage(db, actor, conversationId, messageId)
  if (message.hiddenAt) return message
  await db.update(messages).set({ hiddenAt: nowMs, hiddenBy: actor.id }).where(eq(messages.id, message.id))
  await refreshPreview(db, conversationId)
  await recordAudit(db, actor.accountId, actor.id, 'message:hide', String(message.id), { conversationId }, nowMs)
  return { ...message, hiddenAt: nowMs, hiddenBy: actor.id }
}

export function canUnhide(actor: Pick<User, 'id' | 'role'>, message: { hiddenBy: string | null }) {
  return actor.role === 'super_admin' || message.hiddenBy === actor.id
}

export async function unhideMessage(db: Db, actor: User, conversationId: string, messageId: number, nowMs = Date.now()) {
  const message = await ownMessage(db, actor, conversationId, messageId)
  if (!message.hiddenAt) return message
  if (!canUnhide(actor, message)) throw new InputError(t('errors.unhide_not_allowed'))
  await db.update(messages).set({ hiddenAt: null, hiddenBy: null }).where(eq(messages.id, message.id))
  await refreshPreview(db, conversationId)
  await recordAudit(db, actor.accountId, actor.id, 'message:unhide', String(message.id), { conversationId, hiddenBy: message.hiddenBy }, nowMs)
  return { ...message, hiddenAt: null, hiddenBy: null }
}

/**
 * Sets (or clears, with null) the contact a conversation is about. Removing the contact keeps the
 * messages as they are; only the sidebar and lists stop showing them. Audited either way.
 */
export async function setConversationContact(db: Db, actor: User, conversationId: string, contactId: string | null, nowMs = Date.now()) {
  const [conversation] = await ownConversations(db, actor.accountId, [conversationId])
  if (!conversation) throw new InputError('No such conversation.')
  if (conversation.folder === 'trash') throw new InputError('Restore this conversation before changing its contact.')
  let contact: typeof contacts.$inferSelect | undefined
  if (contactId) {
    ;[contact] = await db
      .select()
      .from(contacts)
      .where(and(eq(contacts.accountId, actor.accountId), eq(contacts.id, contactId)))
      .limit(1)
    if (!contact) throw new InputError('No such contact.')
  }
  if (conversation.contactId === contactId) return touched([conversation])
  await db
    .update(conversations)
    .set({ contactId })
    .where(and(eq(conversations.accountId, actor.accountId), eq(conversations.id, conversation.id)))
  const who = contact ? (contact.name ?? contact.email ?? contact.phone ?? 'a contact') : null
  await writeActivity(
    db,
    actor,
    [conversation.id],
    who ? `${actor.name} set the contact to ${who}` : `${actor.name} removed the contact from this conversation`,
    nowMs,
  )
  await recordAudit(
    db,
    actor.accountId,
    actor.id,
    contactId ? 'conversation:set_contact' : 'conversation:remove_contact',
    conversation.id,
    { from: conversation.contactId, to: contactId },
    nowMs,
  )
  return touched([conversation])
}

/** "Close conversation and ticket": closes the ticket linked to each conversation that has an open one. */
export async function closeLinkedTickets(db: Db, actor: User, ids: string[], nowMs = Date.now()) {
  const rows = (await ownConversations(db, actor.accountId, ids)).filter((row) => row.ticketId)
  const ticketIds = rows.map((row) => row.ticketId!)
  if (ticketIds.length === 0) return 0
  let closed = 0
  for (const part of chunks(ticketIds)) {
    const done = await db
      .update(tickets)
      .set({ status: 'closed', closedAt: nowMs })
      .where(and(eq(tickets.accountId, actor.accountId), inArray(tickets.id, part), eq(tickets.status, 'open')))
      .returning({ id: tickets.id })
    closed += done.length
  }
  if (closed > 0)
    await writeActivity(
      db,
      actor,
      rows.map((row) => row.id),
      `${actor.name} closed the ticket`,
      nowMs,
    )
  return closed
}
