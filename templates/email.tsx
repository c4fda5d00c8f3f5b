import type { FC } from 'hono/jsx'
import { z } from 'zod'
import type { ThreadMessage } from '../src/services/messages'
import { raw } from 'hono/html'
import { escapeHtml, showRemoteImages } from '../src/lib/sanitize-html'
import { t } from '../src/i18n'
import { intlLocale } from '../src/lib/time'
import { sanitizeRichText } from '../src/lib/rich-text'
import { shownMessageText } from '../src/channels/message-text'

// messages.metadata is written by the pipeline from channel input: read it defensively.
const attachmentMeta = z.object({
  id: z.string(),
  filename: z.string(),
  contentType: z.string(),
  sizeBytes: z.number(),
  contentId: z.string().nullable().optional(),
})
const messageMeta = z.object({
  quotedFrom: z.number().int().nonnegative().optional(),
  remoteImages: z.number().int().nonnegative().optional(),
  attachments: z.array(attachmentMeta).optional(),
  unreadable: z.boolean().optional(),
  /** Written in our editor: sanitised rich text, shown inline rather than in a frame. */
  richText: z.boolean().optional(),
})
type MessageMeta = z.infer<typeof messageMeta>
export type AttachmentMeta = z.infer<typeof attachmentMeta>

export function readMessageMeta(metadata: unknown): MessageMeta {
  const parsed = messageMeta.safeParse(metadata)
  return parsed.success ? parsed.data : {}
}

export function attachmentUrl(attachmentId: string): string {
  return `/attachments/${encodeURIComponent(attachmentId)}`
}

export function rawMessageUrl(message: Pick<ThreadMessage, 'conversationId' | 'id'>): string {
  return `/conversations/${encodeURIComponent(message.conversationId)}/messages/${message.id}/raw`
}

function unescapeAttribute(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** `cid:` images point at the message's own attachments; unknown ones are dropped. */
export function resolveCidImages(html: string, attachments: AttachmentMeta[]): string {
  return html.replace(/ src="cid:([^"]*)"/gi, (_match, escapedId: string) => {
    const contentId = unescapeAttribute(escapedId).replace(/^<|>$/g, '')
    const attachment = attachments.find((candidate) => candidate.contentId === contentId)
    return attachment ? ` src="${escapeHtml(attachmentUrl(attachment.id))}"` : ''
  })
}

/**
 * The document shown in the sandboxed frame. Its CSP forbids scripts, forms, fonts and every
 * load except our own origin (attachments, the frame's stylesheet); remote images only when the
 * agent asked for them.
 */
export function emailFrameDocument(html: string, allowRemoteImages: boolean): string {
  const imageSources = allowRemoteImages ? "'self' data: https: http:" : "'self' data:"
  const policy = `default-src 'none'; img-src ${imageSources}; style-src 'self' 'unsafe-inline'; script-src 'none'; form-action 'none'; base-uri 'none'`
  return [
    '<!doctype html><html><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(policy)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<link rel="stylesheet" href="/email-frame.css">',
    `</head><body>${html}</body></html>`,
  ].join('')
}

/** The message's sanitised HTML in a sandboxed frame, with the remote-images toggle. */
export const EmailHtml: FC<{ message: ThreadMessage; showRemote?: boolean }> = ({ message, showRemote = false }) => {
  const meta = readMessageMeta(message.metadata)
  const withImages = resolveCidImages(message.html ?? '', meta.attachments ?? [])
  const html = showRemote ? showRemoteImages(withImages) : withImages
  const heldBack = (meta.remoteImages ?? 0) > 0 && !showRemote
  return (
    <div class="message-html" id={`msg-html-${message.id}`}>
      {heldBack && (
        <p class="remote-images-note small muted">
          {t('email.remote_hidden')}{' '}
          <button
            type="button"
            class="button link"
            hx-get={`/conversations/${encodeURIComponent(message.conversationId)}/messages/${message.id}/body?remoteImages=show`}
            hx-target={`#msg-html-${message.id}`}
            hx-swap="outerHTML"
          >
            {t('email.remote_show')}
          </button>
        </p>
      )}
      {/* No allow-scripts: nothing in the frame can run, whatever the sanitiser missed.
          allow-same-origin only lets the frame load our attachment URLs with the session. */}
      <iframe
        class="message-frame"
        title={t('email.frame_title')}
        sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
        referrerpolicy="no-referrer"
        srcdoc={emailFrameDocument(html, showRemote)}
      ></iframe>
    </div>
  )
}

