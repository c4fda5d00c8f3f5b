import type { Child, FC } from 'hono/jsx'
import { channelNameOf, findPlugin } from '../src/channels/registry'
import { channelName } from '../src/channels/texts'
import type { SessionUser } from '../src/auth/session'
import type { ConversationDetail, ConversationRow } from '../src/services/conversations'
import type { Inbox } from '../src/services/inboxes'
import { automatedKindOf, type ThreadMessage } from '../src/services/messages'
import type { AutomatedKind } from '../src/db/schema'
import { builtInViews, viewName, type ViewDefinition } from '../src/services/views'
import { t, translated } from '../src/i18n'
import { initials } from '../src/lib/text'
import { isAvailable } from '../src/services/availability'
import { botCloseAllowedAt } from '../src/services/chatflows'
import { isStaleDelivery } from '../src/services/outbound'
import { fullTime, isoTime, shortTime } from '../src/lib/time'
import { settingsPages } from './settings-nav'
import { Layout } from './layout'
import { Composer } from './composer'
import type { DraftsByKind } from '../src/services/drafts'
import { ContactPane } from './sidebar'
import { TicketLink } from './cards'
import { MessageContent } from './email'
import { BulkBar, SaveViewForm, SearchAndFilters, type FilterOptions } from './list-controls'
import { ConversationActions, MessageActions, OwnerSelect, type ThreadPlace } from './thread-actions'
import { filtersToQuery, type ListFilters } from '../src/services/filters'
import type { SavedView } from '../src/services/saved-views'
import type { User } from '../src/services/users'
import { mentionsOf } from '../src/services/notifications'
import { BellSlot, MentionedText } from './notifications'
import { PaneToggle } from './pane-toggle'

export const viewUrl = (inboxId: string, viewId: string) => `/inbox/${inboxId}/${viewId}`
export const conversationUrl = (inboxId: string, viewId: string, conversationId: string) => `${viewUrl(inboxId, viewId)}/c/${conversationId}`

export interface InboxContext {
  user: SessionUser
  inboxes: Inbox[]
  inbox: Inbox
  view: ViewDefinition
  counts: Record<string, number>
  savedViews: SavedView[]
  /** The current list's filters as a query string ('' for none). */
  filterQuery: string
}

/** The saved view the current URL shows, if any. */
function activeSavedView(ctx: InboxContext): SavedView | undefined {
  if (!ctx.filterQuery) return undefined
  return ctx.savedViews.find((saved) => saved.baseViewId === ctx.view.id && filtersToQuery(saved.filters) === ctx.filterQuery)
}

export const ChannelIcon: FC<{ pluginId: string }> = ({ pluginId }) => {
  const plugin = findPlugin(pluginId)
  const Icon = plugin?.ui.Icon
  return (
    <span class={`channel-icon channel-${pluginId}`} title={plugin ? channelName(plugin) : pluginId}>
      {Icon ? <Icon /> : '•'}
    </span>
  )
}

export const Avatar: FC<{ name: string | null | undefined; kind?: 'contact' | 'agent'; src?: string | null }> = ({ name, kind, src }) => (
  <span class={`avatar avatar-${kind ?? 'contact'}`} aria-hidden="true">
    {/* A channel's profile picture (https only, see services/contact-profile.ts); initials when there is none. */}
    {src ? <img src={src} alt="" width="32" height="32" loading="lazy" referrerpolicy="no-referrer" class="avatar-picture" /> : initials(name)}
  </span>
)

const ViewLink: FC<{ ctx: InboxContext; view: ViewDefinition }> = ({ ctx, view }) => {
  const href = viewUrl(ctx.inbox.id, view.id)
  const active = ctx.view.id === view.id && !activeSavedView(ctx)
  return (
    <li>
      <a
        href={href}
        hx-get={href}
        hx-target="#list"
        hx-push-url="true"
        class={active ? 'view-link active' : 'view-link'}
        aria-current={active ? 'page' : undefined}
      >
        <span>{viewName(view)}</span>
        <ViewCount viewId={view.id} count={ctx.counts[view.id] ?? 0} />
      </a>
    </li>
  )
}

