import { app } from './app'
import type { Bindings } from './env'
import { handleInboundEmail } from './channels/email-inbound'
import { deleteExpiredSessions } from './auth/session'
import { createDb } from './db/client'
import { purgeTrash } from './services/conversation-actions'

export { ConversationRoom } from './rooms/conversation-room'
export { InboxHub } from './rooms/inbox-hub'

export default {
  fetch: app.fetch,
  async email(message, env, ctx?: ExecutionContext) {
    await handleInboundEmail(message, env, ctx)
  },
  async scheduled(_controller, env, ctx) {
    const db = createDb(env)
    ctx.waitUntil(Promise.all([deleteExpiredSessions(db), purgeTrash(db, env.ATTACHMENTS)]))
  },
} satisfies ExportedHandler<Bindings>
