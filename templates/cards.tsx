import type { FC } from 'hono/jsx'
import { dealStages } from '../src/db/schema'
import { currentLocale, t } from '../src/i18n'
import { shortTime } from '../src/lib/time'
import type { PropertyDef } from '../src/services/properties'
import type { Company, Contact } from '../src/services/crm'
import type { Deal } from '../src/services/deals'
import { dealCurrencies, formatAmount } from '../src/services/deals'
import type { Ticket } from '../src/services/tickets'
import { ticketPriorities } from '../src/services/tickets'
import { Avatar, ChannelIcon, conversationUrl } from './inbox'

/** Someone who can own a ticket or be assigned a task. */
export interface Assignable {
  id: string
  name: string
  status: string
}

export const propertyLabel = (def: PropertyDef) => (def.labelIsKey ? t(def.label) : def.label)
const optionLabel = (def: PropertyDef, value: string) => (def.builtIn ? t(`prop.opt.${value}`) : value)

/** How a stored value reads: option labels, a user's name, '—' for nothing. */
export function displayValue(def: PropertyDef, value: string, users: Assignable[] = []): string {
  if (!value) return '—'
  if (def.type === 'select') return optionLabel(def, value)
  if (def.type === 'user') return users.find((user) => user.id === value)?.name ?? '—'
  return value
}

export interface PropertyItem {
  def: PropertyDef
  value: string
}

/** The input for one property, by type (the server validates again: these are only hints). */
const PropertyInput: FC<{ def: PropertyDef; value: string; users: Assignable[]; id: string }> = ({ def, value, users, id }) => {
  const label = propertyLabel(def)
  switch (def.type) {
    case 'longtext':
      return (
        <textarea id={id} name="value" rows={4} maxlength={5000} aria-label={label} autofocus>
          {value}
        </textarea>
      )
    case 'select':
      return (
        <select id={id} name="value" aria-label={label} autofocus>
          {!def.required && <option value="">—</option>}
          {def.options.map((option) => (
            <option value={option} selected={option === value}>
              {optionLabel(def, option)}
            </option>
          ))}
        </select>
      )
    case 'user':
      return (
        <select id={id} name="value" aria-label={label} autofocus>
          <option value="">{t('cards.nobody')}</option>
          {users
            .filter((user) => user.status === 'active' || user.id === value)
            .map((user) => (
              <option value={user.id} selected={user.id === value}>
                {user.name}
              </option>
            ))}
        </select>
      )
    default:
      return (
        <input
          id={id}
          name="value"
          value={value}
          aria-label={label}
          autofocus
          maxlength={500}
          type={def.type === 'date' ? 'date' : def.type === 'email' ? 'email' : def.type === 'phone' ? 'tel' : 'text'}
          inputmode={def.type === 'number' ? 'decimal' : undefined}
        />
      )
  }
}

/**
 * A list of properties, each editable in place: clicking a value asks the server for the list
 * with that property as a form (`editUrl?edit=name`); saving posts to `saveUrl` and the server
 * answers with the whole container (`target`) again, or the form with an error (422).
 */
