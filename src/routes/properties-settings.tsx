import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import { requireRole } from '../auth/middleware'
import { propertyObjects, type PropertyObject } from '../db/schema'
import { InputError } from '../lib/errors'
import {
  createCustomProperty,
  customPropertyTypes,
  deleteCustomProperty,
  propertiesOverview,
  setCardProperties,
  type CardSetting,
} from '../services/properties'
import { recordAudit } from '../services/users'
import { CardConfig, PropertiesSettingsPage, PropertyDefinitions, type CardConfigData } from '../../templates/properties-settings'

/** Admins define custom properties and choose what the contact card, ticket card and ticket panel show. */
export const propertiesSettingsRoutes = new Hono<AppEnv>()
propertiesSettingsRoutes.use('/properties/*', requireRole('admin', 'super_admin'))

const cardSettings: CardSetting[] = ['contact', 'ticketCard', 'ticketPanel']

async function cardConfig(c: Context<AppEnv>, card: CardSetting): Promise<CardConfigData> {
  const { cards } = await propertiesOverview(c.var.db, c.var.accountId, [card])
  return cards[0]!
}

propertiesSettingsRoutes.get('/properties', async (c) => {
  const { definitions, cards } = await propertiesOverview(c.var.db, c.var.accountId, cardSettings)
  return c.html(<PropertiesSettingsPage appName={c.env.APP_NAME ?? 'Switchboard'} actor={c.var.user} definitions={definitions} cards={cards} />)
})

/** The definitions list, plus the card lists out of band (what they can show just changed). */
async function definitionsAndCards(c: Context<AppEnv>, state: { error?: string; values?: Record<string, string> } = {}) {
  const { definitions, cards } = await propertiesOverview(c.var.db, c.var.accountId, cardSettings)
  return (
    <>
      <PropertyDefinitions definitions={definitions} {...state} />
      {!state.error && cards.map((card) => <CardConfig card={card.card} available={card.available} chosen={card.chosen} oob />)}
    </>
  )
}

propertiesSettingsRoutes.post('/properties', async (c) => {
  const body = await c.req.parseBody()
  const values = Object.fromEntries(['object', 'name', 'label', 'type', 'options'].map((key) => [key, String(body[key] ?? '').slice(0, 4000)]))
  try {
    const object = propertyObjects.find((candidate) => candidate === values.object)
    if (!object) throw new InputError('Choose what the property belongs to.')
    const type = customPropertyTypes.find((candidate) => candidate === values.type)
    if (!type) throw new InputError('Choose a type: text, number, date or select.')
    const created = await createCustomProperty(c.var.db, c.var.accountId, {
      object: object as PropertyObject,
      name: values.name!.trim(),
      label: values.label!,
      type,
      options: values.options!.split(/\r?\n|,/),
    })
    await recordAudit(c.var.db, c.var.accountId, c.var.user.id, 'property:create', created.id, { object, name: created.name })
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return c.html(await definitionsAndCards(c, { error: error.message, values }), 422)
  }
  return c.html(await definitionsAndCards(c), 201)
})

propertiesSettingsRoutes.post('/properties/:id/delete', async (c) => {
  const deleted = await deleteCustomProperty(c.var.db, c.var.accountId, c.req.param('id'))
  if (!deleted) throw new HTTPException(404, { message: 'No such property.' })
  await recordAudit(c.var.db, c.var.accountId, c.var.user.id, 'property:delete', deleted.id, { object: deleted.object, name: deleted.name })
  return c.html(await definitionsAndCards(c))
})

propertiesSettingsRoutes.post('/properties/cards/:card', async (c) => {
  const card = cardSettings.find((candidate) => candidate === c.req.param('card'))
  if (!card) throw new HTTPException(404, { message: 'No such card.' })
  const body = await c.req.parseBody({ all: true })
  const shown = (Array.isArray(body.show) ? body.show : body.show === undefined ? [] : [body.show]).map(String)
  // Ticked properties in the order of their numbers; unnumbered ones after, in the form's order.
  const order = (name: string) => {
    const raw = body[`order_${name}`]
    const value = Number(Array.isArray(raw) ? raw[0] : raw)
    return Number.isFinite(value) && value > 0 ? value : 1e6
  }
  const names = shown
    .map((name, index) => ({ name, index }))
    .sort((a, b) => order(a.name) - order(b.name) || a.index - b.index)
    .map((entry) => entry.name)
  try {
    await setCardProperties(c.var.db, c.var.accountId, card, names)
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    const config = await cardConfig(c, card)
    return c.html(<CardConfig card={card} available={config.available} chosen={config.chosen} error={error.message} />, 422)
  }
  const config = await cardConfig(c, card)
  return c.html(<CardConfig card={card} available={config.available} chosen={config.chosen} saved />)
})
