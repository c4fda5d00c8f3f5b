import type { FC } from 'hono/jsx'
import type { ConversationDetail } from '../src/services/conversations'
import type { User } from '../src/services/users'
import { findPlugin } from '../src/channels/registry'
import { t } from '../src/i18n'

/** Where the thread is shown from, so an action can answer with the same pane. */
export interface ThreadPlace {
  inboxId: string
  viewId: string
  filterQuery: string
}

const placeVals = (place: ThreadPlace) => JSON.stringify({ view: place.viewId, filters: place.filterQuery })

const ActionButton: FC<{
  action: string
  place: ThreadPlace
  label: string
  confirm?: string
  danger?: boolean
  name?: string
  value?: string
  shortcut?: string
}> = (props) => (
  <button
    type="button"
    class={props.danger ? 'menu-item danger' : 'menu-item'}
    role="menuitem"
    hx-post={props.action}
    hx-vals={
      props.value
        ? JSON.stringify({ view: props.place.viewId, filters: props.place.filterQuery, [props.name ?? 'value']: props.value })
        : placeVals(props.place)
    }
    hx-target="#thread"
    hx-confirm={props.confirm}
    data-shortcut={props.shortcut}
  >
    {props.label}
  </button>
)

/** The owner dropdown: any active user, or nobody. */
export const OwnerSelect: FC<{ detail: ConversationDetail; users: Pick<User, 'id' | 'name' | 'status'>[]; place: ThreadPlace; disabled?: boolean }> = ({
  detail,
  users,
  place,
  disabled,
}) => {
  const current = detail.conversation.assigneeId ?? ''
  return (
    <label class="owner">
      <span class="muted small">{t('header.owner')}</span>
      <select
        name="assigneeId"
        hx-post={`/conversations/${detail.conversation.id}/assign`}
        hx-vals={placeVals(place)}
        hx-target="#thread"
        disabled={disabled}
        data-owner-select
      >
        <option value="" selected={current === ''}>
          {detail.conversation.assigneeBot ? t('header.bot_owner', { name: detail.conversation.assigneeBot }) : t('header.unassigned')}
        </option>
        {users
          .filter((user) => user.status === 'active' || user.id === current)
          .map((user) => (
            <option value={user.id} selected={user.id === current}>
              {user.name}
              {user.status === 'active' ? '' : ` (${t(`header.user_status.${user.status}`)})`}
            </option>
          ))}
      </select>
    </label>
  )
}

/** Email out of a conversation: forward it (channels that can), or mail a chat's transcript to the contact. */
const OutboundActions: FC<{ detail: ConversationDetail; place: ThreadPlace }> = ({ detail, place }) => {
  const capabilities = findPlugin(detail.conversation.pluginId)?.capabilities
  const base = `/conversations/${detail.conversation.id}`
  return (
    <>
      {capabilities?.forward && (
        <button type="button" class="menu-item" role="menuitem" hx-get={`${base}/forward`} hx-target="#composer" hx-swap="outerHTML">
          {t('header.forward')}
        </button>
      )}
      {capabilities?.realtime && detail.contact?.email && (
        <ActionButton
          action={`${base}/transcript`}
          place={place}
          label={t('header.send_transcript')}
          confirm={t('header.send_transcript_confirm', { email: detail.contact.email })}
        />
      )}
    </>
  )
}

/** The Close button's two choices when the conversation has an open ticket. */
const closeVals = (place: ThreadPlace, ticket: 'keep' | 'close') => JSON.stringify({ view: place.viewId, filters: place.filterQuery, status: 'closed', ticket })

/**
 * Close or reopen, and the "More" menu; trashed conversations offer only Restore and Delete
 * forever. With an open ticket, Close asks whether the ticket closes too.
 */
