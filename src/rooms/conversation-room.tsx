import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../env'
import { getConversation } from '../services/conversations'
import { listMessages } from '../services/messages'
import { answerSurvey, pendingWidgetSurvey, type WidgetSurvey } from '../services/feedback'
import { TypingIndicator } from '../../templates/inbox'
import { t } from '../i18n'
import { answerClose, renderIn, sendSafely } from './protocol'
import { parseVisitorFrame, visitorHeader, visitorIdentity, type VisitorMessage } from './visitor-protocol'
import { openRoom, stateOf, type AgentState, type Room, type VisitorState } from './room'
import { acceptAgent, agentFrame, agentLeft } from './agent-socket'
import { loadBudget, visitorMessage, visitorUpload, type VisitorUpload, type VisitorUploaded } from './visitor-messages'
import { conversationUpdated, messageAdded, messageReplaced } from './push'
import { forVisitor, surveyFrame } from './visitor-view'

/**
 * One per conversation. Holds the live sockets of the agents on the thread and of the visitor
 * (chat), and pushes each new message: HTML fragments to agents, JSON to the visitor. The database
 * stays the source of truth: a message is acknowledged and broadcast only after it was committed,
 * and a reconnecting client catches up from the database by sequence number, so nothing held in
 * memory here can be lost by hibernation or eviction.
 */
export class ConversationRoom extends DurableObject<Bindings> {
  readonly #room: Room = openRoom(this.ctx, this.env)

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
    loadBudget(this.#room, state.visitorId)
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
      const turn = this.#room.visitorQueue.then(() => visitorMessage(this.#room, socket, stateOf(socket) as VisitorState, frame.clientId, frame.text))
      this.#room.visitorQueue = turn.catch(() => undefined)
      await turn
    }
  }

  /**
   * A file a visitor sent through the widget (the worker checked origin, token and size). Goes
   * through the full pipeline, which stores the bytes in R2 before the message that lists them.
   */
  async visitorUpload(input: VisitorUpload): Promise<VisitorUploaded> {
    return visitorUpload(this.#room, input)
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    answerClose(socket, code)
    await agentLeft(this.#room, socket)
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    await agentLeft(this.#room, socket)
  }
}
