import { z } from 'zod'
import { hostOf, type ChannelContext, type InboundParticipant, type OutboundMessage, type PartialDelivery, type SendOutcome } from '../../src/channels/types'
import { normalizeMessageId, replyAddress, subjectKey } from './threading'
import { escapeHtml, showRemoteImages } from '../../src/channels/types'
import { buildMime, isValidAddress, type MailAddress } from './mime'
import { threadIndexFor } from './thread-index'
import { say } from './texts'

export const emailSettings = z.object({
  /** The addresses this channel receives at; aliases included. The first is the one we send from. */
  addresses: z.array(z.string().email()).min(1),
  fromName: z.string().max(120).optional(),
})
export type EmailSettings = z.infer<typeof emailSettings>

/** Recipients per message, To, Cc and Bcc together: more looks like a mailing, not a reply. */
export const maxRecipients = 50

/**
 * Splits what an agent typed into a To/Cc/Bcc field: addresses separated by commas or semicolons,
 * each bare (`a@b.c`) or with a name (`Ada Lovelace <ada@b.c>`, `"Lovelace, Ada" <ada@b.c>`).
 */
export function parseAddressList(value: string): { addresses: MailAddress[]; invalid: string[] } {
  const entries: string[] = []
  let current = ''
  let quoted = false
  let angle = false
  for (const char of value) {
    if (char === '"') quoted = !quoted
    if (!quoted && char === '<') angle = true
    if (!quoted && char === '>') angle = false
    if (!quoted && !angle && (char === ',' || char === ';' || char === '\n')) {
      entries.push(current)
      current = ''
    } else {
      current += char
    }
  }
  entries.push(current)
  const addresses: MailAddress[] = []
  const invalid: string[] = []
  const seen = new Set<string>()
  for (const entry of entries.map((item) => item.trim()).filter(Boolean)) {
    const match = /^(.*?)<([^<>]*)>\s*$/.exec(entry)
    const address = (match ? match[2]! : entry).trim()
    const name = match
      ? match[1]!
          .trim()
          .replace(/^"(.*)"$/, '$1')
          .replace(/\\(.)/g, '$1')
          .trim()
      : ''
    if (!isValidAddress(address)) {
      invalid.push(entry.slice(0, 120))
      continue
    }
    if (seen.has(address.toLowerCase())) continue
    seen.add(address.toLowerCase())
    addresses.push(name ? { address, name: name.slice(0, 120) } : { address })
  }
  return { addresses, invalid }
}

export function formatAddressList(addresses: MailAddress[]): string {
  return addresses
    .map((entry) => (entry.name ? `${/[",;<>@]/.test(entry.name) ? JSON.stringify(entry.name) : entry.name} <${entry.address}>` : entry.address))
    .join(', ')
}

const addressListField = z
  .string()
  .max(10_000, { error: () => say('recipients.too_long') })
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined
    const parsed = parseAddressList(value)
    if (parsed.invalid.length > 0) ctx.addIssue({ code: 'custom', message: say('recipients.invalid', { address: parsed.invalid[0]! }) })
    return parsed.addresses
  })

const recipientCount = (options: { to?: MailAddress[]; cc?: MailAddress[]; bcc?: MailAddress[] }) =>
  (options.to?.length ?? 0) + (options.cc?.length ?? 0) + (options.bcc?.length ?? 0)

/**
 * The composer's recipient fields, as the agent typed them. A form without any of them (an API
 * client, a composer whose fields never loaded) answers the contact, as a plain reply would.
 */
export const emailReplyOptions = z
  .object({ to: addressListField, cc: addressListField, bcc: addressListField })
  .refine((options) => (options.to ?? options.cc ?? options.bcc) === undefined || recipientCount(options) > 0, { error: () => say('recipients.none') })
  .refine((options) => recipientCount(options) <= maxRecipients, { error: () => say('recipients.too_many', { max: maxRecipients }) })

const storedAddress = z.object({ address: z.string().refine(isValidAddress), name: z.string().max(200).nullish() })
/** The same options as stored in the message's metadata (read back: still validated). */
const storedReplyOptions = z.object({
  to: z.array(storedAddress).max(maxRecipients).default([]),
  cc: z.array(storedAddress).max(maxRecipients).default([]),
  bcc: z.array(storedAddress).max(maxRecipients).default([]),
})
export type EmailRecipients = z.infer<typeof storedReplyOptions>

