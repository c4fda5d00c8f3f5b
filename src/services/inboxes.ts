import { and, asc, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { channels, inboxes } from '../db/schema'
import type { ChannelRecord } from '../channels/types'

export type Inbox = typeof inboxes.$inferSelect
export type Channel = typeof channels.$inferSelect

export function listInboxes(db: Db, accountId: string): Promise<Inbox[]> {
  return db.select().from(inboxes).where(eq(inboxes.accountId, accountId)).orderBy(asc(inboxes.createdAt), asc(inboxes.name))
}

export async function getInbox(db: Db, accountId: string, inboxId: string): Promise<Inbox | null> {
  const [row] = await db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.accountId, accountId), eq(inboxes.id, inboxId)))
    .limit(1)
  return row ?? null
}

/** Looks a channel up by id alone: webhooks arrive before we know the account. */
export async function getChannelById(db: Db, channelId: string): Promise<Channel | null> {
  const [row] = await db.select().from(channels).where(eq(channels.id, channelId)).limit(1)
  return row ?? null
}

export function listChannelsOfPlugin(db: Db, pluginId: string): Promise<Channel[]> {
  return db.select().from(channels).where(eq(channels.pluginId, pluginId))
}

export function toChannelRecord(channel: Channel): ChannelRecord {
  const { id, accountId, inboxId, pluginId, name } = channel
  return { id, accountId, inboxId, pluginId, name }
}
