import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import { countViews, listBots, listConversations } from '../services/conversations'
import { filtersToQuery, parseFilters, type ListFilters } from '../services/filters'
import { getInbox, listInboxes } from '../services/inboxes'
import { listAllUsers } from '../services/users'
import { createSavedView, deleteSavedView, renameSavedView, listSavedViews } from '../services/saved-views'
import { ViewNav } from '../../templates/inbox'
import { defaultViewId, findView } from '../services/views'
import { ConversationRows, EmptyThread, InboxPage, ListPane, viewUrl, type InboxContext, type ListState } from '../../templates/inbox'
import { AssigneeOptions } from '../../templates/list-controls'
import { forwardAgentSocket } from './live'
import { renderThread } from './thread-view'
import { t } from '../i18n'

/** The three panes under /inbox; the home page, the list's socket (/inboxes) and saved views (/views) beside them. */
export const inboxRoutes = new Hono<AppEnv>()
export const homeRoutes = new Hono<AppEnv>()
export const inboxLiveRoutes = new Hono<AppEnv>()
export const savedViewRoutes = new Hono<AppEnv>()

const appName = (c: Context<AppEnv>) => c.env.APP_NAME ?? 'Switchboard'

/** Which part of the page an HTMX request asked for; a plain request gets the whole page. */
function requestedFragment(c: Context<AppEnv>): 'list' | 'thread' | 'page' {
  if (!c.req.header('HX-Request') || c.req.header('HX-History-Restore-Request')) return 'page'
  const target = c.req.header('HX-Target')
  return target === 'list' || target === 'thread' ? target : 'page'
}

export async function loadContext(
  c: Context<AppEnv>,
  inboxId: string,
  viewId: string,
  filterSource?: Record<string, string>,
): Promise<InboxContext> {
  const view = findView(viewId)
  if (!view) throw new HTTPException(404, { message: t('errors.no_such_view') })
  const { db, accountId, user } = c.var
  const [inboxes, counts, savedViews] = await Promise.all([
    listInboxes(db, accountId),
    countViews(db, { accountId, inboxId, userId: user.id }),
    listSavedViews(db, accountId, inboxId, user.id),
  ])
  const inbox = inboxes.find((candidate) => candidate.id === inboxId)
  if (!inbox) throw new HTTPException(404, { message: t('errors.no_such_inbox') })
  const parsed = parseFilters(filterSource ?? c.req.query())
  return { user, inboxes, inbox, view, counts, savedViews, filterQuery: parsed.ok ? filtersToQuery(parsed.filters) : '' }
}

/** The list's filters from the URL; a bad value becomes a message, and the list shows unfiltered. */
export async function loadListState(c: Context<AppEnv>, ctx: InboxContext): Promise<ListState> {
  const parsed = parseFilters(c.req.query())
  const filters: ListFilters = parsed.ok ? parsed.filters : {}
  // The assignee choices cost two queries; load them only when the current filters use them.
  const options = filters.assignee || filters.inactive ? await loadFilterOptions(c, ctx.inbox.id) : null
  return { filters, filterQuery: filtersToQuery(filters), options, error: parsed.ok ? undefined : parsed.message }
}

async function loadFilterOptions(c: Context<AppEnv>, inboxId: string) {
  const [users, bots] = await Promise.all([listAllUsers(c.var.db, c.var.accountId), listBots(c.var.db, c.var.accountId, inboxId)])
  return { users, bots }
}

export async function loadRows(c: Context<AppEnv>, ctx: InboxContext, list: ListState, cursor?: string) {
  if (list.error) return { rows: [], nextCursor: null }
  return listConversations(c.var.db, {
    accountId: ctx.inbox.accountId,
    inboxId: ctx.inbox.id,
    userId: ctx.user.id,
    view: ctx.view,
    filters: list.filters,
    cursor,
  })
}

homeRoutes.get('/', async (c) => {
  const [first] = await listInboxes(c.var.db, c.var.accountId)
  if (!first) throw new HTTPException(404, { message: t('errors.no_inbox_yet') })
  return c.redirect(viewUrl(first.id, defaultViewId))
})

inboxRoutes.get('/:inboxId', (c) => c.redirect(viewUrl(c.req.param('inboxId'), defaultViewId)))

inboxRoutes.get('/:inboxId/:viewId', async (c) => {
  const ctx = await loadContext(c, c.req.param('inboxId'), c.req.param('viewId'))
  const list = await loadListState(c, ctx)
  const { rows, nextCursor } = await loadRows(c, ctx, list)
  const status = list.error ? 400 : 200
  if (requestedFragment(c) === 'list') return c.html(<ListPane ctx={ctx} list={list} rows={rows} nextCursor={nextCursor} oobNav />, status)
  return c.html(
    <InboxPage ctx={ctx} appName={appName(c)} list={<ListPane ctx={ctx} list={list} rows={rows} nextCursor={nextCursor} />} thread={<EmptyThread />} />,
    status,
  )
})

