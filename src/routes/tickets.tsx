import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { InputError } from '../lib/errors'
import { t } from '../i18n'
import { propertyValue } from '../services/crm'
import { allProperties, cardProperties, validatePropertyValue, type PropertyDef } from '../services/properties'
import { getTicket, getTicketDetail, setTicketProperty, type Ticket } from '../services/tickets'
import { listAllUsers } from '../services/users'
import { TicketLink, TicketPanel } from '../../templates/cards'
import { TicketPage, TicketProperties } from '../../templates/ticket'

/** A ticket's page, its "View more" panel and the header's link to it. */
export const ticketRoutes = new Hono<AppEnv>()

async function ownTicket(c: Context<AppEnv>) {
  const ticket = await getTicket(c.var.db, c.var.accountId, c.req.param('id') ?? '')
  if (!ticket) throw new HTTPException(404, { message: 'This ticket does not exist or was deleted.' })
  return ticket
}

type Where = 'panel' | 'page'
interface EditState {
  editing?: string
  error?: string
  draft?: string
}

/** The panel shows the account's chosen panel properties; the page shows every property. */
async function renderProperties(c: Context<AppEnv>, ticket: Ticket, where: Where, state: EditState = {}) {
  const { db, accountId } = c.var
  const [defs, users] = await Promise.all([
    where === 'panel' ? cardProperties(db, accountId, 'ticketPanel') : allProperties(db, accountId, 'ticket'),
    listAllUsers(db, accountId),
  ])
  const items = defs.map((def) => ({ def, value: propertyValue(ticket, def) }))
  return where === 'panel' ? (
    <TicketPanel ticket={ticket} items={items} users={users} {...state} />
  ) : (
    <TicketProperties ticketId={ticket.id} items={items} users={users} {...state} />
  )
}

ticketRoutes.get('/:id', async (c) => {
  const detail = await getTicketDetail(c.var.db, c.var.accountId, c.req.param('id'))
  if (!detail) throw new HTTPException(404, { message: 'This ticket does not exist or was deleted.' })
  const [defs, users] = await Promise.all([allProperties(c.var.db, c.var.accountId, 'ticket'), listAllUsers(c.var.db, c.var.accountId)])
  return c.html(
    <TicketPage
      appName={c.env.APP_NAME ?? 'Switchboard'}
      ticket={detail.ticket}
      contact={detail.contact}
      ownerName={detail.ownerName}
      conversation={detail.conversation}
      properties={{ items: defs.map((def) => ({ def, value: propertyValue(detail.ticket, def) })), users }}
      timeZone={c.var.user.timeZone}
    />,
  )
})

ticketRoutes.get('/:id/link', async (c) => c.html(<TicketLink ticket={await ownTicket(c)} />))

const propertyForm = z.object({ property: z.string().trim().min(1).max(60), value: z.string().max(5000).default('') })

for (const where of ['panel', 'page'] as const) {
  const path = where === 'panel' ? '/:id/panel' : '/:id/properties'
  ticketRoutes.get(path, async (c) => {
    const edit = c.req.query('edit')
    return c.html(await renderProperties(c, await ownTicket(c), where, { editing: edit ? edit.slice(0, 60) : undefined }))
  })
  ticketRoutes.post(path, async (c) => {
    const ticket = await ownTicket(c)
    const { db, accountId, user } = c.var
    const form = propertyForm.safeParse(await c.req.parseBody())
    const defs: PropertyDef[] = await allProperties(db, accountId, 'ticket')
    const def = form.success ? defs.find((candidate) => candidate.name === form.data.property) : undefined
    if (!form.success || !def) throw new InputError(t('cards.choose_property'))
    let saved: Ticket
    try {
      const users = await listAllUsers(db, accountId)
      const value = validatePropertyValue(
        def,
        form.data.value,
        users.filter((u) => u.status === 'active').map((u) => u.id),
      )
      saved = await setTicketProperty(db, user, ticket, def, value)
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      return c.html(await renderProperties(c, ticket, where, { editing: def.name, error: error.message, draft: form.data.value }), 422)
    }
    // The sidebar's ticket card and the header's link refresh themselves.
    c.header('HX-Trigger', 'ticket:changed, ticket:panel-changed')
    return c.html(await renderProperties(c, saved, where))
  })
}
