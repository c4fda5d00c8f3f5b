import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../env'
import { findPlugin } from '../channels/registry'
import { ingestInbound } from '../channels/pipeline'
import { appendToOpenConversation, startLiveConversation } from '../channels/live-conversation'
import type { ChannelRecord, InboundMessage } from '../channels/types'
import { channelContextOf } from '../channels/context'
import { getChannelById } from '../services/inboxes'
import { continueChatflow } from '../services/chatflows'
import { getConversation } from '../services/conversations'
import { getMessage, listMessages } from '../services/messages'
import { answerSurvey, pendingWidgetSurvey, type WidgetSurvey } from '../services/feedback'
import { TypingIndicator } from '../../templates/inbox'
import { t } from '../i18n'
import { answerClose, renderIn, sendSafely } from './protocol'
import { parseVisitorFrame, visitorHeader, visitorIdentity, type VisitorIdentityHeader, type VisitorMessage } from './visitor-protocol'
import { openRoom, stateOf, type AgentState, type ChannelState, type Room, type VisitorState } from './room'
import { acceptAgent, agentFrame, agentLeft } from './agent-socket'
import { broadcast, conversationUpdated, messageAdded, messageReplaced, roomNotifier } from './push'
import { forVisitor, surveyFrame } from './visitor-view'
import { takeToken, visitorBurst, type Bucket } from './rate-limit'
import { queueListUpdate } from './list-updates'
import { hostOf } from '../host'

/** How long a room trusts what it read of its channel (its settings, whether it is disabled). */
const channelRecheckMs = 60_000

/** The channel was disabled or removed after the visitor's socket opened. */
class ChannelClosedError extends Error {}

/**
 * One per conversation. Holds the live sockets of the agents on the thread and of the visitor
 * (chat), and pushes each new message: HTML fragments to agents, JSON to the visitor. The database
 * stays the source of truth: a message is acknowledged and broadcast only after it was committed,
 * and a reconnecting client catches up from the database by sequence number, so nothing held in
 * memory here can be lost by hibernation or eviction.
 */
export class ConversationRoom extends DurableObject<Bindings> {
  readonly #room: Room = openRoom(this.ctx, this.env)

  #channelState(channel: ChannelRecord): Promise<ChannelState> {
    const cached = this.#room.channels.get(channel.id)
    if (cached && Date.now() - cached.at < channelRecheckMs) return cached.read
    const read = getChannelById(this.#room.db(), channel.id).then((row) =>
      row ? { context: channelContextOf(row, this.env), open: row.status === 'active' } : null,
    )
    // A failed read is not remembered: the next message asks again.
    read.catch(() => this.#room.channels.delete(channel.id))
    this.#room.channels.set(channel.id, { read, at: Date.now() })
    return read
  }

  /**
   * A visitor's message or file as the channel's plugin makes it (its `parse`, with an `event`
   * input): the room never builds a channel's messages itself.
   */
  async #parseVisitorEvent(channel: ChannelRecord, payload: Record<string, unknown>): Promise<InboundMessage | null> {
    const plugin = findPlugin(channel.pluginId)
    const state = plugin ? await this.#channelState(channel) : null
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
  #takeBudget(visitorId: string, nowMs: number) {
    const key = `budget:${visitorId}`
    const limited = takeToken(this.#loadBudget(visitorId), nowMs)
    this.#room.budgets.set(visitorId, limited.bucket)
    if (limited.bucket.tokens < visitorBurst / 2) this.ctx.storage.kv.put(key, limited.bucket)
    return limited
  }

