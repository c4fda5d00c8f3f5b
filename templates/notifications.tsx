import type { FC } from 'hono/jsx'
import { t } from '../src/i18n'
import { isoTime, shortTime } from '../src/lib/time'
import { sanitizeRichText } from '../src/lib/rich-text'
import { escapeHtml } from '../src/lib/sanitize-html'
import type { Teammate, Mention } from '../src/services/mentions'
import type { NotificationItem } from '../src/services/notifications'

/** The HTML the editor inserts for a mention (sanitised like everything the editor stores). */
export const mentionHtml = (user: { id: string; name: string }) =>
  sanitizeRichText(`<span class="mention" data-user-id="${escapeHtml(user.id)}">@${escapeHtml(user.name)}</span>`)

/** The `@` picker: the shared picker-fragment contract (see the editor's popover). */
export const MentionPicker: FC<{ teammates: Teammate[]; query: string }> = ({ teammates, query }) =>
  teammates.length === 0 ? (
    <p class="picker-empty">{query.trim() ? t('mentions.none', { query: query.trim().slice(0, 60) }) : t('mentions.none_at_all')}</p>
  ) : (
    <ul class="picker-list" aria-label={t('mentions.picker_label')}>
      {teammates.map((user) => (
        <li>
          <button type="button" class="picker-item" data-insert-html={mentionHtml(user)} data-user-id={user.id}>
            <span class="picker-label">{user.name}</span> <span class="picker-detail">{user.email}</span>
          </button>
        </li>
      ))}
    </ul>
  )

/** The unread badge; sent out of band when a notification arrives or is read. */
export const BellCount: FC<{ count: number; oob?: boolean }> = ({ count, oob }) => (
  <span id="notification-count" class={count > 0 ? 'bell-count' : 'bell-count zero'} data-count={count} hx-swap-oob={oob ? 'true' : undefined}>
    <span aria-hidden="true">{count > 99 ? '99+' : count}</span>
    <span class="visually-hidden">{t('notifications.unread', { count })}</span>
  </span>
)

export const NotificationList: FC<{ items: NotificationItem[]; timeZone: string; oob?: boolean }> = ({ items, timeZone, oob }) => (
  <ol id="notification-list" class="notification-list" hx-swap-oob={oob ? 'true' : undefined}>
    {items.length === 0 && <li class="notification-empty muted small">{t('notifications.empty')}</li>}
    {items.map((item) => (
      <li class={item.readAt === null ? 'notification unread' : 'notification'} data-notification-id={item.id}>
        <a href={`/notifications/${item.id}`} class="notification-link">
          <span class="notification-title">
            {item.readAt === null && <span class="unread-dot" title={t('notifications.unread_marker')} />}
            {t('notifications.mentioned_you', {
              actor: item.actorName ?? t('notifications.someone'),
              subject: item.subject ?? t('notifications.a_conversation'),
            })}
          </span>
          <span class="notification-excerpt">{item.hidden ? t('notifications.hidden') : item.excerpt}</span>
          <time class="muted small" datetime={isoTime(item.createdAt)}>
            {shortTime(item.createdAt, Date.now(), timeZone)}
          </time>
        </a>
      </li>
    ))}
  </ol>
)

/** The bell in the sidebar: count on the button, the newest notifications in its panel. */
export const NotificationBell: FC<{ count: number; items: NotificationItem[]; timeZone: string; open?: boolean }> = ({ count, items, timeZone, open }) => (
  <details id="notification-bell" class="notification-bell" open={open}>
    <summary class="icon-button bell-button" title={t('notifications.title')} aria-label={t('notifications.bell_label')}>
      <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
        <path
          d="M12 3a6 6 0 0 0-6 6v3.6L4.3 15.4A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.6L18 12.6V9a6 6 0 0 0-6-6Zm-2.5 15a2.5 2.5 0 0 0 5 0Z"
          fill="currentColor"
        />
      </svg>
      <BellCount count={count} />
    </summary>
    <section class="notification-panel" aria-label={t('notifications.title')}>
      <header class="notification-header">
        <strong>{t('notifications.title')}</strong>
        <button type="button" class="link-button small" hx-post="/notifications/read-all" hx-target="#notification-bell" hx-swap="outerHTML">
          {t('notifications.mark_all_read')}
        </button>
      </header>
      <NotificationList items={items} timeZone={timeZone} />
    </section>
  </details>
)

/** Where the bell goes in a page: it loads itself, so pages need no notification query. */
export const BellSlot: FC = () => (
  <div id="notification-bell" class="notification-bell" hx-get="/notifications/bell" hx-trigger="load" hx-swap="outerHTML"></div>
)

/** What a live update sends: the count and the list, each swapped in place (an open panel stays open). */
export const BellUpdate: FC<{ count: number; items: NotificationItem[]; timeZone: string }> = ({ count, items, timeZone }) => (
  <>
    <BellCount count={count} oob />
    <NotificationList items={items} timeZone={timeZone} oob />
  </>
)

/**
 * A plain-text comment with the teammates it mentions highlighted. Only names the server
 * resolved (metadata.mentions) are marked; the text itself stays escaped by JSX.
 */
export const MentionedText: FC<{ text: string; mentions: Mention[] }> = ({ text, mentions }) => {
  const labels = mentions.flatMap((mention) => [mention.name, mention.name.split(/\s+/)[0] ?? '']).filter(Boolean)
  if (labels.length === 0) return <div class="message-text">{text}</div>
  const escaped = [...new Set(labels)].sort((a, b) => b.length - a.length).map((label) => label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '\\s+'))
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_.@])@(?:${escaped.join('|')})(?![\\p{L}\\p{N}_])`, 'giu')
  const parts: (string | ReturnType<FC>)[] = []
  let last = 0
  for (const match of text.matchAll(pattern)) {
    parts.push(text.slice(last, match.index))
    parts.push(<span class="mention">{match[0]}</span>)
    last = match.index + match[0].length
  }
  parts.push(text.slice(last))
  return <div class="message-text">{parts}</div>
}
