import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { notifyConversationsChanged, notifyMessageReplaced } from '../rooms/notifier'
import {
  assignConversation,
  blockSender,
  closeLinkedTickets,
  deleteForever,
  hideMessage,
  markNotSpam,
  markSpam,
  moveToTrash,
  restoreFromTrash,
  setStatus,
  unblockSender,
  unhideMessage,
  type Touched,
} from '../services/conversation-actions'
import { getConversation } from '../services/conversations'
import { getMessage } from '../services/messages'
import { findView } from '../services/views'
import { claimStaleDelivery, isStaleDelivery, queueDelivery } from '../services/outbound'
import { emailTranscriptsOnClose } from '../services/email-outbound'
import { headerJson } from '../lib/headers'
import { EmptyThread, MessageItem, conversationUrl } from '../../templates/inbox'
import { forwardAgentSocket } from './live'
import { postAgentMessage } from './agent-message'
import { placeFrom, renderThread } from './thread-view'
import { loadContext, loadListState, loadRows } from './inbox'
import { ListPane } from '../../templates/inbox'
import { surveysAfterClose } from './feedback'
import { hostOf } from '../host'

/** The agent's actions on a conversation, under /conversations (mounted in src/app.tsx). */
export const conversationRoutes = new Hono<AppEnv>()

export async function ownConversation(c: Context<AppEnv>) {
  const detail = await getConversation(c.var.db, c.var.accountId, c.req.param('id') ?? '')
  if (!detail) throw new HTTPException(404, { message: 'This conversation does not exist or was deleted.' })
  return detail
}

conversationRoutes.post('/:id/messages', postAgentMessage)

/**
 * Runs an action on the open conversation and answers with the thread pane re-rendered for the
 * list it was opened from; everyone else hears about it through the live layer.
 */
export async function threadAction(c: Context<AppEnv>, action: (body: Record<string, unknown>, conversationId: string) => Promise<Touched[]>) {
  const detail = await ownConversation(c)
  const body = await c.req.parseBody()
  const place = placeFrom(detail.conversation.inboxId, body)
  const changed = await action(body, detail.conversation.id)
  c.executionCtx.waitUntil(notifyConversationsChanged(c.env, c.var.accountId, changed))
  const thread = await renderThread(c, detail.conversation.id, place)
  return c.html(
    <>
      {thread.pane}
      {thread.row}
    </>,
  )
}

const assignForm = z.object({ assigneeId: z.string().max(32).default('') })
const statusForm = z.object({
  status: z.enum(['open', 'closed'], { message: 'Status is open or closed.' }),
  // "Close conversation and ticket" (the header offers it when the conversation has an open ticket).
  ticket: z.enum(['keep', 'close']).default('keep'),
})

conversationRoutes.post('/:id/assign', (c) =>
  threadAction(c, (body, id) => assignConversation(c.var.db, c.var.user, id, assignForm.parse(body).assigneeId || null)),
)
conversationRoutes.post('/:id/status', (c) =>
  threadAction(c, async (body, id) => {
    const { status, ticket } = statusForm.parse(body)
    const changed = await setStatus(c.var.db, c.var.user, [id], status)
    if (status === 'closed' && ticket === 'close') await closeLinkedTickets(c.var.db, c.var.user, [id])
    // A chat that ends sends its visitor the transcript (when we know their address).
    if (status === 'closed' && changed.length > 0) {
      c.executionCtx.waitUntil(
        emailTranscriptsOnClose(
          c.var.db,
          c.env,
          c.var.accountId,
          changed.map((row) => row.id),
        ),
      )
      // And the satisfaction survey (single close only: bulk closes stay fast and send none).
      c.executionCtx.waitUntil(
        surveysAfterClose(
          c,
          changed.map((row) => row.id),
        ),
      )
    }
    return changed
  }),
)
conversationRoutes.post('/:id/trash', (c) => threadAction(c, (_body, id) => moveToTrash(c.var.db, c.var.user, [id])))
conversationRoutes.post('/:id/restore', (c) => threadAction(c, (_body, id) => restoreFromTrash(c.var.db, c.var.user, [id])))
conversationRoutes.post('/:id/spam', (c) => threadAction(c, (_body, id) => markSpam(c.var.db, c.var.user, [id])))
conversationRoutes.post('/:id/not-spam', (c) => threadAction(c, (_body, id) => markNotSpam(c.var.db, c.var.user, [id])))
conversationRoutes.post('/:id/block', (c) => threadAction(c, (_body, id) => blockSender(c.var.db, c.var.user, id)))
conversationRoutes.post('/:id/unblock', (c) => threadAction(c, (_body, id) => unblockSender(c.var.db, c.var.user, id)))

conversationRoutes.post('/:id/delete', async (c) => {
  const detail = await ownConversation(c)
  if (detail.conversation.folder !== 'trash') throw new HTTPException(409, { message: 'Move the conversation to Trash before deleting it forever.' })
  const place = placeFrom(detail.conversation.inboxId, await c.req.parseBody())
  const deleted = await deleteForever(c.var.db, hostOf(c.env).blobs, c.var.user, c.var.accountId, [detail.conversation.id])
  c.executionCtx.waitUntil(notifyConversationsChanged(c.env, c.var.accountId, deleted, { rooms: false }))
  c.header('HX-Push-Url', `/inbox/${place.inboxId}/${place.viewId}${place.filterQuery}`)
  return c.html(
    <>
      <EmptyThread />
      <div id={`conv-row-${detail.conversation.id}`} hx-swap-oob="delete"></div>
    </>,
  )
})

