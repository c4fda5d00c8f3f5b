/**
 * A raw MIME message shaped like the Email Worker's ForwardableEmailMessage, for handing mail
 * that came by another road (the self-host's SMTP server and webhook, the local /dev/email
 * endpoint) to the same `email()` handler. `rejection()` tells what the handler refused it with.
 */
export function rawEmailMessage(from: string, to: string, raw: Uint8Array): { message: ForwardableEmailMessage; rejection: () => string | null } {
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
      throw new Error('forwarding is not available for mail received this way')
    },
    async reply() {
      throw new Error('replying is not available for mail received this way')
    },
  } as unknown as ForwardableEmailMessage
  return { message, rejection: () => rejected }
}
