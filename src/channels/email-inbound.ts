import { eq } from 'drizzle-orm'
import type { Bindings } from '../env'
import { createDb, type Db } from '../db/client'
import { conversations } from '../db/schema'
import { newId } from '../lib/ids'
import { normalizeEmail } from '../lib/text'
import { queueListUpdate } from '../rooms/list-updates'
import { durableObjectNotifier, tellRoom } from '../rooms/notifier'
import { channelsOfPlugin, type Channel } from '../services/inboxes'
import { conversationIdFromReplyAddress } from './email-threading'
import { findPlugin } from './registry'
import { ingestInbound, type Notifier } from './pipeline'
import { channelContextOf } from './context'

/** The address an email channel answers to, with plus-addressing (support+tag@) folded away. */
export function baseAddress(address: string): string {
  const normalized = normalizeEmail(address)
  const at = normalized.lastIndexOf('@')
  const local = normalized.slice(0, at).split('+')[0]
  return `${local}${normalized.slice(at)}`
}

function addressesOf(channel: Channel): string[] {
  const addresses = channel.settings.addresses
  return Array.isArray(addresses) ? addresses.filter((address): address is string => typeof address === 'string') : []
}

/**
 * The email channel that receives mail for `recipient`: the one listing the address (or an alias,
 * or a plus-variant of either), else, for our `reply+<conversation>@` addresses, the channel of
 * that conversation when it receives mail at the same domain.
 */
export async function findRecipientChannel(db: Db, recipient: string): Promise<Channel | null> {
  const { channels, cached } = await channelsOfPlugin(db, 'email')
  const found = await recipientChannelAmong(db, channels, recipient)
  // Not in the list this isolate remembers: perhaps a channel added a moment ago.
  if (found || !cached) return found
  return recipientChannelAmong(db, (await channelsOfPlugin(db, 'email', { fresh: true })).channels, recipient)
}

async function recipientChannelAmong(db: Db, channels: Channel[], recipient: string): Promise<Channel | null> {
  const base = baseAddress(recipient)
  const owner = channels.find((candidate) => addressesOf(candidate).some((address) => baseAddress(address) === base))
  if (owner) return owner
  const conversationId = conversationIdFromReplyAddress(recipient)
  if (!conversationId) return null
  const [conversation] = await db
    .select({ channelId: conversations.channelId })
    .from(conversations)
    .where(eq(conversations.id, conversationId))
    .limit(1)
  const channel = channels.find((candidate) => candidate.id === conversation?.channelId)
  const domain = base.slice(base.lastIndexOf('@'))
  return channel && addressesOf(channel).some((address) => normalizeEmail(address).endsWith(domain)) ? channel : null
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
  }
}

/**
 * The Email Worker entry: the raw message goes to R2 before anything is filed (parsing runs
 * meanwhile and never throws), then the pipeline files what the email plugin made of it. Only an
 * unknown recipient is rejected.
 */
export async function handleInboundEmail(
  message: ForwardableEmailMessage,
  env: Bindings,
  ctx?: Pick<ExecutionContext, 'waitUntil'>,
): Promise<void> {
  const db = createDb(env)
  const channel = await findRecipientChannel(db, message.to)
  if (!channel) {
    message.setReject(`No inbox receives mail for ${message.to}`)
    return
  }
  const raw = await readRaw(message.raw)
  const rawKey = `${channel.accountId}/raw/${new Date().toISOString().slice(0, 10)}/${newId()}.eml`
  const plugin = findPlugin('email')!
  const channelContext = channelContextOf(channel, env)
  const [, inbound] = await Promise.all([
    env.ATTACHMENTS.put(rawKey, raw, { httpMetadata: { contentType: 'message/rfc822' } }),
    plugin.parse({ type: 'email', raw, envelopeFrom: message.from, envelopeTo: message.to, rawKey }, channelContext),
  ])
  const deps = { db, notifier: backgroundNotifier(env, ctx), blobs: env.ATTACHMENTS }
  for (const item of inbound) await ingestInbound(deps, channelContext.channel, item)
}
