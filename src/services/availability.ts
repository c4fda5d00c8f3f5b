import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client'
import { inboxMembers, users } from '../db/schema'

/**
 * Whether anyone can take a new chat in an inbox: an active member (or, for an inbox without
 * members, any active user of the account) who is available.
 */
export async function teamAvailability(db: Db, accountId: string, inboxId: string): Promise<{ available: boolean }> {
  const members = await db.select({ userId: inboxMembers.userId }).from(inboxMembers).where(eq(inboxMembers.inboxId, inboxId))
  const candidates = await db
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.accountId, accountId),
        eq(users.status, 'active'),
        eq(users.availability, 'available'),
        members.length > 0 ? inArray(users.id, members.map((member) => member.userId)) : undefined,
      ),
    )
    .limit(1)
  return { available: candidates.length > 0 }
}
