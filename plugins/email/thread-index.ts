/**
 * Outlook's Thread-Index header (the conversation index of [MS-OXOMSG] §2.2.1.3), which Outlook
 * and Exchange use to group a conversation when the subject changed or References were dropped.
 *
 * The first message carries a 22-byte header block: the top 6 bytes of the current FILETIME
 * (100 ns ticks since 1601, big-endian) and a 16-byte GUID. Every reply appends a 5-byte child
 * block: 1 bit flag, 31 bits of time elapsed since the header's time, 4 random bits and a 4-bit
 * sequence count. The header value is that byte string in base64.
 */

const headerBytes = 22
const childBytes = 5
const unixEpochInFiletimeMs = 11_644_473_600_000n

function filetime(ms: number): bigint {
  return (BigInt(Math.floor(ms)) + unixEpochInFiletimeMs) * 10_000n
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
}

function fromBase64(value: string): Uint8Array | null {
  try {
    const binary = atob(value.trim())
    return Uint8Array.from(binary, (char) => char.charCodeAt(0))
  } catch {
    return null
  }
}

/** A Thread-Index another client wrote, decoded, or null when it is not one. */
export function decodeThreadIndex(value: string | null | undefined): Uint8Array | null {
  if (!value || value.length > 1000) return null
  const bytes = fromBase64(value)
  if (!bytes || bytes.length < headerBytes || (bytes.length - headerBytes) % childBytes !== 0) return null
  return bytes
}

function headerBlock(startedAtMs: number, guid: Uint8Array): Uint8Array {
  const block = new Uint8Array(headerBytes)
  const top48 = filetime(startedAtMs) >> 16n
  for (let index = 0; index < 6; index++) block[index] = Number((top48 >> BigInt(8 * (5 - index))) & 0xffn)
  block.set(guid.subarray(0, 16), 6)
  return block
}

function childBlock(header: Uint8Array, nowMs: number): Uint8Array {
  let headerTime = 0n
  for (let index = 0; index < 6; index++) headerTime = (headerTime << 8n) | BigInt(header[index]!)
  const elapsed = filetime(nowMs) - (headerTime << 16n)
  const delta = elapsed < 0n ? 0n : elapsed
  // Short gaps keep finer resolution (bits 18–48); long ones (over about 1.78 years) bits 23–53.
  const long = delta >= 1n << 49n
  const field = ((long ? 1n : 0n) << 31n) | ((long ? delta >> 23n : delta >> 18n) & 0x7fffffffn)
  const random = crypto.getRandomValues(new Uint8Array(1))[0]! & 0xf0
  const block = new Uint8Array(childBytes)
  for (let index = 0; index < 4; index++) block[index] = Number((field >> BigInt(8 * (3 - index))) & 0xffn)
  block[4] = random
  return block
}

async function guidOf(seed: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`thread-index:${seed}`))).subarray(0, 16)
}

/**
 * The Thread-Index for a message: the parent's index plus one child block when the message
 * answers one that carried an index; otherwise our own index for the conversation (a stable GUID
 * from its id, its start time) with one child block per earlier message it answers.
 */
export async function threadIndexFor(input: {
  parent?: string | null
  conversationId: string
  conversationStartedAtMs: number
  earlierMessages: number
  nowMs: number
}): Promise<string> {
  const parent = decodeThreadIndex(input.parent)
  if (parent) {
    const out = new Uint8Array(parent.length + childBytes)
    out.set(parent)
    out.set(childBlock(parent, input.nowMs), parent.length)
    return toBase64(out)
  }
  const header = headerBlock(input.conversationStartedAtMs, await guidOf(input.conversationId))
  const children = Math.max(0, Math.min(input.earlierMessages, 190))
  const out = new Uint8Array(headerBytes + children * childBytes)
  out.set(header)
  for (let index = 0; index < children; index++) out.set(childBlock(header, input.nowMs), headerBytes + index * childBytes)
  return toBase64(out)
}
