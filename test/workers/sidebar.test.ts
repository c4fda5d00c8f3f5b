import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { auditLog, companies, contactNotes, contacts, conversations, deals, propertyDefinitions, tasks, tickets, users } from '../../src/db/schema'
import { ingestInbound } from '../../src/channels/pipeline'
import { parseAmountMinor } from '../../src/services/deals'
import { recordingNotifier } from '../shared/workspace'
import { db, form, login, request, workspace } from './helpers'

const xss = '<img src=x onerror=alert(1)><script>alert(2)</script>'

async function seeded() {
  const ws = await workspace()
  const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
  const mail = await ingestInbound(deps, ws.channels.email, {
    externalId: `m-${ws.tag}`,
    from: { email: `maja.${ws.tag}@fjord.no`, name: 'Maja Nilsen' },
    subject: 'Damaged tent',
    text: 'The rain fly of my tent is torn.',
  })
  const chat = await ingestInbound(deps, ws.channels.chat, {
    externalId: `c-${ws.tag}`,
    from: { externalId: `v-${ws.tag}`, name: 'Tom', email: `tom.${ws.tag}@example.test` },
    text: 'Hello?',
    thread: { key: `k-${ws.tag}` },
  })
  const [conversation] = await db().select().from(conversations).where(eq(conversations.id, mail.conversationId))
  const cookie = await login(ws.users.agent.email)
  const place = { view: 'open', filters: '' }
  return { ws, deps, conversationId: mail.conversationId, chatId: chat.conversationId, contactId: conversation!.contactId!, cookie, place }
}

type Seeded = Awaited<ReturnType<typeof seeded>>

const card = async (s: Seeded, name: string, query = '') => {
  const response = await request(`/conversations/${s.conversationId}/cards/${name}${query}`, { cookie: s.cookie, hx: `card-${name}` })
  return { status: response.status, html: await response.text() }
}
const post = async (s: Seeded, path: string, values: Record<string, string>, cookie = s.cookie) => {
  const response = await request(path, { method: 'POST', cookie, hx: 'x', body: form(values) })
  return { status: response.status, html: await response.text(), headers: response.headers }
}
const conversationRow = async (id: string) => (await db().select().from(conversations).where(eq(conversations.id, id)))[0]!

