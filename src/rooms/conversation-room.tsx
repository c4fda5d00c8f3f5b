import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../env'
import { createDb } from '../db/client'
import { getConversation, markRead } from '../services/conversations'
import { getMessage, lastSeqOf, listMessages } from '../services/messages'
import { listAllUsers } from '../services/users'
import { AppendedMessages, ReplacedMessage, ThreadHeader, Viewers } from '../../templates/inbox'
import type { ThreadPlace } from '../../templates/thread-actions'
import { placeFrom } from '../routes/thread-view'
import { renderHtml } from '../lib/render'
import { agentIdentity, closeCodeFor, identityHeader, parseAgentFrame, sendSafely, type AgentIdentity } from './protocol'

interface SocketState extends AgentIdentity {
  conversationId: string
  /** The list the thread was opened from: header actions answer with the same list. */
  place: ThreadPlace
}

const viewerOf = (state: SocketState) => ({ id: state.userId, role: state.role })

/**
 * One per conversation. Holds the live sockets of everyone on the thread and pushes each new
 * message as an HTML fragment. The database stays the source of truth: a message is broadcast
 * only after it was committed, and a reconnecting client catches up from the database.
 */
export class ConversationRoom extends DurableObject<Bindings> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade') !== 'websocket') return new Response('Expected a WebSocket', { status: 426 })
    const url = new URL(request.url)
    const identity = agentIdentity.safeParse(JSON.parse(request.headers.get(identityHeader) ?? 'null'))
    const conversationId = url.searchParams.get('conversation')
    if (!identity.success || !conversationId) return new Response('Bad identity', { status: 400 })

    const { 0: client, 1: server } = new WebSocketPair()
    const inboxId = url.searchParams.get('inbox') ?? ''
    const place = placeFrom(inboxId, { view: url.searchParams.get('view'), filters: url.searchParams.get('filters') })
    const state: SocketState = { ...identity.data, conversationId, place }
    this.ctx.acceptWebSocket(server, ['agent', `user:${state.userId}`])
    server.serializeAttachment(state)

    const afterSeq = Number(url.searchParams.get('after'))
    if (Number.isInteger(afterSeq) && afterSeq >= 0) {
      const missed = await listMessages(createDb(this.env), state.accountId, conversationId, { afterSeq })
      if (missed.length > 0) {
        sendSafely(server, await renderHtml(<AppendedMessages messages={missed} timeZone={state.timeZone} viewer={viewerOf(state)} />))
      }
    }
    await this.#broadcastViewers()
    return new Response(null, { status: 101, webSocket: client })
  }

  /** Called after a message was committed: render it once per time zone and push it. */
  async messageAdded(event: { accountId: string; conversationId: string; messageId: number }): Promise<void> {
    const sockets = this.ctx.getWebSockets('agent')
    if (sockets.length === 0) return
    const message = await getMessage(createDb(this.env), event.accountId, event.messageId)
    if (!message || message.conversationId !== event.conversationId) return
    const db = createDb(this.env)
    const rendered = new Map<string, Promise<string>>()
    const readers = new Set<string>()
    for (const socket of sockets) {
      const state = socket.deserializeAttachment() as SocketState
      if (state.accountId !== event.accountId) continue
      const key = `${state.timeZone}\u0000${state.userId}`
      let html = rendered.get(key)
      if (!html) {
        html = renderHtml(<AppendedMessages messages={[message]} timeZone={state.timeZone} viewer={viewerOf(state)} />)
        rendered.set(key, html)
      }
      sendSafely(socket, await html)
      readers.add(state.userId)
    }
    // Whoever has the thread open sees the message as it arrives: it is read for them.
    await Promise.all([...readers].map((userId) => markRead(db, userId, event.conversationId, message.seq)))
  }

  /**
   * Called after the conversation itself changed (owner, status, folder): every agent gets the
   * header re-rendered for the list they came from, and the recent activity lines (the browser
   * drops the ones it already shows).
   */
  async conversationUpdated(event: { accountId: string; conversationId: string }): Promise<void> {
    const sockets = this.ctx.getWebSockets('agent')
    if (sockets.length === 0) return
    const db = createDb(this.env)
    const detail = await getConversation(db, event.accountId, event.conversationId)
    if (!detail) return
    const lastSeq = await lastSeqOf(db, event.accountId, event.conversationId)
    const [users, recent] = await Promise.all([
      listAllUsers(db, event.accountId),
      listMessages(db, event.accountId, event.conversationId, { afterSeq: Math.max(0, lastSeq - 10) }),
    ])
    for (const socket of sockets) {
      const state = socket.deserializeAttachment() as SocketState
      if (state.accountId !== event.accountId) continue
      sendSafely(
        socket,
        await renderHtml(
          <>
            <ThreadHeader detail={detail} users={users} place={state.place} version={lastSeq} oob />
            <AppendedMessages messages={recent} timeZone={state.timeZone} viewer={viewerOf(state)} />
          </>,
        ),
      )
    }
    await this.#broadcastViewers()
  }

  /** Called after a message changed in place (hidden, shown again). */
  async messageReplaced(event: { accountId: string; conversationId: string; messageId: number }): Promise<void> {
    const sockets = this.ctx.getWebSockets('agent')
    if (sockets.length === 0) return
    const message = await getMessage(createDb(this.env), event.accountId, event.messageId)
    if (!message || message.conversationId !== event.conversationId) return
    for (const socket of sockets) {
      const state = socket.deserializeAttachment() as SocketState
      if (state.accountId !== event.accountId) continue
      sendSafely(socket, await renderHtml(<ReplacedMessage message={message} timeZone={state.timeZone} viewer={viewerOf(state)} />))
    }
  }

  override async webSocketMessage(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const frame = parseAgentFrame(data)
    if (!frame) {
      sendSafely(socket, JSON.stringify({ type: 'error', message: 'Malformed frame' }))
      return
    }
    if (frame.type === 'ping') sendSafely(socket, JSON.stringify({ type: 'pong' }))
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    try {
      socket.close(closeCodeFor(code), 'closing')
    } catch {
      // Already closed.
    }
    await this.#broadcastViewers(socket)
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    await this.#broadcastViewers(socket)
  }

  /** Tells every agent who else has the thread open (collision detection starts here). */
  async #broadcastViewers(leaving?: WebSocket) {
    const sockets = this.ctx.getWebSockets('agent').filter((socket) => socket !== leaving)
    const states = sockets.map((socket) => socket.deserializeAttachment() as SocketState)
    for (const [index, socket] of sockets.entries()) {
      const me = states[index]!
      const others = [...new Set(states.filter((state) => state.userId !== me.userId).map((state) => state.name))]
      sendSafely(socket, await renderHtml(<Viewers names={others} oob />))
    }
  }
}
