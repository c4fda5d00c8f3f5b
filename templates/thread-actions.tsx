import type { FC } from 'hono/jsx'
import type { ConversationDetail } from '../src/services/conversations'
import type { User } from '../src/services/users'
import { findPlugin } from '../src/channels/registry'

/** Where the thread is shown from, so an action can answer with the same pane. */
export interface ThreadPlace {
  inboxId: string
  viewId: string
  filterQuery: string
}

const placeVals = (place: ThreadPlace) => JSON.stringify({ view: place.viewId, filters: place.filterQuery })

const ActionButton: FC<{ action: string; place: ThreadPlace; label: string; confirm?: string; danger?: boolean; name?: string; value?: string; shortcut?: string }> = (props) => (
  <button
    type="button"
    class={props.danger ? 'menu-item danger' : 'menu-item'}
    hx-post={props.action}
    hx-vals={props.value ? JSON.stringify({ view: props.place.viewId, filters: props.place.filterQuery, [props.name ?? 'value']: props.value }) : placeVals(props.place)}
    hx-target="#thread"
    hx-confirm={props.confirm}
    data-shortcut={props.shortcut}
  >
    {props.label}
  </button>
)

/** The owner dropdown: any active user, or nobody. */
export const OwnerSelect: FC<{ detail: ConversationDetail; users: Pick<User, 'id' | 'name' | 'status'>[]; place: ThreadPlace; disabled?: boolean }> = ({ detail, users, place, disabled }) => {
  const current = detail.conversation.assigneeId ?? ''
  return (
    <label class="owner">
      <span class="muted small">Owner</span>
      <select
        name="assigneeId"
        hx-post={`/conversations/${detail.conversation.id}/assign`}
        hx-vals={placeVals(place)}
        hx-target="#thread"
        disabled={disabled}
        data-owner-select
      >
        <option value="" selected={current === ''}>
          {detail.conversation.assigneeBot ? `${detail.conversation.assigneeBot} (bot)` : 'Unassigned'}
        </option>
        {users
          .filter((user) => user.status === 'active' || user.id === current)
          .map((user) => (
            <option value={user.id} selected={user.id === current}>
              {user.name}
              {user.status === 'active' ? '' : ` (${user.status})`}
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
        <button type="button" class="menu-item" hx-get={`${base}/forward`} hx-target="#composer" hx-swap="outerHTML">
          Forward…
        </button>
      )}
      {capabilities?.realtime && detail.contact?.email && (
        <ActionButton action={`${base}/transcript`} place={place} label="Send transcript" confirm={`Email the transcript of this chat to ${detail.contact.email}?`} />
      )}
    </>
  )
}

/** Close or reopen, and the "More" menu; trashed conversations offer only Restore and Delete forever. */
export const ConversationActions: FC<{ detail: ConversationDetail; place: ThreadPlace }> = ({ detail, place }) => {
  const conversation = detail.conversation
  const base = `/conversations/${conversation.id}`
  const sender = detail.contact?.email ?? detail.contact?.name ?? 'this sender'
  if (conversation.folder === 'trash') {
    return (
      <div class="thread-actions">
        <details class="menu">
          <summary class="button small">More</summary>
          <div class="menu-list" role="menu">
            <ActionButton action={`${base}/restore`} place={place} label="Restore" />
            <ActionButton
              action={`${base}/delete`}
              place={place}
              label="Delete forever"
              danger
              confirm="Delete this conversation forever? Its messages, attachments and ticket are removed and cannot be restored."
            />
          </div>
        </details>
      </div>
    )
  }
  return (
    <div class="thread-actions">
      {conversation.status === 'open' ? (
        <button type="button" class="button small" hx-post={`${base}/status`} hx-vals={JSON.stringify({ view: place.viewId, filters: place.filterQuery, status: 'closed' })} hx-target="#thread" data-shortcut="e">
          Close
        </button>
      ) : (
        <button type="button" class="button small" hx-post={`${base}/status`} hx-vals={JSON.stringify({ view: place.viewId, filters: place.filterQuery, status: 'open' })} hx-target="#thread">
          Reopen
        </button>
      )}
      <details class="menu">
        <summary class="button small">More</summary>
        <div class="menu-list" role="menu">
          {conversation.folder === 'spam' ? (
            <ActionButton action={`${base}/not-spam`} place={place} label="Not spam" />
          ) : (
            <ActionButton action={`${base}/spam`} place={place} label="Mark as spam" />
          )}
          {detail.contact?.blocked ? (
            <ActionButton action={`${base}/unblock`} place={place} label={`Unblock ${sender}`} />
          ) : (
            <ActionButton
              action={`${base}/block`}
              place={place}
              label={`Block ${sender}`}
              danger
              confirm={`Block ${sender}? This conversation moves to Filtered, everything they send from now on is filtered, and tickets linked to their conversations are deleted for good.`}
            />
          )}
          <OutboundActions detail={detail} place={place} />
          <ActionButton action={`${base}/trash`} place={place} label="Move to trash" danger shortcut="#" />
        </div>
      </details>
    </div>
  )
}

/** A message's own menu: its permalink, and hiding or showing it. */
export const MessageActions: FC<{ conversationId: string; messageId: number; hidden: boolean; mayUnhide: boolean }> = ({ conversationId, messageId, hidden, mayUnhide }) => (
  <details class="menu message-menu">
    <summary class="icon-button" aria-label="Message actions" title="Message actions">
      ⋯
    </summary>
    <div class="menu-list" role="menu">
      <button type="button" class="menu-item" data-copy-link={`/m/${messageId}`}>
        Copy link
      </button>
      {!hidden && (
        <button
          type="button"
          class="menu-item"
          hx-post={`/conversations/${conversationId}/messages/${messageId}/hide`}
          hx-target={`#msg-${messageId}`}
          hx-swap="outerHTML"
          hx-confirm="Hide this message? Its text disappears from the thread, previews and search for everyone."
        >
          Hide message
        </button>
      )}
      {hidden && mayUnhide && (
        <button type="button" class="menu-item" hx-post={`/conversations/${conversationId}/messages/${messageId}/unhide`} hx-target={`#msg-${messageId}`} hx-swap="outerHTML">
          Show message
        </button>
      )}
    </div>
  </details>
)