export const ViewCount: FC<{ viewId: string; count: number; oob?: boolean }> = ({ viewId, count, oob }) => (
  <span id={`count-${viewId}`} class={count > 0 ? 'count' : 'count zero'} hx-swap-oob={oob ? 'true' : undefined}>
    {count}
  </span>
)

/**
 * The count beside the list's title: the same number as the view's count in the navigation, kept
 * live by the inbox hub like that one. Only an unfiltered list shows it (filters narrow the rows).
 */
export const ListCount: FC<{ viewId: string; count: number; oob?: boolean }> = ({ viewId, count, oob }) => (
  <span id="list-count" class="muted list-count" data-view-id={viewId} hx-swap-oob={oob ? 'true' : undefined}>
    {count}
  </span>
)

/** The view list with counts; re-sent out of band whenever the list pane changes. */
export const ViewNav: FC<{ ctx: InboxContext; oob?: boolean }> = ({ ctx, oob }) => {
  const pinned = builtInViews.filter((view) => view.alwaysShown)
  const more = builtInViews.filter((view) => !view.alwaysShown)
  const moreOpen = more.some((view) => view.id === ctx.view.id)
  return (
    <nav id="views" class="views" aria-label={t('inbox.nav.label')} hx-swap-oob={oob ? 'true' : undefined}>
      <ul>
        {pinned.map((view) => (
          <ViewLink ctx={ctx} view={view} />
        ))}
      </ul>
      {ctx.savedViews.length > 0 && <SavedViewList ctx={ctx} />}
      <details class="more-views" open={moreOpen}>
        <summary>{t('inbox.nav.more')}</summary>
        <ul>
          {more.map((view) => (
            <ViewLink ctx={ctx} view={view} />
          ))}
        </ul>
      </details>
    </nav>
  )
}

const SavedViewList: FC<{ ctx: InboxContext }> = ({ ctx }) => {
  const active = activeSavedView(ctx)
  const here = JSON.stringify({ inbox: ctx.inbox.id, view: ctx.view.id, filters: ctx.filterQuery })
  return (
    <div class="saved-views">
      <h3 class="nav-heading">{t('inbox.saved.heading')}</h3>
      <ul>
        {ctx.savedViews.map((saved) => {
          const href = `${viewUrl(ctx.inbox.id, saved.baseViewId)}${filtersToQuery(saved.filters)}`
          const mayEdit = saved.ownerUserId === ctx.user.id || (saved.shared && ctx.user.role !== 'agent')
          return (
            <li class="saved-view">
              <a
                href={href}
                hx-get={href}
                hx-target="#list"
                hx-push-url="true"
                class={active?.id === saved.id ? 'view-link active' : 'view-link'}
                aria-current={active?.id === saved.id ? 'page' : undefined}
              >
                <span>{saved.name}</span>
                {saved.shared && <span class="count">{t('inbox.saved.team')}</span>}
              </a>
              {mayEdit && (
                <details class="menu view-menu">
                  <summary class="icon-button" aria-label={t('inbox.saved.edit_label', { name: saved.name })} title={t('inbox.saved.edit_title')}>
                    ⋯
                  </summary>
                  <div class="menu-list">
                    <form class="stack rename-view" hx-post={`/views/${saved.id}/rename`} hx-vals={here} hx-target="#views" hx-swap="outerHTML">
                      <input name="name" value={saved.name} maxlength={60} required aria-label={t('inbox.saved.name_label')} />
                      <button type="submit" class="button small">
                        {t('inbox.saved.rename')}
                      </button>
                    </form>
                    <button
                      type="button"
                      class="menu-item danger"
                      hx-post={`/views/${saved.id}/delete`}
                      hx-vals={here}
                      hx-target="#views"
                      hx-swap="outerHTML"
                      hx-confirm={t('inbox.saved.delete_confirm', { name: saved.name })}
                    >
                      {t('inbox.saved.delete')}
                    </button>
                  </div>
                </details>
              )}
            </li>
          )
        })}
      </ul>
    </div>
  )
}

const InboxSwitcher: FC<{ ctx: InboxContext }> = ({ ctx }) => (
  <details class="inbox-switcher">
    <summary>
      <span class="inbox-name">{ctx.inbox.name}</span>
      <span class="chevron" aria-hidden="true">
        ▾
      </span>
    </summary>
    <ul class="menu">
      {ctx.inboxes.map((inbox) => (
        <li>
          <a href={viewUrl(inbox.id, ctx.view.id)} aria-current={inbox.id === ctx.inbox.id ? 'true' : undefined}>
            {inbox.name}
          </a>
        </li>
      ))}
    </ul>
  </details>
)

