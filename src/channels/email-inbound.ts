import { eq } from 'drizzle-orm'
import type { Bindings } from '../env'
import { hostOf } from '../host'
import { createDb, type Db } from '../db/client'
import { conversations } from '../db/schema'
import { newId } from '../lib/ids'
import { queueListUpdate } from '../rooms/list-updates'
import { durableObjectNotifier, redrawInRoom, tellRoom } from '../rooms/notifier'
import { channelsOfPlugin, type Channel } from '../services/inboxes'
import { findPlugin } from './registry'
import { mailPlugin } from './mail'
import type { ChannelPlugin } from './types'
import { ingestInbound, type Notifier } from './pipeline'
import { channelContextOf } from './context'

/**
 * The channel that receives mail for `recipient`, as its plugin judges each channel's settings: one
 * taking the address as its own, else the channel of the conversation a reply address names, when
 * that channel takes the reply address too.
 */
export async function findRecipientChannel(db: Db, recipient: string): Promise<Channel | null> {
  const plugin = mailPlugin()
  if (!plugin) return null
  const { channels, cached } = await channelsOfPlugin(db, plugin.id)
  const found = await recipientChannelAmong(db, plugin, channels, recipient)
  // Not in the list this isolate remembers: perhaps a channel added a moment ago.
  if (found || !cached) return found
  return recipientChannelAmong(db, plugin, (await channelsOfPlugin(db, plugin.id, { fresh: true })).channels, recipient)
}

async function recipientChannelAmong(db: Db, plugin: ChannelPlugin, channels: Channel[], recipient: string): Promise<Channel | null> {
  const takesReplies = new Set<string>()
  let conversationId: string | null = null
  for (const candidate of channels) {
    const taken = plugin.emailRouting!.recipient(candidate.settings, recipient)
    if (taken?.kind === 'address') return candidate
    if (taken?.kind === 'conversation') {
      takesReplies.add(candidate.id)
      conversationId = taken.conversationId
    }
  }
  if (!conversationId) return null
  const [conversation] = await db.select({ channelId: conversations.channelId }).from(conversations).where(eq(conversations.id, conversationId)).limit(1)
  return channels.find((candidate) => candidate.id === conversation?.channelId && takesReplies.has(candidate.id)) ?? null
}

async function readRaw(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/**
 * Live updates after the message is committed need not hold up the delivery: with an execution
 * context they finish in the background (a failure there is logged by the pipeline, never lost
 * mail). The thread's room hears at once; the inbox's list update is shared with the deliveries
 * around it (`queueListUpdate`).
 */
function backgroundNotifier(env: Bindings, ctx?: Pick<ExecutionContext, 'waitUntil'>): Notifier {
  const direct = durableObjectNotifier(env)
  if (!ctx) return direct
  const later = (work: Promise<unknown>) => ctx.waitUntil(work.catch((error) => console.error('live update failed', String(error))))
  return {
    async messageAdded(event) {
      later(
        (async () => {
          // The room first: the list row rendered next must already count the message as read
          // by whoever has the thread open.
          await tellRoom(env, event)
          await queueListUpdate(env, event)
        })(),
      )
    },
    async conversationChanged(event) {
      later(queueListUpdate(env, event))
    },
    async messageReplaced(event) {
      later(redrawInRoom(env, event))
    },
  }
}

/**
 * The Email Worker entry: the raw message goes to R2 before anything is filed (parsing runs
 * meanwhile and never throws), then the pipeline files what the email plugin made of it. Only an
 * unknown recipient is rejected.
 */
export async function handleInboundEmail(message: ForwardableEmailMessage, env: Bindings, ctx?: Pick<ExecutionContext, 'waitUntil'>): Promise<void> {
  const db = createDb(env)
  const channel = await findRecipientChannel(db, message.to)
  if (!channel) {
    message.setReject(`No inbox receives mail for ${message.to}`)
    return
  }
  // A disabled channel keeps its address (and its history) but takes nothing in until enabled again.
  if (channel.status !== 'active') {
    message.setReject(`${message.to} does not take mail at the moment`)
    return
  }
  const raw = await readRaw(message.raw)
  const rawKey = `${channel.accountId}/raw/${new Date().toISOString().slice(0, 10)}/${newId()}.eml`
  const plugin = findPlugin(channel.pluginId)!
  const channelContext = channelContextOf(channel, env)
  const [, inbound] = await Promise.all([
    hostOf(env).blobs.put(rawKey, raw, { httpMetadata: { contentType: 'message/rfc822' } }),
    plugin.parse({ type: 'raw', raw, envelope: { from: message.from, to: message.to }, rawKey }, channelContext),
  ])
  const deps = { db, notifier: backgroundNotifier(env, ctx), blobs: hostOf(env).blobs }
  for (const item of inbound) await ingestInbound(deps, channelContext.channel, item)
}
