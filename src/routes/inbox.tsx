import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import { requireSession } from '../auth/middleware'
import { countViews, getConversation, listConversations, markRead, otherConversationsOfContact } from '../services/conversations'
import { getInbox, listInboxes } from '../services/inboxes'
import { listMessages } from '../services/messages'
import { defaultViewId, findView } from '../services/views'
import {
  ConversationRowItem,
  ConversationRows,
  EmptyThread,
  InboxPage,
  ListPane,
  ThreadPane,
  viewUrl,
  type InboxContext,
} from '../../templates/inbox'
import { forwardAgentSocket } from './live'

export const inboxRoutes = new Hono<AppEnv>()
inboxRoutes.use('*', requireSession)

const appName = (c: Context<AppEnv>) => c.env.APP_NAME ?? 'Switchboard'

/** Which part of the page an HTMX request asked for; a plain request gets the whole page. */
function requestedFragment(c: Context<AppEnv>): 'list' | 'thread' | 'page' {
  if (!c.req.header('HX-Request') || c.req.header('HX-History-Restore-Request')) return 'page'
  const target = c.req.header('HX-Target')
  return target === 'list' || target === 'thread' ? target : 'page'
}

async function loadContext(c: Context<AppEnv>, inboxId: string, viewId: string): Promise<InboxContext> {
  const view = findView(viewId)
  if (!view) throw new HTTPException(404, { message: 'No such view.' })
  const { db, accountId, user } = c.var
  const [inboxes, counts] = await Promise.all([
    listInboxes(db, accountId),
    countViews(db, { accountId, inboxId, userId: user.id }),
  ])
  const inbox = inboxes.find((candidate) => candidate.id === inboxId)
  if (!inbox) throw new HTTPException(404, { message: 'No such inbox.' })
  return { user, inboxes, inbox, view, counts }
}

async function loadList(c: Context<AppEnv>, ctx: InboxContext, cursor?: string) {
  return listConversations(c.var.db, {
    accountId: ctx.inbox.accountId,
    inboxId: ctx.inbox.id,
    userId: ctx.user.id,
    view: ctx.view,
    cursor,
  })
}

async function loadThread(c: Context<AppEnv>, conversationId: string) {
  const { db, accountId, user } = c.var
  const detail = await getConversation(db, accountId, conversationId)
  if (!detail) throw new HTTPException(404, { message: 'This conversation does not exist or was deleted.' })
  const [messages, others] = await Promise.all([
    listMessages(db, accountId, conversationId),
    detail.contact ? otherConversationsOfContact(db, accountId, detail.contact.id, conversationId) : Promise.resolve([]),
  ])
  const lastSeq = messages[messages.length - 1]?.seq ?? 0
  if (lastSeq > 0) await markRead(db, user.id, conversationId, lastSeq)
  return { detail, messages, others }
}

inboxRoutes.get('/', async (c) => {
  const [first] = await listInboxes(c.var.db, c.var.accountId)
  if (!first) throw new HTTPException(404, { message: 'This workspace has no inbox yet.' })
  return c.redirect(viewUrl(first.id, defaultViewId))
})

inboxRoutes.get('/inbox/:inboxId', (c) => c.redirect(viewUrl(c.req.param('inboxId'), defaultViewId)))

inboxRoutes.get('/inbox/:inboxId/:viewId', async (c) => {
  const ctx = await loadContext(c, c.req.param('inboxId'), c.req.param('viewId'))
  const { rows, nextCursor } = await loadList(c, ctx)
  if (requestedFragment(c) === 'list') return c.html(<ListPane ctx={ctx} rows={rows} nextCursor={nextCursor} oobNav />)
  return c.html(
    <InboxPage ctx={ctx} appName={appName(c)} list={<ListPane ctx={ctx} rows={rows} nextCursor={nextCursor} />} thread={<EmptyThread />} />,
  )
})

inboxRoutes.get('/inbox/:inboxId/:viewId/rows', async (c) => {
  const ctx = await loadContext(c, c.req.param('inboxId'), c.req.param('viewId'))
  const { rows, nextCursor } = await loadList(c, ctx, c.req.query('cursor'))
  return c.html(<ConversationRows rows={rows} inboxId={ctx.inbox.id} viewId={ctx.view.id} nextCursor={nextCursor} />)
})

inboxRoutes.get('/inbox/:inboxId/:viewId/c/:conversationId', async (c) => {
  const { inboxId, viewId, conversationId } = c.req.param()
  const fragment = requestedFragment(c)
  const thread = await loadThread(c, conversationId)
  if (thread.detail.conversation.inboxId !== inboxId) {
    return c.redirect(`${viewUrl(thread.detail.conversation.inboxId, viewId)}/c/${conversationId}`)
  }
  const timeZone = c.var.user.timeZone
  const threadPane = <ThreadPane {...thread} viewId={viewId} timeZone={timeZone} />
  if (fragment === 'thread') {
    // The row was just read: refresh it in the list (unread mark off, highlighted).
    const ctx = await loadContext(c, inboxId, viewId)
    const { rows } = await listConversations(c.var.db, {
      accountId: c.var.accountId,
      inboxId,
      userId: c.var.user.id,
      view: ctx.view,
      conversationId,
    })
    return c.html(
      <>
        {threadPane}
        {rows[0] && (
          <div hx-swap-oob={`outerHTML:#conv-row-${conversationId}`}>
            <ConversationRowItem row={rows[0]} inboxId={inboxId} viewId={viewId} active />
          </div>
        )}
      </>,
    )
  }
  const ctx = await loadContext(c, inboxId, viewId)
  const { rows, nextCursor } = await loadList(c, ctx)
  return c.html(
    <InboxPage
      ctx={ctx}
      appName={appName(c)}
      list={<ListPane ctx={ctx} rows={rows} nextCursor={nextCursor} activeId={conversationId} />}
      thread={threadPane}
    />,
  )
})

inboxRoutes.get('/inboxes/:inboxId/live', async (c) => {
  const inbox = await getInbox(c.var.db, c.var.accountId, c.req.param('inboxId'))
  if (!inbox) throw new HTTPException(404, { message: 'No such inbox.' })
  const hub = c.env.INBOX_HUB.get(c.env.INBOX_HUB.idFromName(inbox.id))
  return forwardAgentSocket(c, hub, { inbox: inbox.id, view: c.req.query('view') ?? defaultViewId })
})
