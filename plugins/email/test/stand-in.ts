/**
 * A stand-in for Cloudflare's send_email binding, following its documented contract: `send`
 * takes one `EmailMessage` (from, one envelope recipient `to`, the raw MIME) and resolves when the
 * message is accepted, or rejects with an Error whose string `code` says why
 * (`E_RECIPIENT_SUPPRESSED` and the other codes in send.ts's `permanentSendCodes` are refusals
 * no retry fixes; `E_RATE_LIMIT_EXCEEDED` and errors without a code are temporary). It records
 * every recipient it accepted, in order, so a test sees who got a copy and how often.
 */
export function sendEmailStandIn() {
  const accepted: string[] = []
  const refusals = new Map<string, { code: string; message: string }>()
  const binding = {
    async send(message: { from: string; to: string; raw?: unknown }) {
      const refusal = refusals.get(message.to.toLowerCase())
      if (refusal) throw Object.assign(new Error(refusal.message), { code: refusal.code })
      accepted.push(message.to)
      return { messageId: `<copy-${accepted.length}@provider.test>` }
    },
  }
  return {
    binding: binding as unknown as SendEmail,
    /** Every recipient a copy went to, in the order they were accepted. */
    accepted,
    /** The binding refuses this recipient for good (on the suppression list) until `accept`. */
    refusePermanently(address: string) {
      refusals.set(address.toLowerCase(), { code: 'E_RECIPIENT_SUPPRESSED', message: 'Recipient is on the suppression list' })
    },
    /** The binding turns this recipient away for now (a rate limit) until `accept`. */
    refuseForNow(address: string) {
      refusals.set(address.toLowerCase(), { code: 'E_RATE_LIMIT_EXCEEDED', message: 'Rate limit exceeded' })
    },
    accept(address: string) {
      refusals.delete(address.toLowerCase())
    },
  }
}
