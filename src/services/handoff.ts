import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { inOneRoundTrip, reads, type Reads } from '../db/round-trip'
import { channels, contacts, conversations, inboxes } from '../db/schema'
import { channelPlugins, findPlugin } from '../channels/registry'
import type { ChannelPlugin } from '../channels/types'

/**
 * Replying through another channel of the conversation's inbox (a chat answered by email, a
 * form submission answered by email): the target is a channel of another plugin in the same
 * inbox that can write first to a detail the contact has (`capabilities.reaches`).
 */
export interface HandoffChannel {
  channelId: string
  pluginId: string
  /** The contact's detail the reply goes to (their address, their number). */
  address: string
  /** A subject for the thread the reply starts there. */
  subject: string
}

type Reach = NonNullable<ChannelPlugin['capabilities']['reaches']>[number]

const pluginsReaching = (reach: Reach) => channelPlugins.filter((plugin) => plugin.capabilities.reaches?.includes(reach)).map((plugin) => plugin.id)

/** `plugin_id in (…)` over a list the registry makes (never user input); false for an empty list. */
function pluginIn(column: SQL | typeof channels.pluginId, pluginIds: string[]): SQL {
  if (pluginIds.length === 0) return sql`0`
  return sql`${column} in (${sql.join(
    pluginIds.map((id) => sql`${id}`),
    sql`, `,
  )})`
}

/** `findHandoffChannel` as one statement, for a page's batch: the inbox's oldest such channel. */
export function handoffReads(db: Db, accountId: string, conversationId: string): Reads<HandoffChannel | null> {
  const ch = channels
  const byEmail = pluginsReaching('email')
  const byPhone = pluginsReaching('phone')
  const target = sql`from ${ch} where ${ch.accountId} = ${conversations.accountId} and ${ch.inboxId} = ${conversations.inboxId}
    and ${ch.pluginId} <> ${conversations.pluginId}
    and ((${pluginIn(ch.pluginId, byEmail)} and ${contacts.email} is not null) or (${pluginIn(ch.pluginId, byPhone)} and ${contacts.phone} is not null))
    order by ${ch.createdAt} asc, ${ch.id} asc limit 1`
  const statement = db
    .select({
      email: contacts.email,
      phone: contacts.phone,
      subject: conversations.subject,
      inboxName: inboxes.name,
      channelId: sql<string | null>`(select ${ch.id} ${target})`.as('handoff_channel_id'),
      pluginId: sql<string | null>`(select ${ch.pluginId} ${target})`.as('handoff_plugin_id'),
    })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(conversations.accountId, accountId), eq(conversations.id, conversationId)))
    .limit(1)
  return reads(statement, ([row]) => {
    if (!row?.channelId || !row.pluginId) return null
    const reaches = findPlugin(row.pluginId)?.capabilities.reaches ?? []
    const address = reaches.includes('email') && row.email ? row.email : reaches.includes('phone') && row.phone ? row.phone : null
    if (!address) return null
    return { channelId: row.channelId, pluginId: row.pluginId, address, subject: row.subject ?? `Your conversation with ${row.inboxName}` }
  })
}

/** Where a reply to this conversation can go instead of its own channel, or null. */
export function findHandoffChannel(db: Db, accountId: string, conversationId: string): Promise<HandoffChannel | null> {
  return inOneRoundTrip(db, handoffReads(db, accountId, conversationId))
}

/**
 * What a handed-off reply stores: it starts a thread of its own on the target channel (its
 * subject), and the target's `send` addresses the contact (OutboundMessage.to).
 */
export function handoffMetadata(handoff: HandoffChannel): Record<string, unknown> {
  return { subject: handoff.subject, startsThread: true, handoffTo: handoff.address }
}
