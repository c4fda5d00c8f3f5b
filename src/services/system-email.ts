import { z } from 'zod'
import type { Bindings } from '../env'
import { hostOf } from '../host'
import { isValidAddress } from '../lib/email-address'
import { mailPlugin } from '../channels/mail'
import { escapeHtml } from '../lib/sanitize-html'
import { newId } from '../lib/ids'
import { maxDeliveryAttempts, retryDelaySeconds, type DeliveryOutcome } from './outbound'

/**
 * Mails the system sends to a person, not to a contact: invitations and password resets. They
 * ride the OUTBOUND queue like replies (same retries and backoff). The job carries the finished
 * mail, composed in the recipient's language when the request made it: its link holds a one-time
 * secret the database never stores, so the mail cannot be rebuilt later from stored rows.
 */
export const systemEmailJob = z.object({
  type: z.literal('system-email'),
  id: z.string().max(32),
  from: z.string().max(254),
  to: z.string().max(254),
  toName: z.string().max(200).optional(),
  subject: z.string().max(300),
  text: z.string().max(20_000),
  html: z.string().max(40_000),
})
export type SystemEmailJob = z.infer<typeof systemEmailJob>

/** Where the local outbox keeps copies (only when devOutboxEnabled: they hold live links). */
export const devOutboxPrefix = 'dev-outbox/'

/** `npm start` (DEMO_SEED) and the browser tests (DEV_OUTBOX) read system mails at /dev/outbox; a deployment never does. */
export function devOutboxEnabled(env: Pick<Bindings, 'DEMO_SEED' | 'DEV_OUTBOX'>): boolean {
  return env.DEMO_SEED === 'true' || env.DEV_OUTBOX === 'true'
}

/** NOTIFICATION_FROM when set, else no-reply@ the public host (Email Routing must manage its domain). */
export function systemSender(env: Pick<Bindings, 'NOTIFICATION_FROM'>, baseUrl: string): string {
  const configured = env.NOTIFICATION_FROM?.trim()
  if (configured && isValidAddress(configured)) return configured
  const fallback = `no-reply@${new URL(baseUrl).hostname}`
  return isValidAddress(fallback) ? fallback : 'no-reply@switchboard.invalid'
}

/** A short mail with one button-like link: every value is escaped in the HTML part. */
export function composeLinkMail(input: { intro: string; action: string; link: string; footer: string }) {
  const text = `${input.intro}\n\n${input.action}: ${input.link}\n\n-- \n${input.footer}\n`
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"></head><body style="font-family: system-ui, sans-serif; color: #1f2328;">',
    `<p>${escapeHtml(input.intro)}</p>`,
    `<p><a href="${escapeHtml(input.link)}">${escapeHtml(input.action)}</a></p>`,
    `<p style="color: #656d76; font-size: 12px;">${escapeHtml(input.footer)}</p>`,
    '</body></html>',
  ].join('\n')
  return { text, html }
}

/**
 * Puts a system mail on the queue. A refused queue is reported to the caller (the form says the
 * mail could not be sent) rather than swallowed: nothing else would ever send it.
 */
export async function queueSystemEmail(queue: Pick<Queue<SystemEmailJob>, 'send'>, mail: Omit<SystemEmailJob, 'type' | 'id'>): Promise<void> {
  await queue.send({ type: 'system-email', id: newId(), ...mail })
}

/** One attempt at a system mail, as the queue consumer runs it. */
export async function deliverSystemEmail(env: Bindings, job: SystemEmailJob, attempt: number, nowMs = Date.now()): Promise<DeliveryOutcome> {
  if (!isValidAddress(job.from) || !isValidAddress(job.to)) {
    console.error('system email not sent: invalid sender or recipient', job.id)
    return { status: 'skipped' }
  }
  const appName = env.APP_NAME ?? 'Switchboard'
  // The mail plugin builds and sends it (one MIME builder for every mail that leaves).
  const plugin = mailPlugin()
  if (!plugin) {
    console.error('system email not sent: no mail plugin is registered', job.id)
    return { status: 'skipped' }
  }
  let outcome: Awaited<ReturnType<typeof plugin.emailRouting.sendNotice>>
  try {
    outcome = await plugin.emailRouting.sendNotice(
      {
        id: `system.${job.id}`,
        from: { address: job.from, name: appName },
        to: { address: job.to, name: job.toName },
        subject: job.subject,
        text: job.text,
        html: job.html,
      },
      env,
    )
  } catch (error) {
    outcome = { status: 'retry', reason: error instanceof Error ? error.message : String(error) }
  }
  if (outcome.status === 'failed' || (outcome.status === 'retry' && attempt >= maxDeliveryAttempts)) {
    console.error('system email failed for good', job.id, outcome.reason)
    return { status: 'failed', error: outcome.reason }
  }
  if (outcome.status === 'retry') return { status: 'retry', delaySeconds: retryDelaySeconds(attempt), error: outcome.reason }
  if (devOutboxEnabled(env) && outcome.raw) {
    // Newest first when listed: the key starts with the time remaining until a far-off date.
    const key = `${devOutboxPrefix}${String(9_999_999_999_999 - nowMs).padStart(13, '0')}-${job.id}.eml`
    await hostOf(env).blobs.put(key, outcome.raw, { httpMetadata: { contentType: 'message/rfc822' }, customMetadata: { to: job.to, subject: job.subject } })
  }
  return { status: 'sent' }
}
