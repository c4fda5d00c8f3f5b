import { and, desc, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { dealStages, deals, type DealStage } from '../db/schema'
import { InputError } from '../lib/errors'
import { newId } from '../lib/ids'
import { recordAudit, type User } from './users'

export type Deal = typeof deals.$inferSelect

/** Currencies a deal can be in, with their number of minor-unit digits (ISO 4217). */
export const dealCurrencies: Record<string, number> = { USD: 2, EUR: 2, GBP: 2, NOK: 2, SEK: 2, DKK: 2, CHF: 2, JPY: 0 }

/**
 * Turns an amount as people type it into minor units (cents, øre), exactly, without floats.
 *
 * Accepted: "1234.50", "1234,50", "1 234,50", "1,234.50", "1.234,50", "1234", "1'234.5".
 * Spaces (also no-break and thin spaces), apostrophes and underscores group digits. The decimal
 * separator is '.' or ','; it is the last of them and must have 1 or 2 digits after it (as many as
 * the currency has minor units). A single separator followed by exactly three digits ("1,234",
 * "1.234") groups thousands: amounts never have three decimals. Negative amounts are refused.
 */
export function parseAmountMinor(raw: string, currency = 'USD'): number {
  const digits = dealCurrencies[currency]
  if (digits === undefined) throw new InputError('Choose a currency from the list.')
  const compact = raw.trim().replace(/[\s\u00a0\u202f\u2009'_]/g, '')
  if (!compact) throw new InputError('Enter an amount.')
  if (!/^\d[\d.,]*$/.test(compact)) throw new InputError('Enter the amount as a number, like 1234.50 or 1 234,50.')
  let whole = compact
  let fraction = ''
  const lastSeparator = Math.max(compact.lastIndexOf('.'), compact.lastIndexOf(','))
  if (lastSeparator >= 0) {
    const after = compact.slice(lastSeparator + 1)
    const separator = compact[lastSeparator]!
    const otherKind = separator === '.' ? ',' : '.'
    const sameKindCount = compact.split(separator).length - 1
    const isDecimal = after.length >= 1 && after.length <= 2 && sameKindCount === 1
    if (isDecimal) {
      whole = compact.slice(0, lastSeparator)
      fraction = after
      // What remains may only use the other separator, in groups of three.
      if (whole.includes(separator)) throw new InputError('Enter the amount as a number, like 1234.50 or 1 234,50.')
      if (whole.includes(otherKind) && !/^\d{1,3}([.,]\d{3})+$/.test(whole)) throw new InputError('Enter the amount as a number, like 1234.50 or 1 234,50.')
    } else if (!/^\d{1,3}([.,]\d{3})+$/.test(compact) || compact.includes('.') === compact.includes(',')) {
      throw new InputError('Enter the amount as a number, like 1234.50 or 1 234,50.')
    }
    whole = whole.replace(/[.,]/g, '')
  }
  if (fraction.length > digits) throw new InputError(digits === 0 ? `${currency} amounts have no decimals.` : `Use at most ${digits} decimals.`)
  const minorText = `${whole}${fraction.padEnd(digits, '0')}`.replace(/^0+(?=\d)/, '')
  const minor = Number(minorText)
  if (!Number.isSafeInteger(minor) || minor > 1e15) throw new InputError('That amount is too large.')
  return minor
}

/** An amount for people: "kr 1 234,50", "$1,234.50", in the reader's locale. */
export function formatAmount(amountMinor: number | null, currency: string, locale: string): string {
  if (amountMinor === null) return '—'
  const digits = dealCurrencies[currency] ?? 2
  try {
    return new Intl.NumberFormat(locale === 'nb' ? 'nb-NO' : 'en-US', {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(amountMinor / 10 ** digits)
  } catch {
    return `${(amountMinor / 10 ** digits).toFixed(digits)} ${currency}`
  }
}

export interface NewDealInput {
  contactId: string | null
  companyId: string | null
  conversationId: string | null
  name: string
  amountMinor: number | null
  currency: string
  stage: DealStage
}

export async function createDeal(db: Db, actor: User, input: NewDealInput, nowMs = Date.now()) {
  const name = input.name.trim()
  if (!name || name.length > 200) throw new InputError('Give the deal a name of at most 200 characters.')
  if (!(input.currency in dealCurrencies)) throw new InputError('Choose a currency from the list.')
  if (!dealStages.includes(input.stage)) throw new InputError('Choose a stage from the list.')
  const [row] = await db
    .insert(deals)
    .values({
      id: newId(),
      accountId: actor.accountId,
      contactId: input.contactId,
      companyId: input.companyId,
      conversationId: input.conversationId,
      name,
      amountMinor: input.amountMinor,
      currency: input.currency,
      stage: input.stage,
      ownerId: actor.id,
      closedAt: input.stage === 'won' || input.stage === 'lost' ? nowMs : null,
      createdAt: nowMs,
    })
    .returning()
  await recordAudit(db, actor.accountId, actor.id, 'deal:create', row!.id, { contactId: input.contactId }, nowMs)
  return row!
}

export async function dealsOfContact(db: Db, accountId: string, contactId: string, limit = 20) {
  return db
    .select()
    .from(deals)
    .where(and(eq(deals.accountId, accountId), eq(deals.contactId, contactId)))
    .orderBy(desc(deals.createdAt))
    .limit(limit)
}

export async function getDeal(db: Db, accountId: string, dealId: string) {
  const [row] = await db
    .select()
    .from(deals)
    .where(and(eq(deals.accountId, accountId), eq(deals.id, dealId)))
    .limit(1)
  return row ?? null
}

export async function setDealStage(db: Db, accountId: string, dealId: string, stage: string, nowMs = Date.now()) {
  if (!(dealStages as readonly string[]).includes(stage)) throw new InputError('Choose a stage from the list.')
  const deal = await getDeal(db, accountId, dealId)
  if (!deal) return null
  const closing = stage === 'won' || stage === 'lost'
  const [row] = await db
    .update(deals)
    .set({ stage: stage as DealStage, closedAt: closing ? (deal.closedAt ?? nowMs) : null })
    .where(and(eq(deals.accountId, accountId), eq(deals.id, dealId)))
    .returning()
  return row!
}

/** Saves one custom property of a deal (already validated for its type); '' clears it. */
export async function setDealProperty(db: Db, deal: Deal, name: string, value: string) {
  const properties = { ...deal.properties }
  if (value) properties[name] = value
  else delete properties[name]
  const [row] = await db
    .update(deals)
    .set({ properties })
    .where(and(eq(deals.accountId, deal.accountId), eq(deals.id, deal.id)))
    .returning()
  return row!
}