export const ConversationActions: FC<{ detail: ConversationDetail; place: ThreadPlace }> = ({ detail, place }) => {
  const conversation = detail.conversation
  const base = `/conversations/${conversation.id}`
  const sender = detail.contact?.email ?? detail.contact?.name ?? t('header.this_sender')
  if (conversation.folder === 'trash') {
    return (
      <div class="thread-actions">
        <details class="menu more-menu">
          <summary class="button small">{t('header.more')}</summary>
          <div class="menu-list" role="menu">
            <ActionButton action={`${base}/restore`} place={place} label={t('header.restore')} />
            <ActionButton action={`${base}/delete`} place={place} label={t('header.delete_forever')} danger confirm={t('header.delete_forever_confirm')} />
          </div>
        </details>
      </div>
    )
  }
  const openTicket = detail.ticket?.status === 'open'
  const isOpen = conversation.status === 'open'
  return (
    <div class="thread-actions">
      {isOpen && openTicket ? (
        <details class="menu close-menu">
          <summary class="button small">{t('header.close')} ▾</summary>
          <div class="menu-list" role="menu">
            <button
              type="button"
              class="menu-item"
              role="menuitem"
              hx-post={`${base}/status`}
              hx-vals={closeVals(place, 'keep')}
              hx-target="#thread"
              data-shortcut="e"
            >
              {t('header.close_conversation')}
            </button>
            <button type="button" class="menu-item" role="menuitem" hx-post={`${base}/status`} hx-vals={closeVals(place, 'close')} hx-target="#thread">
              {t('header.close_conversation_and_ticket')}
            </button>
          </div>
        </details>
      ) : isOpen ? (
        <button type="button" class="button small" hx-post={`${base}/status`} hx-vals={closeVals(place, 'keep')} hx-target="#thread" data-shortcut="e">
          {t('header.close')}
        </button>
      ) : (
        <button
          type="button"
          class="button small"
          hx-post={`${base}/status`}
          hx-vals={JSON.stringify({ view: place.viewId, filters: place.filterQuery, status: 'open' })}
          hx-target="#thread"
        >
          {t('header.reopen')}
        </button>
      )}
      <details class="menu more-menu">
        <summary class="button small">{t('header.more')}</summary>
        <div class="menu-list" role="menu">
          {isOpen && (
            <button type="button" class="menu-item" role="menuitem" hx-post={`${base}/status`} hx-vals={closeVals(place, 'keep')} hx-target="#thread">
              {t('header.close_conversation')}
            </button>
          )}
          {isOpen && openTicket && (
            <button type="button" class="menu-item" role="menuitem" hx-post={`${base}/status`} hx-vals={closeVals(place, 'close')} hx-target="#thread">
              {t('header.close_conversation_and_ticket')}
            </button>
          )}
          <OutboundActions detail={detail} place={place} />
          {conversation.folder === 'spam' ? (
            <ActionButton action={`${base}/not-spam`} place={place} label={t('header.not_spam')} />
          ) : (
            <ActionButton action={`${base}/spam`} place={place} label={t('header.mark_spam')} />
          )}
          {detail.contact?.blocked ? (
            <ActionButton action={`${base}/unblock`} place={place} label={t('header.unblock', { sender })} />
          ) : (
            detail.contact && (
              <ActionButton
                action={`${base}/block`}
                place={place}
                label={t('header.block', { sender })}
                danger
                confirm={t('header.block_confirm', { sender })}
              />
            )
          )}
          <ActionButton action={`${base}/trash`} place={place} label={t('header.delete')} danger shortcut="#" />
        </div>
      </details>
    </div>
  )
}

/** A message's own menu: its permalink, and hiding or showing it. */
export const MessageActions: FC<{ conversationId: string; messageId: number; hidden: boolean; mayUnhide: boolean }> = ({
  conversationId,
  messageId,
  hidden,
  mayUnhide,
}) => (
  <details class="menu message-menu">
    <summary class="icon-button" aria-label={t('header.message_actions')} title={t('header.message_actions')}>
      ⋯
    </summary>
    <div class="menu-list" role="menu">
      <button type="button" class="menu-item" data-copy-link={`/m/${messageId}`}>
        {t('header.copy_link')}
      </button>
      {!hidden && (
        <button
          type="button"
          class="menu-item"
          hx-post={`/conversations/${conversationId}/messages/${messageId}/hide`}
          hx-target={`#msg-${messageId}`}
          hx-swap="outerHTML"
          hx-confirm={t('header.hide_message_confirm')}
        >
          {t('header.hide_message')}
        </button>
      )}
      {hidden && mayUnhide && (
        <button
          type="button"
          class="menu-item"
          hx-post={`/conversations/${conversationId}/messages/${messageId}/unhide`}
          hx-target={`#msg-${messageId}`}
          hx-swap="outerHTML"
        >
          {t('header.show_message')}
        </button>
      )}
    </div>
  </details>
)
