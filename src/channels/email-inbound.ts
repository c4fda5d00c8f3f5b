import type { Bindings } from '../env'
import { createDb } from '../db/client'
import { newId } from '../lib/ids'
import { normalizeEmail } from '../lib/text'
import { durableObjectNotifier } from '../rooms/notifier'
import { listChannelsOfPlugin } from '../services/inboxes'
import { findPlugin } from './registry'
import { ingestInbound } from './pipeline'
import { channelContextOf } from './context'

/** The address an email channel answers to, with plus-addressing (support+tag@) folded away. */
export function baseAddress(address: string): string {
  const normalized = normalizeEmail(address)
  const at = normalized.lastIndexOf('@')
  const local = normalized.slice(0, at).split('+')[0]
  return `${local}${normalized.slice(at)}`
}

async function readRaw(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/**
 * The Email Worker entry: the raw message goes to R2 before anything can fail, then the email
 * plugin parses it and the pipeline files it. Only an unknown recipient is rejected.
 */
export async function handleInboundEmail(message: ForwardableEmailMessage, env: Bindings): Promise<void> {
  const db = createDb(env)
  const recipient = baseAddress(message.to)
  const channels = await listChannelsOfPlugin(db, 'email')
  const channel = channels.find((candidate) => {
    const addresses = (candidate.settings.addresses as string[] | undefined) ?? []
    return addresses.some((address) => baseAddress(address) === recipient)
  })
  if (!channel) {
    message.setReject(`No inbox receives mail for ${message.to}`)
    return
  }
  const raw = await readRaw(message.raw)
  const rawKey = `${channel.accountId}/raw/${new Date().toISOString().slice(0, 10)}/${newId()}.eml`
  await env.ATTACHMENTS.put(rawKey, raw, { httpMetadata: { contentType: 'message/rfc822' } })
  const plugin = findPlugin('email')!
  const ctx = channelContextOf(channel, env)
  const inbound = await plugin.parse({ type: 'email', raw, envelopeFrom: message.from, envelopeTo: message.to, rawKey }, ctx)
  const deps = { db, notifier: durableObjectNotifier(env), blobs: env.ATTACHMENTS }
  for (const item of inbound) await ingestInbound(deps, ctx.channel, item)
}
