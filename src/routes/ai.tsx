import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { t } from '../i18n'
import { getConversation } from '../services/conversations'
import { AiProviderError, providerFor } from '../services/ai/provider'
import { fillSnippet, getSnippet, listSnippetChoices, loadAiThread } from '../services/ai/thread'
import { AiCard, AiError, DraftResult, maxPromptLength, SummaryPanel, WritePanel } from '../../templates/ai'

/**
 * AI assist: "Summarize conversation" (the sidebar's AI card) and "Write for me" (the editor's
 * popover). Whatever the provider, a failure is a message in the panel (502 for the provider,
 * 422 for the input), never an error page.
 */
export const aiRoutes = new Hono<AppEnv>()

async function threadOf(c: Context<AppEnv>) {
  const thread = await loadAiThread(c.var.db, c.var.accountId, c.req.param('id') ?? '')
  if (!thread) throw new HTTPException(404, { message: t('ai.error.missing_conversation') })
  return thread
}

/** The conversation must be the agent's account's; the card and the prompt box need nothing more of it. */
async function ensureConversation(c: Context<AppEnv>) {
  const detail = await getConversation(c.var.db, c.var.accountId, c.req.param('id') ?? '')
  if (!detail) throw new HTTPException(404, { message: t('ai.error.missing_conversation') })
  return detail.conversation.id
}

/** Runs the provider; its failure becomes the panel's message with a 502. */
async function withProvider<T>(c: Context<AppEnv>, run: () => Promise<T>): Promise<T | Response> {
  try {
    return await run()
  } catch (error) {
    if (!(error instanceof AiProviderError)) throw error
    console.error('ai provider failed', error.message)
    return c.html(<AiError message={error.message} />, 502)
  }
}

aiRoutes.get('/:id/cards/ai', async (c) => {
  return c.html(<AiCard conversationId={await ensureConversation(c)} providerLabel={providerFor(c.env).label} />)
})

aiRoutes.post('/:id/ai/summary', async (c) => {
  const thread = await threadOf(c)
  if (thread.messages.length === 0) return c.html(<AiError message={t('ai.summary.nothing')} />, 422)
  const summary = await withProvider(c, () => providerFor(c.env).summarize({ thread }))
  if (summary instanceof Response) return summary
  return c.html(<SummaryPanel summary={summary} />)
})

aiRoutes.get('/:id/ai/write', async (c) => {
  const conversationId = await ensureConversation(c)
  const snippets = await listSnippetChoices(c.var.db, c.var.accountId)
  return c.html(<WritePanel conversationId={conversationId} snippets={snippets} providerLabel={providerFor(c.env).label} />)
})

const writeForm = z.object({
  prompt: z.string().trim().min(1).max(maxPromptLength),
  snippetId: z.string().max(32).default(''),
  variant: z.coerce.number().int().min(0).max(1000).catch(0),
})

aiRoutes.post('/:id/ai/write', async (c) => {
  const thread = await threadOf(c)
  const form = writeForm.safeParse(await c.req.parseBody())
  if (!form.success) {
    const tooLong = form.error.issues.some((issue) => issue.path[0] === 'prompt' && issue.code === 'too_big')
    return c.html(<AiError message={tooLong ? t('ai.write.error_too_long', { max: maxPromptLength }) : t('ai.write.error_prompt')} />, 422)
  }
  const { user, db, accountId } = c.var
  let snippet: { name: string; html: string } | null = null
  if (form.data.snippetId) {
    const row = await getSnippet(db, accountId, form.data.snippetId)
    if (!row) return c.html(<AiError message={t('ai.write.error_snippet')} />, 422)
    snippet = { name: row.name, html: fillSnippet(row.body, { contact: thread.contact, agent: user }) }
  }
  const draft = await withProvider(c, () => providerFor(c.env).draft({ thread, prompt: form.data.prompt, agent: user, snippet, variant: form.data.variant }))
  if (draft instanceof Response) return draft
  return c.html(<DraftResult conversationId={c.req.param('id')} draft={draft} variant={form.data.variant} />)
})