/** "You are available / away": the switch, and whether office hours make one away right now. */
export const AvailabilitySwitch: FC<{ user: SessionUser }> = ({ user }) => {
  const byChoice = user.availability === 'available'
  const now = isAvailable(user)
  const label = now ? t('availability.available') : byChoice ? t('availability.away_hours') : t('availability.away')
  return (
    <form id="availability" class="availability" hx-post="/me/availability" hx-target="this" hx-swap="outerHTML">
      <span class={now ? 'presence presence-on' : 'presence presence-off'} aria-hidden="true" />
      <span class="availability-label">{label}</span>
      <button type="submit" name="availability" value={byChoice ? 'away' : 'available'} class="link-button small">
        {byChoice ? t('availability.set_away') : t('availability.set_available')}
      </button>
    </form>
  )
}

const UserMenu: FC<{ user: SessionUser }> = ({ user }) => (
  <div class="user-menu">
    <Avatar name={user.name} kind="agent" />
    <div class="user-meta">
      <strong>{user.name}</strong>
      <span class="muted small">{t(`inbox.role.${user.role}`)}</span>
    </div>
    <AvailabilitySwitch user={user} />
    <div class="user-actions">
      <BellSlot />
      <a href="/me" class="link-button" title={t('inbox.user.profile_title')}>
        {t('inbox.user.profile')}
      </a>
      {/* Agents have settings pages too (the content library): the first page the role may open. */}
      {settingsPages.some((page) => page.roles.includes(user.role)) && (
        <a href={settingsPages.find((page) => page.roles.includes(user.role))!.href} class="icon-button" title={t('inbox.user.settings_title')}>
          ⚙
        </a>
      )}
      <form method="post" action="/logout">
        <button type="submit" class="link-button">
          {t('inbox.user.log_out')}
        </button>
      </form>
    </div>
  </div>
)

/** A search snippet: FTS5 marks hits with \u0002…\u0003; everything else stays escaped text. */
const Snippet: FC<{ text: string }> = ({ text }) => (
  <span class="snippet">
    {text.split('\u0002').map((part, index) => {
      if (index === 0) return part
      const [hit, rest] = part.split('\u0003')
      return (
        <>
          <mark>{hit}</mark>
          {rest ?? ''}
        </>
      )
    })}
  </span>
)

export const ConversationRowItem: FC<{
  row: ConversationRow & { snippet?: string }
  inboxId: string
  viewId: string
  filterQuery?: string
  active?: boolean
  /** Sent out of band: replaces the row with the same id wherever the list shows it. */
  oob?: boolean
}> = ({ row, inboxId, viewId, filterQuery, active, oob }) => {
  const href = `${conversationUrl(inboxId, viewId, row.id)}${filterQuery ?? ''}`
  const who = row.contactName ?? row.contactEmail ?? row.contactPhone ?? t('inbox.row.unknown_visitor')
  const classes = ['conversation-row', row.unread ? 'unread' : '', active ? 'active' : ''].filter(Boolean).join(' ')
  return (
    <li id={`conv-row-${row.id}`} class={classes} data-conversation-id={row.id} hx-swap-oob={oob ? 'true' : undefined}>
      <input type="checkbox" name="ids" value={row.id} form="bulk" class="row-select" aria-label={t('inbox.row.select', { name: who })} />
      <a class="row-link" href={href} hx-get={href} hx-target="#thread" hx-push-url="true">
        <Avatar name={who} />
        <div class="row-body">
          <div class="row-top">
            <span class="row-contact">{who}</span>
            <time class="row-time" datetime={isoTime(row.lastMessageAt)}>
              {shortTime(row.lastMessageAt)}
            </time>
          </div>
          <div class="row-subject">
            <ChannelIcon pluginId={row.pluginId} />
            <span>{row.subject ?? row.preview}</span>
          </div>
          {row.snippet ? (
            <div class="row-preview">
              <Snippet text={row.snippet} />
            </div>
          ) : (
            row.subject && <div class="row-preview">{row.preview}</div>
          )}
          <div class="row-meta">
            {row.assigneeName ? (
              <span class="chip">{row.assigneeName}</span>
            ) : row.assigneeBot ? (
              <span class="chip chip-bot">{t('inbox.row.bot')}</span>
            ) : (
              <span class="chip chip-muted">{t('inbox.row.unassigned')}</span>
            )}
            {row.lastAutomated && <AutomatedChip kind={row.lastAutomated} />}
            {row.status === 'closed' && <span class="chip chip-muted">{t('inbox.row.closed')}</span>}
            {row.folder !== 'inbox' && <span class="chip chip-muted">{folderLabel[row.folder]}</span>}
            {row.unread && <span class="unread-dot" title={t('inbox.row.unread')} />}
          </div>
        </div>
      </a>
    </li>
  )
}

