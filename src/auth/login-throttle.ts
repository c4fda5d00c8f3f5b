import { inArray, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { loginAttempts } from '../db/schema'
import { newSecret } from '../lib/ids'

/**
 * Login throttling, kept in the database so it holds across isolates.
 *
 * An attempt is counted *before* the password is hashed, in one statement per key that
 * increments and answers whether this very request may go on (an upsert whose RETURNING names
 * the request that counted last). Parallel guesses therefore cannot all slip past a check made
 * before any of them was counted: of 30 at once, `freeAttempts` are checked, the rest get 429.
 *
 * There is no hard lock. After the free attempts each further one must wait a growing delay
 * (30 s, 1 min, 2 min … 15 min at most) measured from the last counted one; a key that stays
 * quiet for the window after its delay starts afresh. Keys:
 * - `email:<address>` — every device that has not signed in as that address before;
 * - `ip:<address>` — spraying one password over many addresses from one client;
 * - `device:<hash>` — a known device (see known-devices.ts) counts only its own attempts, so the
 *   right password from the user's own browser is never stuck behind someone else's guesses.
 */
export interface ThrottlePolicy {
  freeAttempts: number
  firstDelaySeconds: number
  maxDelaySeconds: number
}

export const quietWindowSeconds = 15 * 60
export const addressPolicy: ThrottlePolicy = { freeAttempts: 5, firstDelaySeconds: 30, maxDelaySeconds: 15 * 60 }
export const ipPolicy: ThrottlePolicy = { freeAttempts: 30, firstDelaySeconds: 30, maxDelaySeconds: 15 * 60 }
export const devicePolicy: ThrottlePolicy = addressPolicy

export interface ThrottleKey {
  key: string
  policy: ThrottlePolicy
}

/** The keys an attempt counts against: its known device alone, or the address and the client IP. */
export function throttleKeys(email: string, ip: string | undefined, knownDeviceHash: string | null): ThrottleKey[] {
  if (knownDeviceHash) return [{ key: `device:${knownDeviceHash}`, policy: devicePolicy }]
  return [{ key: `email:${email}`, policy: addressPolicy }, ...(ip ? [{ key: `ip:${ip}`, policy: ipPolicy }] : [])]
}

function countAttempt(db: Db, { key, policy }: ThrottleKey, attemptId: string, nowMs: number) {
  const blocked = sql`${loginAttempts.blockedUntil} > ${nowMs}`
  // Quiet: nothing counted for a whole window after the last attempt and its delay.
  const quiet = sql`${nowMs} > max(${loginAttempts.windowStartedAt}, ${loginAttempts.blockedUntil}) + ${quietWindowSeconds * 1000}`
  const count = sql`(case when ${quiet} then 1 else ${loginAttempts.failures} + 1 end)`
  // The delay doubles with every attempt past the free ones (shift capped: 2^16 × 30 s is far past the cap).
  const delayMs = (attempts: SQL) =>
    sql`min(${policy.maxDelaySeconds * 1000}, ${policy.firstDelaySeconds * 1000} << min(${attempts} - ${policy.freeAttempts}, 16))`
  const firstBlock = policy.freeAttempts <= 1 ? nowMs + policy.firstDelaySeconds * 1000 : 0
  return db
    .insert(loginAttempts)
    .values({ key, failures: 1, windowStartedAt: nowMs, blockedUntil: firstBlock, lastAttemptId: attemptId })
    .onConflictDoUpdate({
      target: loginAttempts.key,
      // SQLite evaluates every SET expression on the row as it was: one consistent step.
      set: {
        failures: sql`case when ${blocked} then ${loginAttempts.failures} else ${count} end`,
        blockedUntil: sql`case when ${blocked} then ${loginAttempts.blockedUntil} when ${count} >= ${policy.freeAttempts} then ${nowMs} + ${delayMs(count)} else 0 end`,
        windowStartedAt: sql`case when ${blocked} then ${loginAttempts.windowStartedAt} else ${nowMs} end`,
        lastAttemptId: sql`case when ${blocked} then ${loginAttempts.lastAttemptId} else ${attemptId} end`,
      },
    })
    .returning({ lastAttemptId: loginAttempts.lastAttemptId, blockedUntil: loginAttempts.blockedUntil })
}

/**
 * Counts one attempt against every key (one round trip) and says whether the password may be
 * checked now, or how many seconds to wait.
 */
export async function takeLoginAttempt(
  db: Db,
  keys: ThrottleKey[],
  nowMs = Date.now(),
): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
  if (keys.length === 0) return { allowed: true }
  const attemptId = newSecret()
  const [first, ...rest] = keys.map((key) => countAttempt(db, key, attemptId, nowMs))
  const results = await db.batch([first!, ...rest])
  // A key that did not take this request's id refused it: it was inside its delay.
  const refused = results.map(([row]) => row).filter((row) => !row || row.lastAttemptId !== attemptId)
  if (refused.length === 0) return { allowed: true }
  const waitMs = Math.max(...refused.map((row) => (row ? row.blockedUntil - nowMs : 0)))
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) }
}

/**
 * After the right password: the address and device keys start afresh; the IP key only gets this
 * attempt back (one office behind one IP must not reset a sprayer's count by logging in).
 */
export async function creditLoginSuccess(db: Db, keys: ThrottleKey[]) {
  const cleared = keys.filter(({ key }) => !key.startsWith('ip:')).map(({ key }) => key)
  const credited = keys.filter(({ key }) => key.startsWith('ip:')).map(({ key }) => key)
  const clear = db.delete(loginAttempts).where(inArray(loginAttempts.key, cleared))
  const credit = db
    .update(loginAttempts)
    .set({ failures: sql`max(0, ${loginAttempts.failures} - 1)` })
    .where(inArray(loginAttempts.key, credited))
  if (cleared.length > 0 && credited.length > 0) await db.batch([clear, credit])
  else if (cleared.length > 0) await clear
  else if (credited.length > 0) await credit
}

/** Daily housekeeping: keys whose delay ended and then stayed quiet for a window are forgotten. */
export async function deleteQuietLoginAttempts(db: Db, nowMs = Date.now()) {
  await db.delete(loginAttempts).where(sql`max(${loginAttempts.windowStartedAt}, ${loginAttempts.blockedUntil}) < ${nowMs - quietWindowSeconds * 1000}`)
}
