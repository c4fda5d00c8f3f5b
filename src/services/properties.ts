import { and, asc, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { accountSettings, propertyDefinitions, propertyObjects, type PropertyObject } from '../db/schema'
import { InputError } from '../lib/errors'
import { newId } from '../lib/ids'

/**
 * Properties of CRM objects, built-in and custom, described the same way so one inline editor,
 * one validator and one settings page serve them all.
 *
 * Built-ins are either real columns (`column: true`: name, email, status …) or keys in the
 * object's `properties` JSON (job title, lifecycle stage, industry); custom properties always
 * live in that JSON under their `name`.
 */
export type PropertyType = 'text' | 'longtext' | 'number' | 'date' | 'select' | 'email' | 'phone' | 'user'
export const customPropertyTypes = ['text', 'number', 'date', 'select'] as const

export interface PropertyDef {
  name: string
  /** i18n key for built-ins; the admin's own words for custom ones. */
  label: string
  labelIsKey: boolean
  type: PropertyType
  options: string[]
  builtIn: boolean
  /** A column on the object's table, not a key in its `properties` JSON. */
  column: boolean
  required?: boolean
}

const builtIn = (name: string, type: PropertyType, extra: Partial<PropertyDef> = {}): PropertyDef => ({
  name,
  label: `prop.${name}`,
  labelIsKey: true,
  type,
  options: [],
  builtIn: true,
  column: false,
  ...extra,
})

export const lifecycleStages = ['subscriber', 'lead', 'opportunity', 'customer', 'evangelist', 'other'] as const

export const builtInProperties: Record<PropertyObject, PropertyDef[]> = {
  contact: [
    builtIn('name', 'text', { column: true }),
    builtIn('email', 'email', { column: true }),
    builtIn('phone', 'phone', { column: true }),
    builtIn('job_title', 'text'),
    builtIn('lifecycle_stage', 'select', { options: [...lifecycleStages] }),
  ],
  company: [builtIn('name', 'text', { column: true, required: true }), builtIn('domain', 'text', { column: true }), builtIn('industry', 'text')],
  ticket: [
    builtIn('name', 'text', { column: true, required: true }),
    builtIn('status', 'select', { column: true, options: ['open', 'closed'], required: true }),
    builtIn('priority', 'select', { column: true, options: ['low', 'medium', 'high'], required: true }),
    builtIn('owner', 'user', { column: true }),
    builtIn('description', 'longtext', { column: true }),
  ],
  deal: [],
}

/** What the cards show until an admin chooses otherwise. */
export const defaultCardProperties = {
  contact: ['email', 'phone', 'job_title', 'lifecycle_stage'],
  ticketCard: ['status', 'priority', 'owner'],
  ticketPanel: ['name', 'status', 'priority', 'owner', 'description'],
}

export type CardSetting = 'contact' | 'ticketCard' | 'ticketPanel'
export const cardObjects: Record<CardSetting, PropertyObject> = { contact: 'contact', ticketCard: 'ticket', ticketPanel: 'ticket' }

export type PropertyDefinition = typeof propertyDefinitions.$inferSelect

export function customToDef(row: PropertyDefinition): PropertyDef {
  return { name: row.name, label: row.label, labelIsKey: false, type: row.type, options: row.options ?? [], builtIn: false, column: false }
}

export async function listCustomProperties(db: Db, accountId: string, object?: PropertyObject) {
  return db
    .select()
    .from(propertyDefinitions)
    .where(object ? and(eq(propertyDefinitions.accountId, accountId), eq(propertyDefinitions.object, object)) : eq(propertyDefinitions.accountId, accountId))
    .orderBy(asc(propertyDefinitions.createdAt), asc(propertyDefinitions.name))
}

/** Every property an object has in this account: built-ins first, then custom ones. */
export async function allProperties(db: Db, accountId: string, object: PropertyObject): Promise<PropertyDef[]> {
  const custom = await listCustomProperties(db, accountId, object)
  return [...builtInProperties[object], ...custom.map(customToDef)]
}

export async function getAccountSettings(db: Db, accountId: string) {
  const [row] = await db.select().from(accountSettings).where(eq(accountSettings.accountId, accountId)).limit(1)
  return row ?? null
}

/** The ordered property names a card shows (the account's choice, else the defaults), resolved to definitions. */
export async function cardProperties(db: Db, accountId: string, card: CardSetting): Promise<PropertyDef[]> {
  const [settings, all] = await Promise.all([getAccountSettings(db, accountId), allProperties(db, accountId, cardObjects[card])])
  return chosenFor(settings, card, all)
}

function chosenFor(settings: typeof accountSettings.$inferSelect | null, card: CardSetting, all: PropertyDef[]): PropertyDef[] {
  const chosen =
    (card === 'contact' ? settings?.contactCardProperties : card === 'ticketCard' ? settings?.ticketCardProperties : settings?.ticketPanelProperties) ??
    defaultCardProperties[card]
  const byName = new Map(all.map((def) => [def.name, def]))
  // A property deleted after it was chosen simply drops out.
  return chosen.map((name) => byName.get(name)).filter((def): def is PropertyDef => Boolean(def))
}

export interface CardChoice {
  card: CardSetting
  /** Every property the card's object has, built-ins first. */
  available: PropertyDef[]
  /** The names the card shows, in order. */
  chosen: string[]
}

/**
 * The settings page's data in one round trip: the account's custom definitions (all objects) and
 * what each card shows, out of one read of each table.
 */
export async function propertiesOverview(db: Db, accountId: string, cards: CardSetting[]): Promise<{ definitions: PropertyDefinition[]; cards: CardChoice[] }> {
  const [definitions, settingsRows] = await db.batch([
    db
      .select()
      .from(propertyDefinitions)
      .where(eq(propertyDefinitions.accountId, accountId))
      .orderBy(asc(propertyDefinitions.createdAt), asc(propertyDefinitions.name)),
    db.select().from(accountSettings).where(eq(accountSettings.accountId, accountId)).limit(1),
  ])
  const settings = settingsRows[0] ?? null
  return {
    definitions,
    cards: cards.map((card) => {
      const object = cardObjects[card]
      const available = [...builtInProperties[object], ...definitions.filter((row) => row.object === object).map(customToDef)]
      return { card, available, chosen: chosenFor(settings, card, available).map((def) => def.name) }
    }),
  }
}

export async function setCardProperties(db: Db, accountId: string, card: CardSetting, names: string[], nowMs = Date.now()) {
  const all = await allProperties(db, accountId, cardObjects[card])
  const known = new Set(all.map((def) => def.name))
  const unique = [...new Set(names.map((name) => name.trim()).filter(Boolean))]
  const unknown = unique.find((name) => !known.has(name))
  if (unknown) throw new InputError(`There is no property called "${unknown}".`)
  if (unique.length > 30) throw new InputError('Choose at most 30 properties for a card.')
  const column = card === 'contact' ? 'contactCardProperties' : card === 'ticketCard' ? 'ticketCardProperties' : 'ticketPanelProperties'
  await db
    .insert(accountSettings)
    .values({ accountId, [column]: unique, updatedAt: nowMs })
    .onConflictDoUpdate({ target: accountSettings.accountId, set: { [column]: unique, updatedAt: nowMs } })
  return unique
}

export interface NewPropertyInput {
  object: PropertyObject
  name: string
  label: string
  type: (typeof customPropertyTypes)[number]
  options: string[]
}

const propertyNamePattern = /^[a-z][a-z0-9_]{0,39}$/

export async function createCustomProperty(db: Db, accountId: string, input: NewPropertyInput, nowMs = Date.now()) {
  if (!propertyObjects.includes(input.object)) throw new InputError('Choose what the property belongs to.')
  if (!propertyNamePattern.test(input.name)) {
    throw new InputError('The internal name starts with a letter and has only lower-case letters, digits and underscores (at most 40).')
  }
  const label = input.label.trim()
  if (!label || label.length > 60) throw new InputError('Give the property a label of at most 60 characters.')
  if (!customPropertyTypes.includes(input.type)) throw new InputError('Choose a type: text, number, date or select.')
  const options = [...new Set(input.options.map((option) => option.trim()).filter(Boolean))]
  if (input.type === 'select' && options.length === 0) throw new InputError('A select property needs at least one option.')
  if (options.length > 50 || options.some((option) => option.length > 60)) throw new InputError('At most 50 options of at most 60 characters each.')
  if (builtInProperties[input.object].some((def) => def.name === input.name)) throw new InputError(`"${input.name}" is a built-in property.`)
  const [row] = await db
    .insert(propertyDefinitions)
    .values({
      id: newId(),
      accountId,
      object: input.object,
      name: input.name,
      label,
      type: input.type,
      options: input.type === 'select' ? options : [],
      createdAt: nowMs,
    })
    .onConflictDoNothing()
    .returning()
  if (!row) throw new InputError(`There is already a ${input.object} property called "${input.name}".`)
  return row
}

export async function deleteCustomProperty(db: Db, accountId: string, id: string) {
  const [row] = await db
    .delete(propertyDefinitions)
    .where(and(eq(propertyDefinitions.accountId, accountId), eq(propertyDefinitions.id, id)))
    .returning()
  return row ?? null
}

const emailPattern = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/

/**
 * Checks a value typed into an inline editor against its property's type and returns what to
 * store: '' clears the value. Dates are stored as YYYY-MM-DD, numbers in their plain decimal form.
 */
export function validatePropertyValue(def: PropertyDef, raw: string, userIds: string[] = []): string {
  const value = raw.trim()
  if (value.length > (def.type === 'longtext' ? 5000 : 500)) throw new InputError('That value is too long.')
  if (value === '') {
    if (def.required) throw new InputError('This property cannot be empty.')
    return ''
  }
  switch (def.type) {
    case 'email':
      if (!emailPattern.test(value) || value.length > 254) throw new InputError('Enter a valid email address.')
      return value.toLowerCase()
    case 'phone':
      if (!/^\+?[0-9 ().-]{3,30}$/.test(value)) throw new InputError('Enter a phone number (digits, spaces, + ( ) - .).')
      return value
    case 'number': {
      const normalized = value.replace(/\s/g, '').replace(',', '.')
      if (!/^-?\d+(\.\d+)?$/.test(normalized) || !Number.isFinite(Number(normalized))) throw new InputError('Enter a number.')
      return normalized
    }
    case 'date': {
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
      const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null
      if (!date || date.toISOString().slice(0, 10) !== value) throw new InputError('Enter a date as YYYY-MM-DD.')
      return value
    }
    case 'select':
      if (!def.options.includes(value)) throw new InputError('Choose one of the options.')
      return value
    case 'user':
      if (!userIds.includes(value)) throw new InputError('Choose an active user.')
      return value
    default:
      return value
  }
}
