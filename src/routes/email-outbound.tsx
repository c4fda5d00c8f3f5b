import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { findPlugin } from '../channels/registry'
import { notifySafely } from '../channels/pipeline'
import { durableObjectNotifier } from '../rooms/notifier'
import { getConversation } from '../services/conversations'
import { getInbox } from '../services/inboxes'
import { getMessage, lastSeqOf } from '../services/messages'
import { attachmentProblem, filesOf } from '../services/outbound'
import { draftsOf } from '../services/drafts'
import { composeEmail, emailChannelsOf, forwardConversation, replyDefaults, sendTranscript } from '../services/email-outbound'
import { richTextToPlain, sanitizeRichText } from '../lib/rich-text'
import { mailPlugin } from '../channels/mail'
import type { ReplyRecipients } from '../channels/types'
import { AppendedMessages, conversationUrl } from '../../templates/inbox'
import { Composer } from '../../templates/composer'
import { ComposeForm, ComposePage, ForwardForm, type ComposeValues } from '../../templates/email-outbound'
import { placeFrom, renderThread } from './thread-view'
import { t } from '../i18n'

/**
 * Email that starts on our side: the reply composer's recipient defaults, a new email from the
 * inbox, forwarding a conversation, and emailing a transcript. Sending itself is the delivery
 * queue's job (services/outbound.ts).
 */
export const emailOutboundRoutes = new Hono<AppEnv>()

async function ownConversation(c: Context<AppEnv>) {
  const detail = await getConversation(c.var.db, c.var.accountId, c.req.param('id') ?? '')
  if (!detail) throw new HTTPException(404, { message: t('errors.conversation_gone') })
  return detail
}

emailOutboundRoutes.get('/:id/reply-fields', async (c) => {
  const detail = await ownConversation(c)
  // The channel's own fields, filled with who the reply goes to by default.
  const Fields = findPlugin(detail.conversation.pluginId)?.ui.ComposerFields
  if (!Fields) throw new HTTPException(404, { message: t('errors.conversation_gone') })
  const defaults = await replyDefaults(c.var.db, c.var.accountId, detail.conversation.id, c.req.query('all') === '1')
  return c.html(<Fields conversationId={detail.conversation.id} defaults={defaults} />)
})

/** A fresh composer (the forward form's Cancel). */
emailOutboundRoutes.get('/:id/composer', async (c) => {
  const detail = await ownConversation(c)
  const canReply = (findPlugin(detail.conversation.pluginId)?.capabilities.outbound ?? false) && detail.channelStatus !== 'removed'
  const [seenSeq, drafts] = await Promise.all([
    lastSeqOf(c.var.db, c.var.accountId, detail.conversation.id),
    draftsOf(c.var.db, c.var.user.id, detail.conversation.id),
  ])
  return c.html(
    <Composer conversationId={detail.conversation.id} canReply={canReply} seenSeq={seenSeq} pluginId={detail.conversation.pluginId} drafts={drafts} />,
  )
})

emailOutboundRoutes.get('/:id/forward', async (c) => {
  const detail = await ownConversation(c)
  return c.html(<ForwardForm conversationId={detail.conversation.id} />)
})

const forwardForm = z.object({
  to: z.string().max(10_000),
  note: z.string().max(20_000, 'email.error.note_long').default(''),
})

emailOutboundRoutes.post('/:id/forward', async (c) => {
  const detail = await ownConversation(c)
  const { db, accountId, user } = c.var
  const body = await c.req.parseBody()
  const values = { to: typeof body.to === 'string' ? body.to : '', note: typeof body.note === 'string' ? body.note : '' }
  const again = (status: 409 | 422, error: string) => c.html(<ForwardForm conversationId={detail.conversation.id} values={values} error={error} />, status)
  if (detail.conversation.folder === 'trash') return again(409, t('email.error.restore_first'))
  const form = forwardForm.safeParse(body)
  if (!form.success) return again(422, t(form.error.issues[0]?.message ?? 'email.error.check_form'))
  const to = recipientsOf({ to: form.data.to })
  if ('error' in to) return again(422, to.error)
  const addresses = to.to ?? []
  if (addresses.length === 0 || addresses.length > 20) return again(422, t('email.error.forward_count'))
  let message: Awaited<ReturnType<typeof forwardConversation>>
  try {
    message = await forwardConversation(db, c.env, { accountId, conversationId: detail.conversation.id, user, to: addresses, note: form.data.note })
  } catch (error) {
    return again(422, error instanceof Error ? error.message : t('email.error.forward_failed'))
  }
  const shown = await getMessage(db, accountId, message.id)
  c.executionCtx.waitUntil(
    notifySafely(durableObjectNotifier(c.env), {
      accountId,
      inboxId: detail.conversation.inboxId,
      conversationId: detail.conversation.id,
      messageId: message.id,
    }),
  )
  const canReply = (findPlugin(detail.conversation.pluginId)?.capabilities.outbound ?? false) && detail.channelStatus !== 'removed'
  return c.html(
    <>
      <Composer conversationId={detail.conversation.id} canReply={canReply} seenSeq={message.seq} pluginId={detail.conversation.pluginId} />
      <AppendedMessages messages={shown ? [shown] : []} timeZone={user.timeZone} viewer={user} />
    </>,
    201,
  )
})

