import { z } from 'zod'
import type { Db } from '../db/client'
import type { Bindings } from '../env'
import { sendMail } from '../host'
import { buildMime, isValidAddress } from '../../plugins/email/mime'
import { escapeHtml } from '../lib/sanitize-html'
import { t, withLocale } from '../i18n'
import { markEmailed, mentionEmailData, notificationSender } from './notifications'
import { maxDeliveryAttempts, retryDelaySeconds, type DeliveryOutcome } from './outbound'

/**
 * The email a mentioned teammate gets. It rides the OUTBOUND queue like a reply, so a failed send
 * is retried with the same backoff; the job names the notification (never a message: a comment
 * must never reach a channel's `send`). The link is absolute, so the job carries the base URL
 * the comment was written at (or APP_URL when configured), because the consumer has no request.
 */
export const mentionEmailJob = z.object({
  type: z.literal('mention-email'),
  accountId: z.string(),
  notificationId: z.string(),
  baseUrl: z.string().regex(/^https?:\/\/[^/\s]+$/),
})
export type MentionEmailJob = z.infer<typeof mentionEmailJob>

/** APP_URL when set (a deployment behind its own hostname), else the origin the request came to. */
export function baseUrlFor(env: Pick<Bindings, 'APP_URL'>, requestUrl: string): string {
  const configured = env.APP_URL?.trim().replace(/\/+$/, '')
  if (configured && /^https?:\/\/[^/\s]+$/.test(configured)) return configured
  return new URL(requestUrl).origin
}

export interface MentionEmail {
  subject: string
  text: string
  html: string
}

/** The mail's words and markup; every value from the database is escaped in the HTML part. */
export function composeMentionEmail(input: { actor: string; subject: string; excerpt: string; link: string; appName: string }): MentionEmail {
  const subject = t('notifications.email.subject', { actor: input.actor, subject: input.subject })
  const intro = t('notifications.email.intro', { actor: input.actor, subject: input.subject })
  const open = t('notifications.email.open')
  const footer = t('notifications.email.footer', { app: input.appName })
  const text = `${intro}\n\n> ${input.excerpt}\n\n${open}: ${input.link}\n\n-- \n${footer}\n`
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"></head><body style="font-family: system-ui, sans-serif; color: #1f2328;">',
    `<p>${escapeHtml(intro)}</p>`,
    `<blockquote style="margin: 0 0 16px; padding: 8px 12px; background: #fff8c5; border-left: 3px solid #d4a72c;">${escapeHtml(input.excerpt)}</blockquote>`,
    `<p><a href="${escapeHtml(input.link)}">${escapeHtml(open)}</a></p>`,
    `<p style="color: #656d76; font-size: 12px;">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n')
  return { subject, text, html }
}

/** One attempt at a mention email, as the queue consumer runs it. */
export async function deliverMentionEmail(db: Db, env: Bindings, job: MentionEmailJob, attempt: number, nowMs = Date.now()): Promise<DeliveryOutcome> {
  const data = await mentionEmailData(db, job.accountId, job.notificationId)
  // Already sent (a redelivered job), or the teammate left in the meantime: nothing to do.
  if (!data || data.notification.emailedAt !== null || data.recipient.status !== 'active' || data.notification.messageId === null) return { status: 'skipped' }
  const from = env.NOTIFICATION_FROM?.trim() || (await notificationSender(db, job.accountId, data.inboxId))
  if (!from || !isValidAddress(from) || !isValidAddress(data.recipient.email)) {
    console.error('mention email not sent: no valid sender or recipient address', job.notificationId)
    return { status: 'skipped' }
  }
  const appName = env.APP_NAME ?? 'Switchboard'
  const mail = withLocale(data.recipient.locale, () =>
    composeMentionEmail({
      actor: data.actorName ?? t('notifications.someone'),
      subject: data.subject ?? t('notifications.a_conversation'),
      // Hidden as sensitive before the mail went out: the mail does not carry it.
      excerpt: data.hiddenAt === null ? data.notification.excerpt : t('notifications.hidden'),
      link: `${job.baseUrl}/m/${data.notification.messageId}`,
      appName,
    }),
  )
  const domain = from.slice(from.lastIndexOf('@') + 1).toLowerCase()
  try {
    const raw = buildMime({
      from: { address: from, name: appName },
      to: [{ address: data.recipient.email, name: data.recipient.name }],
      subject: mail.subject,
      messageId: `sb.notify.${data.notification.id}@${domain}`,
      text: mail.text,
      html: mail.html,
      date: new Date(nowMs),
      // RFC 3834: a robot wrote this; out-of-office replies should not answer it.
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    })
    await sendMail(env, { from, to: data.recipient.email, raw })
    await markEmailed(db, data.notification.id, nowMs)
    return { status: 'sent' }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (attempt >= maxDeliveryAttempts) {
      console.error('mention email failed for good', job.notificationId, reason)
      return { status: 'failed', error: reason }
    }
    return { status: 'retry', delaySeconds: retryDelaySeconds(attempt), error: reason }
  }
}
