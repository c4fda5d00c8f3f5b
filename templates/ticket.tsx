import type { FC } from 'hono/jsx'
import { t } from '../src/i18n'
import { fullTime } from '../src/lib/time'
import type { Ticket } from '../src/services/tickets'
import type { Contact } from '../src/services/crm'
import { Layout } from './layout'
import { PropertyList, TicketIcon, TicketStatusChip, type Assignable, type PropertyItem } from './cards'
import { ChannelIcon, conversationUrl } from './inbox'

export const TicketProperties: FC<{ ticketId: string; items: PropertyItem[]; users: Assignable[]; editing?: string; error?: string; draft?: string }> = (
  props,
) => (
  <section class="card" id="ticket-properties" aria-label={t('ticket.properties')}>
    <h2>{t('ticket.properties')}</h2>
    <PropertyList
      items={props.items}
      editUrl={`/tickets/${props.ticketId}/properties`}
      saveUrl={`/tickets/${props.ticketId}/properties`}
      target="#ticket-properties"
      editing={props.editing}
      error={props.error}
      draft={props.draft}
      users={props.users}
    />
  </section>
)

export interface TicketConversation {
  id: string
  inboxId: string
  subject: string | null
  preview: string
  pluginId: string
  status: string
  folder: string
}

/** Which list a conversation link opens in: the view that holds it. */
export const viewOf = (conversation: { status: string; folder: string }) =>
  conversation.folder === 'inbox' ? (conversation.status === 'open' ? 'open' : 'closed') : conversation.folder

export const TicketPage: FC<{
  appName: string
  ticket: Ticket
  contact: Contact | null
  ownerName: string | null
  conversation: TicketConversation | null
  properties: { items: PropertyItem[]; users: Assignable[] }
  timeZone: string
}> = ({ appName, ticket, contact, ownerName, conversation, properties, timeZone }) => (
  <Layout title={`${ticket.name} · ${appName}`} bodyClass="record-page">
    <main class="record">
      <a href={conversation ? conversationUrl(conversation.inboxId, viewOf(conversation), conversation.id) : '/'} class="back-link">
        {conversation ? t('ticket.back_to_conversation') : t('common.back_to_inbox')}
      </a>
      <header class="record-header">
        <h1>
          <TicketIcon /> {ticket.name}
        </h1>
        <TicketStatusChip status={ticket.status} />
        <p class="muted small">
          {t('ticket.created', { when: fullTime(ticket.createdAt, timeZone) })}
          {ownerName && ` · ${t('ticket.owned_by', { name: ownerName })}`}
        </p>
      </header>
      <div class="record-grid">
        <TicketProperties ticketId={ticket.id} items={properties.items} users={properties.users} />
        <section class="card" aria-label={t('ticket.linked')}>
          <h2>{t('ticket.linked')}</h2>
          <dl class="properties">
            <dt>{t('ticket.conversation')}</dt>
            <dd>
              {conversation ? (
                <a class="ticket-conversation-link" href={conversationUrl(conversation.inboxId, viewOf(conversation), conversation.id)}>
                  <ChannelIcon pluginId={conversation.pluginId} /> {conversation.subject ?? conversation.preview}
                </a>
              ) : (
                '—'
              )}
            </dd>
            <dt>{t('cards.contact')}</dt>
            <dd>{contact ? <a href={`/contacts/${contact.id}`}>{contact.name ?? contact.email ?? contact.phone}</a> : '—'}</dd>
          </dl>
          {ticket.description && <p class="record-description">{ticket.description}</p>}
        </section>
      </div>
    </main>
  </Layout>
)
