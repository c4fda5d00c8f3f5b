import { and, asc, desc, eq, getTableColumns, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { contactNotes, conversations, deals, tasks, tickets, users } from '../db/schema'
import { InputError } from '../lib/errors'
import { newId } from '../lib/ids'
import type { User } from './users'

export type Note = typeof contactNotes.$inferSelect & { authorName: string | null }
export type Task = typeof tasks.$inferSelect & { assigneeName: string | null }

/** Notes are plain text (rendered escaped, line breaks kept). */
export async function addNote(db: Db, actor: User, contactId: string, body: string, nowMs = Date.now()) {
  const text = body.replace(/\r\n/g, '\n').trim()
  if (!text) throw new InputError('Write the note first.')
  if (text.length > 10_000) throw new InputError('A note can be at most 10 000 characters.')
  const [row] = await db
    .insert(contactNotes)
    .values({ id: newId(), accountId: actor.accountId, contactId, authorId: actor.id, body: text, createdAt: nowMs })
    .returning()
  return row!
}

export async function listNotes(db: Db, accountId: string, contactId: string, limit = 50): Promise<Note[]> {
  return db
    .select({ ...getTableColumns(contactNotes), authorName: users.name })
    .from(contactNotes)
    .leftJoin(users, eq(users.id, contactNotes.authorId))
    .where(and(eq(contactNotes.accountId, accountId), eq(contactNotes.contactId, contactId)))
    .orderBy(desc(contactNotes.createdAt))
    .limit(limit)
}

export interface NewTaskInput {
  title: string
  /** YYYY-MM-DD, or '' for none; due at the end of that day (UTC). */
  dueDate: string
  assigneeId: string | null
}

export async function addTask(db: Db, actor: User, contactId: string, input: NewTaskInput, nowMs = Date.now()) {
  const title = input.title.trim()
  if (!title || title.length > 200) throw new InputError('Give the task a title of at most 200 characters.')
  let dueAt: number | null = null
  if (input.dueDate) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.dueDate)
    const date = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN
    if (!match || new Date(date).toISOString().slice(0, 10) !== input.dueDate) throw new InputError('Enter the due date as YYYY-MM-DD.')
    dueAt = date
  }
  if (input.assigneeId) {
    const [assignee] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.accountId, actor.accountId), eq(users.id, input.assigneeId), eq(users.status, 'active')))
      .limit(1)
    if (!assignee) throw new InputError('Only active users can be assigned a task.')
  }
  const [row] = await db
    .insert(tasks)
    .values({ id: newId(), accountId: actor.accountId, contactId, title, dueAt, assigneeId: input.assigneeId, createdBy: actor.id, createdAt: nowMs })
    .returning()
  return row!
}

/** Open tasks first (soonest due first), then done ones. */
export async function listTasks(db: Db, accountId: string, contactId: string, limit = 100): Promise<Task[]> {
  return db
    .select({ ...getTableColumns(tasks), assigneeName: users.name })
    .from(tasks)
    .leftJoin(users, eq(users.id, tasks.assigneeId))
    .where(and(eq(tasks.accountId, accountId), eq(tasks.contactId, contactId)))
    .orderBy(sql`${tasks.doneAt} is not null`, sql`coalesce(${tasks.dueAt}, 9e15)`, asc(tasks.createdAt))
    .limit(limit)
}

/** Marks a task done, or not done again. */
export async function setTaskDone(db: Db, accountId: string, contactId: string, taskId: string, done: boolean, nowMs = Date.now()) {
  const [row] = await db
    .update(tasks)
    .set({ doneAt: done ? nowMs : null })
    .where(
      and(eq(tasks.accountId, accountId), eq(tasks.contactId, contactId), eq(tasks.id, taskId), done ? isNull(tasks.doneAt) : sql`${tasks.doneAt} is not null`),
    )
    .returning()
  return row ?? null
}

export type TimelineEntry =
  | { kind: 'conversation'; at: number; id: string; inboxId: string; title: string; status: string; pluginId: string; folder: string }
  | { kind: 'ticket'; at: number; id: string; title: string; status: string }
  | { kind: 'deal'; at: number; id: string; title: string; stage: string; amountMinor: number | null; currency: string }
  | { kind: 'note'; at: number; id: string; title: string; author: string | null }

/** Everything that happened with a contact, newest first: conversations, tickets, deals and notes. */
export async function contactTimeline(db: Db, accountId: string, contactId: string, limit = 50): Promise<TimelineEntry[]> {
  const [convs, contactTickets, contactDeals, notes] = await Promise.all([
    db
      .select()
      .from(conversations)
      .where(and(eq(conversations.accountId, accountId), eq(conversations.contactId, contactId), sql`${conversations.folder} <> 'trash'`))
      .orderBy(desc(conversations.lastMessageAt))
      .limit(limit),
    db
      .select()
      .from(tickets)
      .where(and(eq(tickets.accountId, accountId), eq(tickets.contactId, contactId)))
      .orderBy(desc(tickets.createdAt))
      .limit(limit),
    db
      .select()
      .from(deals)
      .where(and(eq(deals.accountId, accountId), eq(deals.contactId, contactId)))
      .orderBy(desc(deals.createdAt))
      .limit(limit),
    listNotes(db, accountId, contactId, limit),
  ])
  const entries: TimelineEntry[] = [
    ...convs.map((row) => ({
      kind: 'conversation' as const,
      at: row.lastMessageAt,
      id: row.id,
      inboxId: row.inboxId,
      title: row.subject ?? row.preview,
      status: row.status,
      pluginId: row.pluginId,
      folder: row.folder,
    })),
    ...contactTickets.map((row) => ({ kind: 'ticket' as const, at: row.createdAt, id: row.id, title: row.name, status: row.status })),
    ...contactDeals.map((row) => ({
      kind: 'deal' as const,
      at: row.createdAt,
      id: row.id,
      title: row.name,
      stage: row.stage,
      amountMinor: row.amountMinor,
      currency: row.currency,
    })),
    ...notes.map((row) => ({ kind: 'note' as const, at: row.createdAt, id: row.id, title: row.body, author: row.authorName })),
  ]
  return entries.sort((a, b) => b.at - a.at).slice(0, limit)
}
