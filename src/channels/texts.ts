import { currentLocale } from '../i18n'
import { findPlugin } from './registry'
import type { ChannelPlugin, ChannelTexts, FieldText } from './types'

/**
 * A plugin's own texts in the current UI language (its English ones when it has none in that
 * language). Core's catalogs hold nothing of a plugin's: a new channel brings its labels with it.
 */
export function channelTexts(plugin: Pick<ChannelPlugin, 'texts'>): ChannelTexts | undefined {
  const texts = plugin.texts
  if (!texts) return undefined
  return (texts as Record<string, ChannelTexts | undefined>)[currentLocale()] ?? texts.en
}

/** The channel's name as people read it. */
export function channelName(plugin: Pick<ChannelPlugin, 'texts' | 'name'>): string {
  return channelTexts(plugin)?.name ?? plugin.name
}

/** A settings field's label and help; a key the plugin does not describe gets a label made from its name. */
export function fieldText(plugin: Pick<ChannelPlugin, 'texts'> | undefined, key: string): FieldText {
  const own = plugin && channelTexts(plugin)?.fields?.[key]
  if (own) return own
  return { label: key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (first) => first.toUpperCase()) }
}

/** A secret's label and help; else the label the plugin declared with the secret. */
export function secretText(plugin: Pick<ChannelPlugin, 'texts'>, secret: { key: string; label: string }): FieldText {
  return channelTexts(plugin)?.secrets?.[secret.key] ?? { label: secret.label }
}

/** The name of the channel a plugin id stands for; the id itself for a plugin no longer registered. */
export function channelNameOf(pluginId: string): string {
  const plugin = findPlugin(pluginId)
  return plugin ? channelName(plugin) : pluginId
}
