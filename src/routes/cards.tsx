import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { dealStages } from '../db/schema'
import { InputError } from '../lib/errors'
import { t } from '../i18n'
import { setConversationContact } from '../services/conversation-actions'
import { otherConversationsOfContact, type ConversationDetail } from '../services/conversations'
import {
  createCompany,
  createContact,
  getCompany,
  getContact,
  propertyValue,
  searchCompanies,
  searchContacts,
  setCompanyProperty,
  setContactCompany,
  setContactProperty,
} from '../services/crm'
import { createDeal, dealsOfContact, getDeal, parseAmountMinor, setDealProperty, setDealStage } from '../services/deals'
import { allProperties, cardProperties, listCustomProperties, customToDef, validatePropertyValue, type PropertyDef } from '../services/properties'
import { createTicketFromConversation, getTicket, setTicketProperty, ticketPriorities, ticketsOfContact } from '../services/tickets'
import { listAllUsers } from '../services/users'
import {
  AboutCard,
  CompanyCard,
  CompanySearchResults,
  ContactCard,
  ContactSearchResults,
  CustomPropertiesCard,
  DealItem,
  DealsCard,
  EmptyCard,
  OtherConversationsCard,
  OtherTicketsCard,
  TicketCard,
  type PropertyItem,
} from '../../templates/cards'
import { ownConversation, threadAction } from './conversations'

/**
 * The sidebar's cards (templates/sidebar.tsx loads each lazily) and what they do: edit properties
 * in place, add or remove the contact, link a company, create a ticket or a deal.
 */
export const cardRoutes = new Hono<AppEnv>()

const cardNames = ['contact', 'about', 'company', 'ticket', 'conversations', 'tickets', 'deals', 'properties'] as const
type CardName = (typeof cardNames)[number]

interface CardState {
  editing?: string
  error?: string
  draft?: string
  values?: Record<string, string>
}

const itemsOf = (row: Record<string, unknown> & { properties: Record<string, string> }, defs: PropertyDef[]): PropertyItem[] =>
  defs.map((def) => ({ def, value: propertyValue(row, def) }))

/** Renders one card for the conversation (or its empty slot when it needs a contact and there is none). */
async function renderCard(c: Context<AppEnv>, detail: ConversationDetail, name: CardName, state: CardState = {}) {
  const { db, accountId, user } = c.var
  const conversationId = detail.conversation.id
  const contact = detail.contact
  switch (name) {
    case 'contact':
      return <ContactCard conversationId={conversationId} contact={contact} error={state.error} values={state.values} />
    case 'about': {
      if (!contact) return <EmptyCard name="about" />
      const defs = await cardProperties(db, accountId, 'contact')
      return <AboutCard conversationId={conversationId} items={itemsOf(contact, defs)} {...state} />
    }
    case 'properties': {
      if (!contact) return <EmptyCard name="properties" />
      const defs = (await listCustomProperties(db, accountId, 'contact')).map(customToDef)
      return <CustomPropertiesCard conversationId={conversationId} items={itemsOf(contact, defs)} isAdmin={user.role !== 'agent'} {...state} />
    }
    case 'company': {
      if (!contact) return <EmptyCard name="company" />
      const company = contact.companyId ? await getCompany(db, accountId, contact.companyId) : null
      const defs = company ? await allProperties(db, accountId, 'company') : []
      return <CompanyCard conversationId={conversationId} company={company} items={company ? itemsOf(company, defs) : []} {...state} />
    }
    case 'ticket': {
      const [ticket, users] = await Promise.all([
        detail.conversation.ticketId ? getTicket(db, accountId, detail.conversation.ticketId) : null,
        listAllUsers(db, accountId),
      ])
      const defs = ticket ? await cardProperties(db, accountId, 'ticketCard') : []
      return (
        <TicketCard
          conversationId={conversationId}
          ticket={ticket}
          items={ticket ? itemsOf(ticket, defs) : []}
          users={users}
          newTicket={{
            defaultName: detail.conversation.subject ?? detail.conversation.preview.slice(0, 80),
            defaultOwnerId: detail.conversation.assigneeId ?? user.id,
            error: state.error,
            values: state.values,
            trashed: detail.conversation.folder === 'trash',
          }}
          editing={state.editing}
          error={ticket ? state.error : undefined}
          draft={state.draft}
        />
      )
    }
    case 'conversations': {
      if (!contact) return <EmptyCard name="conversations" />
      const others = await otherConversationsOfContact(db, accountId, contact.id, conversationId)
      return <OtherConversationsCard others={others} />
    }
    case 'tickets': {
      if (!contact) return <EmptyCard name="tickets" />
      return <OtherTicketsCard tickets={await ticketsOfContact(db, accountId, contact.id, detail.conversation.ticketId)} />
    }
    case 'deals': {
      if (!contact) return <EmptyCard name="deals" />
      const [contactDeals, custom] = await Promise.all([dealsOfContact(db, accountId, contact.id), listCustomProperties(db, accountId, 'deal')])
      return <DealsCard conversationId={conversationId} deals={contactDeals} custom={custom.map(customToDef)} error={state.error} values={state.values} />
    }
  }
}

