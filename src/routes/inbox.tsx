import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import { botReads, countReads, listReads, snippetReads, type RankedPage } from '../services/conversations'
import { filtersToQuery, parseFilters, type ListFilters } from '../services/filters'
import { getInbox, inboxReads, listInboxes } from '../services/inboxes'
import { listAllUsers } from '../services/users'
import { createSavedView, deleteSavedView, renameSavedView, savedViewReads } from '../services/saved-views'
import { answered, inOneRoundTrip, mapReads, reads, together, type Reads } from '../db/round-trip'
import { ViewNav } from '../../templates/inbox'
import { defaultViewId, findView, type ViewDefinition } from '../services/views'
import { ConversationRows, EmptyThread, InboxPage, ListPane, viewUrl, type InboxContext, type ListState } from '../../templates/inbox'
import { AssigneeOptions } from '../../templates/list-controls'
import { forwardAgentSocket } from './live'
import { threadReads, threadView } from './thread-view'
import { t } from '../i18n'
import { hostOf } from '../host'

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

export async function loadContext(c: Context<AppEnv>, inboxId: string, viewId: string, filterSource?: Record<string, string>): Promise<InboxContext> {
  return found(await inOneRoundTrip(c.var.db, contextReads(c, inboxId, viewId, filterSource)))
}

/** The sidebar and header of a list page: null for an inbox that is not the account's. */
function contextReads(c: Context<AppEnv>, inboxId: string, viewId: string, filterSource?: Record<string, string>): Reads<InboxContext | null> {
  const view = findView(viewId)
  if (!view) throw new HTTPException(404, { message: t('errors.no_such_view') })
  const { db, accountId, user } = c.var
  const parsed = parseFilters(filterSource ?? c.req.query())
  return mapReads(
    together(inboxReads(db, accountId), countReads(db, { accountId, inboxId, userId: user.id }), savedViewReads(db, accountId, inboxId, user.id)),
    ([inboxes, counts, savedViews]) => {
      const inbox = inboxes.find((candidate) => candidate.id === inboxId)
      return inbox ? { user, inboxes, inbox, view, counts, savedViews, filterQuery: parsed.ok ? filtersToQuery(parsed.filters) : '' } : null
    },
  )
}

function found(ctx: InboxContext | null): InboxContext {
  if (!ctx) throw new HTTPException(404, { message: t('errors.no_such_inbox') })
  return ctx
}

/** The list's filters from the URL; a bad value becomes a message, and the list shows unfiltered. */
export async function loadListState(c: Context<AppEnv>, ctx: InboxContext): Promise<ListState> {
  return inOneRoundTrip(c.var.db, listStateReads(c, ctx.inbox.id))
}

function listStateReads(c: Context<AppEnv>, inboxId: string): Reads<ListState> {
  const parsed = parseFilters(c.req.query())
  const filters: ListFilters = parsed.ok ? parsed.filters : {}
  // The assignee choices cost two queries; load them only when the current filters use them.
  const options = filters.assignee || filters.inactive ? filterOptionReads(c, inboxId) : answered(null)
  return mapReads(options, (loaded) => ({ filters, filterQuery: filtersToQuery(filters), options: loaded, error: parsed.ok ? undefined : parsed.message }))
}

function filterOptionReads(c: Context<AppEnv>, inboxId: string) {
  return mapReads(together(reads(listAllUsers(c.var.db, c.var.accountId)), botReads(c.var.db, c.var.accountId, inboxId)), ([users, bots]) => ({ users, bots }))
}

export async function loadRows(c: Context<AppEnv>, ctx: InboxContext, list: ListState, cursor?: string) {
  const ranked = await inOneRoundTrip(c.var.db, rowReads(c, ctx.inbox.id, ctx.view, list.error ? null : list.filters, cursor))
  return inOneRoundTrip(c.var.db, snippetReads(c.var.db, ranked))
}

/** The rows of a list page (none while its filters are in error: `filters` null). */
function rowReads(c: Context<AppEnv>, inboxId: string, view: ViewDefinition, filters: ListFilters | null, cursor?: string): Reads<RankedPage> {
  if (!filters) return answered({ rows: [], nextCursor: null, search: null })
  return listReads(c.var.db, { accountId: c.var.accountId, inboxId, userId: c.var.user.id, view, filters, cursor })
}

/**
 * A whole list page — the sidebar's context, the filter state and the rows — as statements for
 * one round trip. Every query is the account's, so an inbox of another account reads as no
 * context (404) and no rows.
 */
function listPageReads(c: Context<AppEnv>, inboxId: string, viewId: string, cursor?: string) {
  const context = contextReads(c, inboxId, viewId)
  const state = listStateReads(c, inboxId)
  const parsed = parseFilters(c.req.query())
  return mapReads(together(context, state, rowReads(c, inboxId, findView(viewId)!, parsed.ok ? parsed.filters : null, cursor)), ([ctx, list, rows]) => ({
    ctx,
    list,
    rows,
  }))
}