  /**
   * The visitor's budget, from memory or else from the room's storage. Called when their socket
   * joins too: the room's first storage access opens its database (~0.4 s locally under load),
   * which belongs to connecting, not to the ack of their first message.
   */
  #loadBudget(visitorId: string): Bucket | undefined {
    let bucket = this.#room.budgets.get(visitorId)
    if (!bucket) {
      bucket = this.ctx.storage.kv.get<Bucket>(`budget:${visitorId}`)
      if (bucket) this.#room.budgets.set(visitorId, bucket)
    }
    return bucket
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade') !== 'websocket') return new Response('Expected a WebSocket', { status: 426 })
    const url = new URL(request.url)
    const afterSeq = Number(url.searchParams.get('after'))
    const resumeFrom = Number.isInteger(afterSeq) && afterSeq >= 0 ? afterSeq : null
    if (request.headers.has(visitorHeader)) return this.#acceptVisitor(request, resumeFrom)

    return acceptAgent(this.#room, request, url, resumeFrom)
  }

  async #acceptVisitor(request: Request, resumeFrom: number | null): Promise<Response> {
    const identity = visitorIdentity.safeParse(JSON.parse(request.headers.get(visitorHeader) ?? 'null'))
    if (!identity.success) return new Response('Bad identity', { status: 400 })
    const { 0: client, 1: server } = new WebSocketPair()
    const state: VisitorState = { ...identity.data, kind: 'visitor' }
    this.ctx.acceptWebSocket(server, ['visitor', `visitor:${state.visitorId}`])
    server.serializeAttachment(state)
    this.#loadBudget(state.visitorId)
    const history = await listMessages(this.#room.db(), state.accountId, state.conversationId, { afterSeq: resumeFrom ?? 0 })
    // A conversation another visitor owns is never shown (ids come from our own signed token,
    // but the check costs nothing).
    const own = history.length === 0 || (await this.#belongsTo(state))
    // The widget shows the chat itself: mail sent in the same conversation (a transcript, a reply
    // by email) went to the visitor's inbox, not here.
    const messages = own
      ? history
          .filter((message) => message.channelId === state.channelId)
          .map((message) => forVisitor(message, state.locale))
          .filter((message): message is VisitorMessage => message !== null)
      : []
    sendSafely(server, JSON.stringify({ type: 'history', messages, lastSeq: history[history.length - 1]?.seq ?? resumeFrom ?? 0 }))
    // A survey sent while the visitor was away is offered when they come back.
    const survey = await pendingWidgetSurvey(this.#room.db(), state.accountId, state.conversationId)
    if (survey && (history.length > 0 ? own : await this.#belongsTo(state))) sendSafely(server, surveyFrame(survey, state.locale))
    return new Response(null, { status: 101, webSocket: client })
  }

  async #belongsTo(state: VisitorState) {
    const detail = await getConversation(this.#room.db(), state.accountId, state.conversationId)
    return detail?.conversation.externalKey === state.visitorId && detail.conversation.channelId === state.channelId
  }

  /** Whether the chat's visitor has the widget open right now (a survey goes there, not by email). */
  async visitorConnected(): Promise<boolean> {
    return this.ctx.getWebSockets('visitor').length > 0
  }

  /** Shows the satisfaction survey in the visitor's widget; false when no visitor socket is open. */
  async offerSurvey(survey: WidgetSurvey): Promise<boolean> {
    const sockets = this.ctx.getWebSockets('visitor')
    for (const socket of sockets) sendSafely(socket, surveyFrame(survey, (stateOf(socket) as VisitorState).locale))
    return sockets.length > 0
  }

  /** Called after a message was committed: agents get HTML (rendered once per user, time zone and language), the visitor JSON. */
  async messageAdded(event: { accountId: string; conversationId: string; messageId: number }): Promise<void> {
    await messageAdded(this.#room, event)
  }

  /** Called after the conversation itself changed (owner, status, folder): agents get its header and recent activity. */
  async conversationUpdated(event: { accountId: string; conversationId: string }): Promise<void> {
    await conversationUpdated(this.#room, event)
  }

  /** Called after a message changed in place (hidden, shown again). */
  async messageReplaced(event: { accountId: string; conversationId: string; messageId: number }): Promise<void> {
    await messageReplaced(this.#room, event)
  }

  override async webSocketMessage(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const state = stateOf(socket)
    try {
      if (state.kind === 'visitor') await this.#visitorFrame(socket, state, data)
      else await agentFrame(this.#room, socket, state, data)
    } catch (error) {
      // Nothing a client sends may take the room down; the client hears that it failed.
      console.error('room frame failed', String(error))
      sendSafely(socket, JSON.stringify({ type: 'error', message: t('widget.failed', undefined, state.locale) }))
    }
  }

  async #visitorFrame(socket: WebSocket, state: VisitorState, data: string | ArrayBuffer) {
    const parsed = parseVisitorFrame(data)
    if (!parsed.ok) {
      sendSafely(socket, JSON.stringify({ type: 'error', message: parsed.error }))
      return
    }
    const frame = parsed.frame
    if (frame.type === 'ping') {
      sendSafely(socket, JSON.stringify({ type: 'pong' }))
    } else if (frame.type === 'typing') {
      // One rendering per language the agents on the thread read.
      const byLocale = new Map<string, Promise<string>>()
      for (const agent of this.ctx.getWebSockets('agent')) {
        const locale = (stateOf(agent) as AgentState).locale
        let html = byLocale.get(locale)
        if (!html) {
          const name = state.name
          html = renderIn(locale, () => (
            <TypingIndicator text={!frame.typing ? '' : name ? t('inbox.typing.visitor', { name }) : t('inbox.typing.the_visitor')} />
          ))
          byLocale.set(locale, html)
        }
        sendSafely(agent, await html)
      }
    } else if (frame.type === 'survey') {
      const outcome = await answerSurvey(
        this.#room.db(),
        frame.token,
        { score: frame.score, comment: frame.comment?.replace(/\r\n?/g, '\n').trim() || null },
        { conversationId: state.conversationId },
      )
      sendSafely(
        socket,
        JSON.stringify(
          outcome.status === 'saved'
            ? { type: 'survey:saved', score: frame.score }
            : { type: 'survey:error', message: t(outcome.status === 'locked' ? 'widget.survey_locked' : 'widget.survey_unavailable', undefined, state.locale) },
        ),
      )
    } else if (frame.type === 'profile') {
      socket.serializeAttachment({ ...state, name: frame.name ?? state.name, email: frame.email ?? state.email } satisfies VisitorState)
      sendSafely(socket, JSON.stringify({ type: 'profile:saved' }))
    } else {
      const turn = this.#room.visitorQueue.then(() => this.#visitorMessage(socket, stateOf(socket) as VisitorState, frame.clientId, frame.text))
      this.#room.visitorQueue = turn.catch(() => undefined)
      await turn
    }
  }

  async #visitorMessage(socket: WebSocket, state: VisitorState, clientId: string, text: string) {
    const nowMs = Date.now()
    const limited = this.#takeBudget(state.visitorId, nowMs)
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
    const channelLimit = await hostOf(this.env).limiters.chatChannel.limit({ key: state.channelId })
    if (!channelLimit.success) {
      sendSafely(
        socket,
        JSON.stringify({ type: 'error', clientId, code: 'rate_limited', retryAfterMs: 10_000, message: t('widget.busy', undefined, state.locale) }),
      )
      return
    }
    const db = this.#room.db()
    const channel = { id: state.channelId, accountId: state.accountId, inboxId: state.inboxId, pluginId: state.pluginId, name: state.channelName }
    let inbound: InboundMessage | null
    try {
      inbound = await this.#parseVisitorEvent(channel, {
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
      const contactId = this.ctx
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
      await broadcast(this.#room, { ...started.message, authorUserName: null, channelPluginId: state.pluginId })
      this.ctx.waitUntil(this.#tellHub(state))
      sendSafely(socket, JSON.stringify({ type: 'ack', clientId, seq: started.message.seq, id: started.message.id, duplicate: false }))
      if (state.chatflow) await this.#runChatflow(socket, channel, text, true, nowMs)
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
        await broadcast(this.#room, { ...result.message, authorUserName: null, channelPluginId: state.pluginId })
        this.ctx.waitUntil(this.#tellHub(state))
      }
      stored = { seq: result.message.seq, id: result.message.id, duplicate: result.status === 'duplicate' }
    } else {
      const result = await ingestInbound(
        { db, notifier: roomNotifier(this.#room), blobs: hostOf(this.env).blobs },
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
    if (!stored.duplicate && state.chatflow) await this.#runChatflow(socket, channel, text, stored.seq === 1, nowMs)
  }

  /** Lets the channel's bot answer; its replies are stored, then broadcast like any message. */
  async #runChatflow(socket: WebSocket, channel: ChannelRecord, text: string, isNewConversation: boolean, nowMs: number) {
    const state = stateOf(socket) as VisitorState
    if (!state.contactId) return
    const db = this.#room.db()
    const turn = await continueChatflow(
      db,
      { channel, flowId: state.chatflow, conversationId: state.conversationId, contactId: state.contactId, visitorText: text, isNewConversation },
      nowMs,
    )
    for (const reply of turn.replies) await broadcast(this.#room, { ...reply, authorUserName: null, channelPluginId: state.pluginId })
    if (turn.replies.length > 0 || turn.handedOff) this.ctx.waitUntil(this.#tellHub(state))
  }

  #tellHub(state: VisitorState) {
    // Shared with the other rooms and deliveries of this isolate for a few milliseconds.
    return queueListUpdate(this.env, state).catch((error) => console.error('live update failed', String(error)))
  }

  /**
   * A file a visitor sent through the widget (the worker checked origin, token and size). Goes
   * through the full pipeline, which stores the bytes in R2 before the message that lists them.
   */
  async visitorUpload(input: {
    visitor: VisitorIdentityHeader
    clientId: string
    text: string
    file: { filename: string; contentType: string; bytes: ArrayBuffer }
  }): Promise<{ id: number; seq: number; duplicate: boolean } | { rateLimited: true; retryAfterMs: number }> {
    const visitor = input.visitor
    // A file counts as a message against the visitor's one budget.
    const limited = this.#takeBudget(visitor.visitorId, Date.now())
    if (!limited.allowed) return { rateLimited: true, retryAfterMs: limited.retryAfterMs }
    const channel = { id: visitor.channelId, accountId: visitor.accountId, inboxId: visitor.inboxId, pluginId: visitor.pluginId, name: visitor.channelName }
    const text = input.text.trim() || `Sent a file: ${input.file.filename}`
    const run = async () => {
      const db = this.#room.db()
      const inbound = await this.#parseVisitorEvent(channel, {
        visitorId: visitor.visitorId,
        sessionKey: visitor.visitorId,
        clientMessageId: input.clientId,
        text,
        locale: visitor.locale,
        file: { filename: input.file.filename, contentType: input.file.contentType, content: new Uint8Array(input.file.bytes) },
      })
      if (!inbound) throw new Error('The channel did not take the file.')
      const result = await ingestInbound({ db, notifier: roomNotifier(this.#room), blobs: hostOf(this.env).blobs }, channel, {
        ...inbound,
        thread: { ...inbound.thread, createAs: visitor.conversationId },
      })
      const row = await getMessage(db, visitor.accountId, result.messageId)
      return { id: result.messageId, seq: row?.seq ?? 0, duplicate: result.status === 'duplicate' }
    }
    // Same queue as socket messages: a file and the text typed around it keep their order.
    const turn = this.#room.visitorQueue.then(run)
    this.#room.visitorQueue = turn.then(
      () => undefined,
      () => undefined,
    )
    return turn
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    answerClose(socket, code)
    await agentLeft(this.#room, socket)
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    await agentLeft(this.#room, socket)
  }
}
