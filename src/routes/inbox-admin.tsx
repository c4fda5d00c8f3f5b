import { Hono, type Context } from 'hono'
import { and, asc, count, eq } from 'drizzle-orm'
import type { AppEnv } from '../env'
import { requireRole } from '../auth/middleware'
import { channels, conversations, inboxes } from '../db/schema'
import { FieldError, InputError } from '../lib/errors'
import { t } from '../i18n'
import { createInbox, deleteInbox } from '../services/inbox-admin'
import { InboxesPage } from '../../templates/inboxes-settings'
import type { FieldErrors } from '../../templates/onboarding'

/** Creating and deleting inboxes (admins); renaming and members stay on each inbox's settings page. */
export const inboxAdminRoutes = new Hono<AppEnv>()
// Mounted under /settings behind the signed-in area's requireSession (src/app.tsx).
inboxAdminRoutes.use('/inboxes', requireRole('admin', 'super_admin'))
inboxAdminRoutes.use('/inboxes/*', requireRole('admin', 'super_admin'))

const errorsOf = (error: unknown): FieldErrors | null =>
  error instanceof FieldError ? { [error.field]: error.message } : error instanceof InputError ? { form: error.message } : null

async function renderPage(
  c: Context<AppEnv>,
  extras: { values?: { name?: string }; errors?: FieldErrors; rowErrors?: { inboxId: string; errors: FieldErrors } } = {},
  status: 200 | 422 = 200,
) {
  const { db, accountId } = c.var
  // Three reads in one round trip: the inboxes, and what each holds.
  const [inboxRows, conversationCounts, channelCounts] = await db.batch([
    db.select().from(inboxes).where(eq(inboxes.accountId, accountId)).orderBy(asc(inboxes.createdAt), asc(inboxes.name)),
    db.select({ inboxId: conversations.inboxId, n: count() }).from(conversations).where(eq(conversations.accountId, accountId)).groupBy(conversations.inboxId),
    db
      .select({ inboxId: channels.inboxId, n: count() })
      .from(channels)
      .where(and(eq(channels.accountId, accountId)))
      .groupBy(channels.inboxId),
  ])
  const countOf = (rows: { inboxId: string; n: number }[], inboxId: string) => rows.find((row) => row.inboxId === inboxId)?.n ?? 0
  const summaries = inboxRows.map((inbox) => ({ ...inbox, conversations: countOf(conversationCounts, inbox.id), channels: countOf(channelCounts, inbox.id) }))
  const notice = c.req.query('done') === 'deleted' ? t('inboxes.deleted') : undefined
  return c.html(<InboxesPage appName={c.env.APP_NAME ?? 'Switchboard'} actor={c.var.user} inboxes={summaries} notice={notice} {...extras} />, status)
}

inboxAdminRoutes.get('/inboxes', (c) => renderPage(c))

inboxAdminRoutes.post('/inboxes', async (c) => {
  const body = await c.req.parseBody()
  const name = typeof body.name === 'string' ? body.name.slice(0, 200) : ''
  try {
    const inbox = await createInbox(c.var.db, c.var.user, { name })
    // Next: its channels and members, on its own settings page.
    return c.redirect(`/inbox/${inbox.id}/settings`, 303)
  } catch (error) {
    const errors = errorsOf(error)
    if (!errors) throw error
    return renderPage(c, { values: { name }, errors }, 422)
  }
})

inboxAdminRoutes.post('/inboxes/:id/delete', async (c) => {
  const body = await c.req.parseBody()
  const moveTo = typeof body.moveTo === 'string' && body.moveTo ? body.moveTo.slice(0, 32) : null
  try {
    await deleteInbox(c.var.db, c.var.user, c.req.param('id'), moveTo)
  } catch (error) {
    const errors = errorsOf(error)
    if (!errors) throw error
    return renderPage(c, { rowErrors: { inboxId: c.req.param('id'), errors } }, 422)
  }
  return c.redirect('/settings/inboxes?done=deleted', 303)
})
