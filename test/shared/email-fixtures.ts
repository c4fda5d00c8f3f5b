import outlookReply from '../fixtures/email/outlook-reply.eml?raw'
import outOfOffice from '../fixtures/email/out-of-office.eml?raw'
import dsnBounce from '../fixtures/email/dsn-bounce.eml?raw'
import htmlInlineImage from '../fixtures/email/html-inline-image.eml?raw'
import gmailForward from '../fixtures/email/gmail-forward.eml?raw'
import gmailReply from '../fixtures/email/gmail-reply.eml?raw'
import gmailDsn from '../fixtures/email/gmail-dsn.eml?raw'
import exchangeNdr from '../fixtures/email/exchange-ndr.eml?raw'

/**
 * Real-shaped RFC 822 messages (test/fixtures/email) with `{{NAME}}` placeholders, imported as
 * text so the same fixtures serve workerd (which cannot read files) and Node.
 */
const fixtures = { outlookReply, outOfOffice, dsnBounce, htmlInlineImage, gmailForward, gmailReply, gmailDsn, exchangeNdr }

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

/**
 * A scanner's batch as office multifunction printers send it: a short text part and one PDF per
 * page, base64 in multipart/mixed. Each page's bytes differ (`%PDF` … page n), so a download can
 * be checked against its own page.
 */
export function scannerMail(parts: { from: string; to: string; messageId: string; pages: number }): string {
  const boundary = '----=_Part_4711_1980.1764662400000'
  const lines = [
    `From: ${parts.from}`,
    `To: ${parts.to}`,
    'Subject: Scanned document from RICOH MP C3004',
    'Date: Wed, 25 Nov 2026 09:00:00 +0100',
    `Message-ID: <${parts.messageId}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    'Content-Transfer-Encoding: 7bit',
    '',
    `Scanned ${parts.pages} pages. Device: RICOH MP C3004, location: 2nd floor.`,
  ]
  for (let page = 1; page <= parts.pages; page++) {
    const name = `scan_20261125_${String(page).padStart(3, '0')}.pdf`
    lines.push(
      `--${boundary}`,
      `Content-Type: application/pdf; name="${name}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${name}"`,
      '',
      btoa(scannedPage(page)).replace(/(.{76})/g, '$1\r\n'),
    )
  }
  lines.push(`--${boundary}--`, '')
  return lines.join('\r\n')
}

/** The bytes of page `page` of `scannerMail`, as a string of Latin-1 characters. */
export function scannedPage(page: number): string {
  return `%PDF-1.4\n1 0 obj << /Type /Page /Number ${page} >> endobj\n${'x'.repeat(200 + page)}\n%%EOF\n`
}
