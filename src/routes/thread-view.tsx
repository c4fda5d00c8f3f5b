import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import {
  conversationDetailReads,
  listReads,
  markReadToNewestReads,
  snippetReads,
  type ConversationDetail,
  type ListPage,
  type RankedPage,
} from '../services/conversations'
import { parseFilters } from '../services/filters'
import { messageReads, type ThreadMessage } from '../services/messages'
import { listAllUsers } from '../services/users'
import { draftReads, type DraftsByKind } from '../services/drafts'
import { handoffReads, type HandoffChannel } from '../services/handoff'
import { inOneRoundTrip, mapReads, reads, together, type Reads } from '../db/round-trip'
import { findPlugin } from '../channels/registry'
import { channelContextOf } from '../channels/context'
import type { ChannelContext, ChannelPlugin } from '../channels/types'
import { replyRecipient, replyStateReads } from '../services/outbound'
import type { Channel } from '../services/inboxes'
import { defaultViewId, findView } from '../services/views'
import { ConversationRowItem, ThreadPane } from '../../templates/inbox'
import type { ThreadPlace } from '../../templates/thread-actions'
import { t } from '../i18n'

/** Where an action was taken from (sent by the page with every thread action). */
export function placeFrom(inboxId: string, body: Record<string, unknown>): ThreadPlace {
  const viewId = findView(String(body.view ?? ''))?.id ?? defaultViewId
  const raw = String(body.filters ?? '')
    .replace(/^\?/, '')
    .slice(0, 2000)
  const parsed = parseFilters(Object.fromEntries(new URLSearchParams(raw)))
  return { inboxId, viewId, filterQuery: parsed.ok && raw ? `?${raw}` : '' }
}

/**
 * The thread pane for one conversation, plus its list row refreshed out of band (read, and
 * highlighted). Opening a thread marks it read for the agent. One round trip (a second for the
 * row's snippet when the thread was opened from a search).
 */
export async function renderThread(c: Context<AppEnv>, conversationId: string, place: ThreadPlace) {
  const loaded = await inOneRoundTrip(c.var.db, threadReads(c, conversationId, place))
  return threadView(c, loaded, await inOneRoundTrip(c.var.db, snippetReads(c.var.db, loaded.row)), place)
}

export interface LoadedThread {
  detail: ConversationDetail
  messages: ThreadMessage[]
  users: Awaited<ReturnType<typeof listAllUsers>>
  drafts: DraftsByKind
  /** The thread's own row in the list it was opened from (empty when it no longer fits that list). */
  row: RankedPage
  handoff: HandoffChannel | null
  /** The conversation's channel and when its customer last wrote: what a channel's reply window is judged on. */
  replyState: { channel: Channel; lastInboundAt: number | null } | null
}

/**
 * Everything the thread pane shows, as statements for one round trip: the conversation, its
 * messages, the team, the viewer's drafts, the read marker (written before the row is read, so
 * the row shows the thread read) and the row. The sidebar's cards load themselves afterwards
 * (templates/sidebar.tsx): not queried here. A conversation of another account reads as none.
 */
export function threadReads(c: Context<AppEnv>, conversationId: string, place: ThreadPlace): Reads<LoadedThread> {
  const { db, accountId, user } = c.var
  const parsed = parseFilters(Object.fromEntries(new URLSearchParams(place.filterQuery.replace(/^\?/, ''))))
  return mapReads(
    together(
      conversationDetailReads(db, accountId, conversationId),
      messageReads(db, accountId, conversationId),
      reads(listAllUsers(db, accountId)),
      draftReads(db, user.id, conversationId),
      markReadToNewestReads(db, { accountId, userId: user.id, conversationId }),
      // Restricted to this conversation, the row is read in its own inbox.
      listReads(db, { accountId, userId: user.id, view: findView(place.viewId)!, filters: parsed.ok ? parsed.filters : {}, conversationIds: [conversationId] }),
      // Whether a reply may go out through another channel of the inbox (a chat answered by email),
      // and what the channel's reply window is judged on: small reads in the batch cost less than asking afterwards.
      handoffReads(db, accountId, conversationId),
      replyStateReads(db, accountId, conversationId),
    ),
    ([detail, messages, users, drafts, , row, handoff, replyState]) => {
      if (!detail) throw new HTTPException(404, { message: t('errors.conversation_gone') })
      return { detail, messages, users, drafts, row, handoff, replyState }
    },
  )
}

/**
 * Why the composer offers no Reply, said before the agent writes: the channel's messaging window
 * has closed, or (a channel that answers by email) the contact has no address.
 */
export function replyClosedReason(c: Context<AppEnv>, loaded: LoadedThread, plugin: ChannelPlugin | undefined): string | undefined {
  const { detail, replyState } = loaded
  if (plugin?.capabilities.replyByEmail && !plugin.capabilities.outbound) return loaded.handoff ? undefined : t('composer.error.no_email_address')
  if (!plugin?.replyWindow || !plugin.capabilities.outbound || !replyState) return undefined
  const contact = detail.contact
  const to = replyRecipient(detail.conversation, contact)
  const reason = plugin.replyWindow(
    { conversationId: detail.conversation.id, to, lastInboundAt: replyState.lastInboundAt },
    channelContextOf(replyState.channel, c.env) as ChannelContext<never>,
  )
  return reason ? String(reason).slice(0, 500) : undefined
}

/** The contact's number to call, and whether the conversation's own line places the call (else a tel: link). */
function callOf(c: Context<AppEnv>, loaded: LoadedThread, plugin: ChannelPlugin | undefined) {
  const phone = loaded.detail.contact?.phone
  if (!phone) return undefined
  const channel = loaded.replyState?.channel
  const viaProvider = Boolean(plugin?.dial && channel && plugin.dial.ready(channelContextOf(channel, c.env) as ChannelContext<never>))
  return { phone, viaProvider }
}

/** The pane and the out-of-band row from what `threadReads` loaded (`rowPage`: its row with any snippet). */
export function threadView(c: Context<AppEnv>, loaded: LoadedThread, rowPage: ListPage, place: ThreadPlace) {
  const { detail, messages, users, drafts } = loaded
  const { user } = c.var
  const { rows } = rowPage
  const conversationId = detail.conversation.id
  const plugin = findPlugin(detail.conversation.pluginId)
  const replyClosed = replyClosedReason(c, loaded, plugin)
  const pane = (
    <ThreadPane
      detail={detail}
      messages={messages}
      users={users}
      place={place}
      viewer={user}
      timeZone={user.timeZone}
      handoff={loaded.handoff}
      replyClosed={replyClosed}
      call={callOf(c, loaded, plugin)}
      drafts={drafts}
    />
  )
  const row = rows[0] ? (
    <ConversationRowItem row={rows[0]} inboxId={place.inboxId} viewId={place.viewId} filterQuery={place.filterQuery} active oob />
  ) : (
    // It no longer belongs in this list (closed from All open, trashed, …).
    <div id={`conv-row-${conversationId}`} hx-swap-oob="delete"></div>
  )
  return { detail, pane, row }
}