describe('the contact sidebar', () => {
  it('opens a thread with every card as a lazy placeholder, and each card loads on its own', async () => {
    const s = await seeded()
    const thread = await (await request(`/inbox/${s.ws.inboxId}/open/c/${s.conversationId}`, { cookie: s.cookie, hx: 'thread' })).text()
    for (const name of ['contact', 'about', 'company', 'ticket', 'conversations', 'tickets', 'deals', 'properties']) {
      expect(thread).toContain(`id="card-${name}" hx-get="/conversations/${s.conversationId}/cards/${name}" hx-trigger="load" hx-swap="outerHTML"`)
      const loaded = await card(s, name)
      expect(loaded.status, name).toBe(200)
      expect(loaded.html).toContain(`id="card-${name}"`)
    }
    // The header names the source channel and has the pane toggles.
    expect(thread).toContain('thread-source')
    expect(thread).toContain('data-toggle-pane="right"')
    expect((await card(s, 'nonsense')).status).toBe(404)
  })

  it('shows the contact with a link to their record, and removes them from the conversation (audited)', async () => {
    const s = await seeded()
    const contactCard = await card(s, 'contact')
    expect(contactCard.html).toContain(`href="/contacts/${s.contactId}"`)
    expect(contactCard.html).toContain('Maja Nilsen')
    expect(contactCard.html).toContain('Remove contact from this conversation')
    const removed = await post(s, `/conversations/${s.conversationId}/contact/remove`, s.place)
    expect(removed.status).toBe(200)
    expect(removed.html).toContain('id="thread-header"')
    expect((await conversationRow(s.conversationId)).contactId).toBeNull()
    const audit = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.accountId, s.ws.accountId), eq(auditLog.action, 'conversation:remove_contact')))
    expect(audit).toHaveLength(1)
    expect(audit[0]!.details).toMatchObject({ from: s.contactId, to: null })
    const empty = await card(s, 'contact')
    expect(empty.html).toContain('No contact')
    expect(empty.html).toContain('Add contact')
    // Cards that need a contact stay empty.
    expect((await card(s, 'about')).html).toContain('hidden')
    expect(removed.html).toContain('removed the contact from this conversation')
  })

  it('adds an existing contact found by name or email, or creates one; bad input answers 422 in the card', async () => {
    const s = await seeded()
    await post(s, `/conversations/${s.conversationId}/contact/remove`, s.place)
    const search = await (await request(`/conversations/${s.conversationId}/contact/search?q=maj`, { cookie: s.cookie, hx: 'x' })).text()
    expect(search).toContain('Maja Nilsen')
    expect(search).toContain(`contactId&quot;:&quot;${s.contactId}`)
    const byWord = await (await request(`/conversations/${s.conversationId}/contact/search?q=nilsen`, { cookie: s.cookie, hx: 'x' })).text()
    expect(byWord).toContain('Maja Nilsen')
    // A LIKE wildcard typed by someone is only a character.
    expect(await (await request(`/conversations/${s.conversationId}/contact/search?q=%25`, { cookie: s.cookie, hx: 'x' })).text()).toContain('Nothing matches')
    const added = await post(s, `/conversations/${s.conversationId}/contact`, { ...s.place, contactId: s.contactId })
    expect(added.status).toBe(200)
    expect((await conversationRow(s.conversationId)).contactId).toBe(s.contactId)

    await post(s, `/conversations/${s.conversationId}/contact/remove`, s.place)
    const invalid = await post(s, `/conversations/${s.conversationId}/contact/new`, { ...s.place, name: 'Ola', email: 'not-an-address' })
    expect(invalid.status).toBe(422)
    expect(invalid.headers.get('HX-Retarget')).toBe('#card-contact')
    expect(invalid.html).toContain('Enter a valid email address.')
    const duplicate = await post(s, `/conversations/${s.conversationId}/contact/new`, { ...s.place, name: 'Maja again', email: `MAJA.${s.ws.tag}@fjord.no` })
    expect(duplicate.status).toBe(422)
    expect(duplicate.html).toContain('already exists')
    const created = await post(s, `/conversations/${s.conversationId}/contact/new`, { ...s.place, name: xss, email: `ola.${s.ws.tag}@example.test` })
    expect(created.status).toBe(200)
    const contactId = (await conversationRow(s.conversationId)).contactId!
    expect(contactId).not.toBe(s.contactId)
    const contactCard = await card(s, 'contact')
    expect(contactCard.html).not.toContain('<img src=x')
    expect(contactCard.html).toContain('&lt;img src=x onerror=alert(1)&gt;')
  })

  it('edits About this contact inline, validating each type', async () => {
    const s = await seeded()
    const about = await card(s, 'about')
    for (const label of ['Email', 'Phone', 'Job title', 'Lifecycle stage']) expect(about.html).toContain(`<dt>${label}</dt>`)
    const editing = await card(s, 'about', '?edit=email')
    expect(editing.html).toContain('name="value"')
    expect(editing.html).toContain('type="email"')
    const bad = await post(s, `/conversations/${s.conversationId}/cards/about`, { property: 'email', value: 'nope' })
    expect(bad.status).toBe(422)
    expect(bad.html).toContain('Enter a valid email address.')
    expect(bad.html).toContain('value="nope"')
    const badStage = await post(s, `/conversations/${s.conversationId}/cards/about`, { property: 'lifecycle_stage', value: 'royalty' })
    expect(badStage.status).toBe(422)
    const ok = await post(s, `/conversations/${s.conversationId}/cards/about`, { property: 'lifecycle_stage', value: 'customer' })
    expect(ok.status).toBe(200)
    expect(ok.html).toContain('Customer')
    const title = await post(s, `/conversations/${s.conversationId}/cards/about`, { property: 'job_title', value: xss })
    expect(title.html).not.toContain('<script>alert(2)')
    expect(title.html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;')
    const email = await post(s, `/conversations/${s.conversationId}/cards/about`, { property: 'email', value: ` Maja.New.${s.ws.tag}@Fjord.no ` })
    expect(email.status).toBe(200)
    const [contact] = await db().select().from(contacts).where(eq(contacts.id, s.contactId))
    expect(contact!.email).toBe(`maja.new.${s.ws.tag}@fjord.no`)
    expect(contact!.properties).toMatchObject({ lifecycle_stage: 'customer', job_title: xss })
    // An address another contact has is refused, not a 500.
    const taken = await post(s, `/conversations/${s.conversationId}/cards/about`, { property: 'email', value: `tom.${s.ws.tag}@example.test` })
    expect(taken.status).toBe(422)
    expect(taken.html).toContain('Another contact already has this email address.')
    const unknown = await post(s, `/conversations/${s.conversationId}/cards/about`, { property: 'passwordHash', value: 'x' })
    expect(unknown.status).toBe(422)
  })

  it('links a company: creates one (domain checked), edits it inline, unlinks and finds it again', async () => {
    const s = await seeded()
    expect((await card(s, 'company')).html).toContain('No company')
    const badDomain = await post(s, `/conversations/${s.conversationId}/cards/company/new`, { name: 'Fjord Tech', domain: 'not a domain' })
    expect(badDomain.status).toBe(422)
    expect(badDomain.html).toContain('Enter a domain like example.com.')
    const created = await post(s, `/conversations/${s.conversationId}/cards/company/new`, { name: 'Fjord Tech', domain: 'https://www.FjordTech.no/about' })
    expect(created.status).toBe(200)
    expect(created.html).toContain('fjordtech.no')
    const [company] = await db().select().from(companies).where(eq(companies.accountId, s.ws.accountId))
    expect((await db().select().from(contacts).where(eq(contacts.id, s.contactId)))[0]!.companyId).toBe(company!.id)
    const industry = await post(s, `/conversations/${s.conversationId}/cards/company`, { property: 'industry', value: 'Outdoor gear' })
    expect(industry.html).toContain('Outdoor gear')
    const unlinked = await post(s, `/conversations/${s.conversationId}/cards/company/associate`, { companyId: '' })
    expect(unlinked.html).toContain('No company')
    const found = await (await request(`/conversations/${s.conversationId}/cards/company/search?q=fjord`, { cookie: s.cookie, hx: 'x' })).text()
    expect(found).toContain('Fjord Tech')
    const linked = await post(s, `/conversations/${s.conversationId}/cards/company/associate`, { companyId: company!.id })
    expect(linked.html).toContain('Outdoor gear')
    const duplicate = await post(s, `/conversations/${s.conversationId}/cards/company/new`, { name: 'Copy', domain: 'fjordtech.no' })
    expect(duplicate.status).toBe(422)
    await db()
      .insert(companies)
      .values({ id: `other${s.ws.tag}`, accountId: s.ws.accountId, name: 'Other AS', domain: 'other.no', createdAt: Date.now() })
    const clash = await post(s, `/conversations/${s.conversationId}/cards/company`, { property: 'domain', value: 'other.no' })
    expect(clash.status).toBe(422)
    expect(clash.html).toContain('Another company already has this domain.')
  })

  it('creates a ticket linked both ways; the header links to it; it cannot be created twice', async () => {
    const s = await seeded()
    const noTicket = await card(s, 'ticket')
    expect(noTicket.html).toContain('Create ticket')
    expect(noTicket.html).toContain('value="Damaged tent"')
    const nameless = await post(s, `/conversations/${s.conversationId}/ticket`, { ...s.place, name: ' ', priority: 'high', description: '', ownerId: '' })
    expect(nameless.status).toBe(422)
    expect(nameless.headers.get('HX-Retarget')).toBe('#card-ticket')
    expect(nameless.html).toContain('Give the ticket a name.')
    const badPriority = await post(s, `/conversations/${s.conversationId}/ticket`, { ...s.place, name: 'x', priority: 'urgent', description: '', ownerId: '' })
    expect(badPriority.status).toBe(422)
    const created = await post(s, `/conversations/${s.conversationId}/ticket`, {
      ...s.place,
      name: 'Replace rain fly',
      priority: 'high',
      description: 'Ship a new fly',
      ownerId: s.ws.users.agent.id,
    })
    expect(created.status).toBe(200)
    const conversation = await conversationRow(s.conversationId)
    const [ticket] = await db().select().from(tickets).where(eq(tickets.id, conversation.ticketId!))
    expect(ticket).toMatchObject({
      name: 'Replace rain fly',
      priority: 'high',
      description: 'Ship a new fly',
      ownerId: s.ws.users.agent.id,
      conversationId: s.conversationId,
      contactId: s.contactId,
      status: 'open',
    })
    expect(created.html).toContain(`id="thread-ticket-link" class="ticket-link" href="/tickets/${ticket!.id}"`)
    expect(created.html).toContain('Replace rain fly')
    // With an open ticket, Close offers both choices.
    expect(created.html).toContain('Close conversation and ticket')
    const again = await post(s, `/conversations/${s.conversationId}/ticket`, { ...s.place, name: 'Second', priority: 'low', description: '', ownerId: '' })
    expect(again.status).toBe(422)
    expect(again.html).toContain('already has a ticket')
    // The card shows the configured properties and offers the panel; no unlink anywhere.
    const ticketCard = await card(s, 'ticket')
    expect(ticketCard.html).toContain(`/tickets/${ticket!.id}/panel`)
    expect(ticketCard.html).toContain('<dt>Priority</dt>')
    expect(ticketCard.html).toContain('<dt>Owner</dt>')
    expect(ticketCard.html).not.toContain('<dt>Description</dt>')
    expect(ticketCard.html.toLowerCase()).not.toContain('unlink')
    const page = await (await request(`/tickets/${ticket!.id}`, { cookie: s.cookie })).text()
    expect(page).toContain('Replace rain fly')
    expect(page).toContain(`/c/${s.conversationId}`)
    expect(page).toContain('Damaged tent')
  })

  it('edits the ticket in the card, the panel (its own properties) and on its page, with validation', async () => {
    const s = await seeded()
    await post(s, `/conversations/${s.conversationId}/ticket`, { ...s.place, name: 'Fly', priority: 'low', description: '', ownerId: '' })
    const ticketId = (await conversationRow(s.conversationId)).ticketId!
    const panel = await (await request(`/tickets/${ticketId}/panel`, { cookie: s.cookie, hx: 'sidebar-panel' })).text()
    expect(panel).toContain('id="ticket-panel"')
    expect(panel).toContain('<dt>Description</dt>')
    const badOwner = await post(s, `/tickets/${ticketId}/panel`, { property: 'owner', value: 'someone-else' })
    expect(badOwner.status).toBe(422)
    expect(badOwner.html).toContain('Choose an active user.')
    const described = await post(s, `/tickets/${ticketId}/panel`, { property: 'description', value: xss })
    expect(described.status).toBe(200)
    expect(described.headers.get('HX-Trigger')).toContain('ticket:changed')
    expect(described.html).not.toContain('<script>alert(2)')
    const emptyName = await post(s, `/tickets/${ticketId}/properties`, { property: 'name', value: '' })
    expect(emptyName.status).toBe(422)
    const renamed = await post(s, `/conversations/${s.conversationId}/cards/ticket`, { property: 'name', value: 'Fly replaced' })
    expect(renamed.status).toBe(200)
    expect(await (await request(`/tickets/${ticketId}/link`, { cookie: s.cookie, hx: 'x' })).text()).toContain('Fly replaced')
    const priority = await post(s, `/conversations/${s.conversationId}/cards/ticket`, { property: 'priority', value: 'high' })
    expect(priority.html).toContain('High')
    expect((await db().select().from(tickets).where(eq(tickets.id, ticketId)))[0]).toMatchObject({ name: 'Fly replaced', priority: 'high', description: xss })
  })

  it('closes the conversation alone, or the conversation and its ticket (both through the header)', async () => {
    const s = await seeded()
    await post(s, `/conversations/${s.conversationId}/ticket`, { ...s.place, name: 'Fly', priority: 'low', description: '', ownerId: '' })
    const ticketId = (await conversationRow(s.conversationId)).ticketId!
    const keep = await post(s, `/conversations/${s.conversationId}/status`, { ...s.place, status: 'closed', ticket: 'keep' })
    expect(keep.status).toBe(200)
    expect((await conversationRow(s.conversationId)).status).toBe('closed')
    expect((await db().select().from(tickets).where(eq(tickets.id, ticketId)))[0]!.status).toBe('open')
    await post(s, `/conversations/${s.conversationId}/status`, { ...s.place, status: 'open' })
    const both = await post(s, `/conversations/${s.conversationId}/status`, { ...s.place, status: 'closed', ticket: 'close' })
    expect(both.status).toBe(200)
    expect((await conversationRow(s.conversationId)).status).toBe('closed')
    const [ticket] = await db().select().from(tickets).where(eq(tickets.id, ticketId))
    expect(ticket!.status).toBe('closed')
    expect(ticket!.closedAt).toBeTypeOf('number')
    expect(both.html).toContain('closed the ticket')
    // Closed ticket: reopening offers a plain Close again.
    const reopened = await post(s, `/conversations/${s.conversationId}/status`, { ...s.place, status: 'open' })
    expect(reopened.html).not.toContain('Close conversation and ticket')
  })

  it('lists the contact’s other conversations and other tickets', async () => {
    const s = await seeded()
    const second = await ingestInbound(s.deps, s.ws.channels.forms, {
      externalId: `f-${s.ws.tag}`,
      from: { email: `maja.${s.ws.tag}@fjord.no` },
      subject: 'Boots warranty',
      text: 'Sole loose',
    })
    const cookie = s.cookie
    await request(`/conversations/${second.conversationId}/ticket`, {
      method: 'POST',
      cookie,
      hx: 'x',
      body: form({ ...s.place, name: 'Boots claim', priority: 'medium', description: '', ownerId: '' }),
    })
    expect((await card(s, 'conversations')).html).toContain('Boots warranty')
    const others = await card(s, 'tickets')
    expect(others.html).toContain('Boots claim')
    expect(others.html).toContain('/tickets/')
  })

  it('creates deals with amounts typed either way, validates them, and changes the stage inline', async () => {
    const s = await seeded()
    const created = await post(s, `/conversations/${s.conversationId}/deals`, {
      name: 'Tent bulk order',
      amount: '1 234,50',
      currency: 'NOK',
      stage: 'qualified',
    })
    expect(created.status).toBe(201)
    expect(created.html).toContain('Tent bulk order')
    const second = await post(s, `/conversations/${s.conversationId}/deals`, { name: xss, amount: '1234.50', currency: 'USD', stage: 'appointment' })
    expect(second.html).toContain('$1,234.50')
    expect(second.html).not.toContain('<img src=x')
    const rows = await db().select().from(deals).where(eq(deals.accountId, s.ws.accountId))
    expect(rows.map((row) => row.amountMinor).sort()).toEqual([123450, 123450])
    expect(rows.find((row) => row.currency === 'NOK')).toMatchObject({ contactId: s.contactId, conversationId: s.conversationId, stage: 'qualified' })
    const bad = await post(s, `/conversations/${s.conversationId}/deals`, { name: 'Bad', amount: '12abc', currency: 'USD', stage: 'appointment' })
    expect(bad.status).toBe(422)
    expect(bad.html).toContain('Enter the amount as a number')
    expect(bad.html).toContain('value="12abc"')
    expect((await post(s, `/conversations/${s.conversationId}/deals`, { name: 'No', amount: '1', currency: 'XXX', stage: 'won' })).status).toBe(422)
    expect((await post(s, `/conversations/${s.conversationId}/deals`, { name: 'No', amount: '1', currency: 'USD', stage: 'maybe' })).status).toBe(422)
    expect((await post(s, `/conversations/${s.conversationId}/deals`, { name: '', amount: '1', currency: 'USD', stage: 'won' })).status).toBe(422)
    const dealId = rows.find((row) => row.currency === 'NOK')!.id
    const won = await post(s, `/conversations/${s.conversationId}/deals/${dealId}/stage`, { stage: 'won' })
    expect(won.status).toBe(200)
    const [deal] = await db().select().from(deals).where(eq(deals.id, dealId))
    expect(deal!.stage).toBe('won')
    expect(deal!.closedAt).toBeTypeOf('number')
    expect((await post(s, `/conversations/${s.conversationId}/deals/${dealId}/stage`, { stage: 'bogus' })).status).toBe(422)

    // The account's custom deal properties show on each deal, editable in place.
    const admin = await login(s.ws.users.admin.email)
    await post(s, '/settings/properties', { object: 'deal', name: 'close_date', label: 'Expected close', type: 'date', options: '' }, admin)
    expect((await card(s, 'deals')).html).toContain('Expected close')
    const editing = await (await request(`/conversations/${s.conversationId}/deals/${dealId}?edit=close_date`, { cookie: s.cookie, hx: 'x' })).text()
    expect(editing).toContain('type="date"')
    expect((await post(s, `/conversations/${s.conversationId}/deals/${dealId}/properties`, { property: 'close_date', value: 'soon' })).status).toBe(422)
    const dated = await post(s, `/conversations/${s.conversationId}/deals/${dealId}/properties`, { property: 'close_date', value: '2027-03-01' })
    expect(dated.status).toBe(200)
    expect(dated.html).toContain(`id="deal-${dealId}"`)
    expect((await db().select().from(deals).where(eq(deals.id, dealId)))[0]!.properties).toEqual({ close_date: '2027-03-01' })
  })

  it('parses amounts exactly: decimal comma or point, grouped thousands, no floats', () => {
    expect(parseAmountMinor('1 234,50')).toBe(123450)
    expect(parseAmountMinor('1234.50')).toBe(123450)
    expect(parseAmountMinor('1,234.50')).toBe(123450)
    expect(parseAmountMinor('1.234,50')).toBe(123450)
    expect(parseAmountMinor('1\u00a0234,5')).toBe(123450)
    expect(parseAmountMinor('1,234')).toBe(123400)
    expect(parseAmountMinor('0.07')).toBe(7)
    expect(parseAmountMinor('19.99')).toBe(1999)
    expect(parseAmountMinor('1234', 'JPY')).toBe(1234)
    for (const bad of ['', '-5', '1.2.3', '1234.567', '1,23,4', 'abc', '1e5', '12.5', '1.234,567']) {
      if (bad === '12.5') continue
      expect(() => parseAmountMinor(bad), bad).toThrow()
    }
    expect(() => parseAmountMinor('12.5', 'JPY')).toThrow('no decimals')
    expect(() => parseAmountMinor('99999999999999999')).toThrow('too large')
  })

  it('keeps every account’s records to itself: another account’s conversation, ticket, deal, contact or company is not found', async () => {
    const mine = await seeded()
    const theirs = await seeded()
    await post(theirs, `/conversations/${theirs.conversationId}/ticket`, { ...theirs.place, name: 'Theirs', priority: 'low', description: '', ownerId: '' })
    await post(theirs, `/conversations/${theirs.conversationId}/deals`, { name: 'Their deal', amount: '5', currency: 'USD', stage: 'won' })
    const theirTicket = (await conversationRow(theirs.conversationId)).ticketId!
    const [theirDeal] = await db().select().from(deals).where(eq(deals.accountId, theirs.ws.accountId))
    const cookie = mine.cookie
    expect((await request(`/conversations/${theirs.conversationId}/cards/contact`, { cookie, hx: 'x' })).status).toBe(404)
    expect((await request(`/tickets/${theirTicket}`, { cookie })).status).toBe(404)
    expect((await request(`/tickets/${theirTicket}/panel`, { cookie, hx: 'x' })).status).toBe(404)
    expect((await post(mine, `/tickets/${theirTicket}/panel`, { property: 'name', value: 'Mine now' })).status).toBe(404)
    expect((await request(`/contacts/${theirs.contactId}`, { cookie })).status).toBe(404)
    expect((await post(mine, `/contacts/${theirs.contactId}/notes`, { body: 'hi' })).status).toBe(404)
    expect((await post(mine, `/conversations/${mine.conversationId}/deals/${theirDeal!.id}/stage`, { stage: 'lost' })).status).toBe(404)
    expect((await post(mine, `/conversations/${mine.conversationId}/deals/${theirDeal!.id}/properties`, { property: 'x', value: '1' })).status).toBe(404)
    expect((await request(`/conversations/${mine.conversationId}/deals/${theirDeal!.id}`, { cookie, hx: 'x' })).status).toBe(404)
    expect((await post(mine, `/conversations/${mine.conversationId}/contact`, { ...mine.place, contactId: theirs.contactId })).status).toBe(404)
    expect((await post(mine, `/conversations/${theirs.conversationId}/contact/remove`, mine.place)).status).toBe(404)
    expect(
      (await post(mine, `/conversations/${theirs.conversationId}/ticket`, { ...mine.place, name: 'x', priority: 'low', description: '', ownerId: '' })).status,
    ).toBe(404)
    // Their ticket keeps its name; their conversation keeps its contact.
    expect((await db().select().from(tickets).where(eq(tickets.id, theirTicket)))[0]!.name).toBe('Theirs')
    expect((await conversationRow(theirs.conversationId)).contactId).toBe(theirs.contactId)
    // Owners come from the own account only.
    const foreignOwner = await post(mine, `/conversations/${mine.conversationId}/ticket`, {
      ...mine.place,
      name: 'x',
      priority: 'low',
      description: '',
      ownerId: theirs.ws.users.agent.id,
    })
    expect(foreignOwner.status).toBe(422)
  })
})

