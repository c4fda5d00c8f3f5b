import { and, desc, eq, isNull, ne } from 'drizzle-orm'
import type { Db } from '../db/client'
import { contacts, conversations, tickets, users } from '../db/schema'
import { InputError } from '../lib/errors'
import { newId } from '../lib/ids'
import { recordAudit, type User } from './users'
import { writeActivity } from './conversation-actions'
import type { PropertyDef } from './properties'

export type Ticket = typeof tickets.$inferSelect
export const ticketPriorities = ['low', 'medium', 'high'] as const

export interface NewTicketInput {
  name: string
  priority: (typeof ticketPriorities)[number]
  description: string
  ownerId: string | null
}

async function activeUser(db: Db, accountId: string, userId: string) {
  const [row] = await db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(eq(users.accountId, accountId), eq(users.id, userId), eq(users.status, 'active')))
    .limit(1)
  return row ?? null
}

/**
 * Creates a ticket from a conversation and links the two both ways. The link is permanent (there
 * is no unlink): the conversation keeps pointing at its ticket until one of them is deleted.
 */
export async function createTicketFromConversation(db: Db, actor: User, conversationId: string, input: NewTicketInput, nowMs = Date.now()) {
  const [conversation] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.accountId, actor.accountId), eq(conversations.id, conversationId)))
    .limit(1)
  if (!conversation) throw new InputError('No such conversation.')
  if (conversation.folder === 'trash') throw new InputError('Restore this conversation before creating a ticket.')
  if (conversation.ticketId) throw new InputError('This conversation already has a ticket.')
  const name = input.name.trim()
  if (!name || name.length > 200) throw new InputError('Give the ticket a name of at most 200 characters.')
  if (input.ownerId && !(await activeUser(db, actor.accountId, input.ownerId))) throw new InputError('Only active users can own a ticket.')
  const ticketId = newId()
  await db.insert(tickets).values({
    id: ticketId,
    accountId: actor.accountId,
    contactId: conversation.contactId,
    conversationId: conversation.id,
    name,
    priority: input.priority,
    description: input.description.trim() || null,
    ownerId: input.ownerId,
    createdAt: nowMs,
  })
  // Only if nobody linked a ticket in the meantime (two agents clicking at once).
  const linked = await db
    .update(conversations)
    .set({ ticketId })
    .where(and(eq(conversations.id, conversation.id), isNull(conversations.ticketId)))
    .returning({ id: conversations.id })
  if (linked.length === 0) {
    await db.delete(tickets).where(eq(tickets.id, ticketId))
    throw new InputError('This conversation already has a ticket.')
  }
  await writeActivity(db, actor, [conversation.id], `${actor.name} created the ticket "${name}"`, nowMs)
  await recordAudit(db, actor.accountId, actor.id, 'ticket:create', ticketId, { conversationId: conversation.id }, nowMs)
  return { ticket: (await getTicket(db, actor.accountId, ticketId))!, touched: { id: conversation.id, inboxId: conversation.inboxId } }
}

export async function getTicket(db: Db, accountId: string, ticketId: string) {
  const [row] = await db
    .select()
    .from(tickets)
    .where(and(eq(tickets.accountId, accountId), eq(tickets.id, ticketId)))
    .limit(1)
  return row ?? null
}

/** A ticket with what its page shows around it: the contact, the owner's name and the conversation. */
export async function getTicketDetail(db: Db, accountId: string, ticketId: string) {
  const [row] = await db
    .select({ ticket: tickets, contact: contacts, ownerName: users.name, conversation: conversations })
    .from(tickets)
    .leftJoin(contacts, eq(contacts.id, tickets.contactId))
    .leftJoin(users, eq(users.id, tickets.ownerId))
    .leftJoin(conversations, and(eq(conversations.id, tickets.conversationId), eq(conversations.accountId, accountId)))
    .where(and(eq(tickets.accountId, accountId), eq(tickets.id, ticketId)))
    .limit(1)
  return row ?? null
}

/** The contact's tickets, newest first (all but `exceptTicketId`). */
export async function ticketsOfContact(db: Db, accountId: string, contactId: string, exceptTicketId?: string | null, limit = 20) {
  return db
    .select()
    .from(tickets)
    .where(and(eq(tickets.accountId, accountId), eq(tickets.contactId, contactId), exceptTicketId ? ne(tickets.id, exceptTicketId) : undefined))
    .orderBy(desc(tickets.createdAt))
    .limit(limit)
}

/** Saves one property of a ticket (already validated for its type). */
export async function setTicketProperty(db: Db, actor: User, ticket: Ticket, def: PropertyDef, value: string, nowMs = Date.now()) {
  let set: Partial<Ticket>
  if (def.column) {
    switch (def.name) {
      case 'name':
        set = { name: value }
        break
      case 'status':
        set = { status: value as Ticket['status'], closedAt: value === 'closed' ? (ticket.closedAt ?? nowMs) : null }
        break
      case 'priority':
        set = { priority: value as Ticket['priority'] }
        break
      case 'owner':
        set = { ownerId: value || null }
        break
      case 'description':
        set = { description: value || null }
        break
      default:
        throw new InputError('This property cannot be edited here.')
    }
  } else {
    const properties = { ...ticket.properties }
    if (value) properties[def.name] = value
    else delete properties[def.name]
    set = { properties }
  }
  const [row] = await db
    .update(tickets)
    .set(set)
    .where(and(eq(tickets.accountId, actor.accountId), eq(tickets.id, ticket.id)))
    .returning()
  return row!
}

/** Closes a ticket (closing its conversation with "and ticket" does this); already closed stays as it was. */
export async function closeTicket(db: Db, accountId: string, ticketId: string, nowMs = Date.now()) {
  await db
    .update(tickets)
    .set({ status: 'closed', closedAt: nowMs })
    .where(and(eq(tickets.accountId, accountId), eq(tickets.id, ticketId), eq(tickets.status, 'open')))
}
