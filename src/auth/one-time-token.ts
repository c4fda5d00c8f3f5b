import { sha256 } from '@oslojs/crypto/sha2'
import { constantTimeEqual } from '@oslojs/crypto/subtle'
import { decodeHex, encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding'
import { newId } from '../lib/ids'

/**
 * One-time links (invitations, password resets): the link carries `<id>.<secret>`, the secret
 * being 32 random bytes; the database keeps the id and a SHA-256 of the secret only. A link is
 * looked up by its id and its secret compared in constant time, as sessions are.
 */
export interface IssuedToken {
  id: string
  token: string
  secretHash: string
}

const secretPattern = /^[a-z2-7]{52}$/
const idPattern = /^[a-z2-7]{16}$/

export function issueToken(): IssuedToken {
  const bytes = new Uint8Array(32)
  crypto.getRandomValues(bytes)
  const secret = encodeBase32LowerCaseNoPadding(bytes)
  const id = newId()
  return { id, token: `${id}.${secret}`, secretHash: hashOf(secret) }
}

function hashOf(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)))
}

/** The id and secret of a link as typed or pasted; null when it cannot be one of ours. */
export function parseToken(token: string): { id: string; secret: string } | null {
  const [id, secret, extra] = token.split('.')
  if (!id || !secret || extra !== undefined || !idPattern.test(id) || !secretPattern.test(secret)) return null
  return { id, secret }
}

/** Whether the presented secret is the one whose hash was stored (constant time). */
export function secretMatches(secret: string, storedHash: string): boolean {
  return constantTimeEqual(sha256(new TextEncoder().encode(secret)), decodeHex(storedHash))
}