describe('in Norwegian', () => {
  it('renders the cards and the header in the user’s language', async () => {
    const s = await seeded()
    await db().update(users).set({ locale: 'nb' }).where(eq(users.id, s.ws.users.agent.id))
    expect((await card(s, 'about')).html).toContain('Om denne kontakten')
    expect((await card(s, 'ticket')).html).toContain('Opprett sak')
    const thread = await (await request(`/inbox/${s.ws.inboxId}/open/c/${s.conversationId}`, { cookie: s.cookie, hx: 'thread' })).text()
    expect(thread).toContain('Slett (flytt til papirkurven)')
    const deal = await post(s, `/conversations/${s.conversationId}/deals`, { name: 'Telt', amount: '1 234,50', currency: 'NOK', stage: 'won' })
    expect(deal.html).toMatch(/1\s234,50/)
    expect(deal.html).toContain('Vunnet')
  })
})

describe('the thread header and More menu', () => {
  it('offers send transcript (chat), forward (email), delete, block, spam and close, reusing the existing actions', async () => {
    const s = await seeded()
    const email = await (await request(`/inbox/${s.ws.inboxId}/open/c/${s.conversationId}`, { cookie: s.cookie, hx: 'thread' })).text()
    expect(email).toContain(`hx-get="/conversations/${s.conversationId}/forward"`)
    expect(email).not.toContain('/transcript')
    for (const action of ['spam', 'block', 'trash', 'status']) expect(email).toContain(`hx-post="/conversations/${s.conversationId}/${action}"`)
    expect(email).toContain('Delete (move to trash)')
    const chat = await (await request(`/inbox/${s.ws.inboxId}/open/c/${s.chatId}`, { cookie: s.cookie, hx: 'thread' })).text()
    expect(chat).toContain(`hx-post="/conversations/${s.chatId}/transcript"`)
    expect(chat).not.toContain(`/conversations/${s.chatId}/forward`)
    // Delete goes to Trash through the existing action.
    const trashed = await post(s, `/conversations/${s.conversationId}/trash`, s.place)
    expect(trashed.status).toBe(200)
    expect((await conversationRow(s.conversationId)).folder).toBe('trash')
  })

  it('deleting a trashed conversation forever deletes its ticket too', async () => {
    const s = await seeded()
    await post(s, `/conversations/${s.conversationId}/ticket`, { ...s.place, name: 'Fly', priority: 'low', description: '', ownerId: '' })
    const ticketId = (await conversationRow(s.conversationId)).ticketId!
    await post(s, `/conversations/${s.conversationId}/trash`, s.place)
    expect((await card(s, 'ticket')).html).not.toContain('Create ticket')
    expect((await post(s, `/conversations/${s.conversationId}/delete`, s.place)).status).toBe(200)
    expect(await db().select().from(tickets).where(eq(tickets.id, ticketId))).toHaveLength(0)
  })
})