inboxRoutes.get('/:inboxId/:viewId/rows', async (c) => {
  const ctx = await loadContext(c, c.req.param('inboxId'), c.req.param('viewId'))
  const list = await loadListState(c, ctx)
  const { rows, nextCursor } = await loadRows(c, ctx, list, c.req.query('cursor'))
  return c.html(<ConversationRows rows={rows} inboxId={ctx.inbox.id} viewId={ctx.view.id} filterQuery={list.filterQuery} nextCursor={nextCursor} />)
})

inboxRoutes.get('/:inboxId/:viewId/assignee-options', async (c) => {
  const inbox = await getInbox(c.var.db, c.var.accountId, c.req.param('inboxId'))
  if (!inbox) throw new HTTPException(404, { message: t('errors.no_such_inbox') })
  const parsed = parseFilters(c.req.query())
  return c.html(<AssigneeOptions filters={parsed.ok ? parsed.filters : {}} options={await loadFilterOptions(c, inbox.id)} />)
})

inboxRoutes.get('/:inboxId/:viewId/c/:conversationId', async (c) => {
  const { inboxId, viewId, conversationId } = c.req.param()
  const fragment = requestedFragment(c)
  const parsed = parseFilters(c.req.query())
  const place = { inboxId, viewId: findView(viewId)?.id ?? defaultViewId, filterQuery: parsed.ok ? filtersToQuery(parsed.filters) : '' }
  const thread = await renderThread(c, conversationId, place)
  if (thread.detail.conversation.inboxId !== inboxId) {
    return c.redirect(`${viewUrl(thread.detail.conversation.inboxId, place.viewId)}/c/${conversationId}`)
  }
  if (fragment === 'thread') {
    return c.html(
      <>
        {thread.pane}
        {thread.row}
      </>,
    )
  }
  const ctx = await loadContext(c, inboxId, viewId)
  const list = await loadListState(c, ctx)
  const { rows, nextCursor } = await loadRows(c, ctx, list)
  return c.html(
    <InboxPage ctx={ctx} appName={appName(c)} list={<ListPane ctx={ctx} list={list} rows={rows} nextCursor={nextCursor} activeId={conversationId} />} thread={thread.pane} />,
  )
})

inboxLiveRoutes.get('/:inboxId/live', async (c) => {
  const inbox = await getInbox(c.var.db, c.var.accountId, c.req.param('inboxId'))
  if (!inbox) throw new HTTPException(404, { message: t('errors.no_such_inbox') })
  const hub = c.env.INBOX_HUB.get(c.env.INBOX_HUB.idFromName(inbox.id))
  return forwardAgentSocket(c, hub, { inbox: inbox.id, view: c.req.query('view') ?? defaultViewId, filters: c.req.query('filters') ?? '' })
})

// Saved views: each answers with the sidebar's view list, re-rendered for the page it came from.
inboxRoutes.post('/:inboxId/views', async (c) => {
  const body = await c.req.parseBody()
  const parsed = parseFilters(c.req.query())
  if (!parsed.ok) throw new HTTPException(422, { message: parsed.message })
  const inboxId = c.req.param('inboxId')
  const baseViewId = findView(String(body.baseView ?? ''))?.id ?? defaultViewId
  await loadContext(c, inboxId, baseViewId)
  await createSavedView(c.var.db, c.var.user, { inboxId, name: String(body.viewName ?? ''), baseViewId, filters: parsed.filters, shared: body.shared === '1' })
  const ctx = await loadContext(c, inboxId, baseViewId)
  return c.html(<ViewNav ctx={ctx} />, 201)
})

async function savedViewNav(c: Context<AppEnv>, body: Record<string, unknown>) {
  const filters = Object.fromEntries(new URLSearchParams(String(body.filters ?? '').replace(/^\?/, '')))
  const ctx = await loadContext(c, String(body.inbox ?? ''), findView(String(body.view ?? ''))?.id ?? defaultViewId, filters)
  return c.html(<ViewNav ctx={ctx} />)
}

savedViewRoutes.post('/:viewId/rename', async (c) => {
  const body = await c.req.parseBody()
  await renameSavedView(c.var.db, c.var.user, c.req.param('viewId'), String(body.name ?? ''))
  return savedViewNav(c, body)
})

savedViewRoutes.post('/:viewId/delete', async (c) => {
  const body = await c.req.parseBody()
  await deleteSavedView(c.var.db, c.var.user, c.req.param('viewId'))
  return savedViewNav(c, body)
})
