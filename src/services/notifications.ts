import { and, count, desc, eq, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { idChunks, insertInChunks } from '../db/chunk'
import { channels, contacts, conversations, messages, notifications, users } from '../db/schema'
import { newId } from '../lib/ids'
import { richTextToPlain } from '../lib/rich-text'
import { mailPlugin } from '../channels/mail'
import { resolveMentions, type Mention } from './mentions'

/**
 * The per-user notification feed. Today one kind: someone mentioned you in an internal comment.
 * Each row links to the exact message (`/m/<message id>`); the bell shows the unread count, the
 * list the newest first, and an email goes out through the OUTBOUND queue (see mentionEmailJob).
 */

export type Notification = typeof notifications.$inferSelect

export const excerptChars = 200
export const bellListSize = 20

/** The start of a comment as one line of plain text. */
export function excerptOf(input: { html: string | null; text: string }): string {
  const plain = (input.html ? richTextToPlain(input.html) : input.text).replace(/\s+/g, ' ').trim()
  return plain.length > excerptChars ? `${plain.slice(0, excerptChars - 1).trimEnd()}…` : plain
}

export interface StoredComment {
  id: number
  accountId: string
  conversationId: string
  kind: 'message' | 'comment' | 'activity'
  authorUserId: string | null
  text: string
  html: string | null
  metadata: Record<string, unknown> | null
}

/**
 * After a comment is stored: who it mentions goes into its metadata (so the thread highlights
 * them) and each of them gets one notification. Anything but a comment mentions nobody: a reply's
 * text is for the customer. Returns the notifications created.
 */
export async function recordMentions(db: Db, comment: StoredComment, nowMs = Date.now()): Promise<{ mentions: Mention[]; created: Notification[] }> {
  if (comment.kind !== 'comment') return { mentions: [], created: [] }
  const mentions = await resolveMentions(db, { accountId: comment.accountId, authorUserId: comment.authorUserId, html: comment.html, text: comment.text })
  if (mentions.length === 0) return { mentions, created: [] }
  const [, ...inserted] = await db.batch([
    db
      .update(messages)
      .set({ metadata: { ...(comment.metadata ?? {}), mentions } })
      .where(and(eq(messages.accountId, comment.accountId), eq(messages.id, comment.id))),
    // Up to 100 mentions of 11 columns each: the rows go in parts under D1's parameter limit.
    ...insertInChunks(notifications, mentionNotificationRows(comment, mentions, nowMs), (part) => db.insert(notifications).values(part).returning()),
  ])
  return { mentions, created: inserted.flat() as Notification[] }
}

/** A notification row whose message may be SQL naming a message stored earlier in the same batch (`newestMessageIdIn`). */
export type NewNotification = Omit<typeof notifications.$inferInsert, 'messageId'> & { id: string; userId: string; messageId: number | SQL<number> }

/**
 * One notification per mention of a comment, for the caller to insert (`insertInChunks`: up to 100
 * mentions of 11 columns each go in parts under D1's parameter limit). `comment.id` may be SQL
 * binding at most one parameter, which then takes the place of the id's own.
 */
export function mentionNotificationRows(
  comment: { id: number | SQL<number>; accountId: string; conversationId: string; authorUserId: string | null; html: string | null; text: string },
  mentions: Mention[],
  nowMs: number,
): NewNotification[] {
  const excerpt = excerptOf(comment)
  return mentions.map((mention) => ({
    id: newId(),
    accountId: comment.accountId,
    userId: mention.id,
    kind: 'mention' as const,
    actorUserId: comment.authorUserId,
    conversationId: comment.conversationId,
    messageId: comment.id,
    excerpt,
    createdAt: nowMs,
  }))
}

/** The mentions a message's metadata records (read back: still checked). */
const storedMentions = z.array(z.object({ id: z.string(), name: z.string() })).max(100)
export function mentionsOf(metadata: unknown): Mention[] {
  const parsed = storedMentions.safeParse((metadata as { mentions?: unknown } | null)?.mentions)
  return parsed.success ? parsed.data : []
}

export async function unreadCount(db: Db, accountId: string, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.accountId, accountId), eq(notifications.userId, userId), isNull(notifications.readAt)))
  return row?.n ?? 0
}

export interface NotificationItem {
  id: string
  kind: 'mention'
  messageId: number | null
  excerpt: string
  readAt: number | null
  createdAt: number
  actorName: string | null
  subject: string | null
  /** The comment was hidden since: its excerpt is not shown. */
  hidden: boolean
}