describe('property settings', () => {
  it('is for admins only', async () => {
    const s = await seeded()
    expect((await request('/settings/properties', { cookie: s.cookie })).status).toBe(403)
    expect((await post(s, '/settings/properties', { object: 'contact', name: 'x', label: 'X', type: 'text', options: '' })).status).toBe(403)
  })

  it('defines custom properties with validation, and the cards show what is chosen, in order', async () => {
    const s = await seeded()
    const admin = await login(s.ws.users.admin.email)
    const page = await (await request('/settings/properties', { cookie: admin })).text()
    expect(page).toContain('Contact card')
    expect(page).toContain('href="/settings/properties" aria-current="page"')
    const badName = await post(s, '/settings/properties', { object: 'contact', name: 'Plan Tier', label: 'Plan', type: 'select', options: 'Free' }, admin)
    expect(badName.status).toBe(422)
    expect(badName.html).toContain('lower-case letters')
    const noOptions = await post(s, '/settings/properties', { object: 'contact', name: 'plan', label: 'Plan', type: 'select', options: ' , ' }, admin)
    expect(noOptions.status).toBe(422)
    expect(noOptions.html).toContain('at least one option')
    const builtIn = await post(s, '/settings/properties', { object: 'contact', name: 'email', label: 'Mail', type: 'text', options: '' }, admin)
    expect(builtIn.status).toBe(422)
    const badType = await post(s, '/settings/properties', { object: 'contact', name: 'x', label: 'X', type: 'html', options: '' }, admin)
    expect(badType.status).toBe(422)
    const created = await post(
      s,
      '/settings/properties',
      { object: 'contact', name: 'plan', label: xss, type: 'select', options: 'Free\nPro, Enterprise' },
      admin,
    )
    expect(created.status).toBe(201)
    expect(created.html).not.toContain('<img src=x')
    const duplicate = await post(s, '/settings/properties', { object: 'contact', name: 'plan', label: 'Plan', type: 'text', options: '' }, admin)
    expect(duplicate.status).toBe(422)
    await post(s, '/settings/properties', { object: 'contact', name: 'renewal', label: 'Renewal date', type: 'date', options: '' }, admin)
    await post(s, '/settings/properties', { object: 'contact', name: 'seats', label: 'Seats', type: 'number', options: '' }, admin)
    await post(s, '/settings/properties', { object: 'ticket', name: 'sla', label: 'SLA hours', type: 'number', options: '' }, admin)
    const [plan] = await db()
      .select()
      .from(propertyDefinitions)
      .where(and(eq(propertyDefinitions.accountId, s.ws.accountId), eq(propertyDefinitions.name, 'plan')))
    expect(plan!.options).toEqual(['Free', 'Pro', 'Enterprise'])

    // Custom properties card: each editable with its type's rules.
    const custom = await card(s, 'properties')
    expect(custom.html).toContain('Renewal date')
    expect((await post(s, `/conversations/${s.conversationId}/cards/properties`, { property: 'renewal', value: '2026-02-30' })).status).toBe(422)
    expect((await post(s, `/conversations/${s.conversationId}/cards/properties`, { property: 'seats', value: 'many' })).status).toBe(422)
    expect((await post(s, `/conversations/${s.conversationId}/cards/properties`, { property: 'plan', value: 'Gold' })).status).toBe(422)
    expect((await post(s, `/conversations/${s.conversationId}/cards/properties`, { property: 'renewal', value: '2027-01-31' })).status).toBe(200)
    expect((await post(s, `/conversations/${s.conversationId}/cards/properties`, { property: 'seats', value: '1 200,5' })).html).toContain('1200.5')
    expect((await post(s, `/conversations/${s.conversationId}/cards/properties`, { property: 'plan', value: 'Pro' })).status).toBe(200)

    // Contact card: renewal first, then email; nothing else.
    const chosen = await post(s, '/settings/properties/cards/contact', { show: 'email', order_email: '2', order_renewal: '1', order_phone: '3' }, admin)
    expect(chosen.status).toBe(200)
    const withRenewal = new URLSearchParams([
      ['show', 'email'],
      ['show', 'renewal'],
      ['order_email', '2'],
      ['order_renewal', '1'],
    ])
    const saved = await request('/settings/properties/cards/contact', { method: 'POST', cookie: admin, hx: 'x', body: withRenewal })
    expect(saved.status).toBe(200)
    expect(await saved.text()).toContain('Saved.')
    const about = await card(s, 'about')
    expect(about.html).toMatch(/<dt>Renewal date<\/dt>[\s\S]*<dt>Email<\/dt>/)
    expect(about.html).not.toContain('<dt>Phone</dt>')
    expect(about.html).toContain('2027-01-31')
    const unknown = await request('/settings/properties/cards/ticketCard', {
      method: 'POST',
      cookie: admin,
      hx: 'x',
      body: new URLSearchParams([['show', 'nope']]),
    })
    expect(unknown.status).toBe(422)

    // Ticket card and panel are chosen separately.
    await request('/settings/properties/cards/ticketCard', { method: 'POST', cookie: admin, hx: 'x', body: new URLSearchParams([['show', 'sla']]) })
    await request('/settings/properties/cards/ticketPanel', {
      method: 'POST',
      cookie: admin,
      hx: 'x',
      body: new URLSearchParams([
        ['show', 'description'],
        ['show', 'priority'],
      ]),
    })
    await post(s, `/conversations/${s.conversationId}/ticket`, { ...s.place, name: 'Fly', priority: 'low', description: '', ownerId: '' })
    const ticketCard = await card(s, 'ticket')
    expect(ticketCard.html).toContain('<dt>SLA hours</dt>')
    expect(ticketCard.html).not.toContain('<dt>Priority</dt>')
    const ticketId = (await conversationRow(s.conversationId)).ticketId!
    const panel = await (await request(`/tickets/${ticketId}/panel`, { cookie: s.cookie, hx: 'x' })).text()
    expect(panel).toMatch(/<dt>Description<\/dt>[\s\S]*<dt>Priority<\/dt>/)
    expect(panel).not.toContain('SLA hours')
    expect((await post(s, `/conversations/${s.conversationId}/cards/ticket`, { property: 'sla', value: 'soon' })).status).toBe(422)
    expect((await post(s, `/conversations/${s.conversationId}/cards/ticket`, { property: 'sla', value: '24' })).html).toContain('24')

    // Deleting a property drops it from the cards.
    const deleted = await post(s, `/settings/properties/${plan!.id}/delete`, {}, admin)
    expect(deleted.status).toBe(200)
    expect((await card(s, 'properties')).html).not.toContain('Enterprise')
    const other = await seeded()
    const otherAdmin = await login(other.ws.users.admin.email)
    const [seats] = await db()
      .select()
      .from(propertyDefinitions)
      .where(and(eq(propertyDefinitions.accountId, s.ws.accountId), eq(propertyDefinitions.name, 'seats')))
    expect((await post(other, `/settings/properties/${seats!.id}/delete`, {}, otherAdmin)).status).toBe(404)
  })
})