const isCardName = (raw: string | undefined): raw is CardName => cardNames.includes(raw as CardName)

// A card this file does not know (another area's, e.g. feedback) falls through to its own route.
cardRoutes.get('/:id/cards/:name', async (c, next) => {
  const name = c.req.param('name')
  if (!isCardName(name)) return next()
  const detail = await ownConversation(c)
  const edit = c.req.query('edit')
  return c.html(await renderCard(c, detail, name, { editing: edit ? edit.slice(0, 60) : undefined }))
})

const propertyForm = z.object({ property: z.string().trim().min(1).max(60), value: z.string().max(5000).default('') })

/** The properties a card's inline editor may change, by card. */
async function editableProperties(c: Context<AppEnv>, name: CardName): Promise<PropertyDef[]> {
  const { db, accountId } = c.var
  if (name === 'about') return allProperties(db, accountId, 'contact')
  if (name === 'properties') return (await listCustomProperties(db, accountId, 'contact')).map(customToDef)
  if (name === 'company') return allProperties(db, accountId, 'company')
  if (name === 'ticket') return allProperties(db, accountId, 'ticket')
  throw new HTTPException(404, { message: 'No such card.' })
}

/** Saves one property from a card's inline editor and answers with the card. */
cardRoutes.post('/:id/cards/:name', async (c, next) => {
  const name = c.req.param('name')
  if (!isCardName(name)) return next()
  const { db, accountId, user } = c.var
  const detail = await ownConversation(c)
  const form = propertyForm.safeParse(await c.req.parseBody())
  if (!form.success) throw new InputError(t('cards.choose_property'))
  const def = (await editableProperties(c, name)).find((candidate) => candidate.name === form.data.property)
  if (!def) throw new InputError(t('cards.choose_property'))
  try {
    if (name === 'about' || name === 'properties') {
      if (!detail.contact) throw new InputError(t('cards.no_contact'))
      const value = validatePropertyValue(def, form.data.value)
      detail.contact = await setContactProperty(db, detail.contact, def, value)
    } else if (name === 'company') {
      const company = detail.contact?.companyId ? await getCompany(db, accountId, detail.contact.companyId) : null
      if (!company) throw new InputError(t('cards.no_company'))
      await setCompanyProperty(db, company, def, validatePropertyValue(def, form.data.value))
    } else {
      const ticket = detail.conversation.ticketId ? await getTicket(db, accountId, detail.conversation.ticketId) : null
      if (!ticket) throw new InputError(t('cards.no_ticket'))
      const users = await listAllUsers(db, accountId)
      const value = validatePropertyValue(
        def,
        form.data.value,
        users.filter((u) => u.status === 'active').map((u) => u.id),
      )
      await setTicketProperty(db, user, ticket, def, value)
      // The header's ticket link and an open "View more" panel follow.
      c.header('HX-Trigger', 'ticket:changed')
    }
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return c.html(await renderCard(c, detail, name, { editing: def.name, error: error.message, draft: form.data.value }), 422)
  }
  return c.html(await renderCard(c, detail, name))
})

// ---------------------------------------------------------------------------------------------
// The conversation's contact: search, add an existing one, create one, remove.

cardRoutes.get('/:id/contact/search', async (c) => {
  const detail = await ownConversation(c)
  const query = (c.req.query('q') ?? '').slice(0, 100)
  const contacts = await searchContacts(c.var.db, c.var.accountId, query)
  return c.html(<ContactSearchResults conversationId={detail.conversation.id} contacts={contacts} query={query} />)
})

