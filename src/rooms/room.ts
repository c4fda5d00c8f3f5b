import type { ThreadPlace } from '../../templates/thread-actions'
import type { AgentIdentity } from './protocol'
import type { VisitorIdentityHeader } from './visitor-protocol'

export interface AgentState extends AgentIdentity {
  kind: 'agent'
  conversationId: string
  /** The list the thread was opened from: header actions answer with the same list. */
  place: ThreadPlace
}

export interface VisitorState extends VisitorIdentityHeader {
  kind: 'visitor'
  name?: string
  email?: string
  /** Known after the visitor's first stored message: later ones take the pipeline's fast path. */
  contactId?: string
}

export type SocketState = AgentState | VisitorState

export const viewerOf = (state: AgentState) => ({ id: state.userId, role: state.role })
export const stateOf = (socket: WebSocket) => socket.deserializeAttachment() as SocketState
