import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { getConversation } from '../services/conversations'
import { draftHtmlMaxChars, saveDraft } from '../services/drafts'
import { t } from '../i18n'

/**
 * The composer's autosave: static/editor.js PUTs what the agent is writing (debounced, and with
 * `keepalive` when the page goes away). Drafts are per user; the thread renders the agent's own.
 */
export const draftRoutes = new Hono<AppEnv>()

const draftForm = z.object({
  kind: z.enum(['reply', 'comment'], { message: 'A draft is a reply or a comment.' }),
  html: z.string().default(''),
})

/** Composer fields that are not the draft itself (the collision check and the editor's own). */
const notDraftFields = new Set(['kind', 'html', 'text', 'seenSeq', 'confirmed', 'attachments'])

draftRoutes.put('/:id/draft', async (c) => {
  const { db, accountId, user } = c.var
  const detail = await getConversation(db, accountId, c.req.param('id'))
  if (!detail) throw new HTTPException(404, { message: t('error.not_found') })
  const body = await c.req.parseBody()
  const form = draftForm.safeParse(body)
  if (!form.success) throw new HTTPException(422, { message: form.error.issues[0]?.message ?? 'Check the draft.' })
  if (form.data.html.length > draftHtmlMaxChars) throw new HTTPException(413, { message: t('drafts.too_long') })
  const fields: Record<string, string> = {}
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === 'string' && !notDraftFields.has(name)) fields[name] = value
  }
  const saved = await saveDraft(db, { userId: user.id, conversationId: detail.conversation.id, kind: form.data.kind, html: form.data.html, fields })
  return c.json({ saved: saved !== null, updatedAt: saved?.updatedAt ?? null })
})
