import { constantTimeEqual } from '@oslojs/crypto/subtle'
import { decodeHex } from '@oslojs/encoding'

/** Checks a hex HMAC-SHA256 signature of `body` in constant time. */
export async function verifyHmacSha256Hex(secret: string, body: Uint8Array, signatureHex: string): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/i.test(signatureHex)) return false
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key, body))
  return constantTimeEqual(expected, decodeHex(signatureHex.toLowerCase()))
}

/** Base64 of HMAC-SHA1 over `data` (UTF-8): how Twilio-style providers sign their webhooks. */
export async function hmacSha1Base64(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign'])
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(data)))
  let binary = ''
  for (const byte of signature) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** Compares two strings in time that depends only on their length (tokens, signatures). */
export function constantTimeEqualText(a: string, b: string): boolean {
  const encoder = new TextEncoder()
  const left = encoder.encode(a)
  const right = encoder.encode(b)
  return left.length === right.length && constantTimeEqual(left, right)
}
