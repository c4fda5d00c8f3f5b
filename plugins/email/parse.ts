import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser'
import { z } from 'zod'
import type { InboundAttachment, InboundMessage, InboundParticipant, StoredMessage } from '../../src/channels/types'
import { english, say } from './texts'
import { conversationIdFromMessageId, conversationIdFromReplyAddress, messageIdList, normalizeMessageId, subjectKey } from './threading'
import { isForwardSubject, quotedHistoryStart } from '../../src/channels/types'
import { htmlToText, sanitizeHtml } from '../../src/channels/types'
import { automatedKind, headerLookup, isRoleAddress, readBounce } from './signals'
import { decodeThreadIndex } from './thread-index'

/** Cloudflare Email Routing's limit; anything larger is kept raw and not parsed. */
export const maxEmailBytes = 25 * 1024 * 1024
// D1 rows top out at 2 MB: the stored text and HTML are cut well below, the raw stays whole.
const maxStoredTextChars = 256 * 1024
const maxStoredHtmlChars = 768 * 1024

export interface EmailParseOptions {
  envelopeFrom: string
  envelopeTo: string
  /** Where the raw bytes are kept (already written). */
  rawKey: string
  /** The channel's own addresses: never recorded as participants. */
  ownAddresses: string[]
}

async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** mbox files start with a `From ` envelope line that is not part of the message. */
function withoutMboxEnvelope(raw: Uint8Array): Uint8Array {
  const isEnvelope = raw[0] === 0x46 && new TextDecoder('latin1').decode(raw.subarray(0, 5)) === 'From '
  if (!isEnvelope) return raw
  const newline = raw.indexOf(0x0a)
  return newline < 0 ? raw : raw.subarray(newline + 1)
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): { address: string; name?: string }[] {
  const objects = Array.isArray(field) ? field : field ? [field] : []
  const flat = objects.flatMap((object) => object.value.flatMap((entry) => (entry.group ? entry.group : [entry])))
  return flat
    .filter((entry) => typeof entry.address === 'string' && /^[^@\s]+@[^@\s]+$/.test(entry.address))
    .map((entry) => ({ address: entry.address!.toLowerCase(), name: entry.name || undefined }))
}

function localAndDomain(address: string) {
  const at = address.lastIndexOf('@')
  return { local: address.slice(0, at).split('+')[0]!, domain: address.slice(at + 1) }
}

function isOwnAddress(address: string, ownAddresses: string[]): boolean {
  const { local, domain } = localAndDomain(address.toLowerCase())
  if (conversationIdFromReplyAddress(address)) return true
  return ownAddresses.some((own) => {
    const ours = localAndDomain(own.toLowerCase())
    return ours.local === local && ours.domain === domain
  })
}

function safeContentType(value: string | undefined): string {
  const type = (value ?? '').toLowerCase().trim()
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(type) ? type : 'application/octet-stream'
}

function safeFilename(value: string | undefined, contentType: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = (value ?? '')
    .replace(/[\u0000-\u001f\u007f/\\]/g, '_')
    .trim()
    .slice(0, 200)
  if (cleaned) return cleaned
  return contentType === 'message/rfc822' ? 'message.eml' : 'attachment'
}

