import { t } from '../../i18n'
import { plainToRichText, sanitizeRichText } from '../../lib/rich-text'
import { ownText, speakerOf, summaryHeader } from './offline'
import { AiProviderError } from './errors'
import type { AiDraft, AiProvider, AiSummary, AiThread, DraftInput, SummaryInput } from './provider'

/**
 * Workers AI through the `AI` binding: `env.AI.run(model, { messages })` answers
 * `{ response: string }` for text-generation models. The thread goes in as plain text (quoted
 * history cut, hidden messages never included); what comes back is treated as untrusted text:
 * escaped, turned into paragraphs, sanitised.
 */

/** The part of the binding we use (the real one is typed `Ai` in @cloudflare/workers-types). */
export interface AiBinding {
  run(
    model: string,
    input: { messages: { role: 'system' | 'user' | 'assistant'; content: string }[]; max_tokens?: number; temperature?: number; seed?: number },
  ): Promise<unknown>
}

export const workersAiTimeoutMs = 20_000
/** About 24k characters of thread: well inside an 8B model's context, newest messages kept. */
const maxThreadCharacters = 24_000

function transcriptOf(thread: AiThread): string {
  const lines = thread.messages.map((message) => `${speakerOf(message)}: ${ownText(message.text).replace(/\s+/g, ' ').trim()}`)
  let total = 0
  const kept: string[] = []
  for (const line of [...lines].reverse()) {
    total += line.length + 1
    if (total > maxThreadCharacters) break
    kept.unshift(line)
  }
  return [`Subject: ${thread.subject ?? '(none)'}`, `Channel: ${thread.channel}`, ...kept].join('\n')
}

function textOf(result: unknown): string {
  // Text generation answers { response }; the REST shape wraps it in { result }.
  const candidate = (result as { response?: unknown; result?: { response?: unknown } } | null) ?? null
  const text = typeof candidate?.response === 'string' ? candidate.response : typeof candidate?.result?.response === 'string' ? candidate.result.response : null
  if (text === null || !text.trim()) throw new AiProviderError(t('ai.error.failed', { reason: t('ai.error.empty') }))
  return text.trim()
}

async function runWithTimeout(binding: AiBinding, model: string, input: Parameters<AiBinding['run']>[1], timeoutMs: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AiProviderError(t('ai.error.failed', { reason: t('ai.error.timeout', { seconds: Math.round(timeoutMs / 1000) }) }))),
      timeoutMs,
    )
  })
  try {
    return textOf(await Promise.race([binding.run(model, input), timeout]))
  } catch (error) {
    if (error instanceof AiProviderError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new AiProviderError(t('ai.error.failed', { reason: reason.slice(0, 300) || t('ai.error.unknown') }))
  } finally {
    clearTimeout(timer)
  }
}

/**
 * `service` names where the model runs, for the panel: the binding's own label (the self-host's
 * "OpenAI-compatible") or Workers AI.
 */
export function workersAiProvider(binding: AiBinding & { label?: string }, options: { model: string; timeoutMs?: number }): AiProvider {
  const { model } = options
  const timeoutMs = options.timeoutMs ?? workersAiTimeoutMs
  const service = binding.label ?? 'Workers AI'
  const id = binding.label ? binding.label.toLowerCase().replace(/[^a-z0-9]+/g, '-') : 'workers-ai'
  const label = () => t('ai.provider.model', { service, model })
  const meta = () => ({ providerId: id, kind: 'model' as const, label: label(), model })
  return {
    id,
    get label() {
      return label()
    },
    kind: 'model',
    async summarize(input: SummaryInput): Promise<AiSummary> {
      const text = await runWithTimeout(
        binding,
        model,
        {
          messages: [
            {
              role: 'system',
              content:
                'You summarise customer-support conversations for the support agents. Write 3 to 6 short lines, each starting with who said it ' +
                '(as labelled in the transcript), keeping order numbers, dates and amounts exactly. State only what the transcript says. ' +
                'End with one line "Open question: …" if the customer is still waiting for something. Plain text, no markdown.',
            },
            { role: 'user', content: transcriptOf(input.thread) },
          ],
          max_tokens: 400,
          temperature: 0.2,
        },
        timeoutMs,
      )
      const lines = text
        .split('\n')
        .map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
        .filter(Boolean)
        .slice(0, 12)
      return { header: summaryHeader(input.thread), lines, meta: meta() }
    },
    async draft(input: DraftInput): Promise<AiDraft> {
      const contactName = input.thread.contact?.name ?? 'the customer'
      const text = await runWithTimeout(
        binding,
        model,
        {
          messages: [
            {
              role: 'system',
              content:
                `You write replies for ${input.agent.name}, a customer-support agent, to ${contactName}. Follow the agent's instructions, ` +
                "answer the customer's latest question, be brief and friendly, and never promise what the instructions do not say. " +
                `Start with a greeting, end with a sign-off from ${input.agent.name.split(' ')[0]}. Plain text, no markdown.` +
                (input.snippet
                  ? ` Work this saved answer in: ${input.snippet.html
                      .replace(/<[^>]+>/g, ' ')
                      .replace(/\s+/g, ' ')
                      .trim()}`
                  : ''),
            },
            { role: 'user', content: `Conversation:\n${transcriptOf(input.thread)}\n\nInstructions from the agent: ${input.prompt}` },
          ],
          max_tokens: 600,
          temperature: 0.7,
          seed: input.variant ?? 0,
        },
        timeoutMs,
      )
      return { html: sanitizeRichText(plainToRichText(text)), meta: meta() }
    },
  }
}