export const PropertyList: FC<{
  items: PropertyItem[]
  editUrl: string
  saveUrl: string
  target: string
  editing?: string
  error?: string
  draft?: string
  users?: Assignable[]
  readOnly?: boolean
}> = ({ items, editUrl, saveUrl, target, editing, error, draft, users = [], readOnly }) => {
  const sep = editUrl.includes('?') ? '&' : '?'
  return (
    <dl class="properties editable">
      {items.map(({ def, value }) => {
        const label = propertyLabel(def)
        if (editing === def.name && !readOnly) {
          const inputId = `prop-${target.replace('#', '')}-${def.name}`
          return (
            <>
              <dt>
                <label for={inputId}>{label}</label>
              </dt>
              <dd>
                <form class="prop-form" hx-post={saveUrl} hx-target={target} hx-swap="outerHTML" data-property={def.name}>
                  <input type="hidden" name="property" value={def.name} />
                  <PropertyInput def={def} value={draft ?? value} users={users} id={inputId} />
                  {error && (
                    <p class="form-error small" role="alert">
                      {error}
                    </p>
                  )}
                  <div class="prop-form-actions">
                    <button type="submit" class="button small primary">
                      {t('common.save')}
                    </button>
                    <button type="button" class="button small" hx-get={editUrl} hx-target={target} hx-swap="outerHTML">
                      {t('common.cancel')}
                    </button>
                  </div>
                </form>
              </dd>
            </>
          )
        }
        const shown = displayValue(def, value, users)
        return (
          <>
            <dt>{label}</dt>
            <dd>
              {readOnly ? (
                <span class="prop-value">{shown}</span>
              ) : (
                <button
                  type="button"
                  class="prop-value"
                  data-property={def.name}
                  hx-get={`${editUrl}${sep}edit=${encodeURIComponent(def.name)}`}
                  hx-target={target}
                  hx-swap="outerHTML"
                  title={t('cards.edit_property', { label })}
                  aria-label={t('cards.edit_property_value', { label, value: shown })}
                >
                  <span class="prop-text">{shown}</span>
                </button>
              )}
            </dd>
          </>
        )
      })}
    </dl>
  )
}

/** A card placeholder that loads itself; the contract other areas add their cards by. */
export const LazyCard: FC<{ conversationId: string; name: string; title: string }> = ({ conversationId, name, title }) => (
  <section
    class="card card-loading"
    id={`card-${name}`}
    hx-get={`/conversations/${conversationId}/cards/${name}`}
    hx-trigger="load"
    hx-swap="outerHTML"
    aria-busy="true"
  >
    <h2>{title}</h2>
    <p class="muted small">{t('cards.loading')}</p>
  </section>
)

/** An empty slot: a card that has nothing to show for this conversation (no contact yet). */
export const EmptyCard: FC<{ name: string }> = ({ name }) => <section class="card card-empty" id={`card-${name}`} hidden></section>

const placeInclude = '#thread-place'

// ---------------------------------------------------------------------------------------------
// Contact

export const ContactCard: FC<{ conversationId: string; contact: Contact | null; error?: string; values?: Record<string, string> }> = ({
  conversationId,
  contact,
  error,
  values,
}) => {
  const base = `/conversations/${conversationId}`
  if (!contact) {
    return (
      <section class="card contact-card" id="card-contact" aria-label={t('cards.contact')}>
        <h2>{t('cards.contact')}</h2>
        <p class="muted no-contact">{t('cards.no_contact')}</p>
        <details class="add-contact" open={Boolean(error)}>
          <summary class="button small">{t('cards.add_contact')}</summary>
          <div class="stack small-stack">
            <label>
              {t('cards.search_contacts')}
              <input
                type="search"
                name="q"
                autocomplete="off"
                maxlength={100}
                placeholder={t('cards.search_placeholder')}
                hx-get={`${base}/contact/search`}
                hx-trigger="input changed delay:250ms, search"
                hx-target="#contact-search-results"
              />
            </label>
            <div id="contact-search-results" aria-live="polite"></div>
            <form class="stack small-stack" hx-post={`${base}/contact/new`} hx-target="#thread" hx-include={placeInclude}>
              <strong class="small">{t('cards.create_contact')}</strong>
              {error && (
                <p class="form-error small" role="alert">
                  {error}
                </p>
              )}
              <label>
                {t('prop.name')}
                <input name="name" maxlength={120} value={values?.name ?? ''} />
              </label>
              <label>
                {t('prop.email')}
                <input name="email" type="email" maxlength={254} value={values?.email ?? ''} />
              </label>
              <button type="submit" class="button small primary">
                {t('cards.create_and_add')}
              </button>
            </form>
          </div>
        </details>
      </section>
    )
  }
  const name = contact.name ?? contact.email ?? contact.phone ?? t('cards.unknown_visitor')
  return (
    <section class="card contact-card" id="card-contact" aria-label={t('cards.contact')}>
      <div class="contact-head">
        <Avatar name={contact.name ?? contact.email} src={contact.avatarUrl} />
        <div class="contact-id">
          <a class="contact-name" href={`/contacts/${contact.id}`}>
            {name}
          </a>
          {contact.email && <div class="muted small">{contact.email}</div>}
          {contact.phone && (
            <div class="muted small">
              <a href={`tel:${contact.phone}`}>{contact.phone}</a> {/* The inbox's phone line calls out when it can; otherwise the answer is a tel: link. */}
              <button type="button" class="link-button" hx-post={`/conversations/${conversationId}/call`} hx-target="next .dial-result" hx-swap="innerHTML">
                {t('dial.call')}
              </button>
              <span class="dial-result"></span>
            </div>
          )}
          {contact.blocked && <span class="chip chip-muted">{t('cards.blocked')}</span>}
        </div>
        <button
          type="button"
          class="icon-button remove-contact"
          hx-post={`${base}/contact/remove`}
          hx-target="#thread"
          hx-include={placeInclude}
          hx-confirm={t('cards.remove_contact_confirm', { name })}
          aria-label={t('cards.remove_contact')}
          title={t('cards.remove_contact')}
        >
          ✕
        </button>
      </div>
    </section>
  )
}

