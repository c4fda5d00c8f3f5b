import { findPlugin } from './registry'
import type { StoredMessage } from './types'

/**
 * The text the thread shows for a channel message: the plugin's `messageText` in the current UI
 * language when it has one for this message, else the stored text (the English fallback written
 * when the message arrived). A plugin that throws is logged and read as having nothing to say, so
 * one bad row never breaks a thread.
 */
export function shownMessageText(message: StoredMessage & { channelPluginId: string | null; kind?: string }): string {
  if (!message.channelPluginId || (message.kind && message.kind !== 'message')) return message.text
  const plugin = findPlugin(message.channelPluginId)
  if (!plugin?.messageText) return message.text
  try {
    const text = plugin.messageText({ text: message.text, direction: message.direction, metadata: message.metadata ?? null })
    return typeof text === 'string' ? text : message.text
  } catch (error) {
    console.error(`channel plugin "${plugin.id}": messageText failed`, error)
    return message.text
  }
}