/** What the send_email binding offers (a stand-in with the same shape can record instead). */
export interface SendEmailBinding {
  send(message: EmailMessage): Promise<unknown>
}

const base32Alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
function base32OfInteger(value: number): string {
  let rest = Math.max(0, Math.floor(value))
  let out = ''
  do {
    out = base32Alphabet[rest % 32] + out
    rest = Math.floor(rest / 32)
  } while (rest > 0)
  return out
}

/**
 * Our Message-ID for a stored message: `sb.<conversation id>.<message id>@<domain>`. It is the
 * same on every delivery attempt, so a retry after a lost acknowledgement is the same message to
 * the recipient's client, and the inbound side reads the conversation back out of it.
 */
export function messageIdFor(conversationId: string, messageId: number, domain: string): string {
  return `sb.${conversationId}.m${base32OfInteger(messageId)}@${domain}`
}

function textToHtml(text: string): string {
  const paragraphs = text.replace(/\r\n?/g, '\n').split(/\n{2,}/)
  return paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`).join('\n')
}

function htmlDocument(body: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"></head><body>\n${body}\n</body></html>`
}

function subjectFor(message: OutboundMessage): string {
  const override = message.metadata?.subject
  if (typeof override === 'string' && override.trim()) return override.trim().slice(0, 500)
  const subject = (message.subject ?? '').trim().slice(0, 500)
  if (message.references.length === 0) return subject || '(no subject)'
  // A reply keeps the thread's subject with one "Re:", however many the thread collected.
  return /^re\s*:/i.test(subject) ? subject : `Re: ${subject || '(no subject)'}`.trim()
}

function recipientsOf(message: OutboundMessage): EmailRecipients {
  const stored = storedReplyOptions.safeParse(message.options ?? {})
  if (stored.success && stored.data.to.length + stored.data.cc.length + stored.data.bcc.length > 0) return stored.data
  const email = message.to.email?.trim()
  if (!email || !isValidAddress(email)) throw new Error(say('send.no_contact_address'))
  return { to: [{ address: email, name: message.to.name ?? null }], cc: [], bcc: [] }
}

/**
 * The send_email binding's refusals that no retry can fix (its errors carry a string `code`):
 * a payload it calls invalid, a sender domain not verified for sending, a recipient the binding
 * may not send to or that is on the suppression list. Everything else (rate limits, outages,
 * E_DELIVERY_FAILED, an error without a code) is worth another try.
 */
const permanentSendCodes = new Set([
  'E_VALIDATION_ERROR',
  'E_FIELD_MISSING',
  'E_TOO_MANY_RECIPIENTS',
  'E_TOO_MANY_ATTACHMENTS',
  'E_SENDER_NOT_VERIFIED',
  'E_RECIPIENT_NOT_ALLOWED',
  'E_RECIPIENT_SUPPRESSED',
])

/**
 * Whether the sender refused for good: the binding with one of `permanentSendCodes`, or an SMTP
 * relay (the self-host's sender, whose errors carry the relay's `responseCode`) with a 5yz reply,
 * a permanent negative completion (RFC 5321 §4.2.1); 4yz is transient and worth another try.
 */
export function isPermanentSendError(error: unknown): boolean {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown }
  if (typeof code === 'string' && permanentSendCodes.has(code)) return true
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode <= 599
}

/**
 * Sends an outbound message as email through the send_email binding: one MIME message (text and
 * HTML alternatives, attachments, threading headers), handed over once per envelope recipient,
 * because Cloudflare's EmailMessage carries a single recipient. Bcc recipients get the same bytes
 * and never appear in them.
 */
