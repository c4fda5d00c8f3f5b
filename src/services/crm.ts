import { and, asc, eq, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { companies, contacts } from '../db/schema'
import { InputError } from '../lib/errors'
import { newId } from '../lib/ids'
import { likePattern, matchesLike } from '../lib/like'
import { normalizeEmail } from '../lib/text'
import type { PropertyDef } from './properties'

export type Contact = typeof contacts.$inferSelect
export type Company = typeof companies.$inferSelect

/** D1 and libSQL report a unique index violation in the error or (through drizzle) its cause. */
function isUniqueViolation(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined
  return /UNIQUE constraint failed/i.test(`${String(error)} ${String(cause ?? '')}`)
}

/** The stored value of a property on a row: its column, or its key in the `properties` JSON. */
export function propertyValue(row: Record<string, unknown> & { properties: Record<string, string> }, def: PropertyDef): string {
  if (def.column) {
    const key = def.name === 'owner' ? 'ownerId' : def.name
    const value = row[key]
    return value === null || value === undefined ? '' : String(value)
  }
  return row.properties?.[def.name] ?? ''
}

/** Contacts whose name or address starts with what was typed (or whose name has a word that does). */
export async function searchContacts(db: Db, accountId: string, query: string, limit = 8) {
  const term = query.trim().slice(0, 100)
  if (!term) return []
  const lowered = term.toLowerCase()
  return db
    .select()
    .from(contacts)
    .where(
      and(
        eq(contacts.accountId, accountId),
        or(
          matchesLike(sql`lower(${contacts.email})`, likePattern(lowered, 'startsWith')),
          matchesLike(sql`lower(${contacts.name})`, likePattern(lowered, 'startsWith')),
          matchesLike(sql`lower(${contacts.name})`, likePattern(lowered, 'wordStartsWith')),
        ),
      ),
    )
    .orderBy(asc(contacts.name), asc(contacts.email))
    .limit(limit)
}

export async function getContact(db: Db, accountId: string, contactId: string) {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.accountId, accountId), eq(contacts.id, contactId)))
    .limit(1)
  return row ?? null
}

export async function createContact(db: Db, accountId: string, input: { name: string; email: string; phone?: string }, nowMs = Date.now()) {
  const name = input.name.trim()
  const email = input.email.trim() ? normalizeEmail(input.email.trim()) : null
  if (!name && !email) throw new InputError('Enter a name or an email address.')
  const [row] = await db
    .insert(contacts)
    .values({ id: newId(), accountId, name: name || null, email, phone: input.phone?.trim() || null, createdAt: nowMs })
    .onConflictDoNothing()
    .returning()
  if (!row) throw new InputError('A contact with this email address already exists: search for it instead.')
  return row
}

/** Saves one property of a contact (already validated for its type). */
export async function setContactProperty(db: Db, contact: Contact, def: PropertyDef, value: string) {
  if (def.column) {
    if (def.name === 'name' || def.name === 'email' || def.name === 'phone') {
      try {
        const [row] = await db
          .update(contacts)
          .set({ [def.name]: value || null })
          .where(and(eq(contacts.accountId, contact.accountId), eq(contacts.id, contact.id)))
          .returning()
        return row!
      } catch (error) {
        if (def.name === 'email' && isUniqueViolation(error)) throw new InputError('Another contact already has this email address.')
        throw error
      }
    }
    throw new InputError('This property cannot be edited here.')
  }
  const properties = { ...contact.properties }
  if (value) properties[def.name] = value
  else delete properties[def.name]
  const [row] = await db
    .update(contacts)
    .set({ properties })
    .where(and(eq(contacts.accountId, contact.accountId), eq(contacts.id, contact.id)))
    .returning()
  return row!
}

export async function getCompany(db: Db, accountId: string, companyId: string) {
  const [row] = await db
    .select()
    .from(companies)
    .where(and(eq(companies.accountId, accountId), eq(companies.id, companyId)))
    .limit(1)
  return row ?? null
}

export async function searchCompanies(db: Db, accountId: string, query: string, limit = 8) {
  const term = query.trim().slice(0, 100)
  if (!term) return []
  const pattern = likePattern(term.toLowerCase(), 'startsWith')
  return db
    .select()
    .from(companies)
    .where(
      and(eq(companies.accountId, accountId), or(matchesLike(sql`lower(${companies.name})`, pattern), matchesLike(sql`lower(${companies.domain})`, pattern))),
    )
    .orderBy(asc(companies.name))
    .limit(limit)
}

const domainPattern = /^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/

export function normalizeDomain(raw: string): string | null {
  const value = raw
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '')
    .replace(/^www\./, '')
  if (!value) return null
  if (!domainPattern.test(value)) throw new InputError('Enter a domain like example.com.')
  return value
}

export async function createCompany(db: Db, accountId: string, input: { name: string; domain: string }, nowMs = Date.now()) {
  const name = input.name.trim()
  if (!name || name.length > 120) throw new InputError('Enter the company name (at most 120 characters).')
  const domain = normalizeDomain(input.domain)
  const [row] = await db.insert(companies).values({ id: newId(), accountId, name, domain, createdAt: nowMs }).onConflictDoNothing().returning()
  if (!row) throw new InputError('A company with this domain already exists: search for it instead.')
  return row
}

/** Links a contact to a company (or to none). */
export async function setContactCompany(db: Db, accountId: string, contactId: string, companyId: string | null) {
  if (companyId && !(await getCompany(db, accountId, companyId))) throw new InputError('No such company.')
  await db
    .update(contacts)
    .set({ companyId })
    .where(and(eq(contacts.accountId, accountId), eq(contacts.id, contactId)))
}

export async function setCompanyProperty(db: Db, company: Company, def: PropertyDef, value: string) {
  if (def.column) {
    const set = def.name === 'name' ? { name: value } : def.name === 'domain' ? { domain: normalizeDomain(value) } : null
    if (!set) throw new InputError('This property cannot be edited here.')
    try {
      const [row] = await db
        .update(companies)
        .set(set)
        .where(and(eq(companies.accountId, company.accountId), eq(companies.id, company.id)))
        .returning()
      return row!
    } catch (error) {
      if (isUniqueViolation(error)) throw new InputError('Another company already has this domain.')
      throw error
    }
  }
  const properties = { ...company.properties }
  if (value) properties[def.name] = value
  else delete properties[def.name]
  const [row] = await db
    .update(companies)
    .set({ properties })
    .where(and(eq(companies.accountId, company.accountId), eq(companies.id, company.id)))
    .returning()
  return row!
}