function cutText(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}\n\n[… shortened; the full message is in the original .eml]` : text
}

function headerBlock(content: Buffer): string {
  const text = content.subarray(0, 64 * 1024).toString('latin1')
  const end = text.search(/\r?\n\r?\n/)
  return end < 0 ? text : text.slice(0, end)
}

function toAttachment(part: Attachment): InboundAttachment {
  const contentType = safeContentType(part.contentType)
  return {
    filename: safeFilename(part.filename, contentType),
    contentType,
    content: new Uint8Array(part.content.buffer, part.content.byteOffset, part.content.byteLength),
    contentId: part.contentId ? normalizeMessageId(part.contentId).slice(0, 200) : undefined,
  }
}

function findOwnToken(mail: ParsedMail, envelopeTo: string, references: string[]): string | undefined {
  const recipients = [envelopeTo, ...addressesOf(mail.to).map((a) => a.address), ...addressesOf(mail.cc).map((a) => a.address)]
  for (const recipient of recipients) {
    const token = conversationIdFromReplyAddress(recipient)
    if (token) return token
  }
  // The newest of our ids wins: References lists oldest first, In-Reply-To comes last.
  for (const id of [...references].reverse()) {
    const token = conversationIdFromMessageId(id)
    if (token) return token
  }
  return undefined
}

const bareAddress = /<?([^\s<>"',;:()[\]]+@[^\s<>"',;:()[\]]+\.[a-z0-9-]+)>?/i

/**
 * Who wrote the message. A From without a usable address (spam, broken gateways) falls back to
 * another From line, then Reply-To, then Sender, then the envelope sender.
 */
function senderOf(mail: ParsedMail, options: EmailParseOptions): { address: string; name?: string } {
  const parsed = addressesOf(mail.from)[0]
  if (parsed) return parsed
  const name = mail.from?.value[0]?.name || undefined
  const fromLines = (mail.headerLines ?? []).filter((entry) => entry.key.toLowerCase() === 'from')
  for (const entry of fromLines) {
    const match = bareAddress.exec(entry.line.slice(entry.line.indexOf(':') + 1))
    if (match) return { address: match[1]!.toLowerCase(), name }
  }
  const fallback = addressesOf(mail.replyTo)[0] ?? addressesOf(mail.headers.get('sender') as AddressObject | undefined)[0]
  if (fallback) return { address: fallback.address, name: name ?? fallback.name }
  return { address: options.envelopeFrom.toLowerCase(), name }
}

async function fromParsedMail(mail: ParsedMail, options: EmailParseOptions): Promise<InboundMessage> {
  const header = headerLookup(mail.headerLines ?? [])
  const sender = senderOf(mail, options)
  const senderAddress = sender.address
  const references = [...messageIdList(mail.references), ...messageIdList(mail.inReplyTo)]

  const to = addressesOf(mail.to)
  const cc = addressesOf(mail.cc)
  const participants: InboundParticipant[] = [
    ...to.map((entry) => ({ ...entry, role: 'to' as const })),
    ...cc.map((entry) => ({ ...entry, role: 'cc' as const })),
  ].filter((entry) => entry.address !== senderAddress && !isOwnAddress(entry.address, options.ownAddresses))

  const bounce = readBounce({
    contentType: header('content-type') ?? '',
    fromAddress: addressesOf(mail.from)[0]?.address ?? header('from') ?? options.envelopeFrom,
    subject: mail.subject ?? '',
    deliveryStatus: mail.attachments
      .filter((part) => /^message\/(global-)?delivery-status$/i.test(part.contentType))
      .map((part) => part.content.toString('utf8')),
    originalHeaders: mail.attachments
      .filter((part) => /^(message\/rfc822|text\/rfc822-headers|message\/global-headers)$/i.test(part.contentType))
      .map((part) => headerBlock(part.content)),
    text: mail.text ?? '',
  })
  // A bounce names its thread through the message it returns (the report's message/rfc822 or
  // text/rfc822-headers part): that message's own id — ours, `sb.<conversation>…` — and whatever
  // it answered. The original's id comes last: it is the newest of the thread.
  const threadReferences = [...references, ...(bounce?.originalReferences ?? []), ...(bounce?.originalMessageIds ?? [])]
  const ownToken = findOwnToken(mail, options.envelopeTo, threadReferences)
  const machine = bounce ? 'bounce' : automatedKind(header, Boolean(ownToken) || references.length > 0)
  const automated = machine !== null

  const forwarded = isForwardSubject(mail.subject)
  const sanitized = typeof mail.html === 'string' && mail.html ? sanitizeHtml(mail.html, { forwarded }) : null
  const html = sanitized && sanitized.html.length <= maxStoredHtmlChars ? sanitized.html : undefined
  // Mails with only HTML (or an empty text part beside it) still get a text for search and preview.
  const plain = (mail.text ?? '').replace(/\r\n/g, '\n').trim()
  const text = cutText(plain || (typeof mail.html === 'string' ? htmlToText(mail.html) : ''), maxStoredTextChars)
  const quotedFrom = quotedHistoryStart(text, { forwarded })
  const attachments = mail.attachments.map(toAttachment)

  const messageId = mail.messageId ? normalizeMessageId(mail.messageId) : ''
  // Transport headers (Received, DKIM) differ between deliveries of one message; these do not.
  const contentHash = await sha256Hex(
    JSON.stringify([
      senderAddress,
      mail.subject ?? '',
      mail.date?.toISOString() ?? header('date') ?? '',
      to.map((a) => a.address),
      cc.map((a) => a.address),
      text,
      html ?? '',
      attachments.map((a) => [a.filename, a.contentType, a.content.byteLength]),
    ]),
  )
  const subject = mail.subject?.trim()
  return {
    externalId: messageId || `hash:${contentHash}`,
    from: { email: senderAddress, name: sender.name },
    subject,
    text,
    html,
    sentAt: mail.date?.getTime(),
    thread: {
      references: threadReferences.length > 0 ? threadReferences : undefined,
      conversationId: ownToken,
      // Machines reuse subjects ("Undelivered Mail Returned to Sender", "Out of office"): their
      // mail threads by references only, or two unrelated bounces would share a conversation.
      subjectKey: automated ? undefined : subjectKey(subject) || undefined,
    },
    participants,
    folder: isRoleAddress(senderAddress) ? 'spam' : 'inbox',
    automated,
    // A bounce reports on the message it returns: that one shows as failed, its recipients as bouncing.
    deliveryFailure: bounce
      ? {
          recipients: bounce.failedRecipients,
          messageIds: bounce.originalMessageIds,
          reason: bounce.diagnostic ?? 'The recipient’s mail server returned the message.',
        }
      : undefined,
    contentHash,
    rawKey: options.rawKey,
    attachments,
    metadata: {
      to: to.map((entry) => entry.address),
      ...(cc.length > 0 ? { cc: cc.map((entry) => entry.address) } : {}),
      ...(quotedFrom !== null ? { quotedFrom } : {}),
      ...(sanitized && sanitized.remoteImages > 0 ? { remoteImages: sanitized.remoteImages } : {}),
      ...(sanitized && !html ? { htmlOmitted: 'too large' } : {}),
      ...(bounce ? { bounce: true } : {}),
      // Shown on the message and on its conversation's row: 'bounce', 'auto_reply' or 'automated'.
      ...(machine ? { automatedKind: machine } : {}),
      // Outlook's conversation index: our reply extends it, so Outlook keeps the thread together.
      ...(decodeThreadIndex(header('thread-index')) ? { threadIndex: header('thread-index')!.trim() } : {}),
    },
  }
}

/**
 * Turns a raw RFC 5322 message into a normalized message. A message that cannot be parsed (or is
 * over the size limit) still becomes one, with a visible notice; its raw bytes are in R2 already
 * under `rawKey`, and its id is derived from those bytes so a redelivery is still stored once.
 */
export async function parseEmail(raw: Uint8Array, options: EmailParseOptions): Promise<InboundMessage> {
  // Why it could not be read: its size (our words, remade in the reader's language by `messageText`), or the parser's own error.
  let failure: UnreadableReason
  if (raw.byteLength > maxEmailBytes) {
    failure = { tooLargeMiB: maxEmailBytes / 1024 / 1024 }
  } else {
    try {
      const bytes = withoutMboxEnvelope(raw)
      const mail = await simpleParser(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
        skipHtmlToText: false,
        skipTextToHtml: true,
        skipImageLinks: true,
        keepCidLinks: true,
      })
      return await fromParsedMail(mail, options)
    } catch (error) {
      failure = { error: String(error).slice(0, 200) }
    }
  }
  const rawHash = await sha256Hex(raw.subarray(0, maxEmailBytes))
  return {
    externalId: `raw:${rawHash}`,
    from: { email: options.envelopeFrom },
    subject: '(unreadable message)',
    text: '',
    // English for everyone (search, previews, the AI); the thread shows it in the reader's language.
    notice: unreadableNotice(failure, english),
    rawKey: options.rawKey,
    contentHash: rawHash,
    metadata: { unreadable: true, unreadableReason: failure },
  }
}

const unreadableReason = z.union([z.object({ tooLargeMiB: z.number().positive() }), z.object({ error: z.string().max(200) })])
type UnreadableReason = z.infer<typeof unreadableReason>

function unreadableNotice(reason: UnreadableReason, speak: typeof say): string {
  return speak('inbound.unreadable', { reason: 'tooLargeMiB' in reason ? speak('inbound.too_large', { mib: reason.tooLargeMiB }) : reason.error })
}

/** `messageText`: the notice on a message that could not be read, in the reader's language; null for every other message. */
export function emailMessageText(message: StoredMessage): string | null {
  const metadata = message.metadata as { unreadable?: unknown; unreadableReason?: unknown } | null
  if (metadata?.unreadable !== true) return null
  const reason = unreadableReason.safeParse(metadata.unreadableReason)
  // Only the notice is ours: a message with more text (or filed before the reason was kept) shows what was stored.
  if (!reason.success || message.text !== unreadableNotice(reason.data, english)) return null
  return unreadableNotice(reason.data, say)
}