/** A list page in one round trip (a search's snippets in a second). */
async function loadListPage(c: Context<AppEnv>, inboxId: string, viewId: string, cursor?: string) {
  const { ctx, list, rows } = await inOneRoundTrip(c.var.db, listPageReads(c, inboxId, viewId, cursor))
  return { ctx: found(ctx), list, ...(await inOneRoundTrip(c.var.db, snippetReads(c.var.db, rows))) }
}

homeRoutes.get('/', async (c) => {
  const [first] = await listInboxes(c.var.db, c.var.accountId)
  if (!first) throw new HTTPException(404, { message: t('errors.no_inbox_yet') })
  return c.redirect(viewUrl(first.id, defaultViewId))
})

inboxRoutes.get('/:inboxId', (c) => c.redirect(viewUrl(c.req.param('inboxId'), defaultViewId)))

inboxRoutes.get('/:inboxId/:viewId', async (c) => {
  const { ctx, list, rows, nextCursor } = await loadListPage(c, c.req.param('inboxId'), c.req.param('viewId'))
  const status = list.error ? 400 : 200
  if (requestedFragment(c) === 'list') return c.html(<ListPane ctx={ctx} list={list} rows={rows} nextCursor={nextCursor} oobNav />, status)
  return c.html(
    <InboxPage ctx={ctx} appName={appName(c)} list={<ListPane ctx={ctx} list={list} rows={rows} nextCursor={nextCursor} />} thread={<EmptyThread />} />,
    status,
  )
})

inboxRoutes.get('/:inboxId/:viewId/rows', async (c) => {
  const { ctx, list, rows, nextCursor } = await loadListPage(c, c.req.param('inboxId'), c.req.param('viewId'), c.req.query('cursor'))
  return c.html(<ConversationRows rows={rows} inboxId={ctx.inbox.id} viewId={ctx.view.id} filterQuery={list.filterQuery} nextCursor={nextCursor} />)
})

inboxRoutes.get('/:inboxId/:viewId/assignee-options', async (c) => {
  const inbox = await getInbox(c.var.db, c.var.accountId, c.req.param('inboxId'))
  if (!inbox) throw new HTTPException(404, { message: t('errors.no_such_inbox') })
  const parsed = parseFilters(c.req.query())
  return c.html(<AssigneeOptions filters={parsed.ok ? parsed.filters : {}} options={await inOneRoundTrip(c.var.db, filterOptionReads(c, inbox.id))} />)
})

inboxRoutes.get('/:inboxId/:viewId/c/:conversationId', async (c) => {
  const { inboxId, viewId, conversationId } = c.req.param()
  const fragment = requestedFragment(c)
  const parsed = parseFilters(c.req.query())
  const place = { inboxId, viewId: findView(viewId)?.id ?? defaultViewId, filterQuery: parsed.ok ? filtersToQuery(parsed.filters) : '' }
  // A page reads its list with the thread, in the same round trip.
  const wholePage = fragment !== 'thread' && findView(viewId) !== undefined
  const { db } = c.var
  const [loaded, page] = await inOneRoundTrip(
    db,
    together(threadReads(c, conversationId, place), wholePage ? listPageReads(c, inboxId, viewId) : answered(null)),
  )
  if (loaded.detail.conversation.inboxId !== inboxId) {
    return c.redirect(`${viewUrl(loaded.detail.conversation.inboxId, place.viewId)}/c/${conversationId}`)
  }
  // Snippets, when the list is a search: the thread's row and the list's, in one more round trip.
  const [threadRow, listRows] = await inOneRoundTrip(db, together(snippetReads(db, loaded.row), page ? snippetReads(db, page.rows) : answered(null)))
  const thread = threadView(c, loaded, threadRow, place)
  if (fragment === 'thread') {
    return c.html(
      <>
        {thread.pane}
        {thread.row}
      </>,
    )
  }
  // A page was read unless the view is unknown.
  if (!page || !listRows) throw new HTTPException(404, { message: t('errors.no_such_view') })
  const ctx = found(page.ctx)
  const { rows, nextCursor } = listRows
  return c.html(
    <InboxPage
      ctx={ctx}
      appName={appName(c)}
      list={<ListPane ctx={ctx} list={page.list} rows={rows} nextCursor={nextCursor} activeId={conversationId} />}
      thread={thread.pane}
    />,
  )
})

inboxLiveRoutes.get('/:inboxId/live', async (c) => {
  const inbox = await getInbox(c.var.db, c.var.accountId, c.req.param('inboxId'))
  if (!inbox) throw new HTTPException(404, { message: t('errors.no_such_inbox') })
  const hub = hostOf(c.env).rooms.inbox(inbox.id)
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
