import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding'

/** A random identifier: 80 bits from the platform CSPRNG, base32 (16 characters). */
export function newId(): string {
  const bytes = new Uint8Array(10)
  crypto.getRandomValues(bytes)
  return encodeBase32LowerCaseNoPadding(bytes)
}

/** A random secret with 120 bits of entropy, for tokens a client must present. */
export function newSecret(): string {
  const bytes = new Uint8Array(15)
  crypto.getRandomValues(bytes)
  return encodeBase32LowerCaseNoPadding(bytes)
}