/** A folder's name in the current locale (getters: read at render time, inside the request's locale). */
const folderLabel: Record<ConversationRow['folder'], string> = {
  get inbox() {
    return t('folder.inbox')
  },
  get sent() {
    return t('folder.sent')
  },
  get spam() {
    return t('folder.spam')
  },
  get filtered() {
    return t('folder.filtered')
  },
  get trash() {
    return t('folder.trash')
  },
}

export const ConversationRows: FC<{
  rows: (ConversationRow & { snippet?: string })[]
  inboxId: string
  viewId: string
  filterQuery: string
  nextCursor: string | null
  activeId?: string
}> = ({ rows, inboxId, viewId, filterQuery, nextCursor, activeId }) => {
  const more = new URLSearchParams(filterQuery.replace(/^\?/, ''))
  if (nextCursor) more.set('cursor', nextCursor)
  return (
    <>
      {rows.map((row) => (
        <ConversationRowItem row={row} inboxId={inboxId} viewId={viewId} filterQuery={filterQuery} active={row.id === activeId} />
      ))}
      {nextCursor && (
        <li class="load-more-item">
          <button type="button" class="load-more" hx-get={`${viewUrl(inboxId, viewId)}/rows?${more.toString()}`} hx-target="closest li" hx-swap="outerHTML">
            {t('inbox.list.load_more')}
          </button>
        </li>
      )}
    </>
  )
}

/**
 * Without search text a Status filter narrows the view, never widens it: "All open" filtered to
 * Closed is empty by definition, and the empty list says so instead of looking broken.
 */
function statusNarrows(view: ViewDefinition, filters: ListFilters): string | null {
  if (!filters.status || !view.status || filters.status === view.status) return null
  return t('inbox.list.status_narrows', { view: viewName(view), status: t(`list.filter.${view.status}`).toLowerCase() })
}

export interface ListState {
  filters: ListFilters
  filterQuery: string
  /** null until the filter panel needs them. */
  options: FilterOptions | null
  error?: string
}

export const ListPane: FC<{
  ctx: InboxContext
  list: ListState
  rows: (ConversationRow & { snippet?: string })[]
  nextCursor: string | null
  activeId?: string
  oobNav?: boolean
}> = ({ ctx, list, rows, nextCursor, activeId, oobNav }) => {
  const searching = Boolean(list.filters.q)
  const live = new URLSearchParams({ view: ctx.view.id, filters: list.filterQuery.replace(/^\?/, '') })
  return (
    <>
      <div class="list-inner" hx-ext="ws,sb-live" ws-connect={`/inboxes/${ctx.inbox.id}/live?${live.toString()}`}>
        <header class="pane-header">
          {/* Below the widest layout the navigation slides over the list; this opens it. */}
          <PaneToggle side="left" expanded={false} label={t('pane.toggle_nav')} glyph="☰" class="pane-toggle nav-toggle" />
          <h1 class="list-title">{searching ? t('inbox.list.search_results') : viewName(ctx.view)}</h1>
          {!list.filterQuery && <ListCount viewId={ctx.view.id} count={ctx.counts[ctx.view.id] ?? 0} />}
          <a
            class="button small compose-link"
            href={`/inbox/${ctx.inbox.id}/compose`}
            hx-get={`/inbox/${ctx.inbox.id}/compose`}
            hx-target="#thread"
            hx-push-url="true"
          >
            {t('inbox.list.new_email')}
          </a>
        </header>
        <SearchAndFilters inboxId={ctx.inbox.id} view={ctx.view} filters={list.filters} options={list.options} error={list.error} />
        <SaveViewForm inboxId={ctx.inbox.id} viewId={ctx.view.id} filters={list.filters} />
        <BulkBar inboxId={ctx.inbox.id} viewId={ctx.view.id} filterQuery={list.filterQuery} trashView={ctx.view.id === 'trash'} />
        <ul id="conversation-rows" class="conversation-rows">
          {rows.length === 0 ? (
            <li class="empty-state">
              {list.error
                ? t('inbox.list.fix_filter')
                : searching
                  ? t('inbox.list.no_matches')
                  : (statusNarrows(ctx.view, list.filters) ?? t('inbox.list.empty'))}
            </li>
          ) : (
            <ConversationRows
              rows={rows}
              inboxId={ctx.inbox.id}
              viewId={ctx.view.id}
              filterQuery={list.filterQuery}
              nextCursor={nextCursor}
              activeId={activeId}
            />
          )}
        </ul>
      </div>
      {oobNav && <ViewNav ctx={ctx} oob />}
    </>
  )
}

