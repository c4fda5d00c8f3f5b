import { z } from 'zod'
import type { ChannelSetupProps, ExclusiveSetting } from '../../src/channels/types'

/** A site's origin as the widget's page sends it: scheme, host and port, nothing after. */
export const originSetting = z
  .string()
  .url()
  .refine((value) => {
    try {
      const url = new URL(value)
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value.replace(/\/$/, '').toLowerCase()
    } catch {
      return false
    }
  }, 'An origin is a scheme and a host, nothing after it: https://www.example.com')

const originsOf = (settings: unknown): string[] => {
  const origins = (settings as { allowedOrigins?: unknown } | null)?.allowedOrigins
  if (!Array.isArray(origins)) return []
  return origins.flatMap((origin) => {
    try {
      return typeof origin === 'string' ? [new URL(origin).origin] : []
    } catch {
      return []
    }
  })
}

/** A site embeds one chat channel of a workspace: two channels allowing the same origin would leave it unclear which one the site means. */
export const chatExclusive: ExclusiveSetting[] = [{ field: 'allowedOrigins', values: originsOf }]

/** The snippet a site pastes before </body>: this deployment's widget, for this channel. */
export function ChatEmbed({ urls, channel }: ChannelSetupProps) {
  return <script src={`${urls.base}/widget.js`} data-channel={channel.id} async></script>
}