/** "Send transcript" in a chat's More menu: to the contact's address, through the inbox's email channel. */
emailOutboundRoutes.post('/:id/transcript', async (c) => {
  const detail = await ownConversation(c)
  const { db, accountId, user } = c.var
  const place = placeFrom(detail.conversation.inboxId, await c.req.parseBody())
  const address = detail.contact?.email
  if (!address) throw new HTTPException(422, { message: t('errors.no_transcript_address') })
  let message: Awaited<ReturnType<typeof sendTranscript>>
  try {
    message = await sendTranscript(db, c.env, detail.conversation.id, address, { user })
  } catch (error) {
    throw new HTTPException(422, { message: error instanceof Error ? error.message : t('errors.transcript_failed') })
  }
  c.executionCtx.waitUntil(
    notifySafely(durableObjectNotifier(c.env), {
      accountId,
      inboxId: detail.conversation.inboxId,
      conversationId: detail.conversation.id,
      messageId: message.id,
    }),
  )
  const thread = await renderThread(c, detail.conversation.id, place)
  return c.html(
    <>
      {thread.pane}
      {thread.row}
    </>,
  )
})

/**
 * Recipients as the mail plugin's `replyOptions` read them from typed fields ("Name <a@b>, c@d"),
 * or the first problem it found.
 */
function recipientsOf(fields: Record<string, string | undefined>): ReplyRecipients | { error: string } {
  const schema = mailPlugin()?.replyOptions
  if (!schema) return { error: t('email.error.no_channel') }
  const parsed = schema.safeParse(fields)
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? t('email.error.check_recipients') }
  return parsed.data as ReplyRecipients
}

async function composeContext(c: Context<AppEnv>) {
  const inbox = await getInbox(c.var.db, c.var.accountId, c.req.param('inboxId') ?? '')
  if (!inbox) throw new HTTPException(404, { message: t('errors.inbox_gone') })
  const routing = mailPlugin()?.emailRouting
  const channels = (await emailChannelsOf(c.var.db, c.var.accountId, inbox.id)).map((channel) => ({
    id: channel.id,
    name: routing?.fromName?.(channel.settings) ?? channel.name,
    address: routing?.fromAddress(channel.settings) ?? '',
  }))
  return { inbox, channels }
}

/** A new email from an inbox (/inbox/:inboxId/compose). */
export const composeRoutes = new Hono<AppEnv>()
composeRoutes.get('/:inboxId/compose', async (c) => {
  const { inbox, channels } = await composeContext(c)
  if (c.req.header('HX-Request')) return c.html(<ComposeForm inboxId={inbox.id} channels={channels} />)
  return c.html(<ComposePage appName={c.env.APP_NAME ?? 'Switchboard'} userId={c.var.user.id} inboxId={inbox.id} channels={channels} />)
})

const composeForm = z.object({
  channelId: z.string().max(32).optional(),
  subject: z.string().trim().min(1, 'email.error.subject_missing').max(500, 'email.error.subject_long'),
})

/** The body: the editor's html (sanitised, text derived from it), or plain text from a form without the editor. */
function composedBody(body: Record<string, unknown>): { html: string | null; text: string; error?: string } {
  if (typeof body.html === 'string') {
    if (body.html.length > 400_000) return { html: null, text: '', error: t('email.error.text_long') }
    const html = sanitizeRichText(body.html)
    const text = richTextToPlain(html)
    if (!text) return { html, text, error: t('email.error.text_missing') }
    return text.length > 100_000 ? { html, text, error: t('email.error.text_long') } : { html, text }
  }
  const text = typeof body.text === 'string' ? body.text.trim() : ''
  if (!text) return { html: null, text, error: t('email.error.text_missing') }
  return text.length > 100_000 ? { html: null, text, error: t('email.error.text_long') } : { html: null, text }
}

composeRoutes.post('/:inboxId/compose', async (c) => {
  const { inbox, channels } = await composeContext(c)
  const { db, accountId, user } = c.var
  const body = await c.req.parseBody({ all: true })
  const values: ComposeValues = Object.fromEntries(
    (['channelId', 'to', 'cc', 'bcc', 'subject', 'text'] as const).map((key) => [
      key,
      typeof body[key] === 'string' ? (body[key] as string).slice(0, 100_000) : '',
    ]),
  )
  const content = composedBody(body)
  // The form comes back with the body as it would have been sent (sanitised), never as posted.
  const again = (error: string) =>
    c.html(
      <ComposeForm inboxId={inbox.id} channels={channels} values={{ ...values, text: content.text, html: content.html ?? undefined }} error={error} />,
      422,
    )
  const form = composeForm.safeParse(body)
  // Schema messages are catalog keys; zod's own messages pass through t() unchanged.
  if (!form.success) return again(t(form.error.issues[0]?.message ?? 'email.error.check_form'))
  if (content.error) return again(content.error)
  const recipients = recipientsOf({ to: values.to, cc: values.cc, bcc: values.bcc })
  if ('error' in recipients) return again(recipients.error)
  if (!recipients.to?.length) return again(t('email.error.to_missing'))
  const files = filesOf(body.attachments)
  const refusedFiles = attachmentProblem(files)
  if (refusedFiles) return again(refusedFiles)
  let created: Awaited<ReturnType<typeof composeEmail>>
  try {
    created = await composeEmail(db, c.env, {
      accountId,
      inboxId: inbox.id,
      channelId: form.data.channelId || undefined,
      user,
      recipients: { to: recipients.to ?? [], cc: recipients.cc ?? [], bcc: recipients.bcc ?? [] },
      subject: form.data.subject,
      text: content.text,
      html: content.html,
      richText: content.html !== null,
      files,
    })
  } catch (error) {
    return again(error instanceof Error ? error.message : t('email.error.send_failed'))
  }
  c.executionCtx.waitUntil(
    notifySafely(durableObjectNotifier(c.env), { accountId, inboxId: inbox.id, conversationId: created.conversationId, messageId: created.message.id }),
  )
  const url = conversationUrl(inbox.id, 'sent', created.conversationId)
  if (c.req.header('HX-Request')) {
    c.header('HX-Redirect', url)
    return c.body(null, 201)
  }
  return c.redirect(url, 303)
})