/**
 * An activity line in the reader's language when it was stored with its catalog key (see
 * writeActivity), else the English text it was stored with. The parameters are names, not markup.
 */
function activityText(message: ThreadMessage): string {
  const activity = message.metadata?.activity as { key?: unknown; params?: unknown } | undefined
  if (!activity || typeof activity.key !== 'string' || !activity.key.startsWith('activity.') || typeof activity.params !== 'object' || !activity.params)
    return message.text
  const params = Object.fromEntries(Object.entries(activity.params).filter(([, value]) => typeof value === 'string')) as Record<string, string>
  return translated(activity.key, message.text, params)
}

/** Who is looking: decides whether a hidden message offers "Show message". */
export type Viewer = Pick<User, 'id' | 'role'>

export const MessageItem: FC<{ message: ThreadMessage; timeZone: string; viewer?: Viewer; oob?: boolean }> = ({ message, timeZone, viewer, oob }) => {
  const isComment = message.kind === 'comment'
  const isActivity = message.kind === 'activity'
  const author = message.authorUserName ?? message.authorName ?? (message.direction === 'out' ? t('inbox.message.agent') : t('inbox.message.visitor'))
  const classes = ['message', `message-${message.direction}`, `message-${message.kind}`].join(' ')
  if (isActivity) {
    return (
      <li id={`msg-${message.id}`} class={classes} data-seq={message.seq} hx-swap-oob={oob ? 'true' : undefined}>
        <span class="activity-text">{activityText(message)}</span>
        <time datetime={isoTime(message.createdAt)}>{fullTime(message.createdAt, timeZone)}</time>
      </li>
    )
  }
  return (
    <li id={`msg-${message.id}`} class={classes} data-seq={message.seq} hx-swap-oob={oob ? 'true' : undefined}>
      <Avatar name={author} kind={message.direction === 'out' ? 'agent' : 'contact'} />
      <div class="message-body">
        <header class="message-header">
          <strong>{author}</strong>
          {isComment ? (
            <span class="chip chip-comment" title={t('comments.internal_hint')}>
              {t('comments.internal_label')}
            </span>
          ) : (
            message.channelPluginId && <ChannelIcon pluginId={message.channelPluginId} />
          )}
          {automatedKindOf(message) && <AutomatedChip kind={automatedKindOf(message)!} />}
          <a class="message-time" href={`/m/${message.id}`} title={t('inbox.message.link_title')}>
            <time datetime={isoTime(message.createdAt)}>{fullTime(message.createdAt, timeZone)}</time>
          </a>
          <MessageActions
            conversationId={message.conversationId}
            messageId={message.id}
            hidden={Boolean(message.hiddenAt)}
            mayUnhide={viewer ? viewer.role === 'super_admin' || viewer.id === message.hiddenBy : false}
          />
        </header>
        {message.hiddenAt ? (
          <p class="message-text muted">{t('inbox.message.hidden')}</p>
        ) : isComment && !message.html && mentionsOf(message.metadata).length > 0 ? (
          <MentionedText text={message.text} mentions={mentionsOf(message.metadata)} />
        ) : (
          <MessageContent message={message} />
        )}
        <DeliveryStatus message={message} />
      </div>
    </li>
  )
}

