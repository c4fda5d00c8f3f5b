import type { ChannelContext, NoticeMail, SendOutcome } from '../../src/channels/types'
import { buildMime } from './mime'
import { isPermanentSendError, type SendEmailBinding } from './send'

/**
 * A mail from the app to one person outside any conversation (a teammate's mention, an
 * invitation): the same MIME builder and binding as replies, marked as automatic (RFC 3834) so
 * out-of-office answers leave it alone. Message-ID `sb.<id>@<sender's domain>`, stable across
 * retries.
 */
export async function sendNotice(mail: NoticeMail, env: Pick<ChannelContext<unknown>['env'], 'SEND_EMAIL'>, nowMs = Date.now()): Promise<SendOutcome> {
  const binding = env.SEND_EMAIL as SendEmailBinding | undefined
  if (!binding) return { status: 'failed', reason: 'The SEND_EMAIL binding is not configured (wrangler.toml [[send_email]]).' }
  const domain = mail.from.address.slice(mail.from.address.lastIndexOf('@') + 1).toLowerCase()
  const messageId = `sb.${mail.id}@${domain}`
  let raw: string
  try {
    raw = buildMime({
      from: mail.from,
      to: [mail.to],
      subject: mail.subject,
      messageId,
      text: mail.text,
      html: mail.html,
      date: new Date(nowMs),
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    })
  } catch (error) {
    // An address the builder refuses can never go out.
    return { status: 'failed', reason: error instanceof Error ? error.message : String(error) }
  }
  // Only inside workerd (see send.ts).
  const { EmailMessage } = await import('cloudflare:email')
  try {
    await binding.send(new EmailMessage(mail.from.address, mail.to.address, raw))
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return isPermanentSendError(error) ? { status: 'failed', reason } : { status: 'retry', reason }
  }
  return { externalId: messageId, raw }
}
