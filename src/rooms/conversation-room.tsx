import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../env'
import type { WidgetSurvey } from '../services/feedback'
import { t } from '../i18n'
import { answerClose, sendSafely } from './protocol'
import { visitorHeader } from './visitor-protocol'
import { openRoom, stateOf, type Room, type VisitorState } from './room'
import { acceptAgent, agentFrame, agentLeft } from './agent-socket'
import { acceptVisitor, visitorFrame } from './visitor-socket'
import { visitorUpload, type VisitorUpload, type VisitorUploaded } from './visitor-messages'
import { conversationUpdated, messageAdded, messageReplaced } from './push'
import { surveyFrame } from './visitor-view'

/**
 * One per conversation. Holds the live sockets of the agents on the thread and of the visitor
 * (chat), and pushes each new message: HTML fragments to agents, JSON to the visitor. The database
 * stays the source of truth: a message is acknowledged and broadcast only after it was committed,
 * and a reconnecting client catches up from the database by sequence number, so nothing held in
 * memory here can be lost by hibernation or eviction.
 *
 * The class is the object's entry points only: agents' sockets live in agent-socket.tsx, the
 * visitor's in visitor-socket.tsx and visitor-messages.ts, pushes to both in push.tsx.
 */
export class ConversationRoom extends DurableObject<Bindings> {
  readonly #room: Room = openRoom(this.ctx, this.env)

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade') !== 'websocket') return new Response('Expected a WebSocket', { status: 426 })
    const url = new URL(request.url)
    const afterSeq = Number(url.searchParams.get('after'))
    const resumeFrom = Number.isInteger(afterSeq) && afterSeq >= 0 ? afterSeq : null
    if (request.headers.has(visitorHeader)) return acceptVisitor(this.#room, request, resumeFrom)
    return acceptAgent(this.#room, request, url, resumeFrom)
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

  /**
   * A file a visitor sent through the widget (the worker checked origin, token and size). Goes
   * through the full pipeline, which stores the bytes in R2 before the message that lists them.
   */
  async visitorUpload(input: VisitorUpload): Promise<VisitorUploaded> {
    return visitorUpload(this.#room, input)
  }

  override async webSocketMessage(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const state = stateOf(socket)
    try {
      if (state.kind === 'visitor') await visitorFrame(this.#room, socket, state, data)
      else await agentFrame(this.#room, socket, state, data)
    } catch (error) {
      // Nothing a client sends may take the room down; the client hears that it failed.
      console.error('room frame failed', String(error))
      sendSafely(socket, JSON.stringify({ type: 'error', message: t('widget.failed', undefined, state.locale) }))
    }
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    answerClose(socket, code)
    await agentLeft(this.#room, socket)
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    await agentLeft(this.#room, socket)
  }
}
