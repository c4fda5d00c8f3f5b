import { decodeHex, encodeHexLowerCase } from '@oslojs/encoding'
import { constantTimeEqual } from '@oslojs/crypto/subtle'
import { and, eq, getTableColumns, lt, sql } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../db/client'
import { compiled, statementBuilder } from '../db/compiled'
import { sessions, users } from '../db/schema'
import { newSecret } from '../lib/ids'

/**
 * Sessions as the Lucia guide lays them out: the client holds `<id>.<secret>`, the database
 * holds the id and a SHA-256 of the secret. A leaked sessions table therefore opens no session.
 * Expiry slides: a session used in its second half is extended to a full period again.
 */
export const sessionExpiresInSeconds = 60 * 60 * 24 * 30
export const sessionCookieName = 'sb_session'

export type SessionUser = typeof users.$inferSelect
export type Session = typeof sessions.$inferSelect
export interface ValidatedSession {
  session: Session
  user: SessionUser
  /** The expiry moved: the cookie must be sent again. */
  refreshed: boolean
}

// The runtime's own SHA-256 (Web Crypto): the pure-JS one cost more CPU than the rest of the
// session check, on every request.
async function hashSecret(secret: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)))
}

export async function createSession(db: Db, userId: string, nowMs = Date.now()) {
  const id = newSecret()
  const secret = newSecret()
  const session: Session = {
    id,
    secretHash: encodeHexLowerCase(await hashSecret(secret)),
    userId,
    createdAt: nowMs,
    expiresAt: nowMs + sessionExpiresInSeconds * 1000,
  }
  await db.insert(sessions).values(session)
  return { token: `${id}.${secret}`, session }
}

// Every request reads its session with this statement: compiled, so its SQL is built once per
// isolate. Flat fields (`session.id`, `user.name`, …), nested again when read.
const sessionWithUser = compiled<Record<string, unknown>[]>(() => {
  const fields: Record<string, AnySQLiteColumn> = {}
  for (const [key, column] of Object.entries(getTableColumns(sessions))) fields[`session.${key}`] = column
  for (const [key, column] of Object.entries(getTableColumns(users))) fields[`user.${key}`] = column
  return {
    query: statementBuilder
      .select(fields)
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, sql.placeholder('id')))
      .limit(1),
    fields,
  }
})

async function sessionAndUser(db: Db, id: string): Promise<{ session: Session; user: SessionUser } | undefined> {
  const [flat] = await sessionWithUser().bind(db, { id })
  if (!flat) return undefined
  const row = { session: {} as Record<string, unknown>, user: {} as Record<string, unknown> }
  for (const [key, value] of Object.entries(flat)) {
    const dot = key.indexOf('.')
    row[key.slice(0, dot) as 'session' | 'user'][key.slice(dot + 1)] = value
  }
  return row as { session: Session; user: SessionUser }
}

export async function validateSessionToken(db: Db, token: string, nowMs = Date.now()): Promise<ValidatedSession | null> {
  const [id, secret, extra] = token.split('.')
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return null
  const row = await sessionAndUser(db, id)
  if (!row) return null
  const stored = decodeHex(row.session.secretHash)
  if (!constantTimeEqual(await hashSecret(secret), stored)) return null
  if (row.session.expiresAt <= nowMs) {
    await db.delete(sessions).where(eq(sessions.id, id))
    return null
  }
  // A deactivated or removed user loses every session at once, not at expiry.
  if (row.user.status !== 'active') return null
  let refreshed = false
  if (row.session.expiresAt - nowMs < (sessionExpiresInSeconds * 1000) / 2) {
    row.session.expiresAt = nowMs + sessionExpiresInSeconds * 1000
    await db.update(sessions).set({ expiresAt: row.session.expiresAt }).where(eq(sessions.id, id))
    refreshed = true
  }
  return { session: row.session, user: row.user, refreshed }
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId))
}

export async function invalidateUserSessions(db: Db, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId))
}

export async function deleteExpiredSessions(db: Db, nowMs = Date.now()): Promise<void> {
  await db.delete(sessions).where(and(lt(sessions.expiresAt, nowMs)))
}