/** Search results as buttons that link one of them to the conversation (a contact, a company). */
const PickList: FC<{
  query: string
  items: { id: string; label: string; detail?: string | null; vals: Record<string, string> }[]
  className: string
  post: string
  target: string
  swap?: string
  include?: string
}> = ({ query, items, className, post, target, swap, include }) => {
  if (!query.trim()) return null
  if (items.length === 0) return <p class="muted small">{t('cards.no_matches')}</p>
  return (
    <ul class="plain-list search-results">
      {items.map((item) => (
        <li>
          <button
            type="button"
            class={`link-button ${className}`}
            hx-post={post}
            hx-vals={JSON.stringify(item.vals)}
            hx-target={target}
            hx-swap={swap}
            hx-include={include}
          >
            <strong>{item.label}</strong>
            {item.detail && <span class="muted small"> {item.detail}</span>}
          </button>
        </li>
      ))}
    </ul>
  )
}

export const ContactSearchResults: FC<{ conversationId: string; contacts: Contact[]; query: string }> = ({ conversationId, contacts, query }) => (
  <PickList
    query={query}
    className="pick-contact"
    post={`/conversations/${conversationId}/contact`}
    target="#thread"
    include={placeInclude}
    items={contacts.map((contact) => ({
      id: contact.id,
      label: contact.name ?? contact.email ?? contact.phone ?? '',
      detail: contact.name ? contact.email : null,
      vals: { contactId: contact.id },
    }))}
  />
)

// ---------------------------------------------------------------------------------------------
// About this contact, custom properties

export const AboutCard: FC<{ conversationId: string; items: PropertyItem[]; editing?: string; error?: string; draft?: string }> = (props) => (
  <section class="card" id="card-about" aria-label={t('cards.about')}>
    <h2>{t('cards.about')}</h2>
    {props.items.length === 0 ? (
      <p class="muted small">{t('cards.no_properties_chosen')}</p>
    ) : (
      <PropertyList
        items={props.items}
        editUrl={`/conversations/${props.conversationId}/cards/about`}
        saveUrl={`/conversations/${props.conversationId}/cards/about`}
        target="#card-about"
        editing={props.editing}
        error={props.error}
        draft={props.draft}
      />
    )}
  </section>
)