/** Marks mail a machine wrote (a bounce, an out-of-office), on its message and on its conversation's row. */
export const AutomatedChip: FC<{ kind: AutomatedKind }> = ({ kind }) => (
  <span class={`chip chip-automated chip-${kind.replace('_', '-')}`} title={t(`inbox.automated.${kind}_hint`)} data-automated={kind}>
    {t(`inbox.automated.${kind}`)}
  </span>
)

/**
 * Where an outbound message stands: sending, sent, failed with the reason and a retry, or stuck
 * (pending with no progress past the sweep's deadline) with "Send again".
 */
export const DeliveryStatus: FC<{ message: ThreadMessage }> = ({ message }) => {
  if (message.direction !== 'out' || message.kind !== 'message' || message.deliveryStatus === 'none') return null
  if (message.deliveryStatus === 'sent') {
    // A provider's receipts (Messenger's delivery and read) say how far it got.
    const receipt = message.metadata?.readAt ? 'read' : message.metadata?.deliveredAt ? 'delivered' : 'sent'
    return <p class={`delivery delivery-${receipt}`}>{t(`inbox.delivery.${receipt}`)}</p>
  }
  const retryButton = (label: string) => (
    <button
      type="button"
      class="link-button"
      hx-post={`/conversations/${message.conversationId}/messages/${message.id}/retry`}
      hx-target={`#msg-${message.id}`}
      hx-swap="outerHTML"
    >
      {label}
    </button>
  )
  if (message.deliveryStatus === 'pending') {
    if (isStaleDelivery(message)) {
      return (
        <p class="delivery delivery-failed" role="alert">
          {t('inbox.delivery.stuck')} {retryButton(t('inbox.delivery.send_again'))}
        </p>
      )
    }
    return (
      <>
        <p class="delivery delivery-pending">
          {message.deliveryError ? t('inbox.delivery.retrying', { error: message.deliveryError }) : t('inbox.delivery.sending')}
        </p>
        <PartialDelivery metadata={message.metadata} />
      </>
    )
  }
  return (
    <>
      <p class="delivery delivery-failed" role="alert">
        {t('inbox.delivery.failed', { error: message.deliveryError ?? t('inbox.delivery.unknown') })} {retryButton(t('inbox.delivery.retry'))}
      </p>
      <PartialDelivery metadata={message.metadata} />
    </>
  )
}

const addressesIn = (value: unknown) => (Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [])

/** Who has a message that some recipients did not get (a refusal partway): Retry sends only to the others. */
const PartialDelivery: FC<{ metadata: Record<string, unknown> | null }> = ({ metadata }) => {
  const delivered = addressesIn(metadata?.deliveredTo)
  const missing = addressesIn(metadata?.notDeliveredTo)
  if (delivered.length === 0 || missing.length === 0) return null
  return <p class="delivery delivery-partial">{t('inbox.delivery.partial', { missing: missing.join(', '), delivered: delivered.join(', ') })}</p>
}

/**
 * "Call" beside the composer: through the conversation's phone line (the provider rings the
 * agent's phone, then the contact), or a plain tel: link where no line can call out.
 */
export const CallAction: FC<{ conversationId: string; call: { phone: string; viaProvider: boolean } }> = ({ conversationId, call }) => (
  <div class="composer-call">
    {call.viaProvider ? (
      <button
        type="button"
        class="button small"
        hx-post={`/conversations/${conversationId}/call`}
        hx-target="next .dial-result"
        hx-swap="innerHTML"
        title={t('dial.call_hint', { phone: call.phone })}
      >
        {t('dial.call')}
      </button>
    ) : (
      <a class="button small" href={`tel:${call.phone}`}>
        {t('dial.call')}
      </a>
    )}
    <span class="dial-result"></span>
  </div>
)

/** Whether agents may reply: through the channel, or by email for a channel without a way back (a form) when the contact has an address. */
export const canReplyOn = (plugin: { capabilities: { outbound: boolean; replyByEmail?: boolean } } | undefined, handoffAddress?: string | null) =>
  Boolean(plugin?.capabilities.outbound || (plugin?.capabilities.replyByEmail && handoffAddress))

