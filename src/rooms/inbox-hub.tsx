import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../env'
import { createDb } from '../db/client'
import { countViews, listConversations } from '../services/conversations'
import { builtInViews, defaultViewId, findView } from '../services/views'
import { ConversationRowItem, ViewCount } from '../../templates/inbox'
import { renderHtml } from '../lib/render'
import { agentIdentity, closeCodeFor, identityHeader, parseAgentFrame, sendSafely, type AgentIdentity } from './protocol'

interface SocketState extends AgentIdentity {
  inboxId: string
  viewId: string
}

/**
 * One per inbox. Agents on the conversation list subscribe; when a conversation changes, each
 * subscriber gets that row re-rendered for its own view (moved to the top, or removed when it no
 * longer fits) and fresh view counts. The row is rendered from the same query as the list, so a
 * live update can never disagree with a reload.
 */
export class InboxHub extends DurableObject<Bindings> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade') !== 'websocket') return new Response('Expected a WebSocket', { status: 426 })
    const url = new URL(request.url)
    const identity = agentIdentity.safeParse(JSON.parse(request.headers.get(identityHeader) ?? 'null'))
    const inboxId = url.searchParams.get('inbox')
    if (!identity.success || !inboxId) return new Response('Bad identity', { status: 400 })
    const viewId = findView(url.searchParams.get('view') ?? '')?.id ?? defaultViewId
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server, ['agent', `user:${identity.data.userId}`])
    server.serializeAttachment({ ...identity.data, inboxId, viewId } satisfies SocketState)
    return new Response(null, { status: 101, webSocket: client })
  }

  /** Called after a conversation's row may have changed (a message, a status, an owner). */
  async conversationChanged(event: { accountId: string; inboxId: string; conversationId: string }): Promise<void> {
    const sockets = this.ctx.getWebSockets('agent')
    if (sockets.length === 0) return
    const db = createDb(this.env)
    // Sockets of the same agent on the same view get the same fragment: render it once.
    const fragments = new Map<string, Promise<string>>()
    for (const socket of sockets) {
      const state = socket.deserializeAttachment() as SocketState
      if (state.accountId !== event.accountId || state.inboxId !== event.inboxId) continue
      const key = `${state.userId}\u0000${state.viewId}`
      let fragment = fragments.get(key)
      if (!fragment) {
        fragment = this.#renderUpdate(db, state, event.conversationId)
        fragments.set(key, fragment)
      }
      sendSafely(socket, await fragment)
    }
  }

  async #renderUpdate(db: ReturnType<typeof createDb>, state: SocketState, conversationId: string): Promise<string> {
    const view = findView(state.viewId)!
    const query = { accountId: state.accountId, inboxId: state.inboxId, userId: state.userId }
    const [{ rows }, counts] = await Promise.all([
      listConversations(db, { ...query, view, conversationId }),
      countViews(db, query),
    ])
    const row = rows[0]
    return renderHtml(
      <>
        <div id={`conv-row-${conversationId}`} hx-swap-oob="delete"></div>
        {row && (
          <div hx-swap-oob="afterbegin:#conversation-rows">
            <ConversationRowItem row={row} inboxId={state.inboxId} viewId={state.viewId} />
          </div>
        )}
        {builtInViews.map((v) => (
          <ViewCount viewId={v.id} count={counts[v.id] ?? 0} oob />
        ))}
      </>,
    )
  }

  override async webSocketMessage(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const frame = parseAgentFrame(data)
    if (!frame) sendSafely(socket, JSON.stringify({ type: 'error', message: 'Malformed frame' }))
    else if (frame.type === 'ping') sendSafely(socket, JSON.stringify({ type: 'pong' }))
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    try {
      socket.close(closeCodeFor(code), 'closing')
    } catch {
      // Already closed.
    }
  }
}
