/**
 * A small RFC 5322 / RFC 2045–2047 / RFC 2231 message builder that runs anywhere (no Node APIs).
 *
 * Everything it emits is 7-bit ASCII: header text outside printable ASCII becomes UTF-8
 * encoded-words, bodies are quoted-printable (text) or base64 (attachments), so the message
 * survives every relay unchanged. Every caller-supplied string is treated as hostile: CR and LF
 * can never reach a header (no header injection), addresses are validated, and display names are
 * quoted or encoded.
 */
import { isValidAddress } from '../../src/channels/types'

export { isValidAddress }

export interface MailAddress {
  address: string
  name?: string | null
}

export interface MailAttachment {
  filename: string
  contentType: string
  content: Uint8Array
  /** Set for inline images referenced as `cid:` from the HTML. */
  contentId?: string | null
}

export interface MailInput {
  from: MailAddress
  to: MailAddress[]
  cc?: MailAddress[]
  /** Never written into the message; the envelope alone carries Bcc recipients. */
  replyTo?: MailAddress | null
  subject: string
  /** Bare id (no angle brackets). */
  messageId: string
  /** Bare ids of the messages this answers, oldest first; the last is In-Reply-To. */
  references?: string[]
  text: string
  html?: string | null
  attachments?: MailAttachment[]
  date?: Date
  /** Extra headers (Thread-Index, Auto-Submitted …): names are checked, values sanitised. */
  headers?: Record<string, string>
}

const crlf = '\r\n'
const maxLineChars = 76

/** Header text as one line: control characters (CR, LF, NUL …) become spaces. */
function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
}

const isPrintableAscii = (value: string) => /^[\x20-\x7e]*$/.test(value)

function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000))
  }
  return btoa(binary)
}

/**
 * RFC 2047 B-encoded words, each at most 75 characters, split only between code points so
 * no word holds half a UTF-8 sequence (decoders must decode each word on its own).
 */
export function encodedWords(text: string): string[] {
  const encoder = new TextEncoder()
  const maxBytesPerWord = 45 // base64 of 45 bytes is 60 characters; plus `=?UTF-8?B??=` = 72
  const words: string[] = []
  let chunk = ''
  let chunkBytes = 0
  for (const char of text) {
    const size = encoder.encode(char).length
    if (chunkBytes + size > maxBytesPerWord && chunk) {
      words.push(chunk)
      chunk = ''
      chunkBytes = 0
    }
    chunk += char
    chunkBytes += size
  }
  if (chunk) words.push(chunk)
  return words.map((word) => `=?UTF-8?B?${bytesToBase64(encoder.encode(word))}?=`)
}

/** Unstructured header text (Subject, Thread-Topic): kept as is when it is plain ASCII. */
export function encodeUnstructured(value: string): string {
  const text = oneLine(value)
  if (isPrintableAscii(text) && !/=\?/.test(text)) return text
  return encodedWords(text).join(' ')
}

function encodeDisplayName(name: string): string {
  const text = oneLine(name)
  if (!isPrintableAscii(text) || /=\?/.test(text)) return encodedWords(text).join(' ')
  // RFC 5322 atext only, or a quoted string with its quotes and backslashes escaped.
  return /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/.test(text) ? text : `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`
}

export function formatAddress(mailbox: MailAddress): string {
  const address = oneLine(mailbox.address)
  if (!isValidAddress(address)) throw new Error(`Not a valid email address: ${address.slice(0, 80)}`)
  const name = mailbox.name ? oneLine(mailbox.name) : ''
  return name ? `${encodeDisplayName(name)} <${address}>` : address
}

/**
 * Folds a header so no line passes 76 characters where it can be helped: breaks go only where
 * whitespace already separates tokens (RFC 5322 §2.2.3), never inside an encoded word or an id.
 */
function foldHeader(name: string, tokens: string[], separator = ' '): string {
  let line = `${name}:`
  const lines: string[] = []
  tokens.forEach((token, index) => {
    const piece = index < tokens.length - 1 ? `${token}${separator.trimEnd()}` : token
    if (line.length + 1 + piece.length > maxLineChars && line.trim() !== `${name}:`) {
      lines.push(line)
      line = ` ${piece}`
    } else {
      line += ` ${piece}`
    }
  })
  lines.push(line)
  return lines.join(crlf)
}

function headerName(name: string): string {
  if (!/^[A-Za-z0-9-]{1,76}$/.test(name)) throw new Error(`Not a valid header name: ${name.slice(0, 80)}`)
  return name
}

