import type { FC } from 'hono/jsx'
import type { ConversationDetail } from '../src/services/conversations'
import { shortTime } from '../src/lib/time'
import { Avatar, conversationUrl } from './inbox'

export interface OtherConversation {
  id: string
  inboxId: string
  subject: string | null
  preview: string
  status: string
  lastMessageAt: number
}

/** The right-hand pane of a thread: the contact and what we know around them. */
export const ContactPane: FC<{ detail: ConversationDetail; others: OtherConversation[]; viewId: string }> = ({
  detail,
  others,
  viewId,
}) => {
  const contact = detail.contact
  return (
    <aside class="contact-pane" aria-label="Contact">
      <section class="card">
        <div class="contact-head">
          <Avatar name={contact?.name ?? contact?.email} />
          <div>
            <strong>{contact?.name ?? contact?.email ?? contact?.phone ?? 'Unknown visitor'}</strong>
            {contact?.email && <div class="muted small">{contact.email}</div>}
          </div>
        </div>
        <dl class="properties">
          <dt>Email</dt>
          <dd>{contact?.email ?? '—'}</dd>
          <dt>Phone</dt>
          <dd>{contact?.phone ?? '—'}</dd>
          {Object.entries(contact?.properties ?? {}).map(([key, value]) => (
            <>
              <dt>{key}</dt>
              <dd>{value}</dd>
            </>
          ))}
        </dl>
      </section>
      <section class="card" id="card-ai" hx-get={`/conversations/${detail.conversation.id}/cards/ai`} hx-trigger="load" hx-swap="outerHTML">…</section>
      <section class="card">
        <h3>Other conversations</h3>
        {others.length === 0 ? (
          <p class="muted small">None</p>
        ) : (
          <ul class="plain-list">
            {others.map((other) => (
              <li>
                <a href={conversationUrl(other.inboxId, viewId, other.id)}>{other.subject ?? other.preview}</a>
                <span class="muted small"> · {other.status} · {shortTime(other.lastMessageAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" id="card-feedback" hx-get={`/conversations/${detail.conversation.id}/cards/feedback`} hx-trigger="load" hx-swap="outerHTML">…</section>
    </aside>
  )
}

