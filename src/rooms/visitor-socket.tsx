import { getConversation } from '../services/conversations'
import { listMessages } from '../services/messages'
import { answerSurvey, pendingWidgetSurvey } from '../services/feedback'
import { t } from '../i18n'
import { TypingIndicator } from '../../templates/inbox'
import { headerJson, renderIn, sendSafely } from './protocol'
import { parseVisitorFrame, visitorHeader, visitorIdentity, type VisitorMessage } from './visitor-protocol'
import { forVisitor, surveyFrame } from './visitor-view'
import { loadBudget, visitorMessage } from './visitor-messages'
import { stateOf, type AgentState, type Room, type VisitorState } from './room'

export async function acceptVisitor(room: Room, request: Request, resumeFrom: number | null): Promise<Response> {
  const identity = visitorIdentity.safeParse(headerJson(request, visitorHeader))
  if (!identity.success) return new Response('Bad identity', { status: 400 })
  const { 0: client, 1: server } = new WebSocketPair()
  const state: VisitorState = { ...identity.data, kind: 'visitor' }
  room.ctx.acceptWebSocket(server, ['visitor', `visitor:${state.visitorId}`])
  server.serializeAttachment(state)
  loadBudget(room, state.visitorId)
  const history = await listMessages(room.db(), state.accountId, state.conversationId, { afterSeq: resumeFrom ?? 0 })
  // A conversation another visitor owns is never shown (ids come from our own signed token,
  // but the check costs nothing).
  const own = history.length === 0 || (await belongsTo(room, state))
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
  const survey = await pendingWidgetSurvey(room.db(), state.accountId, state.conversationId)
  if (survey && (history.length > 0 ? own : await belongsTo(room, state))) sendSafely(server, surveyFrame(survey, state.locale))
  return new Response(null, { status: 101, webSocket: client })
}

async function belongsTo(room: Room, state: VisitorState) {
  const detail = await getConversation(room.db(), state.accountId, state.conversationId)
  return detail?.conversation.externalKey === state.visitorId && detail.conversation.channelId === state.channelId
}

export async function visitorFrame(room: Room, socket: WebSocket, state: VisitorState, data: string | ArrayBuffer) {
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
    for (const agent of room.ctx.getWebSockets('agent')) {
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
      room.db(),
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
    const turn = room.visitorQueue.then(() => visitorMessage(room, socket, stateOf(socket) as VisitorState, frame.clientId, frame.text))
    room.visitorQueue = turn.catch(() => undefined)
    await turn
  }
}
