import { findPlugin } from '../channels/registry'
import { ingestInbound } from '../channels/pipeline'
import { appendToOpenConversation, startLiveConversation } from '../channels/live-conversation'
import type { ChannelRecord, InboundMessage } from '../channels/types'
import { channelContextOf } from '../channels/context'
import { getChannelById } from '../services/inboxes'
import { continueChatflow } from '../services/chatflows'
import { getMessage } from '../services/messages'
import { t } from '../i18n'
import { hostOf } from '../host'
import { sendSafely } from './protocol'
import type { VisitorIdentityHeader } from './visitor-protocol'
import { takeToken, visitorBurst, type Bucket } from './rate-limit'
import { queueListUpdate } from './list-updates'
import { broadcast, roomNotifier } from './push'
import { stateOf, type ChannelState, type Room, type VisitorState } from './room'

/** How long a room trusts what it read of its channel (its settings, whether it is disabled). */
const channelRecheckMs = 60_000

/** The channel was disabled or removed after the visitor's socket opened. */
class ChannelClosedError extends Error {}

function channelState(room: Room, channel: ChannelRecord): Promise<ChannelState> {
  const cached = room.channels.get(channel.id)
  if (cached && Date.now() - cached.at < channelRecheckMs) return cached.read
  const read = getChannelById(room.db(), channel.id).then((row) => (row ? { context: channelContextOf(row, room.env), open: row.status === 'active' } : null))
  // A failed read is not remembered: the next message asks again.
  read.catch(() => room.channels.delete(channel.id))
  room.channels.set(channel.id, { read, at: Date.now() })
  return read
}

/**
 * A visitor's message or file as the channel's plugin makes it (its `parse`, with an `event`
 * input): the room never builds a channel's messages itself.
 */
async function parseVisitorEvent(room: Room, channel: ChannelRecord, payload: Record<string, unknown>): Promise<InboundMessage | null> {
  const plugin = findPlugin(channel.pluginId)
  const state = plugin ? await channelState(room, channel) : null
  if (!plugin || !state) return null
  if (!state.open) throw new ChannelClosedError()
  const [inbound] = await plugin.parse({ type: 'event', payload }, state.context)
  return inbound ?? null
}

/**
 * Takes one message from the visitor's budget: one per visitor, whatever the number of their
 * sockets. Once half the burst is spent every take is also written to the room's own storage,
 * so an eviction cannot refill a budget that matters; above that the visitor writes at a human
 * pace and nothing is written (a storage write per message cost the chat bench ~5× its median
 * latency). A stored bucket older than the one in memory only ever gives back what was spent
 * above half, since it refills by the time elapsed.
 */
function takeBudget(room: Room, visitorId: string, nowMs: number) {
  const key = `budget:${visitorId}`
  const limited = takeToken(loadBudget(room, visitorId), nowMs)
  room.budgets.set(visitorId, limited.bucket)
  if (limited.bucket.tokens < visitorBurst / 2) room.ctx.storage.kv.put(key, limited.bucket)
  return limited
}

/**
 * The visitor's budget, from memory or else from the room's storage. Called when their socket
 * joins too: the room's first storage access opens its database (~0.4 s locally under load),
 * which belongs to connecting, not to the ack of their first message.
 */
export function loadBudget(room: Room, visitorId: string): Bucket | undefined {
  let bucket = room.budgets.get(visitorId)
  if (!bucket) {
    bucket = room.ctx.storage.kv.get<Bucket>(`budget:${visitorId}`)
    if (bucket) room.budgets.set(visitorId, bucket)
  }
  return bucket
}

