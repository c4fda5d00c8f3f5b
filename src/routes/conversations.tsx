import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { findPlugin } from '../channels/registry'
import { sendsRichText } from '../channels/capabilities'
import { notifySafely } from '../channels/pipeline'
import { durableObjectNotifier, notifyConversationsChanged, notifyMessageReplaced } from '../rooms/notifier'
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
import { appendMessage, getMessage, replyByAnotherAgentSince } from '../services/messages'
import { findView } from '../services/views'
import {
  attachmentProblem,
  claimStaleDelivery,
  draftProblems,
  filesOf,
  isStaleDelivery,
  queueDelivery,
  sendsThroughQueue,
  storeOutboundAttachments,
} from '../services/outbound'
import { emailTranscriptsOnClose } from '../services/email-outbound'
import { findHandoffChannel, handoffMetadata } from '../services/handoff'
import { richTextToPlain, sanitizeRichText } from '../lib/rich-text'
import { deleteDraft, draftsOf } from '../services/drafts'
import { t } from '../i18n'
import { headerJson } from '../lib/headers'
import { AppendedMessages, EmptyThread, MessageItem, canReplyOn, conversationUrl } from '../../templates/inbox'
import { Composer } from '../../templates/composer'
import { forwardAgentSocket } from './live'
import { afterAgentMessage } from './notifications'
import { placeFrom, renderThread } from './thread-view'
import { loadContext, loadListState, loadRows } from './inbox'
import { ListPane } from '../../templates/inbox'
import { surveysAfterClose } from './feedback'
import { hostOf } from '../host'

/** The agent's actions on a conversation, under /conversations (mounted in src/app.tsx). */
export const conversationRoutes = new Hono<AppEnv>()

const agentMessageForm = z.object({
  kind: z.enum(['message', 'comment']).default('comment'),
  seenSeq: z.coerce.number().int().min(0).default(0),
  confirmed: z.literal('1').optional(),
})

/** What the editor may post before sanitising; a long reply with a pasted table is well under. */
const maxEditorHtmlChars = 200_000
const maxMessageTextChars = 20_000

/**
 * What the agent wrote: the editor's `html` (sanitised here, whatever the browser did, with the
 * plain text derived from it), or only `text` from a form without the editor (no JavaScript, an
 * API client), kept as plain text.
 */
function messageContentOf(body: Record<string, unknown>): { html: string | null; text: string; error?: string } {
  if (typeof body.html === 'string') {
    if (body.html.length > maxEditorHtmlChars) return { html: '', text: '', error: t('composer.error.too_long') }
    const html = sanitizeRichText(body.html)
    const text = richTextToPlain(html)
    if (!text) return { html, text, error: t('composer.error.empty') }
    if (text.length > maxMessageTextChars) return { html, text, error: t('composer.error.too_long') }
    return { html, text }
  }
  const text = typeof body.text === 'string' ? body.text.trim() : ''
  if (!text) return { html: null, text, error: t('composer.error.empty') }
  if (text.length > maxMessageTextChars) return { html: null, text, error: t('composer.error.too_long') }
  return { html: null, text }
}

export async function ownConversation(c: Context<AppEnv>) {
  const detail = await getConversation(c.var.db, c.var.accountId, c.req.param('id') ?? '')
  if (!detail) throw new HTTPException(404, { message: 'This conversation does not exist or was deleted.' })
  return detail
}

/** The channel's own composer fields as the agent filled them in (kept when the form comes back). */
function fieldValuesOf(body: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string' && !['kind', 'text', 'html', 'seenSeq', 'confirmed'].includes(key)) values[key] = value.slice(0, 10_000)
  }
  return values
}

