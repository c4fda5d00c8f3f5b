import { constantTimeEqual } from '@oslojs/crypto/subtle'
import { decodeHex } from '@oslojs/encoding'

/** Checks a hex HMAC-SHA256 signature of `body` in constant time. */
export async function verifyHmacSha256Hex(secret: string, body: Uint8Array, signatureHex: string): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/i.test(signatureHex)) return false
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key, body))
  return constantTimeEqual(expected, decodeHex(signatureHex.toLowerCase()))
}
