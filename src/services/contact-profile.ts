import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { contactIdentities, contacts } from '../db/schema'
import type { ContactProfile, InboundMessage } from '../channels/types'

/** How long a provider's profile of a contact is trusted before it is asked again (names and pictures change). */
export const profileMaxAgeMs = 7 * 24 * 60 * 60 * 1000

/** Only https pictures are shown (the page's CSP allows them; anything else is dropped). */
function safeAvatar(url: string | undefined): string | null {
  if (!url || url.length > 2000) return null
  try {
    return new URL(url).protocol === 'https:' ? url : null
  } catch {
    return null
  }
}

/**
 * Asks the channel's `profile` for each sender whose contact is new, nameless or looked up over a
 * week ago (one look-up per sender per webhook), and gives their messages the name, so a new
 * contact is created with it. Returns the profiles found, by sender id, for `keepProfiles`.
 * A failed look-up is no reason to lose a message: it is skipped and asked again next time.
 */
export async function lookUpProfiles(
  db: Db,
  channel: { accountId: string; pluginId: string },
  inbound: InboundMessage[],
  profile: (from: InboundMessage['from']) => Promise<ContactProfile | null>,
  nowMs = Date.now(),
): Promise<Map<string, ContactProfile>> {
  const found = new Map<string, ContactProfile>()
  const senders = [...new Set(inbound.map((message) => message.from.externalId).filter((id): id is string => Boolean(id)))].slice(0, 10)
  for (const externalId of senders) {
    const [known] = await db
      .select({ name: contacts.name, refreshedAt: contacts.profileRefreshedAt })
      .from(contactIdentities)
      .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
      .where(
        and(eq(contactIdentities.accountId, channel.accountId), eq(contactIdentities.pluginId, channel.pluginId), eq(contactIdentities.externalId, externalId)),
      )
      .limit(1)
    if (known?.name && known.refreshedAt && nowMs - known.refreshedAt < profileMaxAgeMs) continue
    const answer = await profile(inbound.find((message) => message.from.externalId === externalId)!.from).catch(() => null)
    if (!answer) continue
    const name = answer.name?.trim().slice(0, 120) || undefined
    found.set(externalId, { name, avatarUrl: safeAvatar(answer.avatarUrl) ?? undefined })
  }
  for (const message of inbound) {
    const fresh = message.from.externalId ? found.get(message.from.externalId) : undefined
    if (fresh?.name && !message.from.name) message.from = { ...message.from, name: fresh.name }
  }
  return found
}

/** Keeps what `lookUpProfiles` found on the contacts (now filed): the current name and picture, and when. */
export async function keepProfiles(db: Db, channel: { accountId: string; pluginId: string }, found: Map<string, ContactProfile>, nowMs = Date.now()) {
  for (const [externalId, profile] of found) {
    const [identity] = await db
      .select({ contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .where(
        and(eq(contactIdentities.accountId, channel.accountId), eq(contactIdentities.pluginId, channel.pluginId), eq(contactIdentities.externalId, externalId)),
      )
      .limit(1)
    if (!identity) continue
    await db
      .update(contacts)
      .set({ ...(profile.name ? { name: profile.name } : {}), avatarUrl: profile.avatarUrl ?? null, profileRefreshedAt: nowMs })
      .where(and(eq(contacts.accountId, channel.accountId), eq(contacts.id, identity.contactId)))
  }
}
