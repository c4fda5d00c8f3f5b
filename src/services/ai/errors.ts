/** A provider that could not answer; its message is what the agent sees ("The AI provider failed: …"). */
export class AiProviderError extends Error {
  override name = 'AiProviderError'
}
