import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding, encodeHexLowerCase } from '@oslojs/encoding'
import { and, eq, lt } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { channels, conversations, visitorTokens } from '../db/schema'
import { verifyHmacSha256Hex } from '../lib/hmac'
import { newId, newSecret } from '../lib/ids'

/**
 * A visitor's identity in the chat widget: a token the widget keeps in localStorage, signed with
 * a key of the channel's own (made on first use, kept in the channel's secrets). A new token is
 * issued on every visit (rotation), and issuing it revokes the one before: a token names its id,
 * and only the visitor's current id (`visitor_tokens`) is honoured. Tokens older than
 * `visitorTokenMaxAgeSeconds` are refused as well.
 */
export const visitorTokenMaxAgeSeconds = 90 * 24 * 60 * 60
/**
 * How long the token just rotated away may still resume the visit (never open a socket): two tabs
 * of one visitor resuming with the same token at once then both get the current token, instead
 * of the slower one losing the visitor and their conversation.
 */
export const rotatedTokenGraceMs = 60_000

const tokenPayload = z.object({
  /** visitor id */
  v: z.string().regex(/^[a-z0-9]{16,32}$/),
  /** channel id */
  c: z.string(),
  /** the id the visitor's conversation has, or will have once they write */
  k: z.string().regex(/^[a-z0-9]{16,32}$/),
  /** issued at (ms) */
  iat: z.number().int(),
  /** the token's id; tokens issued before revocation existed have none */
  j: z
    .string()
    .regex(/^[a-z0-9]{16,32}$/)
    .optional(),
})
export type VisitorIdentity = { visitorId: string; channelId: string; conversationId: string; issuedAt: number }
type Channel = typeof channels.$inferSelect
type Claims = VisitorIdentity & { tokenId: string | undefined }

async function signingKey(db: Db, channel: Channel): Promise<string> {
  const existing = channel.secrets.visitorTokenKey
  if (existing) return existing
  const key = `${newSecret()}${newSecret()}`
  // First writer wins; a concurrent first visit reads the winner's key back.
  await db
    .update(channels)
    .set({ secrets: { ...channel.secrets, visitorTokenKey: key } })
    .where(eq(channels.id, channel.id))
  const [row] = await db.select({ secrets: channels.secrets }).from(channels).where(eq(channels.id, channel.id))
  return row?.secrets.visitorTokenKey ?? key
}

async function hmacHex(key: string, text: string) {
  const cryptoKey = await crypto.subtle.importKey('raw', new TextEncoder().encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return encodeHexLowerCase(new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, new TextEncoder().encode(text))))
}

async function signToken(db: Db, channel: Channel, identity: { visitorId: string; conversationId: string; tokenId: string }, nowMs: number) {
  const payload = encodeBase64urlNoPadding(
    new TextEncoder().encode(JSON.stringify({ v: identity.visitorId, c: channel.id, k: identity.conversationId, iat: nowMs, j: identity.tokenId })),
  )
  return `${payload}.${await hmacHex(await signingKey(db, channel), payload)}`
}

/** What a token claims, once its signature, channel and age are checked; not yet whether it was revoked. */
async function readToken(channel: Channel, token: string, nowMs: number): Promise<Claims | null> {
  const [payload, signature, extra] = token.split('.')
  if (!payload || !signature || extra !== undefined || payload.length > 400) return null
  const key = channel.secrets.visitorTokenKey
  if (!key || !(await verifyHmacSha256Hex(key, new TextEncoder().encode(payload), signature))) return null
  let parsed: ReturnType<typeof tokenPayload.safeParse>
  try {
    parsed = tokenPayload.safeParse(JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(payload))))
  } catch {
    return null
  }
  if (!parsed.success || parsed.data.c !== channel.id) return null
  if (parsed.data.iat > nowMs + 60_000 || nowMs - parsed.data.iat > visitorTokenMaxAgeSeconds * 1000) return null
  return { visitorId: parsed.data.v, channelId: parsed.data.c, conversationId: parsed.data.k, issuedAt: parsed.data.iat, tokenId: parsed.data.j }
}

const tokenRowOf = (db: Db, channelId: string, visitorId: string) =>
  db
    .select({ tokenId: visitorTokens.tokenId, previousTokenId: visitorTokens.previousTokenId, rotatedAt: visitorTokens.rotatedAt })
    .from(visitorTokens)
    .where(and(eq(visitorTokens.channelId, channelId), eq(visitorTokens.visitorId, visitorId)))
    .limit(1)

/** The visitor a token proves, for the socket and the widget's HTTP calls: only the current token. */
export async function verifyVisitorToken(db: Db, channel: Channel, token: string, nowMs = Date.now()): Promise<VisitorIdentity | null> {
  const claims = await readToken(channel, token, nowMs)
  if (!claims?.tokenId) return null
  const [row] = await tokenRowOf(db, channel.id, claims.visitorId)
  if (row?.tokenId !== claims.tokenId) return null
  const { tokenId: _, ...identity } = claims
  return identity
}

