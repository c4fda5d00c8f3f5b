import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding, encodeHexLowerCase } from '@oslojs/encoding'
import { and, eq } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { channels, conversations } from '../db/schema'
import { verifyHmacSha256Hex } from '../lib/hmac'
import { newId, newSecret } from '../lib/ids'

/**
 * A visitor's identity in the chat widget: a token the widget keeps in localStorage, signed with
 * a key of the channel's own (made on first use, kept in the channel's secrets). A new token is
 * issued on every visit (rotation); tokens older than `visitorTokenMaxAgeSeconds` are refused.
 */
export const visitorTokenMaxAgeSeconds = 90 * 24 * 60 * 60

const tokenPayload = z.object({
  /** visitor id */
  v: z.string().regex(/^[a-z0-9]{16,32}$/),
  /** channel id */
  c: z.string(),
  /** the id the visitor's conversation has, or will have once they write */
  k: z.string().regex(/^[a-z0-9]{16,32}$/),
  /** issued at (ms) */
  iat: z.number().int(),
})
export type VisitorIdentity = { visitorId: string; channelId: string; conversationId: string; issuedAt: number }

async function signingKey(db: Db, channel: typeof channels.$inferSelect): Promise<string> {
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

export async function issueVisitorToken(db: Db, channel: typeof channels.$inferSelect, identity: Omit<VisitorIdentity, 'issuedAt'>, nowMs = Date.now()) {
  const payload = encodeBase64urlNoPadding(
    new TextEncoder().encode(JSON.stringify({ v: identity.visitorId, c: identity.channelId, k: identity.conversationId, iat: nowMs })),
  )
  return `${payload}.${await hmacHex(await signingKey(db, channel), payload)}`
}

export async function verifyVisitorToken(
  db: Db,
  channel: typeof channels.$inferSelect,
  token: string,
  nowMs = Date.now(),
): Promise<VisitorIdentity | null> {
  const [payload, signature, extra] = token.split('.')
  if (!payload || !signature || extra !== undefined || payload.length > 400) return null
  const key = channel.secrets.visitorTokenKey
  if (!key || !(await verifyHmacSha256Hex(key, new TextEncoder().encode(payload), signature))) return null
  let parsed
  try {
    parsed = tokenPayload.safeParse(JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(payload))))
  } catch {
    return null
  }
  if (!parsed.success || parsed.data.c !== channel.id) return null
  if (parsed.data.iat > nowMs + 60_000 || nowMs - parsed.data.iat > visitorTokenMaxAgeSeconds * 1000) return null
  return { visitorId: parsed.data.v, channelId: parsed.data.c, conversationId: parsed.data.k, issuedAt: parsed.data.iat }
}

/**
 * Starts or resumes a visit: a returning visitor keeps their id and their conversation; a new one
 * gets fresh ids (the conversation row is only created when they first write).
 */
export async function resumeVisit(db: Db, channel: typeof channels.$inferSelect, token: string | undefined, nowMs = Date.now()) {
  const known = token ? await verifyVisitorToken(db, channel, token, nowMs) : null
  const visitorId = known?.visitorId ?? newId()
  const [existing] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.channelId, channel.id), eq(conversations.externalKey, visitorId)))
    .limit(1)
  const conversationId = existing?.id ?? known?.conversationId ?? newId()
  const fresh = await issueVisitorToken(db, channel, { visitorId, channelId: channel.id, conversationId }, nowMs)
  return { visitorId, conversationId, token: fresh, returning: Boolean(known), started: Boolean(existing) }
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