export const CustomPropertiesCard: FC<{ conversationId: string; items: PropertyItem[]; editing?: string; error?: string; draft?: string; isAdmin: boolean }> = (
  props,
) => (
  <section class="card" id="card-properties" aria-label={t('cards.custom_properties')}>
    <h2>{t('cards.custom_properties')}</h2>
    {props.items.length === 0 ? (
      <p class="muted small">
        {t('cards.no_custom_properties')} {props.isAdmin && <a href="/settings/properties">{t('cards.define_properties')}</a>}
      </p>
    ) : (
      <PropertyList
        items={props.items}
        editUrl={`/conversations/${props.conversationId}/cards/properties`}
        saveUrl={`/conversations/${props.conversationId}/cards/properties`}
        target="#card-properties"
        editing={props.editing}
        error={props.error}
        draft={props.draft}
      />
    )}
  </section>
)

// ---------------------------------------------------------------------------------------------
// Company

export const CompanyCard: FC<{
  conversationId: string
  company: Company | null
  items: PropertyItem[]
  editing?: string
  error?: string
  draft?: string
  values?: Record<string, string>
}> = ({ conversationId, company, items, editing, error, draft, values }) => {
  const base = `/conversations/${conversationId}/cards/company`
  if (!company) {
    return (
      <section class="card" id="card-company" aria-label={t('cards.company')}>
        <h2>{t('cards.company')}</h2>
        <p class="muted small">{t('cards.no_company')}</p>
        <details class="add-company" open={Boolean(error)}>
          <summary class="button small">{t('cards.add_company')}</summary>
          <div class="stack small-stack">
            <label>
              {t('cards.search_companies')}
              <input
                type="search"
                name="q"
                autocomplete="off"
                maxlength={100}
                hx-get={`${base}/search`}
                hx-trigger="input changed delay:250ms, search"
                hx-target="#company-search-results"
              />
            </label>
            <div id="company-search-results" aria-live="polite"></div>
            <form class="stack small-stack" hx-post={`${base}/new`} hx-target="#card-company" hx-swap="outerHTML">
              <strong class="small">{t('cards.create_company')}</strong>
              {error && (
                <p class="form-error small" role="alert">
                  {error}
                </p>
              )}
              <label>
                {t('prop.name')}
                <input name="name" required maxlength={120} value={values?.name ?? ''} />
              </label>
              <label>
                {t('prop.domain')}
                <input name="domain" maxlength={253} placeholder="example.com" value={values?.domain ?? ''} />
              </label>
              <button type="submit" class="button small primary">
                {t('cards.create_and_link')}
              </button>
            </form>
          </div>
        </details>
      </section>
    )
  }
  return (
    <section class="card" id="card-company" aria-label={t('cards.company')}>
      <div class="card-title-row">
        <h2>{t('cards.company')}</h2>
        <button
          type="button"
          class="link-button small"
          hx-post={`${base}/associate`}
          hx-vals={JSON.stringify({ companyId: '' })}
          hx-target="#card-company"
          hx-swap="outerHTML"
          hx-confirm={t('cards.unlink_company_confirm', { name: company.name })}
        >
          {t('cards.unlink_company')}
        </button>
      </div>
      <PropertyList items={items} editUrl={base} saveUrl={base} target="#card-company" editing={editing} error={error} draft={draft} />
    </section>
  )
}

export const CompanySearchResults: FC<{ conversationId: string; companies: Company[]; query: string }> = ({ conversationId, companies, query }) => (
  <PickList
    query={query}
    className="pick-company"
    post={`/conversations/${conversationId}/cards/company/associate`}
    target="#card-company"
    swap="outerHTML"
    items={companies.map((company) => ({ id: company.id, label: company.name, detail: company.domain, vals: { companyId: company.id } }))}
  />
)

// ---------------------------------------------------------------------------------------------
// Ticket

export const TicketStatusChip: FC<{ status: string }> = ({ status }) => (
  <span class={status === 'open' ? 'chip chip-open' : 'chip chip-muted'}>{t(`prop.opt.${status}`)}</span>
)

