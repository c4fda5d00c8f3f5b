import type { Bindings } from '../env'
import { createDb, type Db } from '../db/client'
import type { ChannelContext } from '../channels/types'
import type { ThreadPlace } from '../../templates/thread-actions'
import type { AgentIdentity } from './protocol'
import type { VisitorIdentityHeader } from './visitor-protocol'
import type { Bucket } from './rate-limit'

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

/** What the room read of its channel: the channel as its plugin sees it, and whether it still takes messages. */
export type ChannelState = { context: ChannelContext<unknown>; open: boolean } | null

/**
 * One conversation's room as its modules see it: the object's state and bindings, and what it
 * keeps in memory between events. Memory only: an eviction forgets it, and each field says why
 * that is safe.
 */
export interface Room {
  readonly ctx: DurableObjectState
  readonly env: Bindings
  db(): Db
  /**
   * Visitor messages are handled one at a time, in the order they arrived: the room awaits the
   * database between frames, and the runtime would otherwise start the next frame meanwhile.
   * Held in memory only: after an eviction the widget resends whatever was not acknowledged.
   */
  visitorQueue: Promise<void>
  /** The `watched` flag as this room last wrote it (unknown after an eviction), and the writes queued. */
  watchedWritten: boolean | undefined
  watchedSync: Promise<void>
  /**
   * The channel as its plugin sees it (settings, secrets) and whether it still takes messages, read
   * at most once a minute: a room is one conversation, so one channel, and an admin who disables
   * it reaches the visitors whose sockets were already open within that minute.
   */
  readonly channels: Map<string, { read: Promise<ChannelState>; at: number }>
  /** Each visitor's message budget, read from the room's storage once and written back on every take. */
  readonly budgets: Map<string, Bucket>
}

export function openRoom(ctx: DurableObjectState, env: Bindings): Room {
  let database: Db | undefined
  return {
    ctx,
    env,
    // One query builder for the object's life (its bindings do not change), not one per message.
    db: () => {
      database ??= createDb(env)
      return database
    },
    visitorQueue: Promise.resolve(),
    watchedWritten: undefined,
    watchedSync: Promise.resolve(),
    channels: new Map(),
    budgets: new Map(),
  }
}