const contactIdForm = z.object({ contactId: z.string().regex(/^[a-z0-9]{1,32}$/, 'Choose a contact.') })

cardRoutes.post('/:id/contact', async (c) => {
  await ownConversation(c)
  const form = contactIdForm.safeParse(await c.req.parseBody())
  const contact = form.success ? await getContact(c.var.db, c.var.accountId, form.data.contactId) : null
  if (!contact) throw new HTTPException(404, { message: 'No such contact.' })
  return threadAction(c, (_body, id) => setConversationContact(c.var.db, c.var.user, id, contact.id))
})

cardRoutes.post('/:id/contact/remove', (c) => threadAction(c, (_body, id) => setConversationContact(c.var.db, c.var.user, id, null)))

const newContactForm = z.object({
  name: z.string().trim().max(120, 'The name is too long.').default(''),
  email: z.union([z.literal(''), z.string().trim().email('Enter a valid email address.').max(254)]).default(''),
})

cardRoutes.post('/:id/contact/new', async (c) => {
  const detail = await ownConversation(c)
  const body = await c.req.parseBody()
  const values = { name: String(body.name ?? '').slice(0, 120), email: String(body.email ?? '').slice(0, 254) }
  const failed = async (message: string) => {
    // The form posts to the whole thread; a mistake goes back into the card instead.
    c.header('HX-Retarget', '#card-contact')
    c.header('HX-Reswap', 'outerHTML')
    return c.html(await renderCard(c, detail, 'contact', { error: message, values }), 422)
  }
  const form = newContactForm.safeParse({ name: values.name.trim(), email: values.email.trim() })
  if (!form.success) return failed(form.error.issues[0]?.message ?? 'Check the contact.')
  let contactId: string
  try {
    contactId = (await createContact(c.var.db, c.var.accountId, form.data)).id
  } catch (error) {
    if (error instanceof InputError) return failed(error.message)
    throw error
  }
  return threadAction(c, (_body, id) => setConversationContact(c.var.db, c.var.user, id, contactId))
})

// ---------------------------------------------------------------------------------------------
// Company

cardRoutes.get('/:id/cards/company/search', async (c) => {
  const detail = await ownConversation(c)
  const query = (c.req.query('q') ?? '').slice(0, 100)
  return c.html(
    <CompanySearchResults conversationId={detail.conversation.id} companies={await searchCompanies(c.var.db, c.var.accountId, query)} query={query} />,
  )
})

cardRoutes.post('/:id/cards/company/associate', async (c) => {
  const detail = await ownConversation(c)
  if (!detail.contact) throw new InputError(t('cards.no_contact'))
  const companyId = String((await c.req.parseBody()).companyId ?? '')
  if (companyId && !(await getCompany(c.var.db, c.var.accountId, companyId))) throw new HTTPException(404, { message: 'No such company.' })
  await setContactCompany(c.var.db, c.var.accountId, detail.contact.id, companyId || null)
  detail.contact = { ...detail.contact, companyId: companyId || null }
  return c.html(await renderCard(c, detail, 'company'))
})

cardRoutes.post('/:id/cards/company/new', async (c) => {
  const detail = await ownConversation(c)
  if (!detail.contact) throw new InputError(t('cards.no_contact'))
  const body = await c.req.parseBody()
  const values = { name: String(body.name ?? '').slice(0, 200), domain: String(body.domain ?? '').slice(0, 260) }
  try {
    const company = await createCompany(c.var.db, c.var.accountId, values)
    await setContactCompany(c.var.db, c.var.accountId, detail.contact.id, company.id)
    detail.contact = { ...detail.contact, companyId: company.id }
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return c.html(await renderCard(c, detail, 'company', { error: error.message, values }), 422)
  }
  return c.html(await renderCard(c, detail, 'company'))
})

// ---------------------------------------------------------------------------------------------
// Ticket

const newTicketForm = z.object({
  name: z.string().trim().min(1, 'Give the ticket a name.').max(200, 'The name is too long (at most 200 characters).'),
  priority: z.enum(ticketPriorities, { message: 'Choose a priority.' }),
  description: z.string().max(5000, 'The description is too long.').default(''),
  ownerId: z.string().max(32).default(''),
})