conversationRoutes.post('/:id/messages', async (c) => {
  const { db, accountId, user } = c.var
  const detail = await ownConversation(c)
  const conversation = detail.conversation
  const plugin = findPlugin(conversation.pluginId)
  const body = await c.req.parseBody({ all: true })
  const form = agentMessageForm.safeParse(body)
  const kind = body.kind === 'message' ? 'message' : 'comment'
  const content = messageContentOf(body)
  const seenSeq = Number(body.seenSeq) || 0
  const fieldValues = plugin?.ui.ComposerFields ? fieldValuesOf(body) : undefined
  const removed = detail.channelStatus === 'removed'
  // A channel with no way back of its own (a web form) is always answered through another channel of the inbox.
  const onlyByHandoff = Boolean(plugin?.capabilities.replyByEmail && !plugin.capabilities.outbound)
  const handoff = !removed && (plugin?.capabilities.outbound || onlyByHandoff) ? await findHandoffChannel(db, accountId, conversation.id) : null
  const canReply = canReplyOn(plugin, handoff?.address) && !removed
  const via = onlyByHandoff ? (handoff?.channelId ?? '') : typeof body.via === 'string' ? body.via.slice(0, 64) : ''
  // The form comes back with what was written, and with the agent's drafts, so switching between
  // Reply and Comment still finds the other one.
  const again = async (status: 409 | 422, error: string, confirmed?: boolean, fieldErrors?: Record<string, string>) =>
    c.html(
      <Composer
        conversationId={conversation.id}
        canReply={canReply}
        kind={kind}
        text={content.text}
        html={content.html ?? undefined}
        seenSeq={seenSeq}
        error={error}
        confirmed={confirmed}
        pluginId={conversation.pluginId}
        fieldValues={fieldValues}
        handoff={handoff ?? undefined}
        via={via}
        drafts={await draftsOf(db, user.id, conversation.id)}
        fieldErrors={fieldErrors}
      />,
      status,
    )
  if (!form.success) return again(422, form.error.issues[0]?.message ?? t('composer.error.check'))
  if (content.error) return again(422, content.error)
  if (conversation.folder === 'trash') return again(409, t('composer.error.trashed'))
  if (form.data.kind === 'message' && !canReply) {
    const why = removed ? 'composer.error.channel_removed' : onlyByHandoff ? 'composer.error.no_email_address' : 'composer.error.cannot_reply'
    return again(422, t(why))
  }
  const isReply = form.data.kind === 'message'
  // Handed off: the reply goes out through another channel of the inbox (a chat answered by
  // email), to the contact's detail there, and their answer comes back into this conversation.
  const handedOff = isReply && via !== ''
  if (handedOff && via !== handoff?.channelId) return again(422, t('composer.error.no_handoff'))
  // Recipients and the like: what the channel asks for, validated by its own schema.
  const options = isReply && !handedOff && plugin?.replyOptions ? plugin.replyOptions.safeParse(body) : null
  if (options && !options.success) {
    // An issue about one field (the channel's schema names it by its path) is shown beside it.
    const issue = options.error.issues[0]
    const field = typeof issue?.path[0] === 'string' ? issue.path[0] : null
    const message = issue?.message ?? t('composer.error.check_recipients')
    return field ? again(422, '', undefined, { [field]: message }) : again(422, message)
  }
  const files = isReply && plugin?.capabilities.attachments ? filesOf(body.attachments) : []
  const refusedFiles = attachmentProblem(files)
  if (refusedFiles) return again(422, refusedFiles)
  // A channel that sends plain text gets plain text, whatever the editor posted.
  if (isReply && !handedOff && plugin && !sendsRichText(plugin.capabilities)) content.html = null
  if (isReply && !handedOff) {
    // The channel refuses what it could never send (too long, outside its window) before it is stored.
    const problems = await draftProblems(db, c.env, conversation, detail.contact, {
      text: content.text,
      html: content.html,
      options: options?.success ? options.data : undefined,
    })
    if (problems.length > 0) {
      // A problem that names a field is shown beside it; the rest above the composer.
      const fieldErrors: Record<string, string> = {}
      for (const problem of problems)
        if (problem.field) fieldErrors[problem.field] = fieldErrors[problem.field] ? `${fieldErrors[problem.field]} ${problem.message}` : problem.message
      const general = problems
        .filter((problem) => !problem.field)
        .map((problem) => problem.message)
        .join(' ')
      return again(422, general, undefined, fieldErrors)
    }
  }
  if (isReply && !form.data.confirmed) {
    // Collision check: someone else answered after this agent last looked.
    const other = await replyByAnotherAgentSince(db, accountId, conversation.id, form.data.seenSeq, user.id)
    if (other) return again(409, t('composer.error.collision', { name: other.authorName ?? t('composer.error.someone') }), true)
  }
  // Editor HTML is stored sanitised and marked as ours, so the thread shows it inline (an email
  // sends it as the HTML part beside the derived text; a chat visitor only ever gets the text).
  const richText = content.html !== null
  const metadata: Record<string, unknown> = handedOff && handoff ? handoffMetadata(handoff) : options?.success ? { replyOptions: options.data } : {}
  if (richText) metadata.richText = true
  const stored = await appendMessage(db, {
    accountId,
    conversationId: conversation.id,
    channelId: handedOff && handoff ? handoff.channelId : conversation.channelId,
    direction: 'out',
    kind: form.data.kind,
    authorUserId: user.id,
    authorName: user.name,
    text: content.text,
    html: content.html,
    metadata,
    createdAt: Date.now(),
  })
  if (!stored) throw new HTTPException(500, { message: 'The message could not be saved.' })
  // A comment's @mentions are recorded and notified (bell, live, email); a reply's are unwrapped.
  await afterAgentMessage(c, stored)
  await storeOutboundAttachments(db, hostOf(c.env).blobs, stored, files)
  // Stored first; a channel that sends through a provider gets it from the delivery queue.
  if (isReply && (handedOff || sendsThroughQueue(conversation.pluginId))) {
    await queueDelivery(db, hostOf(c.env).jobs, { accountId, messageId: stored.id })
  }
  // Sent: the draft of this kind is done; the other kind's stays for the fresh composer.
  await deleteDraft(db, user.id, conversation.id, isReply ? 'reply' : 'comment')
  const [message, drafts] = await Promise.all([getMessage(db, accountId, stored.id), draftsOf(db, user.id, conversation.id)])
  if (!message) throw new HTTPException(500, { message: 'The message could not be saved.' })
  c.executionCtx.waitUntil(
    notifySafely(durableObjectNotifier(c.env), { accountId, inboxId: conversation.inboxId, conversationId: conversation.id, messageId: message.id }),
  )
  return c.html(
    <>
      <Composer
        conversationId={conversation.id}
        canReply={canReply}
        kind={form.data.kind}
        seenSeq={message.seq}
        pluginId={conversation.pluginId}
        handoff={handoff ?? undefined}
        via={via}
        drafts={drafts}
      />
      <AppendedMessages messages={[message]} timeZone={user.timeZone} viewer={user} />
    </>,
    201,
  )
})

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
