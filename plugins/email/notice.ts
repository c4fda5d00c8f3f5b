import { hostOf, type ChannelContext, type NoticeMail, type SendOutcome } from '../../src/channels/types'
import { buildMime } from './mime'
import { isPermanentSendError } from './send'
import { say } from './texts'

/**
 * A mail from the app to one person outside any conversation (a teammate's mention, an
 * invitation): the same MIME builder and mail sender as replies, marked as automatic (RFC 3834) so
 * out-of-office answers leave it alone. Message-ID `sb.<id>@<sender's domain>`, stable across
 * retries.
 */
export async function sendNotice(mail: NoticeMail, env: ChannelContext<unknown>['env'], nowMs = Date.now()): Promise<SendOutcome> {
  const sender = hostOf(env).mail
  if (!sender) return { status: 'failed', reason: say('send.no_mail_sender') }
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
  try {
    await sender.send({ from: mail.from.address, to: mail.to.address, raw })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return isPermanentSendError(error) ? { status: 'failed', reason } : { status: 'retry', reason }
  }
  return { externalId: messageId, raw }
}
