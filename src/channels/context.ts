import type { Bindings } from '../env'
import type { Channel } from '../services/inboxes'
import { toChannelRecord } from '../services/inboxes'
import { findPlugin } from './registry'
import type { ChannelContext } from './types'

/** What a plugin gets to work with: its channel, its validated settings, its secrets. */
export function channelContextOf(channel: Channel, env: Bindings, requestUrl?: string): ChannelContext<unknown> {
  const plugin = findPlugin(channel.pluginId)
  const settings = plugin?.settings.safeParse(channel.settings)
  return {
    channel: toChannelRecord(channel),
    // Unvalidated settings are passed through rather than failing an inbound delivery.
    settings: settings?.success ? settings.data : channel.settings,
    secrets: channel.secrets,
    env,
    baseUrl: (env.APP_URL || (requestUrl ? new URL(requestUrl).origin : '')).replace(/\/+$/, '') || null,
  }
}