function sizeLabel(sizeBytes: number): string {
  if (sizeBytes < 1024) return t('email.size.bytes', { n: sizeBytes })
  if (sizeBytes < 1024 * 1024) return t('email.size.kb', { n: Math.round(sizeBytes / 1024) })
  return t('email.size.mb', { n: (sizeBytes / 1024 / 1024).toLocaleString(intlLocale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }) })
}

/**
 * What an agent wrote in the editor, inline in the thread. It was sanitised before it was stored;
 * it is sanitised again here so a row written by anything else (an import, an old bug) cannot
 * put markup on the page that the allowlist does not.
 */
const RichText: FC<{ html: string }> = ({ html }) => <div class="message-text message-rich">{raw(sanitizeRichText(html))}</div>

const PlainText: FC<{ text: string; quotedFrom?: number }> = ({ text, quotedFrom }) => {
  if (quotedFrom === undefined || quotedFrom <= 0 || quotedFrom >= text.length) return <div class="message-text">{text}</div>
  return (
    <div class="message-text">
      {text.slice(0, quotedFrom).trimEnd()}
      <details class="quoted">
        <summary>{t('email.quoted_show')}</summary>
        {text.slice(quotedFrom)}
      </details>
    </div>
  )
}

const recipientList = z
  .array(z.object({ address: z.string(), name: z.string().nullish() }))
  .max(100)
  .optional()
const outboundRecipients = z.object({ to: recipientList, cc: recipientList, bcc: recipientList })

/** Where an email we sent went (To, Cc, Bcc as the agent chose them), above its body. */
const OutboundRecipients: FC<{ metadata: unknown }> = ({ metadata }) => {
  const parsed = outboundRecipients.safeParse((metadata as { replyOptions?: unknown } | null)?.replyOptions)
  if (!parsed.success) return null
  const lines = (['to', 'cc', 'bcc'] as const)
    .map((field) => [field, (parsed.data[field] ?? []).map((entry) => entry.address).join(', ')] as const)
    .filter(([, value]) => value)
  if (lines.length === 0) return null
  return <p class="message-recipients muted small">{lines.map(([field, value]) => `${t(`email.${field}`)}: ${value}`).join(' · ')}</p>
}

/**
 * A message's body as the thread shows it: sanitised HTML in a frame or the text with its quoted
 * history folded, then its attachments and, for mail, the original .eml.
 */
export const MessageContent: FC<{ message: ThreadMessage }> = ({ message }) => {
  const meta = readMessageMeta(message.metadata)
  const attachments = meta.attachments ?? []
  // A channel's own line in the reader's language (a call's outcome), else the text as stored.
  const text = message.html ? message.text : shownMessageText(message)
  return (
    <>
      {message.direction === 'out' && <OutboundRecipients metadata={message.metadata} />}
      {message.html && meta.richText ? (
        <RichText html={message.html} />
      ) : message.html ? (
        <EmailHtml message={message} />
      ) : (
        <PlainText text={text} quotedFrom={text === message.text ? meta.quotedFrom : undefined} />
      )}
      {attachments.length > 0 && (
        <ul class="message-attachments" aria-label={t('email.attachments')}>
          {attachments.map((attachment) => (
            <li>
              <a href={attachmentUrl(attachment.id)} download={attachment.filename}>
                {attachment.filename}
              </a>{' '}
              <span class="muted small">
                {attachment.contentType}, {sizeLabel(attachment.sizeBytes)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {message.rawKey && (
        <p class="message-raw small">
          <a href={rawMessageUrl(message)} download>
            {meta.unreadable ? t('email.original_download') : t('email.original')}
          </a>
        </p>
      )}
    </>
  )
}