export async function visitorMessage(room: Room, socket: WebSocket, state: VisitorState, clientId: string, text: string) {
  const nowMs = Date.now()
  const limited = takeBudget(room, state.visitorId, nowMs)
  if (!limited.allowed) {
    sendSafely(
      socket,
      JSON.stringify({
        type: 'error',
        clientId,
        code: 'rate_limited',
        retryAfterMs: limited.retryAfterMs,
        message: t('widget.too_fast', undefined, state.locale),
      }),
    )
    return
  }
  const channelLimit = await hostOf(room.env).limiters.chatChannel.limit({ key: state.channelId })
  if (!channelLimit.success) {
    sendSafely(
      socket,
      JSON.stringify({ type: 'error', clientId, code: 'rate_limited', retryAfterMs: 10_000, message: t('widget.busy', undefined, state.locale) }),
    )
    return
  }
  const db = room.db()
  const channel = { id: state.channelId, accountId: state.accountId, inboxId: state.inboxId, pluginId: state.pluginId, name: state.channelName }
  let inbound: InboundMessage | null
  try {
    inbound = await parseVisitorEvent(room, channel, {
      visitorId: state.visitorId,
      sessionKey: state.visitorId,
      clientMessageId: clientId,
      name: state.name,
      email: state.email,
      text,
      locale: state.locale,
    })
  } catch (error) {
    if (!(error instanceof ChannelClosedError)) throw error
    // Disabled or removed since this socket opened: the visitor is told, the message stays in
    // the widget's outbox, and the socket closes (a new one is refused until the channel is back).
    sendSafely(
      socket,
      JSON.stringify({ type: 'error', clientId, code: 'channel_closed', retryAfterMs: 60_000, message: t('widget.channel_closed', undefined, state.locale) }),
    )
    socket.close(1008, 'channel closed')
    return
  }
  if (!inbound) return
  let stored: { seq: number; id: number; duplicate: boolean }
  const deferAssignment = Boolean(state.chatflow)
  // The same visitor in another tab may have started the conversation already: their contact is known here.
  if (!state.contactId) {
    // The tag holds this visitor's sockets only, and a room is one conversation.
    const contactId = room.ctx
      .getWebSockets(`visitor:${state.visitorId}`)
      .map((other) => (stateOf(other) as VisitorState).contactId)
      .find(Boolean)
    if (contactId) {
      state.contactId = contactId
      socket.serializeAttachment({ ...(stateOf(socket) as VisitorState), contactId } satisfies VisitorState)
    }
  }
  // A visitor's first message usually starts the conversation: one batch does it all.
  const started = state.contactId
    ? null
    : await startLiveConversation(
        db,
        channel,
        { conversationId: state.conversationId, senderId: state.visitorId, message: { ...inbound, deferAssignment } },
        nowMs,
      )
  if (started?.status === 'known') {
    state.contactId = started.contactId
    socket.serializeAttachment({ ...(stateOf(socket) as VisitorState), contactId: started.contactId } satisfies VisitorState)
  }
  if (started?.status === 'started') {
    socket.serializeAttachment({ ...(stateOf(socket) as VisitorState), contactId: started.contactId } satisfies VisitorState)
    await broadcast(room, { ...started.message, authorUserName: null, channelPluginId: state.pluginId })
    room.ctx.waitUntil(tellHub(room, state))
    sendSafely(socket, JSON.stringify({ type: 'ack', clientId, seq: started.message.seq, id: started.message.id, duplicate: false }))
    if (state.chatflow) await runChatflow(room, socket, channel, text, true, nowMs)
    return
  }
  const fast = state.contactId
    ? await appendToOpenConversation(
        db,
        channel,
        { conversationId: state.conversationId, contactId: state.contactId, authorName: state.name ?? null },
        inbound,
        nowMs,
      ).catch(
        // The conversation went away (deleted forever): start again through the full pipeline.
        () => null,
      )
    : null
  if (fast) {
    // Known visitor, open conversation: one transaction, then broadcast the row as stored.
    const result = fast
    if (result.status === 'appended') {
      await broadcast(room, { ...result.message, authorUserName: null, channelPluginId: state.pluginId })
      room.ctx.waitUntil(tellHub(room, state))
    }
    stored = { seq: result.message.seq, id: result.message.id, duplicate: result.status === 'duplicate' }
  } else {
    const result = await ingestInbound(
      { db, notifier: roomNotifier(room), blobs: hostOf(room.env).blobs },
      channel,
      { ...inbound, deferAssignment, thread: { key: state.visitorId, createAs: state.conversationId } },
      nowMs,
    )
    if ('contactId' in result) socket.serializeAttachment({ ...(stateOf(socket) as VisitorState), contactId: result.contactId } satisfies VisitorState)
    const row = await getMessage(db, state.accountId, result.messageId)
    stored = { seq: row?.seq ?? 0, id: result.messageId, duplicate: result.status === 'duplicate' }
  }
  // Persisted first, then acknowledged: an ack always means the message is safe.
  sendSafely(socket, JSON.stringify({ type: 'ack', clientId, seq: stored.seq, id: stored.id, duplicate: stored.duplicate }))
  if (!stored.duplicate && state.chatflow) await runChatflow(room, socket, channel, text, stored.seq === 1, nowMs)
}

