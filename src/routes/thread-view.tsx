import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import { getConversation, listConversations, markRead } from '../services/conversations'
import { parseFilters } from '../services/filters'
import { listMessages } from '../services/messages'
import { listAllUsers } from '../services/users'
import { draftsOf } from '../services/drafts'
import { emailSwitchFor } from '../services/email-outbound'
import { findPlugin } from '../channels/registry'
import { defaultViewId, findView } from '../services/views'
import { ConversationRowItem, ThreadPane } from '../../templates/inbox'
import type { ThreadPlace } from '../../templates/thread-actions'
import { t } from '../i18n'

/** Where an action was taken from (sent by the page with every thread action). */
export function placeFrom(inboxId: string, body: Record<string, unknown>): ThreadPlace {
  const viewId = findView(String(body.view ?? ''))?.id ?? defaultViewId
  const raw = String(body.filters ?? '').replace(/^\?/, '').slice(0, 2000)
  const parsed = parseFilters(Object.fromEntries(new URLSearchParams(raw)))
  return { inboxId, viewId, filterQuery: parsed.ok && raw ? `?${raw}` : '' }
}

/**
 * The thread pane for one conversation, plus its list row refreshed out of band (read, and
 * highlighted). Opening a thread marks it read for the agent.
 */
export async function renderThread(c: Context<AppEnv>, conversationId: string, place: ThreadPlace) {
  const { db, accountId, user } = c.var
  const detail = await getConversation(db, accountId, conversationId)
  if (!detail) throw new HTTPException(404, { message: t('errors.conversation_gone') })
  // The sidebar's cards load themselves afterwards (templates/sidebar.tsx): not queried here.
  const [messages, users, drafts] = await Promise.all([listMessages(db, accountId, conversationId), listAllUsers(db, accountId), draftsOf(db, user.id, conversationId)])
  const lastSeq = messages[messages.length - 1]?.seq ?? 0
  if (lastSeq > 0) await markRead(db, user.id, conversationId, lastSeq)
  const view = findView(place.viewId)!
  const parsed = parseFilters(Object.fromEntries(new URLSearchParams(place.filterQuery.replace(/^\?/, ''))))
  const { rows } = await listConversations(db, {
    accountId,
    inboxId: detail.conversation.inboxId,
    userId: user.id,
    view,
    filters: parsed.ok ? parsed.filters : {},
    conversationIds: [conversationId],
  })
  const emailSwitch = findPlugin(detail.conversation.pluginId)?.capabilities.realtime ? await emailSwitchFor(db, accountId, conversationId) : null
  const pane = (
    <ThreadPane
      detail={detail}
      messages={messages}
      users={users}
      place={place}
      viewer={user}
      timeZone={user.timeZone}
      emailSwitchAddress={emailSwitch?.address}
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
