import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { findPlugin } from '../channels/registry'
import { sendsRichText } from '../channels/capabilities'
import { notifySafely } from '../channels/pipeline'
import { durableObjectNotifier } from '../rooms/notifier'
import { inOneRoundTrip } from '../db/round-trip'
import { beforeAgentMessageReads, storeAgentMessage } from '../services/agent-reply'
import { mayMention, mentionsAmong, unwrapMentions } from '../services/mentions'
import { draftProblemsGiven, sendDeliveryJob, sendsThroughQueue } from '../services/outbound'
import { attachmentProblem, filesOf, putOutboundAttachments, removePutAttachments } from '../services/outbound-attachments'
import { handoffMetadata } from '../services/handoff'
import { richTextToPlain, sanitizeRichText } from '../lib/rich-text'
import { t } from '../i18n'
import { AppendedMessages, canReplyOn } from '../../templates/inbox'
import { Composer } from '../../templates/composer'
import { announceMentions } from './notifications'
import { hostOf } from '../host'

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

/** The channel's own composer fields as the agent filled them in (kept when the form comes back). */
function fieldValuesOf(body: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string' && !['kind', 'text', 'html', 'seenSeq', 'confirmed'].includes(key)) values[key] = value.slice(0, 10_000)
  }
  return values
}

/**
 * POST /conversations/:id/messages: an agent's reply or internal comment. The session, one batch
 * of everything the checks read, then one batch that stores the message with all that goes with
 * it (src/services/agent-reply.ts): three round trips, whatever the channel.
 */
export async function postAgentMessage(c: Context<AppEnv>) {
  const { db, accountId, user } = c.var
  const body = await c.req.parseBody({ all: true })
  const form = agentMessageForm.safeParse(body)
  const kind = body.kind === 'message' ? 'message' : 'comment'
  const content = messageContentOf(body)
  const seenSeq = Number(body.seenSeq) || 0
  const before = await inOneRoundTrip(
    db,
    beforeAgentMessageReads(db, {
      accountId,
      userId: user.id,
      conversationId: c.req.param('id') ?? '',
      isReply: form.success && form.data.kind === 'message',
      seenSeq: form.success ? form.data.seenSeq : 0,
      confirmed: Boolean(form.success && form.data.confirmed),
      mayMention: mayMention(content),
    }),
  )
  const detail = before.detail
  if (!detail) throw new HTTPException(404, { message: 'This conversation does not exist or was deleted.' })
  const conversation = detail.conversation
  const plugin = findPlugin(conversation.pluginId)
  const fieldValues = plugin?.ui.ComposerFields ? fieldValuesOf(body) : undefined
  const removed = detail.channelStatus === 'removed'
  // A channel with no way back of its own (a web form) is always answered through another channel of the inbox.
  const onlyByHandoff = Boolean(plugin?.capabilities.replyByEmail && !plugin.capabilities.outbound)
  const handoff = !removed && (plugin?.capabilities.outbound || onlyByHandoff) ? before.handoff : null
  const canReply = canReplyOn(plugin, handoff?.address) && !removed
  const via = onlyByHandoff ? (handoff?.channelId ?? '') : typeof body.via === 'string' ? body.via.slice(0, 64) : ''
  // The form comes back with what was written, and with the agent's drafts, so switching between
  // Reply and Comment still finds the other one.
  const again = (status: 409 | 422, error: string, confirmed?: boolean, fieldErrors?: Record<string, string>) =>
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
        drafts={before.drafts}
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
    const problems = await draftProblemsGiven(
      c.env,
      conversation,
      detail.contact,
      { text: content.text, html: content.html, options: options?.success ? options.data : undefined },
      before.replyState,
    )
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
  // Collision check (read in the batch above): someone else answered after this agent last looked.
  const other = isReply && !form.data.confirmed ? before.collision : null
  if (other) return again(409, t('composer.error.collision', { name: other.authorName ?? t('composer.error.someone') }), true)
  // Editor HTML is stored sanitised and marked as ours, so the thread shows it inline (an email
  // sends it as the HTML part beside the derived text; a chat visitor only ever gets the text).
  // A reply mentions nobody (its text is for the customer): mention spans become their text, so no
  // teammate id or markup reaches the customer. A comment's mentions are recorded with it.
  if (isReply && content.html?.includes('mention')) content.html = unwrapMentions(content.html)
  const metadata: Record<string, unknown> = handedOff && handoff ? handoffMetadata(handoff) : options?.success ? { replyOptions: options.data } : {}
  if (content.html !== null) metadata.richText = true
  const mentions = isReply ? [] : mentionsAmong(before.teammates, { authorUserId: user.id, html: content.html, text: content.text })
  // The files' bytes first: the rows stored with the message point at them. Taken back if it is not stored.
  const blobs = hostOf(c.env).blobs
  const putFiles = await putOutboundAttachments(blobs, { accountId, conversationId: conversation.id }, files)
  // Stored first; a channel that sends through a provider gets it from the delivery queue.
  const queued = isReply && (handedOff || sendsThroughQueue(conversation.pluginId))
  const stored = await storeAgentMessage(db, {
    accountId,
    conversationId: conversation.id,
    channelId: handedOff && handoff ? handoff.channelId : conversation.channelId,
    kind: form.data.kind,
    author: { id: user.id, name: user.name },
    text: content.text,
    html: content.html,
    metadata,
    queued,
    mentions,
    attachments: putFiles,
    createdAt: Date.now(),
  }).catch(async (error) => {
    await removePutAttachments(blobs, putFiles)
    throw error
  })
  const { message, drafts } = stored
  if (queued) await sendDeliveryJob(hostOf(c.env).jobs, { accountId, messageId: message.id })
  await announceMentions(c, accountId, stored.notifications)
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
}
