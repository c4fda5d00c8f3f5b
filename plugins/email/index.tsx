import { simpleParser } from 'mailparser'
import { z } from 'zod'
import { defineChannel, type InboundMessage } from '../../src/channels/types'

const settings = z.object({
  /** The addresses this channel receives at; aliases included. */
  addresses: z.array(z.string().email()).min(1),
  fromName: z.string().max(120).optional(),
})

function EmailIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" class="icon">
      <rect x="3" y="5" width="18" height="14" rx="2" fill="none" stroke="currentColor" stroke-width="1.8" />
      <path d="m4 7 8 6 8-6" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
    </svg>
  )
}

/** Message-IDs are stored bare (no angle brackets), so every header form compares equal. */
export function normalizeMessageId(id: string): string {
  return id.trim().replace(/^<+/, '').replace(/>+$/, '').trim()
}

function messageIdList(value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? value.split(/[\s,]+/) : []
  return list.map(normalizeMessageId).filter(Boolean)
}

/**
 * Turns a raw RFC 5322 message into a normalized message. A message that cannot be parsed still
 * becomes one, with a visible notice; its raw bytes are already in R2 under `rawKey`.
 */
export async function parseEmail(raw: Uint8Array, envelopeFrom: string, rawKey: string): Promise<InboundMessage> {
  try {
    const mail = await simpleParser(Buffer.from(raw), { skipHtmlToText: false, skipTextToHtml: true })
    const sender = mail.from?.value[0]
    const references = [...messageIdList(mail.references), ...messageIdList(mail.inReplyTo)]
    return {
      externalId: mail.messageId ? normalizeMessageId(mail.messageId) || undefined : undefined,
      from: { email: sender?.address || envelopeFrom, name: sender?.name || undefined },
      subject: mail.subject,
      text: (mail.text ?? '').trim(),
      sentAt: mail.date?.getTime(),
      thread: references.length > 0 ? { references } : undefined,
      attachments: mail.attachments.map((part) => ({
        filename: part.filename ?? 'attachment',
        contentType: part.contentType,
        content: new Uint8Array(part.content),
        contentId: part.contentId,
      })),
    }
  } catch (error) {
    return {
      from: { email: envelopeFrom },
      subject: '(unreadable message)',
      text: '',
      notice: `This message could not be read (${String(error).slice(0, 200)}). The original is kept as ${rawKey}.`,
    }
  }
}

export const emailChannel = defineChannel({
  id: 'email',
  name: 'Email',
  view: 'Email',
  settings,
  // Outbound mail (compose, reply, forward through a queue) arrives with the email issue.
  capabilities: { outbound: false, attachments: true, threading: true },
  async parse(input) {
    if (input.type !== 'email') return []
    return [await parseEmail(input.raw, input.envelopeFrom, input.rawKey)]
  },
  ui: { Icon: EmailIcon },
})
