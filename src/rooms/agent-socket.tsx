import { setConversationWatched } from '../services/conversations'
import { listMessages } from '../services/messages'
import { t } from '../i18n'
import { AppendedMessages, TypingIndicator, Viewers } from '../../templates/inbox'
import { placeFrom } from '../routes/thread-view'
import { agentIdentity, headerJson, identityHeader, parseAgentFrame, renderIn, sendSafely } from './protocol'
import { stateOf, viewerOf, type AgentState, type Room } from './room'

/** An agent opens the thread: their socket joins the room, catches up from `resumeFrom`, and everyone sees who is here. */
export async function acceptAgent(room: Room, request: Request, url: URL, resumeFrom: number | null): Promise<Response> {
  const identity = agentIdentity.safeParse(headerJson(request, identityHeader))
  const conversationId = url.searchParams.get('conversation')
  if (!identity.success || !conversationId) return new Response('Bad identity', { status: 400 })
  const { 0: client, 1: server } = new WebSocketPair()
  const inboxId = url.searchParams.get('inbox') ?? ''
  const place = placeFrom(inboxId, { view: url.searchParams.get('view'), filters: url.searchParams.get('filters') })
  const state: AgentState = { ...identity.data, kind: 'agent', conversationId, place }
  room.ctx.acceptWebSocket(server, ['agent', `user:${state.userId}`])
  server.serializeAttachment(state)
  // Flag the thread as watched before catching up: a delivery committed after the catch-up's
  // read then sees the flag in its own transaction and wakes this room.
  try {
    await syncWatched(room, state)
  } catch (error) {
    // Without the flag this agent would miss deliveries: refuse, the client reconnects.
    console.error('watched flag not set', String(error))
    server.close(1011, 'try again')
    return new Response('Live updates are unavailable; retrying.', { status: 503 })
  }
  if (resumeFrom !== null) {
    const missed = await listMessages(room.db(), state.accountId, conversationId, { afterSeq: resumeFrom })
    if (missed.length > 0) {
      sendSafely(server, await renderIn(state.locale, () => <AppendedMessages messages={missed} timeZone={state.timeZone} viewer={viewerOf(state)} />))
    }
  }
  await broadcastViewers(room)
  return new Response(null, { status: 101, webSocket: client })
}

export async function agentFrame(room: Room, socket: WebSocket, state: AgentState, data: string | ArrayBuffer) {
  const frame = parseAgentFrame(data)
  if (!frame) {
    sendSafely(socket, JSON.stringify({ type: 'error', message: 'Malformed frame' }))
    return
  }
  if (frame.type === 'ping') {
    sendSafely(socket, JSON.stringify({ type: 'pong' }))
    return
  }
  // An agent typing: the visitor sees "… is typing", the other agents see who is writing a reply.
  const firstName = state.name.split(' ')[0] ?? state.name
  for (const other of room.ctx.getWebSockets()) {
    if (other === socket) continue
    const otherState = stateOf(other)
    if (otherState.kind === 'visitor') sendSafely(other, JSON.stringify({ type: 'typing', typing: frame.typing, name: firstName }))
    else if (otherState.userId !== state.userId) {
      sendSafely(other, await renderIn(otherState.locale, () => <TypingIndicator text={frame.typing ? t('inbox.typing.agent', { name: state.name }) : ''} />))
    }
  }
}

/** A socket closed or failed: when it was an agent's, the others see them leave and the `watched` flag follows. */
export async function agentLeft(room: Room, socket: WebSocket) {
  const state = stateOf(socket)
  if (state.kind !== 'agent') return
  await broadcastViewers(room, socket)
  await syncWatched(room, state, socket).catch((error) => console.error('watched flag not cleared', String(error)))
}

/**
 * Keeps the conversation's `watched` flag true exactly while an agent socket is open here.
 * Writes run one at a time in call order and each writes what holds when it runs, so a
 * connect and a disconnect racing each other leave the flag as the sockets are; nothing is
 * written when the flag already says so.
 */
export function syncWatched(room: Room, target: { accountId: string; conversationId: string }, leaving?: WebSocket): Promise<void> {
  const run = async () => {
    const watched = room.ctx.getWebSockets('agent').some((socket) => socket !== leaving)
    if (watched === room.watchedWritten) return
    room.watchedWritten = undefined
    await setConversationWatched(room.db(), target.accountId, target.conversationId, watched)
    room.watchedWritten = watched
  }
  const turn = room.watchedSync.then(run)
  room.watchedSync = turn.catch(() => undefined)
  return turn
}

/** Tells every agent who else has the thread open (collision detection starts here). */
export async function broadcastViewers(room: Room, leaving?: WebSocket) {
  const sockets = room.ctx.getWebSockets('agent').filter((socket) => socket !== leaving)
  const states = sockets.map((socket) => stateOf(socket) as AgentState)
  for (const [index, socket] of sockets.entries()) {
    const me = states[index]!
    const others = [...new Set(states.filter((state) => state.userId !== me.userId).map((state) => state.name))]
    sendSafely(socket, await renderIn(me.locale, () => <Viewers names={others} oob />))
  }
}
