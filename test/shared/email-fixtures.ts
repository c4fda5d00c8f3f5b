import outlookReply from '../fixtures/email/outlook-reply.eml?raw'
import outOfOffice from '../fixtures/email/out-of-office.eml?raw'
import dsnBounce from '../fixtures/email/dsn-bounce.eml?raw'
import htmlInlineImage from '../fixtures/email/html-inline-image.eml?raw'

/**
 * Real-shaped RFC 822 messages (test/fixtures/email) with `{{NAME}}` placeholders, imported as
 * text so the same fixtures serve workerd (which cannot read files) and Node.
 */
const fixtures = { outlookReply, outOfOffice, dsnBounce, htmlInlineImage }

export function fixture(name: keyof typeof fixtures, values: Record<string, string>): string {
  return fixtures[name].replace(/\{\{([A-Z_]+)\}\}/g, (_match, key: string) => {
    const value = values[key]
    if (value === undefined) throw new Error(`fixture ${name} needs {{${key}}}`)
    return value
  })
}

export interface MailParts {
  from: string
  to: string
  cc?: string
  subject: string
  messageId?: string
  inReplyTo?: string
  references?: string
  date?: string
  headers?: string[]
  body?: string
}

/** A plain-text message as a mail client writes it (CRLF line ends). */
export function buildMail(parts: MailParts): string {
  const lines = [
    `From: ${parts.from}`,
    `To: ${parts.to}`,
    ...(parts.cc ? [`Cc: ${parts.cc}`] : []),
    `Subject: ${parts.subject}`,
    `Date: ${parts.date ?? 'Wed, 25 Nov 2026 09:00:00 +0100'}`,
    ...(parts.messageId ? [`Message-ID: <${parts.messageId}>`] : []),
    ...(parts.inReplyTo ? [`In-Reply-To: <${parts.inReplyTo}>`] : []),
    ...(parts.references ? [`References: ${parts.references}`] : []),
    ...(parts.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    parts.body ?? 'Hello.',
  ]
  return lines.join('\r\n')
}
