import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { isConstraintViolation } from '../db/errors'
import { contactIdentities, contacts } from '../db/schema'
import type { InboundContact } from '../channels/types'
import { newId } from '../lib/ids'
import { normalizeEmail } from '../lib/text'
import { isLocale, type Locale } from '../i18n'

export type Contact = typeof contacts.$inferSelect

/** The language a channel says the sender reads (one we write in), or null. */
export function localeOf(from: InboundContact): Locale | null {
  return isLocale(from.locale) ? from.locale : null
}

/**
 * Finds the contact an inbound sender is, or creates one: first by the channel's own identity,
 * then by email address, then by phone number (E.164, as the pipeline normalised it). Learns missing details (a name, a phone) from later messages without
 * overwriting what an agent already knows. Safe under concurrent deliveries: uniqueness lives in
 * the database and losers of a race read the winner's row.
 */
export async function resolveContact(db: Db, accountId: string, pluginId: string, from: InboundContact, nowMs = Date.now()): Promise<Contact> {
  const email = from.email ? normalizeEmail(from.email) : undefined
  const name = from.name?.trim() || undefined
  const phone = from.phone?.trim() || undefined
  const locale = localeOf(from) ?? undefined

  let contact: Contact | undefined
  if (from.externalId) {
    const [row] = await db
      .select({ contact: contacts })
      .from(contactIdentities)
      .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
      .where(and(eq(contactIdentities.accountId, accountId), eq(contactIdentities.pluginId, pluginId), eq(contactIdentities.externalId, from.externalId)))
      .limit(1)
    contact = row?.contact
  }
  if (!contact && email) {
    ;[contact] = await db
      .select()
      .from(contacts)
      .where(and(eq(contacts.accountId, accountId), eq(contacts.email, email)))
      .limit(1)
  }
  // The same number from another channel (an SMS after a call): phones are stored in E.164.
  if (!contact && phone && /^\+[1-9]\d{5,14}$/.test(phone)) {
    ;[contact] = await db
      .select()
      .from(contacts)
      .where(and(eq(contacts.accountId, accountId), eq(contacts.phone, phone)))
      .orderBy(contacts.createdAt)
      .limit(1)
  }
  if (!contact) {
    const id = newId()
    const [inserted] = await db.insert(contacts).values({ id, accountId, name, email, phone, locale, createdAt: nowMs }).onConflictDoNothing().returning()
    contact =
      inserted ??
      (
        await db
          .select()
          .from(contacts)
          .where(and(eq(contacts.accountId, accountId), eq(contacts.email, email ?? '')))
          .limit(1)
      )[0]
    if (!contact) throw new Error('contact could not be created')
  } else {
    const missing: Partial<Contact> = {}
    if (!contact.name && name) missing.name = name
    if (!contact.email && email) missing.email = email
    if (!contact.phone && phone) missing.phone = phone
    if (!contact.locale && locale) missing.locale = locale
    if (Object.keys(missing).length > 0) {
      // Another contact may own the address already; then keep the two apart rather than fail.
      const [updated] = await db
        .update(contacts)
        .set(missing)
        .where(eq(contacts.id, contact.id))
        .returning()
        .catch((error: unknown) => {
          if (!isConstraintViolation(error)) throw error
          return [contact]
        })
      contact = updated ?? contact
    }
  }
  if (from.externalId) {
    await db.insert(contactIdentities).values({ accountId, pluginId, externalId: from.externalId, contactId: contact.id }).onConflictDoNothing()
  }
  return contact
}

export async function getContact(db: Db, accountId: string, contactId: string) {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.accountId, accountId), eq(contacts.id, contactId)))
    .limit(1)
  return row ?? null
}
