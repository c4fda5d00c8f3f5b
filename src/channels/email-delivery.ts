import type { Bindings } from '../env'
import { handleInboundEmail } from './email-inbound'

/**
 * Hands raw bytes to the Email Worker handler (`handleInboundEmail`, what the Worker's `email()`
 * runs) as Cloudflare Email Routing would: the envelope, the bytes as a stream and the headers.
 * Forwarding and replying are not Email Routing's to simulate here. Answers the rejection reason,
 * or null when the message was taken.
 */
export async function deliverRawEmail(
  env: Bindings,
  ctx: Pick<ExecutionContext, 'waitUntil'> | undefined,
  from: string,
  to: string,
  raw: Uint8Array,
): Promise<string | null> {
  let rejected: string | null = null
  const headerBlock = new TextDecoder().decode(raw.subarray(0, Math.min(raw.byteLength, 64 * 1024))).split(/\r?\n\r?\n/)[0] ?? ''
  const headers = new Headers()
  for (const line of headerBlock.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) {
      try {
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
      } catch {
        // A header Headers refuses (odd characters) is still in the raw message the handler reads.
      }
    }
  }
  const message = {
    from,
    to,
    raw: new Response(raw).body!,
    rawSize: raw.byteLength,
    headers,
    canBeForwarded: false,
    setReject(reason: string) {
      rejected = reason
    },
    async forward() {
      throw new Error('forwarding is not simulated here')
    },
    async reply() {
      throw new Error('replying is not simulated here')
    },
  } as unknown as ForwardableEmailMessage
  await handleInboundEmail(message, env, ctx)
  return rejected
}
