import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { requireSession } from '../auth/middleware'
import { findPlugin } from '../channels/registry'
import { notifySafely } from '../channels/pipeline'
import { durableObjectNotifier } from '../rooms/notifier'
import { getConversation } from '../services/conversations'
import { appendMessage, getMessage } from '../services/messages'
import { AppendedMessages, Composer } from '../../templates/inbox'
import { forwardAgentSocket } from './live'

export const conversationRoutes = new Hono<AppEnv>()
conversationRoutes.use('*', requireSession)

const agentMessageForm = z.object({
  kind: z.enum(['message', 'comment']).default('comment'),
  text: z.string().trim().min(1, 'Write something first.').max(20_000, 'That message is too long.'),
})

conversationRoutes.post('/conversations/:id/messages', async (c) => {
  const { db, accountId, user } = c.var
  const detail = await getConversation(db, accountId, c.req.param('id'))
  if (!detail) throw new HTTPException(404, { message: 'This conversation does not exist or was deleted.' })
  const conversation = detail.conversation
  const canReply = findPlugin(conversation.pluginId)?.capabilities.outbound ?? false
  const form = agentMessageForm.safeParse(await c.req.parseBody())
  if (!form.success) {
    const error = form.error.issues[0]?.message ?? 'Check the message.'
    return c.html(<Composer conversationId={conversation.id} canReply={canReply} error={error} />, 422)
  }
  if (conversation.folder === 'trash') {
    return c.html(<Composer conversationId={conversation.id} canReply={canReply} error="Restore this conversation before writing in it." />, 409)
  }
  if (form.data.kind === 'message' && !canReply) {
    return c.html(<Composer conversationId={conversation.id} canReply={canReply} error="This channel cannot send replies; add a comment instead." />, 422)
  }
  const stored = await appendMessage(db, {
    accountId,
    conversationId: conversation.id,
    channelId: conversation.channelId,
    direction: 'out',
    kind: form.data.kind,
    authorUserId: user.id,
    authorName: user.name,
    text: form.data.text,
    createdAt: Date.now(),
  })
  const message = stored && (await getMessage(db, accountId, stored.id))
  if (!message) throw new HTTPException(500, { message: 'The message could not be saved.' })
  c.executionCtx.waitUntil(
    notifySafely(durableObjectNotifier(c.env), {
      accountId,
      inboxId: conversation.inboxId,
      conversationId: conversation.id,
      messageId: message.id,
    }),
  )
  return c.html(
    <>
      <Composer conversationId={conversation.id} canReply={canReply} kind={form.data.kind} />
      <AppendedMessages messages={[message]} timeZone={user.timeZone} />
    </>,
    201,
  )
})

conversationRoutes.get('/conversations/:id/live', async (c) => {
  const detail = await getConversation(c.var.db, c.var.accountId, c.req.param('id'))
  if (!detail) throw new HTTPException(404, { message: 'No such conversation.' })
  const room = c.env.CONVERSATION_ROOM.get(c.env.CONVERSATION_ROOM.idFromName(detail.conversation.id))
  const after = Number(c.req.query('after') ?? '')
  return forwardAgentSocket(c, room, {
    conversation: detail.conversation.id,
    ...(Number.isInteger(after) && after >= 0 ? { after: String(after) } : {}),
  })
})
