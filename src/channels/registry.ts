import { callsChannel } from '../../plugins/calls'
import { chatChannel } from '../../plugins/chat'
import { emailChannel } from '../../plugins/email'
import { formsChannel } from '../../plugins/forms'
import { messengerChannel } from '../../plugins/messenger'
import { smsChannel } from '../../plugins/sms'
import { telegramChannel } from '../../plugins/telegram'
import { channelName } from './texts'
import type { ChannelPlugin } from './types'

// Workers cannot discover files at run time: a new channel is one import and one entry here.
export const channelPlugins: readonly ChannelPlugin[] = [
  chatChannel,
  emailChannel,
  messengerChannel,
  formsChannel,
  callsChannel,
  smsChannel,
  telegramChannel,
] as readonly ChannelPlugin[]

export function findPlugin(pluginId: string): ChannelPlugin | undefined {
  return channelPlugins.find((plugin) => plugin.id === pluginId)
}

/** The name of the channel a plugin id stands for; the id itself for a plugin no longer registered. */
export function channelNameOf(pluginId: string): string {
  const plugin = findPlugin(pluginId)
  return plugin ? channelName(plugin) : pluginId
}