/** Messages appended to an open thread over the socket (or after a post): deduplicated by id. */
export const AppendedMessages: FC<{ messages: ThreadMessage[]; timeZone: string; viewer?: Viewer }> = ({ messages, timeZone, viewer }) => (
  <ol hx-swap-oob="beforeend:#thread-messages">
    {messages.map((message) => (
      <MessageItem message={message} timeZone={timeZone} viewer={viewer} />
    ))}
  </ol>
)

/**
 * A message re-rendered in place (hidden, shown again, sent) for everyone on the thread. The item
 * itself carries the oob swap: htmx 2 swaps an `outerHTML:#id` element in whole, so a wrapper
 * would land inside the list and nest the item deeper with every replacement.
 */
export const ReplacedMessage: FC<{ message: ThreadMessage; timeZone: string; viewer?: Viewer }> = ({ message, timeZone, viewer }) => (
  <MessageItem message={message} timeZone={timeZone} viewer={viewer} oob />
)

export const Viewers: FC<{ names: string[]; oob?: boolean }> = ({ names, oob }) => (
  <div id="thread-viewers" class="viewers" hx-swap-oob={oob ? 'true' : undefined} aria-live="polite">
    {names.length > 0 && <span class="muted small">{t('inbox.viewers', { names: names.join(', ') })}</span>}
  </div>
)

/** "Grace is typing a reply…" / "The visitor is typing…"; empty when nobody is. */
export const TypingIndicator: FC<{ text: string }> = ({ text }) => (
  <div id="thread-typing" class="typing" hx-swap-oob="true" aria-live="polite">
    {text}
  </div>
)

export const ThreadHeader: FC<{
  detail: ConversationDetail
  users: Pick<User, 'id' | 'name' | 'status'>[]
  place: ThreadPlace
  /** The conversation's newest sequence number: lets the browser drop an outdated header. */
  version: number
  timeZone: string
  oob?: boolean
}> = ({ detail, users, place, version, timeZone, oob }) => {
  const conversation = detail.conversation
  const trashed = conversation.folder === 'trash'
  const botHeldUntil = botCloseAllowedAt(detail.botSession, conversation.assigneeBot)
  return (
    <header id="thread-header" class="thread-header" data-version={version} hx-swap-oob={oob ? 'true' : undefined}>
      {/* On a phone the thread takes the whole screen; this returns to the list it was opened from. */}
      <a class="icon-button back-to-list" href={`${viewUrl(place.inboxId, place.viewId)}${place.filterQuery}`} title={t('pane.back_to_list')}>
        <span aria-hidden="true">←</span>
        <span class="visually-hidden">{t('pane.back_to_list')}</span>
      </a>
      <div class="thread-title">
        <h1 class="thread-subject">{conversation.subject ?? detail.contact?.name ?? t('header.conversation')}</h1>
        <div class="thread-meta muted small">
          <span class="thread-source" title={t('header.source')}>
            <ChannelIcon pluginId={conversation.pluginId} /> {channelNameOf(conversation.pluginId)} · {detail.channelName}
          </span>
          {' · '}
          {t(`prop.opt.${conversation.status}`)}
          {conversation.folder !== 'inbox' && ` · ${t(`header.folder.${conversation.folder}`)}`}
          {detail.ticket && (
            <>
              {' · '}
              <TicketLink ticket={detail.ticket} />
            </>
          )}
        </div>
        <Viewers names={[]} />
      </div>
      <div class="thread-controls">
        <OwnerSelect detail={detail} users={users} place={place} disabled={trashed} />
        <ConversationActions detail={detail} place={place} />
        <PaneToggle side="right" expanded label={t('pane.toggle_contact')} glyph="◨" />
      </div>
      {botHeldUntil !== null && botHeldUntil > Date.now() && (
        <p class="read-only-banner">
          {t('header.bot_banner', {
            bot: conversation.assigneeBot ?? '',
            time: new Date(botHeldUntil).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone }),
          })}
        </p>
      )}
      {trashed && <p class="read-only-banner">{t('header.trash_banner')}</p>}
    </header>
  )
}