export async function sendEmail(message: OutboundMessage, ctx: ChannelContext<unknown>, nowMs = Date.now()): Promise<SendOutcome> {
  const settings = emailSettings.safeParse(ctx.settings)
  if (!settings.success) throw new Error(say('send.no_sending_address'))
  const mail = hostOf(ctx.env).mail
  if (!mail) throw new Error(say('send.no_mail_sender'))
  const fromAddress = settings.data.addresses[0]!
  const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1).toLowerCase()
  const from: MailAddress = { address: fromAddress, name: settings.data.fromName ?? ctx.channel.name }
  const recipients = recipientsOf(message)
  const ourId = messageIdFor(message.conversationId, message.messageId, domain)
  const subject = subjectFor(message)
  const parentThreadIndex = typeof message.parentMetadata?.threadIndex === 'string' ? message.parentMetadata.threadIndex : null
  const threadIndex = await threadIndexFor({
    parent: parentThreadIndex,
    conversationId: message.conversationId,
    conversationStartedAtMs: message.conversationStartedAt ?? nowMs,
    earlierMessages: message.references.length,
    nowMs,
  })
  const attachments = await Promise.all((message.attachments ?? []).map(async (attachment) => ({ ...attachment, content: await attachment.read() })))
  const html = message.html ? showRemoteImages(message.html) : textToHtml(message.text)
  const headers: Record<string, string> = {
    'Thread-Topic': subjectKey(subject) ? subject.replace(/^(?:re|fwd?)\s*:\s*/i, '') : subject,
    'Thread-Index': threadIndex,
  }
  if (message.automatic) {
    // RFC 3834 §5; Exchange honours X-Auto-Response-Suppress, so no out-of-office answers a robot.
    headers['Auto-Submitted'] = message.automatic
    headers['X-Auto-Response-Suppress'] = 'All'
  }
  const raw = buildMime({
    from,
    to: recipients.to,
    cc: recipients.cc,
    replyTo: { address: replyAddress(message.conversationId, domain), name: from.name },
    subject,
    messageId: ourId,
    references: message.references,
    text: message.text,
    html: htmlDocument(html),
    attachments,
    date: new Date(nowMs),
    headers,
  })
  const envelope = [...new Map([...recipients.to, ...recipients.cc, ...recipients.bcc].map((entry) => [entry.address.toLowerCase(), entry.address])).values()]
  const providerIds: string[] = []
  // Recipients an earlier attempt reached already are skipped: a retry must not send them a copy.
  const delivered = (Array.isArray(message.metadata?.deliveredTo) ? message.metadata.deliveredTo : []).filter(
    (entry): entry is string => typeof entry === 'string',
  )
  const deliveredNow = new Set(delivered.map((entry) => entry.toLowerCase()))
  // Everyone has it by our records, yet it is being sent again (a failure report that named nobody):
  // it goes to all of them rather than to nobody.
  if (envelope.every((entry) => deliveredNow.has(entry.toLowerCase()))) deliveredNow.clear()
  // Who has it and who does not, in the envelope's order: kept with the message for the next attempt and the thread.
  const partial = (): PartialDelivery => ({
    deliveredTo: envelope.filter((entry) => deliveredNow.has(entry.toLowerCase())),
    notDeliveredTo: envelope.filter((entry) => !deliveredNow.has(entry.toLowerCase())),
  })
  for (const recipient of envelope) {
    if (deliveredNow.has(recipient.toLowerCase())) continue
    let result: unknown
    try {
      result = await mail.send({ from: fromAddress, to: recipient, raw })
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error))
      // Refused for good: the agent sees why at once; those reached before keep their copy, and Retry skips them.
      if (isPermanentSendError(error)) return { status: 'failed', reason: `${recipient}: ${failure.message}`.slice(0, 500), ...partial() }
      throw Object.assign(failure, partial())
    }
    deliveredNow.add(recipient.toLowerCase())
    const providerId = (result as { messageId?: unknown } | undefined)?.messageId
    if (typeof providerId === 'string' && providerId) providerIds.push(normalizeMessageId(providerId))
  }
  const participants: InboundParticipant[] = [
    ...recipients.to.map((entry) => ({ address: entry.address, name: entry.name ?? undefined, role: 'to' as const })),
    ...recipients.cc.map((entry) => ({ address: entry.address, name: entry.name ?? undefined, role: 'cc' as const })),
  ]
  return {
    // A provider that rewrites Message-ID (Cloudflare's local simulation does) tells us the id the
    // recipient sees; replies reference that one, so it is the one threading must find.
    externalId: providerIds[0] ?? ourId,
    deliveredTo: envelope,
    raw,
    metadata: {
      messageId: ourId,
      threadIndex,
      subject,
      subjectKey: subjectKey(subject),
      recipients,
      ...(providerIds.length > 0 ? { providerMessageIds: providerIds } : {}),
    },
    participants,
  }
}
