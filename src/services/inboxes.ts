import { and, asc, eq, ne } from 'drizzle-orm'
import type { Db } from '../db/client'
import { reads, type Reads } from '../db/round-trip'
import { channels, inboxes } from '../db/schema'
import type { ChannelRecord } from '../channels/types'

export type Inbox = typeof inboxes.$inferSelect
export type Channel = typeof channels.$inferSelect

export function listInboxes(db: Db, accountId: string): Promise<Inbox[]> {
  return db.select().from(inboxes).where(eq(inboxes.accountId, accountId)).orderBy(asc(inboxes.createdAt), asc(inboxes.name))
}

export function inboxReads(db: Db, accountId: string): Reads<Inbox[]> {
  return reads(db.select().from(inboxes).where(eq(inboxes.accountId, accountId)).orderBy(asc(inboxes.createdAt), asc(inboxes.name)))
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

/** A plugin's channels that still take part (disabled ones too: they answer with a refusal); removed ones are left out. */
export function listChannelsOfPlugin(db: Db, pluginId: string): Promise<Channel[]> {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.pluginId, pluginId), ne(channels.status, 'removed')))
}

/**
 * A plugin's channels as this isolate last read them, for lookups on every inbound message (the
 * email recipient). At most `channelCacheMs` old; a change made through inbox settings clears it
 * at once in this isolate, other isolates catch up within that time. A caller that finds nothing
 * in the cached list asks again with `fresh`, so a new channel is never missed.
 */
const channelCacheMs = 10_000
const channelCache = new Map<string, { channels: Channel[]; readAtMs: number }>()

export async function channelsOfPlugin(db: Db, pluginId: string, options: { fresh?: boolean } = {}): Promise<{ channels: Channel[]; cached: boolean }> {
  const hit = channelCache.get(pluginId)
  if (!options.fresh && hit && Date.now() - hit.readAtMs < channelCacheMs) return { channels: hit.channels, cached: true }
  const list = await listChannelsOfPlugin(db, pluginId)
  channelCache.set(pluginId, { channels: list, readAtMs: Date.now() })
  return { channels: list, cached: false }
}

export function forgetCachedChannels() {
  channelCache.clear()
}

export function toChannelRecord(channel: Channel): ChannelRecord {
  const { id, accountId, inboxId, pluginId, name } = channel
  return { id, accountId, inboxId, pluginId, name }
}
