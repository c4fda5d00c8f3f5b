import { constantTimeEqual } from '@oslojs/crypto/subtle'
import { decodeBase64, encodeBase64 } from '@oslojs/encoding'

/**
 * Password hashing: PBKDF2-HMAC-SHA256 at OWASP's 2023+ figure of 600,000 iterations, with a
 * 16-byte random salt and a 32-byte output. It runs on WebCrypto, so it costs native CPU time
 * (~0.2 s here) instead of the seconds a pure-JS Argon2 or scrypt would take inside a Worker,
 * and it needs no memory beyond a few bytes (Workers cap an isolate at 128 MB).
 *
 * workerd refuses more than 100,000 iterations in one deriveBits call, so the work is done as
 * chained rounds: each round's output keys the next. An attacker still has to compute every
 * HMAC of every round in sequence for each guess, so the cost equals one 600,000-iteration run.
 *
 * Stored form: `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`, so the parameters can
 * be raised later and old hashes still verify (see `needsRehash`).
 */
export const passwordIterations = 600_000
const maxIterationsPerRound = 100_000
const saltBytes = 16
const hashBits = 256
const scheme = 'pbkdf2-sha256'

export const passwordMinLength = 10
export const passwordMaxLength = 256

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  let keyMaterial: Uint8Array = new TextEncoder().encode(password.normalize('NFKC'))
  let remaining = iterations
  while (remaining > 0) {
    const roundIterations = Math.min(remaining, maxIterationsPerRound)
    const key = await crypto.subtle.importKey('raw', keyMaterial, 'PBKDF2', false, ['deriveBits'])
    const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: roundIterations }, key, hashBits)
    keyMaterial = new Uint8Array(bits)
    remaining -= roundIterations
  }
  return keyMaterial
}

export async function hashPassword(password: string, iterations = passwordIterations): Promise<string> {
  const salt = new Uint8Array(saltBytes)
  crypto.getRandomValues(salt)
  const hash = await derive(password, salt, iterations)
  return `${scheme}$${iterations}$${encodeBase64(salt)}$${encodeBase64(hash)}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 4 || parts[0] !== scheme) return false
  const iterations = Number(parts[1])
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 10_000_000) return false
  let salt: Uint8Array
  let expected: Uint8Array
  try {
    salt = decodeBase64(parts[2]!)
    expected = decodeBase64(parts[3]!)
  } catch {
    return false
  }
  const actual = await derive(password, salt, iterations)
  return actual.length === expected.length && constantTimeEqual(actual, expected)
}

/** True when a stored hash was made with weaker parameters than today's. */
export function needsRehash(stored: string): boolean {
  const [storedScheme, iterations] = stored.split('$')
  return storedScheme !== scheme || Number(iterations) < passwordIterations
}

/**
 * Verified against when the address is unknown, so the response time does not reveal which
 * addresses have accounts. Random bytes: no password matches it.
 */
export const unknownUserPasswordHash = 'pbkdf2-sha256$600000$aehQQswJnNJNXMgju/rY+w==$V1b60iwWpm3/hzw8lKulnOg9OkrsNH1SEXBbtEprfLQ='
