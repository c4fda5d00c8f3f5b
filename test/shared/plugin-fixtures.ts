import { channelPlugins } from '../../src/channels/registry'
import type { ChannelPlugin, InboundInput } from '../../src/channels/types'

/**
 * What a plugin gives the shared tests, in plugins/<id>/test/contract.ts (`export const contract`).
 * `tag` is unique per test workspace: use it wherever two workspaces must not collide (addresses,
 * page ids, tokens).
 */
export interface PluginContract {
  /** Settings the plugin's schema accepts, for a channel in a fresh test workspace. */
  settings(tag: string): Record<string, unknown>
  /** The channel's secrets (webhook tokens, API keys) in that workspace. */
  secrets?(tag: string): Record<string, string>
  /** How one real message arrives, so the shared suite can deliver it, twice, and badly. */
  inbound?: ContractWebhook | ContractInput
  /** A stand-in for the provider the plugin's `send` calls (never the internet). */
  outbound?: { standIn(): ContractStandIn }
}

/** A channel whose provider calls POST /channels/<channel id>/inbound. */
export interface ContractWebhook {
  kind: 'webhook'
  /** One event as the provider sends it; `id` makes it a distinct event (a new message id). */
  event(tag: string, id: string): { body: string; contentType: string }
  /** A well-formed request the plugin must refuse (a required field missing, a wrong type). */
  invalid(tag: string): { body: string; contentType: string }
  /** The headers that sign `body` sent to `url` (the full URL), as the provider signs it. */
  sign(tag: string, url: string, body: string): Promise<Record<string, string>>
  /** The text the conversation shows for `event`. */
  expectText: string
}

/** A channel whose messages reach `parse` in another way (an Email Worker, a Durable Object). */
export interface ContractInput {
  kind: 'input'
  input(tag: string, id: string): InboundInput
  expectText: string
}

/** The provider as a test controls it: what reached it, and how its next answer fails. */
export interface ContractStandIn {
  /** Bindings to use instead of the test environment's (a provider reached through a binding). */
  env?: Partial<Cloudflare.Env>
  /** How many messages the provider accepted. */
  accepted(): number
  /** The next send fails in a way a retry can fix (a rate limit, an outage). */
  failNextTemporarily(): void
  /** The next send fails for good (an unknown recipient); undefined when the provider has no such answer. */
  failNextPermanently?(): void
  restore(): void
}

// Found by file name, so a new plugin's tests need no line in core (Vite resolves the glob when it bundles the tests).
const found = import.meta.glob<PluginContract>('../../plugins/*/test/contract.ts', { eager: true, import: 'contract' })

/** The contract fixtures of a registered plugin; undefined when its folder has none. */
export function contractOf(plugin: Pick<ChannelPlugin, 'id'>): PluginContract | undefined {
  return found[`../../plugins/${plugin.id}/test/contract.ts`]
}

/** Every registered plugin with its fixtures (a plugin without them is listed too: the contract suite fails it). */
export function registeredPlugins(): { plugin: ChannelPlugin; contract: PluginContract | undefined }[] {
  return channelPlugins.map((plugin) => ({ plugin, contract: contractOf(plugin) }))
}