/**
 * Starts or resumes a visit: a returning visitor keeps their id and their conversation and gets a
 * new token, which revokes the one they came with; a new one gets fresh ids (the conversation row
 * is only created when they first write). A revoked, forged or expired token starts a new visit.
 * Null when a new visit was needed and `mayStartNew` refused it.
 */
export async function resumeVisit(db: Db, channel: Channel, token: string | undefined, options: { nowMs?: number; mayStartNew?: () => Promise<boolean> } = {}) {
  const nowMs = options.nowMs ?? Date.now()
  const claims = token ? await readToken(channel, token, nowMs) : null
  const known = claims ? await resumeToken(db, channel, claims, nowMs) : null
  if (!claims || !known) {
    // New visitors are what a flood would mint: the caller may refuse them (per client address).
    if (options.mayStartNew && !(await options.mayStartNew())) return null
    const visitorId = newId()
    const tokenId = newId()
    await db.insert(visitorTokens).values({ channelId: channel.id, visitorId, accountId: channel.accountId, tokenId, rotatedAt: nowMs })
    const conversationId = newId()
    return { visitorId, conversationId, token: await signToken(db, channel, { visitorId, conversationId, tokenId }, nowMs), returning: false, started: false }
  }
  const conversationId = known.conversationId ?? claims.conversationId
  const fresh = await signToken(db, channel, { visitorId: claims.visitorId, conversationId, tokenId: known.tokenId }, nowMs)
  return { visitorId: claims.visitorId, conversationId, token: fresh, returning: true, started: known.conversationId !== null }
}

/**
 * Rotates a verified token: the visitor's current token id is replaced (only if it is still the
 * one presented, so two rotations cannot both win). Returns the id to sign the new token with and
 * the visitor's conversation, or null when the token was revoked.
 */
async function resumeToken(db: Db, channel: Channel, claims: Claims, nowMs: number): Promise<{ tokenId: string; conversationId: string | null } | null> {
  const [rows, conversationRows] = await db.batch([
    tokenRowOf(db, channel.id, claims.visitorId),
    db
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.channelId, channel.id), eq(conversations.externalKey, claims.visitorId)))
      .limit(1),
  ])
  const row = rows[0]
  const conversationId = conversationRows[0]?.id ?? null
  const nextTokenId = newId()
  if (!row) {
    // A token from before revocation existed resumes once, and becomes the visitor's only token.
    if (claims.tokenId) return null
    const inserted = await db
      .insert(visitorTokens)
      .values({ channelId: channel.id, visitorId: claims.visitorId, accountId: channel.accountId, tokenId: nextTokenId, rotatedAt: nowMs })
      .onConflictDoNothing()
      .returning({ tokenId: visitorTokens.tokenId })
    return inserted[0] ? { tokenId: nextTokenId, conversationId } : null
  }
  if (claims.tokenId && row.tokenId === claims.tokenId) {
    const rotated = await db
      .update(visitorTokens)
      .set({ tokenId: nextTokenId, previousTokenId: claims.tokenId, rotatedAt: nowMs })
      .where(and(eq(visitorTokens.channelId, channel.id), eq(visitorTokens.visitorId, claims.visitorId), eq(visitorTokens.tokenId, claims.tokenId)))
      .returning({ tokenId: visitorTokens.tokenId })
    if (rotated[0]) return { tokenId: nextTokenId, conversationId }
    // Another tab rotated it a moment ago: fall through to the grace check on the fresh row.
    const [now] = await tokenRowOf(db, channel.id, claims.visitorId)
    return now && now.previousTokenId === claims.tokenId && nowMs - now.rotatedAt <= rotatedTokenGraceMs ? { tokenId: now.tokenId, conversationId } : null
  }
  if (claims.tokenId && row.previousTokenId === claims.tokenId && nowMs - row.rotatedAt <= rotatedTokenGraceMs) return { tokenId: row.tokenId, conversationId }
  return null
}

/** Forgets visitors whose every token has expired (the daily cron): nothing they hold can be honoured. */
export async function deleteExpiredVisitorTokens(db: Db, nowMs = Date.now()): Promise<void> {
  await db.delete(visitorTokens).where(lt(visitorTokens.rotatedAt, nowMs - visitorTokenMaxAgeSeconds * 1000))
}

/**
 * Whether a page on `origin` may embed this channel's widget: only the origins the channel lists.
 * Our own origin is not implied (it would let anyone chat with any channel from a page we serve).
 */
export function originAllowed(origin: string | undefined, allowedOrigins: string[]): boolean {
  if (!origin) return false
  return allowedOrigins.some((allowed) => {
    try {
      return new URL(allowed).origin === origin
    } catch {
      return false
    }
  })
}
