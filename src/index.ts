import { app } from './app'
import type { Bindings } from './env'
import { handleInboundEmail } from './channels/email-inbound'
import { deleteExpiredSessions } from './auth/session'
import { deleteExpiredDevices } from './auth/known-devices'
import { deleteQuietLoginAttempts } from './auth/login-throttle'
import { createDb } from './db/client'
import { purgeTrash } from './services/conversation-actions'
import { deleteExpiredVisitorTokens } from './services/visitors'
import { deliver, deliveryJob, sweepStaleDeliveries } from './services/outbound'
import { deliverMentionEmail, mentionEmailJob } from './services/mention-email'
import { deliverSystemEmail, systemEmailJob } from './services/system-email'
import { deleteSpentLinks } from './services/invitations'
import { messages } from './db/schema'
import { eq } from 'drizzle-orm'
import { hostOf } from './host'
import { redrawInRoom } from './rooms/notifier'

/** The daily housekeeping trigger, as written in wrangler.toml's crons. */
const dailyCron = '17 3 * * *'

export { ConversationRoom } from './rooms/conversation-room'
export { InboxHub } from './rooms/inbox-hub'

export default {
  fetch: app.fetch,
  async email(message, env, ctx?: ExecutionContext) {
    await handleInboundEmail(message, env, ctx)
  },
  /** Outbound deliveries (see services/outbound.ts): retried with backoff, failed after the last try. */
  async queue(batch, env) {
    const db = createDb(env)
    for (const message of batch.messages) {
      // A mention email names a notification, never a message: checked first, so it can never be
      // read as a delivery of the (internal) comment it points to.
      const mention = mentionEmailJob.safeParse(message.body)
      if (mention.success) {
        const outcome = await deliverMentionEmail(db, env, mention.data, message.attempts)
        if (outcome.status === 'retry') message.retry({ delaySeconds: outcome.delaySeconds })
        else message.ack()
        continue
      }
      // Invitations and password resets: a finished mail to a person, never a conversation's message.
      const system = systemEmailJob.safeParse(message.body)
      if (system.success) {
        const outcome = await deliverSystemEmail(env, system.data, message.attempts)
        if (outcome.status === 'retry') message.retry({ delaySeconds: outcome.delaySeconds })
        else message.ack()
        continue
      }
      const job = deliveryJob.safeParse(message.body)
      if (!job.success) {
        message.ack()
        continue
      }
      const outcome = await deliver(db, env, job.data, message.attempts)
      if (outcome.status === 'retry') message.retry({ delaySeconds: outcome.delaySeconds })
      else message.ack()
      if (outcome.status !== 'skipped') {
        const [row] = await db.select({ conversationId: messages.conversationId }).from(messages).where(eq(messages.id, job.data.messageId))
        if (row)
          await redrawInRoom(env, { accountId: job.data.accountId, conversationId: row.conversationId, messageId: job.data.messageId }).catch(() => undefined)
      }
    }
  },
  async scheduled(controller, env, ctx) {
    const db = createDb(env)
    // Every trigger sweeps stuck sends; the daily one (wrangler.toml) also does the housekeeping.
    const tasks: Promise<unknown>[] = [sweepStaleDeliveries(db, hostOf(env).jobs)]
    if (controller.cron === dailyCron)
      tasks.push(
        deleteExpiredSessions(db),
        deleteExpiredDevices(db),
        deleteQuietLoginAttempts(db),
        deleteExpiredVisitorTokens(db),
        deleteSpentLinks(db),
        purgeTrash(db, hostOf(env).blobs),
      )
    ctx.waitUntil(Promise.all(tasks))
  },
} satisfies ExportedHandler<Bindings>
