import type { ChannelCapabilities } from './types'

/**
 * Whether replies on the channel keep their formatting. Only a channel that says `text: 'plain'`
 * loses it (its replies are stored as the text that goes out); an older plugin that declares
 * nothing keeps the editor's HTML as before.
 */
export function sendsRichText(capabilities: ChannelCapabilities): boolean {
  return capabilities.text !== 'plain'
}