export const NewTicketForm: FC<{
  conversationId: string
  defaultName: string
  users: Assignable[]
  defaultOwnerId: string | null
  error?: string
  values?: Record<string, string>
}> = ({ conversationId, defaultName, users, defaultOwnerId, error, values }) => {
  const owner = values?.ownerId ?? defaultOwnerId ?? ''
  return (
    <details class="create-ticket" open={Boolean(error)}>
      <summary class="button small">{t('cards.create_ticket')}</summary>
      <form class="stack small-stack" hx-post={`/conversations/${conversationId}/ticket`} hx-target="#thread" hx-include={placeInclude}>
        {error && (
          <p class="form-error small" role="alert">
            {error}
          </p>
        )}
        <label>
          {t('prop.name')}
          <input name="name" required maxlength={200} value={values?.name ?? defaultName} />
        </label>
        <label>
          {t('prop.priority')}
          <select name="priority">
            {ticketPriorities.map((priority) => (
              <option value={priority} selected={(values?.priority ?? 'medium') === priority}>
                {t(`prop.opt.${priority}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('prop.description')}
          <textarea name="description" rows={3} maxlength={5000}>
            {values?.description ?? ''}
          </textarea>
        </label>
        <label>
          {t('prop.owner')}
          <select name="ownerId">
            <option value="">{t('cards.nobody')}</option>
            {users
              .filter((user) => user.status === 'active')
              .map((user) => (
                <option value={user.id} selected={user.id === owner}>
                  {user.name}
                </option>
              ))}
          </select>
        </label>
        <button type="submit" class="button small primary">
          {t('cards.create_ticket')}
        </button>
      </form>
    </details>
  )
}

export const TicketCard: FC<{
  conversationId: string
  ticket: Ticket | null
  items: PropertyItem[]
  users: Assignable[]
  newTicket?: { defaultName: string; defaultOwnerId: string | null; error?: string; values?: Record<string, string>; trashed: boolean }
  editing?: string
  error?: string
  draft?: string
}> = ({ conversationId, ticket, items, users, newTicket, editing, error, draft }) => {
  const base = `/conversations/${conversationId}/cards/ticket`
  if (!ticket) {
    return (
      <section class="card" id="card-ticket" aria-label={t('cards.ticket')}>
        <h2>{t('cards.ticket')}</h2>
        <p class="muted small">{t('cards.no_ticket')}</p>
        {newTicket?.trashed && newTicket.error && (
          <p class="form-error small" role="alert">
            {newTicket.error}
          </p>
        )}
        {newTicket && !newTicket.trashed && (
          <NewTicketForm
            conversationId={conversationId}
            defaultName={newTicket.defaultName}
            users={users}
            defaultOwnerId={newTicket.defaultOwnerId}
            error={newTicket.error}
            values={newTicket.values}
          />
        )}
      </section>
    )
  }
  return (
    // Reloads itself when the ticket changes elsewhere on the page (the "View more" panel).
    <section class="card" id="card-ticket" aria-label={t('cards.ticket')} hx-get={base} hx-trigger="ticket:panel-changed from:body" hx-swap="outerHTML">
      <h2>{t('cards.ticket')}</h2>
      {error && !editing && (
        <p class="form-error small" role="alert">
          {error}
        </p>
      )}
      <div class="ticket-head">
        <a class="ticket-name" href={`/tickets/${ticket.id}`}>
          {ticket.name}
        </a>{' '}
        <TicketStatusChip status={ticket.status} />
      </div>
      <PropertyList items={items} editUrl={base} saveUrl={base} target="#card-ticket" editing={editing} error={error} draft={draft} users={users} />
      <button type="button" class="link-button small view-more" hx-get={`/tickets/${ticket.id}/panel`} hx-target="#sidebar-panel" hx-swap="innerHTML">
        {t('cards.view_more')}
      </button>
    </section>
  )
}

/** The ticket's "View more" slide-over: its own configured properties, editable. */
export const TicketPanel: FC<{ ticket: Ticket; items: PropertyItem[]; users: Assignable[]; editing?: string; error?: string; draft?: string }> = ({
  ticket,
  items,
  users,
  editing,
  error,
  draft,
}) => {
  const base = `/tickets/${ticket.id}/panel`
  return (
    <aside class="slide-over" id="ticket-panel" role="dialog" aria-modal="false" aria-labelledby="ticket-panel-title">
      <header class="slide-over-header">
        <h2 id="ticket-panel-title">
          <a href={`/tickets/${ticket.id}`}>{ticket.name}</a>
        </h2>
        <button type="button" class="icon-button" data-close-panel aria-label={t('common.close')} title={t('common.close')}>
          ✕
        </button>
      </header>
      <TicketStatusChip status={ticket.status} />
      <PropertyList items={items} editUrl={base} saveUrl={base} target="#ticket-panel" editing={editing} error={error} draft={draft} users={users} />
      <a class="small" href={`/tickets/${ticket.id}`}>
        {t('cards.open_ticket_page')}
      </a>
    </aside>
  )
}

/** A small ticket glyph (no emoji: not every system has an emoji font). */
export const TicketIcon: FC = () => (
  <svg class="ticket-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
    <path
      d="M2 4.5A1.5 1.5 0 0 1 3.5 3h9A1.5 1.5 0 0 1 14 4.5V6a2 2 0 0 0 0 4v1.5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 11.5V10a2 2 0 0 0 0-4z"
      fill="none"
      stroke="currentColor"
      stroke-width="1.4"
    />
  </svg>
)

/** The header's link to the conversation's ticket; refreshes itself when the ticket changes. */
export const TicketLink: FC<{ ticket: { id: string; name: string; status: string } }> = ({ ticket }) => (
  <a
    id="thread-ticket-link"
    class="ticket-link"
    href={`/tickets/${ticket.id}`}
    hx-get={`/tickets/${ticket.id}/link`}
    hx-trigger="ticket:changed from:body"
    hx-swap="outerHTML"
    title={t('cards.ticket')}
  >
    <TicketIcon /> {ticket.name}
    {ticket.status === 'closed' && <span class="chip chip-muted">{t('prop.opt.closed')}</span>}
  </a>
)

// ---------------------------------------------------------------------------------------------
// Other conversations, other tickets

export interface OtherConversation {
  id: string
  inboxId: string
  subject: string | null
  preview: string
  status: string
  pluginId: string
  lastMessageAt: number
}

export const OtherConversationsCard: FC<{ others: OtherConversation[] }> = ({ others }) => (
  <section class="card" id="card-conversations" aria-label={t('cards.other_conversations')}>
    <h2>{t('cards.other_conversations')}</h2>
    {others.length === 0 ? (
      <p class="muted small">{t('common.none')}</p>
    ) : (
      <ul class="plain-list">
        {others.map((other) => (
          <li>
            <ChannelIcon pluginId={other.pluginId} />{' '}
            <a href={conversationUrl(other.inboxId, other.status === 'open' ? 'open' : 'closed', other.id)}>{other.subject ?? other.preview}</a>
            <span class="muted small">
              {' · '}
              {t(`prop.opt.${other.status}`)} · {shortTime(other.lastMessageAt)}
            </span>
          </li>
        ))}
      </ul>
    )}
  </section>
)

export const OtherTicketsCard: FC<{ tickets: Ticket[] }> = ({ tickets }) => (
  <section class="card" id="card-tickets" aria-label={t('cards.other_tickets')}>
    <h2>{t('cards.other_tickets')}</h2>
    {tickets.length === 0 ? (
      <p class="muted small">{t('common.none')}</p>
    ) : (
      <ul class="plain-list">
        {tickets.map((ticket) => (
          <li>
            <a href={`/tickets/${ticket.id}`}>{ticket.name}</a> <TicketStatusChip status={ticket.status} />
            <span class="muted small"> · {shortTime(ticket.createdAt)}</span>
          </li>
        ))}
      </ul>
    )}
  </section>
)

// ---------------------------------------------------------------------------------------------
// Deals

export const DealStageSelect: FC<{ conversationId: string; deal: Deal }> = ({ conversationId, deal }) => (
  <select
    name="stage"
    class="deal-stage"
    aria-label={t('deal.stage_of', { name: deal.name })}
    hx-post={`/conversations/${conversationId}/deals/${deal.id}/stage`}
    hx-trigger="change"
    hx-target="#card-deals"
    hx-swap="outerHTML"
  >
    {dealStages.map((stage) => (
      <option value={stage} selected={stage === deal.stage}>
        {t(`deal.stage.${stage}`)}
      </option>
    ))}
  </select>
)

/** One deal in the Deals card: name, amount, stage, and the account's custom deal properties (editable in place). */
export const DealItem: FC<{ conversationId: string; deal: Deal; custom: PropertyDef[]; editing?: string; error?: string; draft?: string }> = ({
  conversationId,
  deal,
  custom,
  editing,
  error,
  draft,
}) => {
  const base = `/conversations/${conversationId}/deals/${deal.id}`
  return (
    <li class="deal-item" id={`deal-${deal.id}`} data-deal-id={deal.id}>
      <div>
        <strong class="deal-name">{deal.name}</strong>{' '}
        <span class="muted small deal-amount">{formatAmount(deal.amountMinor, deal.currency, currentLocale())}</span>
      </div>
      <DealStageSelect conversationId={conversationId} deal={deal} />
      {custom.length > 0 && (
        <PropertyList
          items={custom.map((def) => ({ def, value: deal.properties?.[def.name] ?? '' }))}
          editUrl={base}
          saveUrl={`${base}/properties`}
          target={`#deal-${deal.id}`}
          editing={editing}
          error={error}
          draft={draft}
        />
      )}
    </li>
  )
}

export const DealsCard: FC<{ conversationId: string; deals: Deal[]; custom?: PropertyDef[]; error?: string; values?: Record<string, string> }> = ({
  conversationId,
  deals,
  custom = [],
  error,
  values,
}) => {
  const locale = currentLocale()
  const currency = values?.currency ?? (locale === 'nb' ? 'NOK' : 'USD')
  return (
    <section class="card" id="card-deals" aria-label={t('cards.deals')}>
      <h2>{t('cards.deals')}</h2>
      {deals.length === 0 ? (
        <p class="muted small">{t('cards.no_deals')}</p>
      ) : (
        <ul class="plain-list deal-list">
          {deals.map((deal) => (
            <DealItem conversationId={conversationId} deal={deal} custom={custom} />
          ))}
        </ul>
      )}
      <details class="create-deal" open={Boolean(error)}>
        <summary class="button small">{t('deal.create')}</summary>
        <form class="stack small-stack" hx-post={`/conversations/${conversationId}/deals`} hx-target="#card-deals" hx-swap="outerHTML">
          {error && (
            <p class="form-error small" role="alert">
              {error}
            </p>
          )}
          <label>
            {t('deal.name')}
            <input name="name" required maxlength={200} value={values?.name ?? ''} />
          </label>
          <div class="deal-amount-row">
            <label>
              {t('deal.amount')}
              <input name="amount" inputmode="decimal" maxlength={30} placeholder="1 234,50" value={values?.amount ?? ''} />
            </label>
            <label>
              {t('deal.currency')}
              <select name="currency">
                {Object.keys(dealCurrencies).map((code) => (
                  <option value={code} selected={code === currency}>
                    {code}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <label>
            {t('deal.stage')}
            <select name="stage">
              {dealStages.map((stage) => (
                <option value={stage} selected={stage === (values?.stage ?? 'appointment')}>
                  {t(`deal.stage.${stage}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="button small primary">
            {t('deal.create')}
          </button>
        </form>
      </details>
    </section>
  )
}
