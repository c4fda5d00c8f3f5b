import { and, eq } from 'drizzle-orm'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { attachments } from '../db/schema'
import { getMessage } from '../services/messages'
import { EmailHtml } from '../../templates/email'
import { t } from '../i18n'
import { hostOf } from '../host'

/**
 * Email downloads and the remote-images toggle: the raw .eml of a message, attachment bytes, and
 * a message's HTML re-rendered with remote images. Everything is scoped to the session's account.
 */
export const emailRoutes = new Hono<AppEnv>()

const messageParams = z.object({
  id: z.string().min(1).max(64),
  messageId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
})

// Shown in the browser only when an image can do no harm there; everything else downloads.
const inlineImageTypes = new Set(['image/png', 'image/gif', 'image/jpeg', 'image/webp'])

/** RFC 6266: an ASCII fallback plus the UTF-8 name; quotes and controls cannot break out. */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const fallback = filename.replace(/[^A-Za-z0-9._ -]/g, '_').slice(0, 150) || 'download'
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename.slice(0, 200))}`
}

async function messageOf(c: { var: AppEnv['Variables'] }, params: { id: string; messageId: number }) {
  const message = await getMessage(c.var.db, c.var.accountId, params.messageId)
  // A message of another conversation (or account) is as absent as one that does not exist.
  if (!message || message.conversationId !== params.id) throw new HTTPException(404, { message: t('errors.message_not_found') })
  return message
}

emailRoutes.get('/:id/messages/:messageId/raw', async (c) => {
  const params = messageParams.safeParse(c.req.param())
  if (!params.success) throw new HTTPException(404, { message: t('errors.message_not_found') })
  const message = await messageOf(c, params.data)
  const object = message.rawKey ? await hostOf(c.env).blobs.get(message.rawKey) : null
  if (!object) throw new HTTPException(404, { message: t('errors.original_not_stored') })
  return new Response(object.body, {
    headers: {
      'Content-Type': 'message/rfc822',
      'Content-Disposition': contentDisposition('attachment', `message-${message.id}.eml`),
      'Content-Length': String(object.size),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    },
  })
})

emailRoutes.get('/:id/messages/:messageId/body', async (c) => {
  const params = messageParams.safeParse(c.req.param())
  if (!params.success) throw new HTTPException(404, { message: t('errors.message_not_found') })
  const message = await messageOf(c, params.data)
  if (!message.html || message.hiddenAt) throw new HTTPException(404, { message: t('errors.no_html_body') })
  return c.html(<EmailHtml message={message} showRemote={c.req.query('remoteImages') === 'show'} />)
})

/** An attachment of a message (/attachments/:id). */
export const attachmentRoutes = new Hono<AppEnv>()
attachmentRoutes.get('/:id', async (c) => {
  const id = z.string().min(1).max(64).safeParse(c.req.param('id'))
  if (!id.success) throw new HTTPException(404, { message: t('errors.attachment_not_found') })
  const [attachment] = await c.var.db
    .select()
    .from(attachments)
    .where(and(eq(attachments.id, id.data), eq(attachments.accountId, c.var.accountId)))
    .limit(1)
  const object = attachment ? await hostOf(c.env).blobs.get(attachment.r2Key) : null
  if (!attachment || !object) throw new HTTPException(404, { message: t('errors.attachment_not_found') })
  const inline = inlineImageTypes.has(attachment.contentType)
  return new Response(object.body, {
    headers: {
      'Content-Type': inline ? attachment.contentType : 'application/octet-stream',
      'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', attachment.filename),
      'Content-Length': String(object.size),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, max-age=3600',
    },
  })
})