export const ThreadPane: FC<{
  detail: ConversationDetail
  messages: ThreadMessage[]
  users: Pick<User, 'id' | 'name' | 'status'>[]
  place: ThreadPlace
  viewer: Viewer
  timeZone: string
  /** Another channel of the inbox a reply may go out through (services/handoff.ts). */
  handoff?: { channelId: string; pluginId: string; address: string } | null
  /** Why no reply can go (a closed messaging window, no address to answer by email): the composer says so. */
  replyClosed?: string
  /** The contact's phone, and whether the conversation's line places the call (else a tel: link). */
  call?: { phone: string; viaProvider: boolean }
  /** The viewer's own drafts for this conversation. */
  drafts?: DraftsByKind
}> = ({ detail, messages, users, place, viewer, timeZone, handoff, replyClosed, call, drafts }) => {
  const conversation = detail.conversation
  const plugin = findPlugin(conversation.pluginId)
  const lastSeq = messages[messages.length - 1]?.seq ?? 0
  const readOnly = conversation.folder === 'trash'
  return (
    <div
      class="thread-layout"
      hx-ext="ws,sb-live"
      ws-connect={`/conversations/${conversation.id}/live?${new URLSearchParams({ after: String(lastSeq), inbox: place.inboxId, view: place.viewId, filters: place.filterQuery.replace(/^\?/, '') }).toString()}`}
      data-conversation-id={conversation.id}
      data-place={JSON.stringify(place)}
    >
      <section class="thread" aria-label={t('inbox.thread.label')}>
        <ThreadHeader detail={detail} users={users} place={place} version={lastSeq} timeZone={timeZone} />
        <ol id="thread-messages" class="thread-messages">
          {messages.map((message) => (
            <MessageItem message={message} timeZone={timeZone} viewer={viewer} />
          ))}
        </ol>
        {/* Call shares the typing line (which keeps its height anyway), so the thread loses no room to it. */}
        <div class="thread-status">
          <div id="thread-typing" class="typing" aria-live="polite"></div>
          {!readOnly && call && <CallAction conversationId={conversation.id} call={call} />}
        </div>
        {!readOnly && (
          <Composer
            conversationId={conversation.id}
            canReply={canReplyOn(plugin, handoff?.address) && !replyClosed && detail.channelStatus !== 'removed'}
            replyClosed={replyClosed}
            seenSeq={lastSeq}
            pluginId={conversation.pluginId}
            handoff={handoff ?? undefined}
            drafts={drafts}
          />
        )}
      </section>
      {/* Where the thread was opened from, sent along by sidebar actions that answer with the pane (hx-include). */}
      <div id="thread-place" hidden>
        <input type="hidden" name="view" value={place.viewId} />
        <input type="hidden" name="filters" value={place.filterQuery} />
      </div>
      <ContactPane conversationId={conversation.id} />
    </div>
  )
}

export const EmptyThread: FC = () => (
  <div class="empty-thread">
    <p>{t('inbox.thread.empty')}</p>
  </div>
)

export const InboxPage: FC<{ ctx: InboxContext; appName: string; list: Child; thread: Child }> = ({ ctx, appName, list, thread }) => (
  <Layout title={`${viewName(ctx.view)} · ${ctx.inbox.name} · ${appName}`} bodyClass="inbox-page" userId={ctx.user.id}>
    <div class="app-shell">
      <aside class="sidebar" id="nav-pane">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            S
          </span>
          <span class="brand-name">{appName}</span>
          <PaneToggle side="left" expanded label={t('pane.toggle_nav')} glyph="◧" />
        </div>
        <InboxSwitcher ctx={ctx} />
        <ViewNav ctx={ctx} />
        {ctx.user.role !== 'agent' && (
          <a class="inbox-settings-link" href={`/inbox/${ctx.inbox.id}/settings`}>
            {t('inbox.settings_link')}
          </a>
        )}
        <UserMenu user={ctx.user} />
      </aside>
      {/* The list and the thread are the main content together: a phone shows one of them at a time. */}
      <main class="app-main">
        <section id="list" class="list-pane" aria-label={t('inbox.list.label')}>
          {list}
        </section>
        <div id="thread" class="thread-pane">
          {thread}
        </div>
      </main>
    </div>
  </Layout>
)
