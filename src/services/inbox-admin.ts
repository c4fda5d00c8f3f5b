import { and, count, eq, ne, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '../db/client'
import { channels, conversationCounts, conversations, inboxes, inboxMembers } from '../db/schema'
import { FieldError, InputError } from '../lib/errors'
import { newId } from '../lib/ids'
import { t } from '../i18n'
import { forgetCachedChannels, type Inbox } from './inboxes'
import { recordAudit, type User } from './users'

function checkName(name: string) {
  const trimmed = name.trim()
  if (!trimmed || trimmed.length > 80) throw new FieldError('name', t('errors.inbox_name_length'))
  return trimmed
}

async function nameTaken(db: Db, accountId: string, name: string, exceptId?: string) {
  const [row] = await db
    .select({ id: inboxes.id })
    .from(inboxes)
    .where(and(eq(inboxes.accountId, accountId), sql`lower(${inboxes.name}) = lower(${name})`, exceptId ? ne(inboxes.id, exceptId) : undefined))
    .limit(1)
  return row !== undefined
}

/** A new, empty inbox; whoever creates it is its first member (they will connect its channels). */
export async function createInbox(db: Db, actor: User, input: { name: string }, nowMs = Date.now()): Promise<Inbox> {
  const name = checkName(input.name)
  if (await nameTaken(db, actor.accountId, name)) throw new FieldError('name', t('inboxes.error.name_taken'))
  const inbox: Inbox = { id: newId(), accountId: actor.accountId, name, defaultAssignment: 'none', defaultAssigneeId: null, createdAt: nowMs }
  await db.batch([db.insert(inboxes).values(inbox), db.insert(inboxMembers).values({ inboxId: inbox.id, userId: actor.id })])
  await recordAudit(db, actor.accountId, actor.id, 'inbox:create', inbox.id, { name }, nowMs)
  return inbox
}

/** Inbox names must differ within a workspace (the switcher shows names only). */
export async function assertInboxNameFree(db: Db, accountId: string, name: string, inboxId: string) {
  if (await nameTaken(db, accountId, name.trim(), inboxId)) throw new FieldError('name', t('inboxes.error.name_taken'))
}

/** What an inbox holds: a delete must say where these go. */
export async function inboxContents(db: Db, accountId: string, inboxId: string) {
  const [[conversationRow], [channelRow]] = await db.batch([
    db
      .select({ n: count() })
      .from(conversations)
      .where(and(eq(conversations.accountId, accountId), eq(conversations.inboxId, inboxId))),
    db
      .select({ n: count() })
      .from(channels)
      .where(and(eq(channels.accountId, accountId), eq(channels.inboxId, inboxId))),
  ])
  return { conversations: conversationRow?.n ?? 0, channels: channelRow?.n ?? 0 }
}

/**
 * Deletes an inbox. One that holds conversations or channels is deleted only with a target inbox
 * they move to (their counts follow through the conversations' triggers); without one it is
 * refused. The last inbox of a workspace is never deleted.
 */
export async function deleteInbox(db: Db, actor: User, inboxId: string, moveToInboxId: string | null, nowMs = Date.now()) {
  const all = await db.select({ id: inboxes.id }).from(inboxes).where(eq(inboxes.accountId, actor.accountId))
  if (!all.some((inbox) => inbox.id === inboxId)) throw new InputError(t('errors.no_such_inbox'))
  if (all.length === 1) throw new InputError(t('inboxes.error.last'))
  const held = await inboxContents(db, actor.accountId, inboxId)
  const holdsSomething = held.conversations > 0 || held.channels > 0
  if (holdsSomething && !moveToInboxId)
    throw new FieldError('moveTo', t('inboxes.error.not_empty', { conversations: held.conversations, channels: held.channels }))
  if (moveToInboxId && (moveToInboxId === inboxId || !all.some((inbox) => inbox.id === moveToInboxId)))
    throw new FieldError('moveTo', t('errors.no_such_inbox'))
  const statements: BatchItem<'sqlite'>[] = []
  if (moveToInboxId) {
    statements.push(
      db
        .update(conversations)
        .set({ inboxId: moveToInboxId })
        .where(and(eq(conversations.accountId, actor.accountId), eq(conversations.inboxId, inboxId))),
      db
        .update(channels)
        .set({ inboxId: moveToInboxId })
        .where(and(eq(channels.accountId, actor.accountId), eq(channels.inboxId, inboxId))),
    )
  }
  // The moved conversations left zero counts behind (the triggers moved them); one transaction.
  statements.push(
    db.delete(conversationCounts).where(and(eq(conversationCounts.accountId, actor.accountId), eq(conversationCounts.inboxId, inboxId))),
    db.delete(inboxes).where(and(eq(inboxes.accountId, actor.accountId), eq(inboxes.id, inboxId))),
  )
  await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])
  forgetCachedChannels()
  await recordAudit(db, actor.accountId, actor.id, 'inbox:delete', inboxId, { movedTo: moveToInboxId, ...held }, nowMs)
}
