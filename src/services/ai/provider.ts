import type { Bindings } from '../../env'
import { hostOf } from '../../host'
import { offlineProvider } from './offline'
import { workersAiProvider, type AiBinding } from './workers-ai'

/**
 * AI assist behind one small interface: "Summarize conversation" and "Write for me" ask a
 * provider, never a particular model. With an `AI` binding (Workers AI) the model answers; without
 * one, the offline provider does — an extractive summariser and a template-based drafting helper
 * that say plainly that no model was involved.
 */

/** One message of a thread as the AI helpers see it: plain text, with who said it. */
export interface AiMessage {
  kind: 'message' | 'comment'
  /** customer: the contact; agent: a teammate; bot: a chatflow or the team's automatic mail. */
  from: 'customer' | 'agent' | 'bot'
  name: string | null
  text: string
  at: number
}

export interface AiThread {
  subject: string | null
  /** The channel's display name (Email, Chat, …). */
  channel: string
  status: 'open' | 'closed'
  contact: { name: string | null; email: string | null } | null
  assignee: string | null
  /** Chronological; hidden messages and activity lines are never passed in. */
  messages: AiMessage[]
}

export interface SummaryInput {
  thread: AiThread
}

export interface DraftInput {
  thread: AiThread
  /** What the agent asked for, in their own words. */
  prompt: string
  agent: { name: string }
  /** A snippet the agent chose; its body is sanitised rich text with placeholders already filled. */
  snippet?: { name: string; html: string } | null
  /** "Generate again" counts up; the offline helper varies its phrasing by it, a model its sampling. */
  variant?: number
}

export interface AiMeta {
  providerId: string
  kind: 'model' | 'offline'
  /** What the panel says the text came from ("Offline summary (extractive, no AI model)", "Workers AI (<model>)"). */
  label: string
  model?: string
}

export interface AiSummary {
  /** Facts, not generated: who, channel, status, how many messages. */
  header: string
  lines: string[]
  meta: AiMeta
}

export interface AiDraft {
  /** Sanitised rich text, ready for the editor. */
  html: string
  meta: AiMeta
}

export interface AiProvider {
  id: string
  label: string
  kind: 'model' | 'offline'
  summarize(input: SummaryInput): Promise<AiSummary>
  draft(input: DraftInput): Promise<AiDraft>
}

export { AiProviderError } from './errors'

export const defaultWorkersAiModel = '@cf/meta/llama-3.1-8b-instruct'

/**
 * The provider for this deployment: Workers AI when the `AI` binding is configured (wrangler.toml
 * `[ai] binding = "AI"`; `AI_MODEL` picks another text-generation model), else the offline one.
 */
export function providerFor(env: Pick<Bindings, 'AI' | 'AI_MODEL' | 'HOST'>): AiProvider {
  const binding = hostOf(env).ai as AiBinding | null
  if (binding && typeof binding.run === 'function') return workersAiProvider(binding, { model: env.AI_MODEL?.trim() || defaultWorkersAiModel })
  return offlineProvider
}