/** Lets the channel's bot answer; its replies are stored, then broadcast like any message. */
async function runChatflow(room: Room, socket: WebSocket, channel: ChannelRecord, text: string, isNewConversation: boolean, nowMs: number) {
  const state = stateOf(socket) as VisitorState
  if (!state.contactId) return
  const db = room.db()
  const turn = await continueChatflow(
    db,
    { channel, flowId: state.chatflow, conversationId: state.conversationId, contactId: state.contactId, visitorText: text, isNewConversation },
    nowMs,
  )
  for (const reply of turn.replies) await broadcast(room, { ...reply, authorUserName: null, channelPluginId: state.pluginId })
  if (turn.replies.length > 0 || turn.handedOff) room.ctx.waitUntil(tellHub(room, state))
}

function tellHub(room: Room, state: VisitorState) {
  // Shared with the other rooms and deliveries of this isolate for a few milliseconds.
  return queueListUpdate(room.env, state).catch((error) => console.error('live update failed', String(error)))
}

export interface VisitorUpload {
  visitor: VisitorIdentityHeader
  clientId: string
  text: string
  file: { filename: string; contentType: string; bytes: ArrayBuffer }
}

export type VisitorUploaded = { id: number; seq: number; duplicate: boolean } | { rateLimited: true; retryAfterMs: number }

/**
 * A file a visitor sent through the widget (the worker checked origin, token and size). Goes
 * through the full pipeline, which stores the bytes in R2 before the message that lists them.
 */
export async function visitorUpload(room: Room, input: VisitorUpload): Promise<VisitorUploaded> {
  const visitor = input.visitor
  // A file counts as a message against the visitor's one budget.
  const limited = takeBudget(room, visitor.visitorId, Date.now())
  if (!limited.allowed) return { rateLimited: true, retryAfterMs: limited.retryAfterMs }
  const channel = { id: visitor.channelId, accountId: visitor.accountId, inboxId: visitor.inboxId, pluginId: visitor.pluginId, name: visitor.channelName }
  const text = input.text.trim() || `Sent a file: ${input.file.filename}`
  const run = async () => {
    const db = room.db()
    const inbound = await parseVisitorEvent(room, channel, {
      visitorId: visitor.visitorId,
      sessionKey: visitor.visitorId,
      clientMessageId: input.clientId,
      text,
      locale: visitor.locale,
      file: { filename: input.file.filename, contentType: input.file.contentType, content: new Uint8Array(input.file.bytes) },
    })
    if (!inbound) throw new Error('The channel did not take the file.')
    const result = await ingestInbound({ db, notifier: roomNotifier(room), blobs: hostOf(room.env).blobs }, channel, {
      ...inbound,
      thread: { ...inbound.thread, createAs: visitor.conversationId },
    })
    const row = await getMessage(db, visitor.accountId, result.messageId)
    return { id: result.messageId, seq: row?.seq ?? 0, duplicate: result.status === 'duplicate' }
  }
  // Same queue as socket messages: a file and the text typed around it keep their order.
  const turn = room.visitorQueue.then(run)
  room.visitorQueue = turn.then(
    () => undefined,
    () => undefined,
  )
  return turn
}
