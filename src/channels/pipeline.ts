import { normalizePhone } from '../lib/phone'
import { ingestInOneBatch } from './pipeline-batch'
import { ingestStepByStep } from './pipeline-careful'
import { notifySafely, type IngestResult, type PipelineDeps } from './pipeline-deps'
import type { ChannelRecord, InboundMessage } from './types'

export { isE164, notifySafely } from './pipeline-deps'
export type { BlobStore, IngestResult, LiveEvent, Notifier, PipelineDeps } from './pipeline-deps'
export { subjectThreadingWindowDays } from './pipeline-threading'

/**
 * The one way an inbound message enters Switchboard: normalize → contact → thread → persist →
 * index (FTS triggers, in the same transaction) → notify the live layer. Idempotent on the
 * message's external id: a repeated delivery returns the stored message and writes nothing.
 */
export async function ingestInbound(deps: PipelineDeps, channel: ChannelRecord, message: InboundMessage, nowMs = Date.now()): Promise<IngestResult> {
  message = withSenderPhoneNormalised(message)
  const fast = await ingestInOneBatch(deps, channel, message, nowMs)
  if (fast.status !== 'unsettled') {
    await notifySafely(deps.notifier, {
      accountId: channel.accountId,
      inboxId: channel.inboxId,
      conversationId: fast.conversationId,
      messageId: fast.messageId,
      startedConversation: fast.status === 'created' && !message.thread?.createAs,
      watched: fast.watched,
    })
    return fast
  }
  return ingestStepByStep(deps, channel, message, nowMs, fast.storedAttachments)
}

/**
 * The sender's phone in E.164, however the channel wrote it ("+47 912 34 567", "0047…"), so the
 * same number is one contact across channels. A number that cannot be read is kept as written
 * (trimmed) and matches nothing.
 */
function withSenderPhoneNormalised(message: InboundMessage): InboundMessage {
  const raw = message.from.phone?.trim()
  if (!raw) return message
  const phone = normalizePhone(raw) ?? raw.slice(0, 64)
  return phone === message.from.phone ? message : { ...message, from: { ...message.from, phone } }
}