/** Creates the conversation's ticket; the answer is the thread pane, whose header now links to it. */
cardRoutes.post('/:id/ticket', async (c) => {
  const detail = await ownConversation(c)
  const body = await c.req.parseBody()
  const values = Object.fromEntries(['name', 'priority', 'description', 'ownerId'].map((key) => [key, String(body[key] ?? '').slice(0, 5000)]))
  const failed = async (message: string) => {
    c.header('HX-Retarget', '#card-ticket')
    c.header('HX-Reswap', 'outerHTML')
    return c.html(await renderCard(c, detail, 'ticket', { error: message, values }), 422)
  }
  const form = newTicketForm.safeParse(values)
  if (!form.success) return failed(form.error.issues[0]?.message ?? 'Check the ticket.')
  try {
    // Validated before threadAction runs, so a mistake comes back into the form.
    await createTicketFromConversation(c.var.db, c.var.user, detail.conversation.id, { ...form.data, ownerId: form.data.ownerId || null })
  } catch (error) {
    if (error instanceof InputError) return failed(error.message)
    throw error
  }
  return threadAction(c, async () => [{ id: detail.conversation.id, inboxId: detail.conversation.inboxId }])
})

// ---------------------------------------------------------------------------------------------
// Deals

cardRoutes.post('/:id/deals', async (c) => {
  const detail = await ownConversation(c)
  if (!detail.contact) throw new InputError(t('cards.no_contact'))
  const body = await c.req.parseBody()
  const values = Object.fromEntries(['name', 'amount', 'currency', 'stage'].map((key) => [key, String(body[key] ?? '').slice(0, 200)]))
  try {
    const stage = dealStages.find((candidate) => candidate === values.stage)
    if (!stage) throw new InputError('Choose a stage from the list.')
    const amountMinor = values.amount!.trim() ? parseAmountMinor(values.amount!, values.currency) : null
    await createDeal(c.var.db, c.var.user, {
      contactId: detail.contact.id,
      companyId: detail.contact.companyId,
      conversationId: detail.conversation.id,
      name: values.name!,
      amountMinor,
      currency: values.currency!,
      stage,
    })
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return c.html(await renderCard(c, detail, 'deals', { error: error.message, values }), 422)
  }
  return c.html(await renderCard(c, detail, 'deals'), 201)
})

cardRoutes.post('/:id/deals/:dealId/stage', async (c) => {
  const detail = await ownConversation(c)
  const stage = String((await c.req.parseBody()).stage ?? '')
  const deal = await getDeal(c.var.db, c.var.accountId, c.req.param('dealId'))
  if (!deal) throw new HTTPException(404, { message: 'No such deal.' })
  await setDealStage(c.var.db, c.var.accountId, deal.id, stage)
  return c.html(await renderCard(c, detail, 'deals'))
})

/** A deal's custom properties, edited in place in the Deals card. */
async function renderDeal(c: Context<AppEnv>, conversationId: string, dealId: string, state: CardState = {}) {
  const [deal, custom] = await Promise.all([getDeal(c.var.db, c.var.accountId, dealId), listCustomProperties(c.var.db, c.var.accountId, 'deal')])
  if (!deal) throw new HTTPException(404, { message: 'No such deal.' })
  return <DealItem conversationId={conversationId} deal={deal} custom={custom.map(customToDef)} {...state} />
}

cardRoutes.get('/:id/deals/:dealId', async (c) => {
  const detail = await ownConversation(c)
  const edit = c.req.query('edit')
  return c.html(await renderDeal(c, detail.conversation.id, c.req.param('dealId'), { editing: edit ? edit.slice(0, 60) : undefined }))
})

cardRoutes.post('/:id/deals/:dealId/properties', async (c) => {
  const detail = await ownConversation(c)
  const { db, accountId } = c.var
  const deal = await getDeal(db, accountId, c.req.param('dealId'))
  if (!deal) throw new HTTPException(404, { message: 'No such deal.' })
  const form = propertyForm.safeParse(await c.req.parseBody())
  const def = form.success
    ? (await listCustomProperties(db, accountId, 'deal')).map(customToDef).find((candidate) => candidate.name === form.data.property)
    : undefined
  if (!form.success || !def) throw new InputError(t('cards.choose_property'))
  try {
    await setDealProperty(db, deal, def.name, validatePropertyValue(def, form.data.value))
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return c.html(await renderDeal(c, detail.conversation.id, deal.id, { editing: def.name, error: error.message, draft: form.data.value }), 422)
  }
  return c.html(await renderDeal(c, detail.conversation.id, deal.id))
})
