import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { loginAttempts } from '../db/schema'

/**
 * Login rate limiting in fixed windows, kept in the database so it holds across isolates.
 * Keys are per address (stops guessing one account's password) and per client IP (stops
 * spraying one password over many accounts).
 */
export const loginWindowSeconds = 15 * 60
export const maxFailuresPerAddress = 5
export const maxFailuresPerIp = 30

export function throttleKeys(email: string, ip: string | undefined) {
  return [
    { key: `email:${email}`, limit: maxFailuresPerAddress },
    ...(ip ? [{ key: `ip:${ip}`, limit: maxFailuresPerIp }] : []),
  ]
}

/** Seconds until the caller may try again, or 0 when a try is allowed now. */
export async function loginRetryAfterSeconds(
  db: Db,
  keys: { key: string; limit: number }[],
  nowMs = Date.now(),
): Promise<number> {
  let waitSeconds = 0
  for (const { key, limit } of keys) {
    const [row] = await db.select().from(loginAttempts).where(eq(loginAttempts.key, key)).limit(1)
    if (!row) continue
    const windowEndsAt = row.windowStartedAt + loginWindowSeconds * 1000
    if (windowEndsAt > nowMs && row.failures >= limit) {
      waitSeconds = Math.max(waitSeconds, Math.ceil((windowEndsAt - nowMs) / 1000))
    }
  }
  return waitSeconds
}

export async function recordLoginFailure(db: Db, keys: { key: string }[], nowMs = Date.now()) {
  const windowStart = nowMs - loginWindowSeconds * 1000
  for (const { key } of keys) {
    // One statement per key: a new window starts when the stored one has run out.
    await db
      .insert(loginAttempts)
      .values({ key, failures: 1, windowStartedAt: nowMs })
      .onConflictDoUpdate({
        target: loginAttempts.key,
        set: {
          failures: sql`case when ${loginAttempts.windowStartedAt} <= ${windowStart} then 1 else ${loginAttempts.failures} + 1 end`,
          windowStartedAt: sql`case when ${loginAttempts.windowStartedAt} <= ${windowStart} then ${nowMs} else ${loginAttempts.windowStartedAt} end`,
        },
      })
  }
}

export async function clearLoginFailures(db: Db, email: string) {
  await db.delete(loginAttempts).where(eq(loginAttempts.key, `email:${email}`))
}
