import type { Notifier } from '../channels/pipeline'
import { getConversation, markRead } from '../services/conversations'
import { getMessage, lastSeqOf, listMessages, type ThreadMessage } from '../services/messages'
import { listAllUsers } from '../services/users'
import { AppendedMessages, ReplacedMessage, ThreadHeader, TypingIndicator } from '../../templates/inbox'
import { hostOf } from '../host'
import { renderIn, sendSafely } from './protocol'
import { queueListUpdate } from './list-updates'
import { broadcastViewers, syncWatched } from './agent-socket'
import { forVisitor } from './visitor-view'
import { stateOf, viewerOf, type Room } from './room'

/** Called after a message was committed: agents get HTML (rendered once per user, time zone and language), the visitor JSON. */
export async function messageAdded(room: Room, event: { accountId: string; conversationId: string; messageId: number }): Promise<void> {
  // Woken for nobody (the flag outlived its sockets, say after a restart): clear it.
  if (room.ctx.getWebSockets('agent').length === 0 && room.watchedWritten !== false) await syncWatched(room, event).catch(() => undefined)
  if (room.ctx.getWebSockets().length === 0) return
  const message = await getMessage(room.db(), event.accountId, event.messageId)
  if (!message || message.conversationId !== event.conversationId) return
  await broadcast(room, message)
}

export async function broadcast(room: Room, message: ThreadMessage): Promise<void> {
  const sockets = room.ctx.getWebSockets()
  const db = room.db()
  const event = { accountId: message.accountId, conversationId: message.conversationId }
  const rendered = new Map<string, Promise<string>>()
  const readers = new Set<string>()
  for (const socket of sockets) {
    const state = stateOf(socket)
    if (state.accountId !== event.accountId) continue
    if (state.kind === 'visitor') {
      const visitorView = forVisitor(message, state.locale)
      if (visitorView && message.channelId === state.channelId) sendSafely(socket, JSON.stringify({ type: 'message', message: visitorView }))
      continue
    }
    const key = `${state.timeZone}\u0000${state.userId}\u0000${state.locale}`
    let html = rendered.get(key)
    if (!html) {
      html = renderIn(state.locale, () => (
        <>
          <AppendedMessages messages={[message]} timeZone={state.timeZone} viewer={viewerOf(state)} />
          {message.direction === 'in' && <TypingIndicator text="" />}
        </>
      ))
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
export async function conversationUpdated(room: Room, event: { accountId: string; conversationId: string }): Promise<void> {
  const sockets = room.ctx.getWebSockets('agent')
  if (sockets.length === 0) return
  const db = room.db()
  const detail = await getConversation(db, event.accountId, event.conversationId)
  if (!detail) return
  const lastSeq = await lastSeqOf(db, event.accountId, event.conversationId)
  const [users, recent] = await Promise.all([
    listAllUsers(db, event.accountId),
    listMessages(db, event.accountId, event.conversationId, { afterSeq: Math.max(0, lastSeq - 10) }),
  ])
  for (const socket of sockets) {
    const state = stateOf(socket)
    if (state.kind !== 'agent' || state.accountId !== event.accountId) continue
    sendSafely(
      socket,
      await renderIn(state.locale, () => (
        <>
          <ThreadHeader detail={detail} users={users} place={state.place} version={lastSeq} timeZone={state.timeZone} oob />
          <AppendedMessages messages={recent} timeZone={state.timeZone} viewer={viewerOf(state)} />
        </>
      )),
    )
  }
  await broadcastViewers(room)
}

/** Called after a message changed in place (hidden, shown again). */
export async function messageReplaced(room: Room, event: { accountId: string; conversationId: string; messageId: number }): Promise<void> {
  const sockets = room.ctx.getWebSockets()
  if (sockets.length === 0) return
  const message = await getMessage(room.db(), event.accountId, event.messageId)
  if (!message || message.conversationId !== event.conversationId) return
  for (const socket of sockets) {
    const state = stateOf(socket)
    if (state.accountId !== event.accountId) continue
    if (state.kind === 'visitor') {
      // As for a new message: the widget shows its own channel's messages only (a reply handed off
      // by email is not the visitor's to see here, even when it changes).
      const visitorView = forVisitor(message, state.locale)
      if (visitorView && message.channelId === state.channelId) sendSafely(socket, JSON.stringify({ type: 'replaced', message: visitorView }))
      continue
    }
    sendSafely(socket, await renderIn(state.locale, () => <ReplacedMessage message={message} timeZone={state.timeZone} viewer={viewerOf(state)} />))
  }
}

/** The pipeline's live layer from inside the room: broadcast here, tell the inbox's hub. */
export function roomNotifier(room: Room): Notifier {
  return {
    messageAdded: async (event) => {
      await messageAdded(room, event)
      // The list update must not hold up the sender's ack.
      room.ctx.waitUntil(queueListUpdate(room.env, event))
    },
    conversationChanged: async (event) => {
      await hostOf(room.env).rooms.inbox(event.inboxId).conversationChanged(event)
    },
    messageReplaced: async (event) => {
      await messageReplaced(room, event)
    },
  }
}
