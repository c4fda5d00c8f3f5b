import { sha256 } from '@oslojs/crypto/sha2'
import { encodeHexLowerCase } from '@oslojs/encoding'
import { and, eq, gt, lt } from 'drizzle-orm'
import type { Context } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import type { Db } from '../db/client'
import { knownDevices, users } from '../db/schema'
import { newSecret } from '../lib/ids'

/**
 * Known devices, after OWASP's "device cookie" defence against brute force and lockout abuse:
 * a browser that once signed in as a user carries a long-lived random token, and its attempts
 * to sign in as that user count against that device alone (login-throttle.ts), so a stranger
 * guessing the user's password from elsewhere cannot keep the user out.
 *
 * The token is random (120 bits) and only its SHA-256 is stored, as with sessions; the table is
 * the signature: a token we never issued names no user. One browser can be known for several
 * users (the same person in two workspaces, a shared desk).
 */
export const deviceCookieName = 'sb_device'
export const knownDeviceExpiresInSeconds = 365 * 24 * 60 * 60

const hashToken = (token: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(token)))

/** The browser's device token, when it carries a well-formed one. */
export function deviceTokenOf(c: Context): string | null {
  const token = getCookie(c, deviceCookieName)
  return token && /^[a-z2-7]{24}$/.test(token) ? token : null
}

/** The device's key when this browser signed in as a user with this address before, else null. */
export async function knownDeviceFor(db: Db, token: string | null, email: string, nowMs = Date.now()): Promise<string | null> {
  if (!token) return null
  const tokenHash = hashToken(token)
  const [row] = await db
    .select({ tokenHash: knownDevices.tokenHash })
    .from(knownDevices)
    .innerJoin(users, eq(users.id, knownDevices.userId))
    .where(and(eq(knownDevices.tokenHash, tokenHash), eq(users.email, email), gt(knownDevices.lastUsedAt, nowMs - knownDeviceExpiresInSeconds * 1000)))
    .limit(1)
  return row ? tokenHash : null
}

/** Records a successful sign-in from this browser and (re)sets its cookie. */
export async function rememberDevice(c: Context, db: Db, userId: string, nowMs = Date.now()) {
  const token = deviceTokenOf(c) ?? newSecret()
  await db
    .insert(knownDevices)
    .values({ tokenHash: hashToken(token), userId, lastUsedAt: nowMs })
    .onConflictDoUpdate({ target: [knownDevices.tokenHash, knownDevices.userId], set: { lastUsedAt: nowMs } })
  setCookie(c, deviceCookieName, token, {
    httpOnly: true,
    secure: new URL(c.req.url).protocol === 'https:',
    // Only the login form reads it.
    sameSite: 'Strict',
    path: '/login',
    maxAge: knownDeviceExpiresInSeconds,
  })
}

export async function deleteExpiredDevices(db: Db, nowMs = Date.now()) {
  await db.delete(knownDevices).where(lt(knownDevices.lastUsedAt, nowMs - knownDeviceExpiresInSeconds * 1000))
}