/** RFC 5322 §3.3 date-time, in UTC. */
export function rfc5322Date(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${days[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
}

function messageIdToken(id: string): string {
  const bare = oneLine(id).replace(/^<+/, '').replace(/>+$/, '')
  // An id with spaces or brackets inside would break the header's structure: drop it.
  return /^[^\s<>@]+@[^\s<>@]+$/.test(bare) ? `<${bare}>` : ''
}

/** RFC 2045 §6.7 quoted-printable with CRLF line ends and soft breaks at 76 characters. */
export function quotedPrintable(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const encoder = new TextEncoder()
  const hex = (byte: number) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`
  return lines
    .map((line) => {
      const bytes = encoder.encode(line)
      const tokens: string[] = []
      bytes.forEach((byte, index) => {
        const last = index === bytes.length - 1
        const literal = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last)
        tokens.push(literal ? String.fromCharCode(byte) : hex(byte))
      })
      // A line that starts "From " is mangled by mbox writers, and a lone "." by some relays.
      if (tokens[0] === 'F' && line.startsWith('From ')) tokens[0] = hex(0x46)
      if (tokens[0] === '.') tokens[0] = hex(0x2e)
      const out: string[] = []
      let current = ''
      for (const token of tokens) {
        if (current.length + token.length > maxLineChars - 1) {
          out.push(`${current}=`)
          current = ''
        }
        current += token
      }
      out.push(current)
      return out.join(crlf)
    })
    .join(crlf)
}

function base64Lines(bytes: Uint8Array): string {
  return (bytesToBase64(bytes).match(/.{1,76}/g) ?? []).join(crlf)
}

/** RFC 2231 parameter: an ASCII fallback plus the UTF-8 value, percent-encoded. */
function filenameParameters(name: string, filename: string): string {
  const clean = oneLine(filename).replace(/[\\/]/g, '_').slice(0, 200) || 'attachment'
  const fallback = clean.replace(/[^A-Za-z0-9._ -]/g, '_')
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
  return isPrintableAscii(clean) && fallback === clean ? `;${crlf} ${name}="${clean}"` : `;${crlf} ${name}="${fallback}";${crlf} ${name}*=UTF-8''${encoded}`
}

const contentTypePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/

function boundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  // `=_` cannot occur in quoted-printable or base64 output, so no body line can equal it.
  return `=_sb_${[...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`
}

function textPart(subtype: 'plain' | 'html', body: string): string {
  return [`Content-Type: text/${subtype}; charset=utf-8`, 'Content-Transfer-Encoding: quoted-printable', '', quotedPrintable(body)].join(crlf)
}

function attachmentPart(attachment: MailAttachment): string {
  const type = contentTypePattern.test(attachment.contentType.toLowerCase()) ? attachment.contentType.toLowerCase() : 'application/octet-stream'
  const contentId = attachment.contentId
    ? messageIdToken(attachment.contentId.includes('@') ? attachment.contentId : `${attachment.contentId}@switchboard`)
    : ''
  return [
    `Content-Type: ${type}${filenameParameters('name', attachment.filename)}`,
    `Content-Disposition: ${contentId ? 'inline' : 'attachment'}${filenameParameters('filename', attachment.filename)}`,
    ...(contentId ? [`Content-ID: ${contentId}`] : []),
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(attachment.content),
  ].join(crlf)
}

function multipart(subtype: string, parts: string[], parameters = ''): string {
  const mark = boundary()
  return [
    `Content-Type: multipart/${subtype};${parameters}${crlf} boundary="${mark}"`,
    '',
    ...parts.map((part) => `--${mark}${crlf}${part}`),
    `--${mark}--`,
    '',
  ].join(crlf)
}

/** The whole message, CRLF line ends, ready for an SMTP relay or the send_email binding. */
export function buildMime(input: MailInput): string {
  if (input.to.length + (input.cc?.length ?? 0) === 0) throw new Error('A message needs at least one To or Cc recipient.')
  const messageId = messageIdToken(input.messageId)
  if (!messageId) throw new Error('A message needs a valid Message-ID.')
  const references = (input.references ?? []).map(messageIdToken).filter(Boolean)
  const headers: string[] = [
    `From: ${formatAddress(input.from)}`,
    foldHeader('To', input.to.map(formatAddress), ','),
    ...(input.cc?.length ? [foldHeader('Cc', input.cc.map(formatAddress), ',')] : []),
    ...(input.replyTo ? [`Reply-To: ${formatAddress(input.replyTo)}`] : []),
    foldHeader('Subject', encodeUnstructured(input.subject).split(' ')),
    `Date: ${rfc5322Date(input.date ?? new Date())}`,
    `Message-ID: ${messageId}`,
    ...(references.length > 0 ? [`In-Reply-To: ${references[references.length - 1]}`, foldHeader('References', references)] : []),
    ...Object.entries(input.headers ?? {}).map(([name, value]) => foldHeader(headerName(name), encodeUnstructured(value).split(' '))),
    'MIME-Version: 1.0',
  ]
  const alternative = input.html ? multipart('alternative', [textPart('plain', input.text), textPart('html', input.html)]) : textPart('plain', input.text)
  // Inline images belong with the HTML that shows them (RFC 2387): mixed { related { alternative,
  // images }, files }. In multipart/mixed, clients list them as files too, or show them twice.
  const inline = input.html ? (input.attachments ?? []).filter((attachment) => attachment.contentId) : []
  const files = (input.attachments ?? []).filter((attachment) => !inline.includes(attachment))
  const related = inline.length > 0 ? multipart('related', [alternative, ...inline.map(attachmentPart)], ` type="multipart/alternative";`) : alternative
  const body = files.length > 0 ? multipart('mixed', [related, ...files.map(attachmentPart)]) : related
  return `${headers.join(crlf)}${crlf}${body}${body.endsWith(crlf) ? '' : crlf}`
}
