import type { AiPort } from '../ports'

/**
 * An OpenAI-compatible chat completions endpoint (OpenAI, a local Ollama or llama.cpp server, …)
 * in the shape of the Workers AI binding: `run(model, { messages })` answers `{ response }`.
 */
export function openAiCompatible(options: { baseUrl: string; apiKey?: string }): AiPort {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`
  return {
    label: 'OpenAI-compatible',
    async run(model, input) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}) },
        body: JSON.stringify({ model, messages: input.messages, max_tokens: input.max_tokens, temperature: input.temperature, seed: input.seed }),
      })
      if (!response.ok) throw new Error(`The AI endpoint answered ${response.status}`)
      const body = (await response.json()) as { choices?: { message?: { content?: unknown } }[] }
      const text = body.choices?.[0]?.message?.content
      if (typeof text !== 'string') throw new Error('The AI endpoint answered without a message')
      return { response: text }
    },
  }
}
