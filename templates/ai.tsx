import { raw } from 'hono/html'
import type { FC } from 'hono/jsx'
import { t } from '../src/i18n'
import type { AiDraft, AiSummary } from '../src/services/ai/provider'

export const maxPromptLength = 1000

/** The sidebar's AI card: which provider answers, and the "Summarize conversation" button. */
export const AiCard: FC<{ conversationId: string; providerLabel: string }> = ({ conversationId, providerLabel }) => (
  <section class="card ai-card" id="card-ai" aria-labelledby="card-ai-title">
    <h2 id="card-ai-title">{t('ai.card.title')}</h2>
    <p class="muted small">{providerLabel}</p>
    <button
      type="button"
      class="button small ai-summarize"
      hx-post={`/conversations/${conversationId}/ai/summary`}
      hx-target={`#ai-summary-${conversationId}`}
      hx-swap="innerHTML"
      hx-indicator={`#ai-summary-${conversationId}`}
    >
      {t('ai.summary.button')}
    </button>
    <div id={`ai-summary-${conversationId}`} class="ai-panel" data-ai-panel aria-live="polite"></div>
  </section>
)

export const AiError: FC<{ message: string }> = ({ message }) => (
  <p class="form-error ai-error" role="alert">
    {message}
  </p>
)

export const SummaryPanel: FC<{ summary: AiSummary }> = ({ summary }) => (
  <div class="ai-summary">
    <p class={`ai-label ai-label-${summary.meta.kind}`}>{summary.meta.label}</p>
    <p class="ai-summary-header">{summary.header}</p>
    {summary.lines.length === 0 ? (
      <p class="muted small">{t('ai.summary.empty')}</p>
    ) : (
      <ul class="ai-summary-lines">
        {summary.lines.map((line) => (
          <li>{line}</li>
        ))}
      </ul>
    )}
  </div>
)

/**
 * "Write for me" in the editor's popover: a prompt and an optional snippet; the answer (below the
 * form) is a preview with a `.picker-item` the editor inserts, and "Generate again".
 */
export const WritePanel: FC<{ conversationId: string; snippets: { id: string; name: string; shortcut: string }[]; providerLabel: string }> = ({
  conversationId,
  snippets,
  providerLabel,
}) => (
  <div class="ai-write" data-ai-panel>
    <form
      id={`ai-write-form-${conversationId}`}
      class="stack"
      hx-post={`/conversations/${conversationId}/ai/write`}
      hx-target={`#ai-write-result-${conversationId}`}
      hx-swap="innerHTML"
    >
      <label>
        {t('ai.write.prompt_label')}
        <textarea name="prompt" rows={3} required maxlength={maxPromptLength} placeholder={t('ai.write.prompt_placeholder')}></textarea>
      </label>
      {snippets.length > 0 && (
        <label>
          {t('ai.write.snippet_label')}
          <select name="snippetId">
            <option value="">{t('ai.write.no_snippet')}</option>
            {snippets.map((snippet) => (
              <option value={snippet.id}>
                {snippet.name} (#{snippet.shortcut})
              </option>
            ))}
          </select>
        </label>
      )}
      <p class="muted small">{providerLabel}</p>
      <button type="submit" class="button primary small">
        {t('ai.write.submit')}
      </button>
    </form>
    <div id={`ai-write-result-${conversationId}`} class="ai-write-result" aria-live="polite"></div>
  </div>
)

export const DraftResult: FC<{ conversationId: string; draft: AiDraft; variant: number }> = ({ conversationId, draft, variant }) => (
  <div class="ai-draft">
    <p class={`ai-label ai-label-${draft.meta.kind}`}>{draft.meta.label}</p>
    {/* Sanitised by sanitizeRichText before it got here: the same HTML the editor will insert. */}
    <div class="ai-draft-preview">{raw(draft.html)}</div>
    <ul class="picker-list">
      <li>
        <button type="button" class="picker-item" data-insert-html={draft.html}>
          <span class="picker-label">{t('ai.write.insert')}</span> <span class="picker-detail">{draft.meta.label}</span>
        </button>
      </li>
    </ul>
    <button
      type="button"
      class="button small ai-again"
      hx-post={`/conversations/${conversationId}/ai/write`}
      hx-include={`#ai-write-form-${conversationId}`}
      hx-vals={JSON.stringify({ variant: variant + 1 })}
      hx-target={`#ai-write-result-${conversationId}`}
      hx-swap="innerHTML"
    >
      {t('ai.write.again')}
    </button>
  </div>
)
