import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../env'
import { createDb, type Db } from '../db/client'
import { countViews, listConversations, type ConversationRow } from '../services/conversations'
import { parseFilters, type ListFilters } from '../services/filters'
import { builtInViews, defaultViewId, findView } from '../services/views'
import { ConversationRowItem, ListCount, ViewCount } from '../../templates/inbox'
import { agentIdentity, answerClose, headerJson, identityHeader, parseAgentFrame, renderIn, sendSafely, type AgentIdentity } from './protocol'

interface SocketState extends AgentIdentity {
  inboxId: string
  viewId: string
  /** The list's filters as the URL carried them, so updates respect them. */
  filterQuery: string
}

const maxIdsPerUpdate = 80

/**
 * One per inbox. Agents on the conversation list subscribe; when conversations change, each
 * subscriber gets those rows re-rendered for its own view and filters (moved to the top, replaced
 * in place, or removed when they no longer fit) and fresh view counts. Rows come from the same
 * query as the list, so a live update can never disagree with a reload.
 */
export class InboxHub extends DurableObject<Bindings> {
  /** One query builder for the object's life (its bindings do not change). */
  #database: Db | undefined

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade') !== 'websocket') return new Response('Expected a WebSocket', { status: 426 })
    const url = new URL(request.url)
    const identity = agentIdentity.safeParse(headerJson(request, identityHeader))
    const inboxId = url.searchParams.get('inbox')
    if (!identity.success || !inboxId) return new Response('Bad identity', { status: 400 })
    const viewId = findView(url.searchParams.get('view') ?? '')?.id ?? defaultViewId
    const filterQuery = (url.searchParams.get('filters') ?? '').slice(0, 2000)
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server, ['agent', `user:${identity.data.userId}`])
    server.serializeAttachment({ ...identity.data, inboxId, viewId, filterQuery } satisfies SocketState)
    return new Response(null, { status: 101, webSocket: client })
  }

  /** Called after a conversation's row may have changed (a message, a status, an owner). */
  async conversationChanged(event: { accountId: string; inboxId: string; conversationId: string }): Promise<void> {
    await this.conversationsChanged({ accountId: event.accountId, inboxId: event.inboxId, conversationIds: [event.conversationId] })
  }

  /** Several at once (a bulk action): one query per subscriber, not one per conversation. */
  async conversationsChanged(event: { accountId: string; inboxId: string; conversationIds: string[] }): Promise<void> {
    const sockets = this.ctx.getWebSockets('agent')
    if (sockets.length === 0 || event.conversationIds.length === 0) return
    this.#database ??= createDb(this.env)
    const db = this.#database
    // Sockets of the same agent on the same list get the same fragment: render it once (in the
    // agent's language, which is part of the key should it change between two sockets).
    const fragments = new Map<string, Promise<string>>()
    for (const socket of sockets) {
      const state = socket.deserializeAttachment() as SocketState
      if (state.accountId !== event.accountId || state.inboxId !== event.inboxId) continue
      const key = [state.userId, state.locale, state.viewId, state.filterQuery].join('\u0000')
      let fragment = fragments.get(key)
      if (!fragment) {
        fragment = this.#renderUpdate(db, state, event.conversationIds)
        fragments.set(key, fragment)
      }
      sendSafely(socket, await fragment)
    }
  }

  /**
   * A fragment for one agent only (their notification bell): sent to that user's sockets on this
   * hub, in the same account, and nobody else's. Returns how many sockets got it.
   */
  async pushToUser(event: { accountId: string; userId: string; html: string }): Promise<number> {
    let sent = 0
    for (const socket of this.ctx.getWebSockets(`user:${event.userId}`)) {
      const state = socket.deserializeAttachment() as SocketState
      if (state.accountId !== event.accountId || state.userId !== event.userId) continue
      sendSafely(socket, event.html)
      sent++
    }
    return sent
  }

  async #renderUpdate(db: Db, state: SocketState, conversationIds: string[]): Promise<string> {
    const view = findView(state.viewId)!
    const parsed = parseFilters(Object.fromEntries(new URLSearchParams(state.filterQuery)))
    const filters: ListFilters = parsed.ok ? parsed.filters : {}
    const query = { accountId: state.accountId, inboxId: state.inboxId, userId: state.userId }
    const rows: ConversationRow[] = []
    for (let index = 0; index < conversationIds.length; index += maxIdsPerUpdate) {
      const part = conversationIds.slice(index, index + maxIdsPerUpdate)
      rows.push(...(await listConversations(db, { ...query, view, filters, conversationIds: part, limit: part.length })).rows)
    }
    const counts = await countViews(db, query)
    const present = new Set(rows.map((row) => row.id))
    // Newest-first lists move a changed row to the top; other orders keep its place.
    const moveToTop = (filters.sort ?? (filters.q ? 'relevance' : 'newest')) === 'newest'
    const rowHref = { inboxId: state.inboxId, viewId: state.viewId, filterQuery: state.filterQuery }
    return renderIn(state.locale, () => (
      <>
        {conversationIds
          .filter((id) => moveToTop || !present.has(id))
          .map((id) => (
            <div id={`conv-row-${id}`} hx-swap-oob="delete"></div>
          ))}
        {moveToTop && rows.length > 0 && (
          <div hx-swap-oob="afterbegin:#conversation-rows">
            {rows.map((row) => (
              <ConversationRowItem row={row} {...rowHref} />
            ))}
          </div>
        )}
        {!moveToTop &&
          // The row itself carries the oob marker: a wrapper would be swapped into the list with it.
          rows.map((row) => <ConversationRowItem row={row} {...rowHref} oob />)}
        {builtInViews.map((v) => (
          <ViewCount viewId={v.id} count={counts[v.id] ?? 0} oob />
        ))}
        {/* The list's own header count, which an unfiltered list shows beside its title. */}
        {!state.filterQuery && <ListCount viewId={state.viewId} count={counts[state.viewId] ?? 0} oob />}
      </>
    ))
  }

  override async webSocketMessage(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const frame = parseAgentFrame(data)
    if (!frame) sendSafely(socket, JSON.stringify({ type: 'error', message: 'Malformed frame' }))
    else if (frame.type === 'ping') sendSafely(socket, JSON.stringify({ type: 'pong' }))
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    answerClose(socket, code)
  }
}
