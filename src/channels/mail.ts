import { channelPlugins } from './registry'
import type { ChannelPlugin } from './types'

/**
 * The plugin that carries mail (it declares `emailRouting`): the Worker's email() entry, and the
 * channel mail from an inbox comes from (notifications, new conversations), go through it. Core
 * never names it.
 */
export function mailPlugin(): (ChannelPlugin & { emailRouting: NonNullable<ChannelPlugin['emailRouting']> }) | undefined {
  return channelPlugins.find((plugin) => plugin.emailRouting) as (ChannelPlugin & { emailRouting: NonNullable<ChannelPlugin['emailRouting']> }) | undefined
}

/** The mail plugin's id; one no channel has when none is registered (so a query on it finds nothing). */
export function mailPluginId(): string {
  return mailPlugin()?.id ?? '\u0000none'
}