async function messageAction(c: Context<AppEnv>, hidden: boolean) {
  const detail = await ownConversation(c)
  const messageId = Number(c.req.param('messageId'))
  if (!Number.isSafeInteger(messageId)) throw new HTTPException(404, { message: 'No such message.' })
  const { db, user, accountId } = c.var
  if (hidden) await hideMessage(db, user, detail.conversation.id, messageId)
  else await unhideMessage(db, user, detail.conversation.id, messageId)
  const message = await getMessage(db, accountId, messageId)
  if (!message) throw new HTTPException(404, { message: 'No such message.' })
  c.executionCtx.waitUntil(notifyMessageReplaced(c.env, { accountId, inboxId: detail.conversation.inboxId, conversationId: detail.conversation.id, messageId }))
  return c.html(<MessageItem message={message} timeZone={user.timeZone} viewer={user} />)
}

/** Sends a failed message again (the retry button), or a stuck pending one ("Send again"). */
conversationRoutes.post('/:id/messages/:messageId/retry', async (c) => {
  const detail = await ownConversation(c)
  const { db, accountId, user } = c.var
  const message = await getMessage(db, accountId, Number(c.req.param('messageId')))
  if (!message || message.conversationId !== detail.conversation.id || message.direction !== 'out' || message.kind !== 'message') {
    throw new HTTPException(404, { message: 'No such message.' })
  }
  const job = { accountId, messageId: message.id }
  if (message.deliveryStatus === 'failed') await queueDelivery(db, hostOf(c.env).jobs, job)
  else if (!isStaleDelivery(message)) throw new HTTPException(409, { message: 'Only a failed or stuck message can be sent again.' })
  // Of two clicks (or a click and the sweep) only one queues it; the other shows where it stands.
  else if (await claimStaleDelivery(db, job)) await queueDelivery(db, hostOf(c.env).jobs, job)
  const fresh = await getMessage(db, accountId, message.id)
  return c.html(<MessageItem message={fresh!} timeZone={user.timeZone} viewer={user} />)
})

conversationRoutes.post('/:id/messages/:messageId/hide', (c) => messageAction(c, true))
conversationRoutes.post('/:id/messages/:messageId/unhide', (c) => messageAction(c, false))

/** A message's permalink (/m/<id>): opens its conversation scrolled to it, in whichever inbox it lives. */
export const messageLinkRoutes = new Hono<AppEnv>()
messageLinkRoutes.get('/:messageId', async (c) => {
  const messageId = Number(c.req.param('messageId'))
  const message = Number.isSafeInteger(messageId) ? await getMessage(c.var.db, c.var.accountId, messageId) : null
  const detail = message && (await getConversation(c.var.db, c.var.accountId, message.conversationId))
  if (!message || !detail) throw new HTTPException(404, { message: 'This message does not exist or was deleted.' })
  const viewId = detail.conversation.folder === 'inbox' ? (detail.conversation.status === 'open' ? 'open' : 'closed') : detail.conversation.folder
  return c.redirect(`${conversationUrl(detail.conversation.inboxId, viewId, detail.conversation.id)}#msg-${message.id}`)
})

const bulkForm = z.object({
  action: z.enum(['close', 'reopen', 'trash', 'restore'], { message: 'Choose what to do with the selected conversations.' }),
  ids: z
    .array(z.string().regex(/^[a-z0-9]{1,32}$/))
    .min(1, 'Select at least one conversation.')
    .max(1000, 'Select at most 1000 conversations at once.'),
})

/** Bulk actions on a list's selection (/inbox/:inboxId/:viewId/bulk). */
export const bulkRoutes = new Hono<AppEnv>()
bulkRoutes.post('/:inboxId/:viewId/bulk', async (c) => {
  const ctx = await loadContext(c, c.req.param('inboxId'), c.req.param('viewId'))
  const body = await c.req.parseBody({ all: true })
  const ids = body.ids === undefined ? [] : Array.isArray(body.ids) ? body.ids : [body.ids]
  const form = bulkForm.safeParse({ action: body.action, ids })
  if (!form.success) throw new HTTPException(422, { message: form.error.issues[0]?.message ?? 'Check the selection.' })
  const { db, user, accountId } = c.var
  const changed = await {
    close: () => setStatus(db, user, form.data.ids, 'closed'),
    reopen: () => setStatus(db, user, form.data.ids, 'open'),
    trash: () => moveToTrash(db, user, form.data.ids),
    restore: () => restoreFromTrash(db, user, form.data.ids),
  }[form.data.action]()
  c.executionCtx.waitUntil(notifyConversationsChanged(c.env, accountId, changed))
  // Answer with the list as it now is, with the counts it now has.
  const fresh = await loadContext(c, ctx.inbox.id, ctx.view.id)
  const list = await loadListState(c, fresh)
  const { rows, nextCursor } = await loadRows(c, fresh, list)
  c.header('HX-Trigger', headerJson({ 'bulk:done': { action: form.data.action, count: changed.length } }))
  return c.html(<ListPane ctx={fresh} list={list} rows={rows} nextCursor={nextCursor} oobNav />)
})

conversationRoutes.get('/:id/live', async (c) => {
  const detail = await ownConversation(c)
  const room = hostOf(c.env).rooms.conversation(detail.conversation.id)
  const after = Number(c.req.query('after') ?? '')
  return forwardAgentSocket(c, room, {
    conversation: detail.conversation.id,
    inbox: detail.conversation.inboxId,
    view: findView(c.req.query('view') ?? '')?.id ?? 'open',
    filters: (c.req.query('filters') ?? '').slice(0, 2000),
    ...(Number.isInteger(after) && after >= 0 ? { after: String(after) } : {}),
  })
})
