import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv, Bindings } from '../env'
import { createDb, type Db } from '../db/client'
import { t, withLocale } from '../i18n'
import { renderHtml } from '../lib/render'
import { getConversation } from '../services/conversations'
import { listInboxes } from '../services/inboxes'
import { suggestMentions } from '../services/mentions'
import { baseUrlFor, type MentionEmailJob } from '../services/mention-email'
import { listNotifications, markAllRead, markRead, recipientsOf, unreadCount } from '../services/notifications'
import { BellUpdate, MentionPicker, NotificationBell } from '../../templates/notifications'
import { hostOf } from '../host'

/** The bell (/notifications) and the editor's @ picker (/conversations/:id/mentions). */
export const notificationRoutes = new Hono<AppEnv>()
export const mentionRoutes = new Hono<AppEnv>()

const mentionQuery = z.object({ q: z.string().max(100, 'Type at most 100 characters.').default('') })

/** Teammates for the editor's `@` trigger, as a picker fragment. */
mentionRoutes.get('/:id/mentions', async (c) => {
  const { db, accountId, user } = c.var
  const detail = await getConversation(db, accountId, c.req.param('id'))
  if (!detail) throw new HTTPException(404, { message: 'This conversation does not exist or was deleted.' })
  const { q } = mentionQuery.parse(c.req.query())
  const teammates = await suggestMentions(db, { accountId, query: q, excludeUserId: user.id })
  return c.html(<MentionPicker teammates={teammates} query={q} />)
})

async function bellFor(db: Db, accountId: string, userId: string) {
  const [count, items] = await Promise.all([unreadCount(db, accountId, userId), listNotifications(db, accountId, userId)])
  return { count, items }
}

notificationRoutes.get('/bell', async (c) => {
  const { db, accountId, user } = c.var
  const bell = await bellFor(db, accountId, user.id)
  return c.html(<NotificationBell {...bell} timeZone={user.timeZone} />)
})

/** Opening a notification: it is read now, and the browser goes to the exact message. */
notificationRoutes.get('/:notificationId', async (c) => {
  const { db, accountId, user } = c.var
  const notification = await markRead(db, { accountId, userId: user.id, notificationId: c.req.param('notificationId') })
  if (!notification) throw new HTTPException(404, { message: t('notifications.not_found') })
  if (notification.messageId === null) throw new HTTPException(404, { message: t('notifications.message_gone') })
  // The user's other tabs drop the unread mark too.
  c.executionCtx.waitUntil(pushBells(c.env, db, accountId, [user.id]))
  return c.redirect(`/m/${notification.messageId}`, 303)
})

notificationRoutes.post('/read-all', async (c) => {
  const { db, accountId, user } = c.var
  await markAllRead(db, accountId, user.id)
  c.executionCtx.waitUntil(pushBells(c.env, db, accountId, [user.id]))
  const bell = await bellFor(db, accountId, user.id)
  return c.html(<NotificationBell {...bell} timeZone={user.timeZone} open />)
})

/**
 * Pushes a fresh bell (count and list, in each user's language) to those users' open inbox pages.
 * Every agent page keeps a socket to its inbox's hub, so the fragment goes to every hub of the
 * account (inboxes are few), and each hub sends it to that user's sockets only.
 */
export async function pushBells(env: Bindings, db: Db, accountId: string, userIds: string[]) {
  try {
    const [recipients, inboxes] = await Promise.all([recipientsOf(db, accountId, userIds), listInboxes(db, accountId)])
    const pushes = []
    for (const recipient of recipients) {
      const bell = await bellFor(db, accountId, recipient.id)
      const html = await withLocale(recipient.locale, () => renderHtml(<BellUpdate {...bell} timeZone={recipient.timeZone} />))
      for (const inbox of inboxes) {
        pushes.push(hostOf(env).rooms.inbox(inbox.id).pushToUser({ accountId, userId: recipient.id, html }))
      }
    }
    const results = await Promise.allSettled(pushes)
    for (const result of results) if (result.status === 'rejected') console.error('bell push failed', String(result.reason))
  } catch (error) {
    console.error('bell push failed', String(error))
  }
}

/**
 * After a comment's mentions are stored (with it, `storeAgentMessage`): an email queued per
 * notification, and the bells of those mentioned pushed live. The push runs after the response on
 * a database of its own: what it reads is no round trip the poster waits for.
 */
export async function announceMentions(c: Context<AppEnv>, accountId: string, created: { id: string; userId: string }[]) {
  if (created.length === 0) return
  const baseUrl = baseUrlFor(c.env, c.req.url)
  const jobs: MentionEmailJob[] = created.map((row) => ({ type: 'mention-email', accountId, notificationId: row.id, baseUrl }))
  try {
    // A queue batch holds at most 100 messages.
    for (let index = 0; index < jobs.length; index += 100) await hostOf(c.env).jobs.sendBatch(jobs.slice(index, index + 100).map((body) => ({ body })))
  } catch (error) {
    // The in-app notification stands; only the email is lost, and that is logged.
    console.error('mention emails not queued', String(error))
  }
  c.executionCtx.waitUntil(
    pushBells(
      c.env,
      createDb(c.env),
      accountId,
      created.map((row) => row.userId),
    ),
  )
}