/** A user's newest notifications, with who did it and where. */
export async function listNotifications(db: Db, accountId: string, userId: string, limit = bellListSize): Promise<NotificationItem[]> {
  const rows = await db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      messageId: notifications.messageId,
      excerpt: notifications.excerpt,
      readAt: notifications.readAt,
      createdAt: notifications.createdAt,
      actorName: users.name,
      subject: sql<string | null>`coalesce(${conversations.subject}, ${contacts.name})`,
      hiddenAt: messages.hiddenAt,
    })
    .from(notifications)
    .leftJoin(users, eq(users.id, notifications.actorUserId))
    .leftJoin(conversations, eq(conversations.id, notifications.conversationId))
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(messages, eq(messages.id, notifications.messageId))
    .where(and(eq(notifications.accountId, accountId), eq(notifications.userId, userId)))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(limit)
  // A comment hidden as sensitive after the fact takes its excerpt with it.
  return rows.map(({ hiddenAt, ...row }) => ({ ...row, excerpt: hiddenAt === null ? row.excerpt : '', hidden: hiddenAt !== null }))
}

/** Marks one of the user's own notifications read; null when it is not theirs (or gone). */
export async function markRead(db: Db, input: { accountId: string; userId: string; notificationId: string }, nowMs = Date.now()) {
  const [row] = await db
    .select({ id: notifications.id, messageId: notifications.messageId, readAt: notifications.readAt })
    .from(notifications)
    .where(and(eq(notifications.accountId, input.accountId), eq(notifications.userId, input.userId), eq(notifications.id, input.notificationId)))
    .limit(1)
  if (!row) return null
  if (row.readAt === null) await db.update(notifications).set({ readAt: nowMs }).where(eq(notifications.id, row.id))
  return row
}

export async function markAllRead(db: Db, accountId: string, userId: string, nowMs = Date.now()) {
  await db
    .update(notifications)
    .set({ readAt: nowMs })
    .where(and(eq(notifications.accountId, accountId), eq(notifications.userId, userId), isNull(notifications.readAt)))
}

/** Locale of each user, for rendering their bell or their email in their language. */
export async function recipientsOf(db: Db, accountId: string, userIds: string[]) {
  const found = []
  for (const part of idChunks(userIds)) {
    found.push(
      ...(await db
        .select({ id: users.id, name: users.name, email: users.email, locale: users.locale, timeZone: users.timeZone, status: users.status })
        .from(users)
        .where(and(eq(users.accountId, accountId), inArray(users.id, part)))),
    )
  }
  return found
}

/** Everything a mention email needs, or null when there is nothing (left) to send. */
export async function mentionEmailData(db: Db, accountId: string, notificationId: string) {
  const [row] = await db
    .select({
      notification: notifications,
      recipient: { name: users.name, email: users.email, locale: users.locale, status: users.status },
      subject: sql<string | null>`coalesce(${conversations.subject}, ${contacts.name})`,
      inboxId: conversations.inboxId,
      hiddenAt: messages.hiddenAt,
    })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .leftJoin(conversations, eq(conversations.id, notifications.conversationId))
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(messages, eq(messages.id, notifications.messageId))
    .where(and(eq(notifications.accountId, accountId), eq(notifications.id, notificationId)))
    .limit(1)
  if (!row) return null
  const [actor] = row.notification.actorUserId
    ? await db.select({ name: users.name }).from(users).where(eq(users.id, row.notification.actorUserId)).limit(1)
    : []
  return { ...row, actorName: actor?.name ?? null }
}

/** The address a notification email comes from: the inbox's email channel, else any of the account's. */
export async function notificationSender(db: Db, accountId: string, inboxId: string | null) {
  const plugin = mailPlugin()
  if (!plugin) return null
  const rows = await db
    .select({ inboxId: channels.inboxId, settings: channels.settings, name: channels.name })
    .from(channels)
    .where(and(eq(channels.accountId, accountId), eq(channels.pluginId, plugin.id), ne(channels.status, 'removed')))
  const ordered = [...rows.filter((row) => row.inboxId === inboxId), ...rows.filter((row) => row.inboxId !== inboxId)]
  for (const row of ordered) {
    const address = plugin.emailRouting.fromAddress(row.settings)
    if (address) return address
  }
  return null
}

export async function markEmailed(db: Db, notificationId: string, nowMs = Date.now()) {
  await db.update(notifications).set({ emailedAt: nowMs }).where(eq(notifications.id, notificationId))
}