describe('the contact record page', () => {
  it('shows properties, company, a newest-first timeline of conversations, tickets, deals and notes', async () => {
    const s = await seeded()
    await post(s, `/conversations/${s.conversationId}/ticket`, { ...s.place, name: 'Fly ticket', priority: 'low', description: '', ownerId: '' })
    await post(s, `/conversations/${s.conversationId}/deals`, { name: 'Big deal', amount: '10', currency: 'EUR', stage: 'won' })
    await post(s, `/conversations/${s.conversationId}/cards/company/new`, { name: 'Fjord Tech', domain: 'fjordtech.no' })
    const note = await post(s, `/contacts/${s.contactId}/notes`, { body: `Called her.\n${xss}` })
    expect(note.status).toBe(201)
    expect(note.html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;')
    expect(note.html).not.toContain('<script>alert(2)')
    expect((await post(s, `/contacts/${s.contactId}/notes`, { body: '   ' })).status).toBe(422)
    const page = await (await request(`/contacts/${s.contactId}`, { cookie: s.cookie })).text()
    expect(page).toContain('Maja Nilsen')
    expect(page).toContain('Fjord Tech')
    expect(page).toContain('← Back to the inbox')
    const timeline = page.slice(page.indexOf('id="contact-timeline"'))
    const order = ['Called her.', 'Big deal', 'Fly ticket', 'Damaged tent'].map((text) => timeline.indexOf(text))
    expect(order.every((index) => index >= 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(page).not.toContain('<img src=x')
    const edited = await post(s, `/contacts/${s.contactId}/properties`, { property: 'phone', value: 'call me' })
    expect(edited.status).toBe(422)
    expect((await post(s, `/contacts/${s.contactId}/properties`, { property: 'phone', value: '+47 912 34 567' })).html).toContain('+47 912 34 567')
    expect(await db().select().from(contactNotes).where(eq(contactNotes.contactId, s.contactId))).toHaveLength(1)
  })

  it('adds tasks with a due date and assignee, and marks them done', async () => {
    const s = await seeded()
    const badDate = await post(s, `/contacts/${s.contactId}/tasks`, { title: 'Call back', dueDate: '2026-13-01', assigneeId: '' })
    expect(badDate.status).toBe(422)
    expect(badDate.html).toContain('YYYY-MM-DD')
    expect((await post(s, `/contacts/${s.contactId}/tasks`, { title: '', dueDate: '', assigneeId: '' })).status).toBe(422)
    expect((await post(s, `/contacts/${s.contactId}/tasks`, { title: 'x', dueDate: '', assigneeId: 'ghost' })).status).toBe(422)
    const added = await post(s, `/contacts/${s.contactId}/tasks`, { title: xss, dueDate: '2026-12-01', assigneeId: s.ws.users.admin.id })
    expect(added.status).toBe(201)
    expect(added.html).toContain('due 2026-12-01')
    expect(added.html).toContain('Alex')
    expect(added.html).not.toContain('<img src=x')
    const [task] = await db().select().from(tasks).where(eq(tasks.contactId, s.contactId))
    const done = await post(s, `/contacts/${s.contactId}/tasks/${task!.id}/done`, { done: '1' })
    expect(done.html).toContain('task task-done')
    expect((await db().select().from(tasks).where(eq(tasks.id, task!.id)))[0]!.doneAt).toBeTypeOf('number')
    const undone = await post(s, `/contacts/${s.contactId}/tasks/${task!.id}/done`, { done: '0' })
    expect(undone.html).not.toContain('task task-done')
    expect((await post(s, `/contacts/${s.contactId}/tasks/nope/done`, { done: '1' })).status).toBe(404)
  })
})
