import { z } from 'zod'
import type { ChannelContext, ChannelSetupProps, ExclusiveSetting, SetupCheck } from '../../src/channels/types'
import { say } from './texts'

/** A site's origin as the widget's page sends it: scheme, host and port, nothing after. */
export const originSetting = z
  .string()
  .url()
  .refine(
    (value) => {
      try {
        const url = new URL(value)
        return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value.replace(/\/$/, '').toLowerCase()
      } catch {
        return false
      }
    },
    { error: () => say('settings.origin_format') },
  )

// Pages on this machine (a developer's test page) are nobody's site: any channel may allow them.
const loopback = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/

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

/**
 * A site embeds one chat channel of a workspace: two channels allowing the same origin would leave
 * it unclear which one the site means. Local test pages and this deployment (core leaves its own
 * origin out) are exempt: the preview of every channel is there.
 */
export const chatExclusive: ExclusiveSetting[] = [
  { field: 'allowedOrigins', values: (settings) => originsOf(settings).filter((origin) => !loopback.test(origin)) },
]

/** The snippet a site pastes before </body>: this deployment's widget, for this channel. */
export function ChatEmbed({ urls, channel }: ChannelSetupProps) {
  return <script src={`${urls.base}/widget.js`} data-channel={channel.id} async></script>
}

const checkWords = {
  en: {
    none: 'No allowed origins yet: the widget shows on no site. Add your site’s origin.',
    some: (origins: string[]) => `The widget may be embedded on ${origins.join(', ')}.`,
    preview: (base: string) => `${base} is allowed too: the preview page shows the widget.`,
    noPreview: (base: string) => `To try the widget on the preview page, add ${base} to Allowed origins.`,
  },
  nb: {
    none: 'Ingen tillatte opphav ennå: chatvinduet vises ikke på noe nettsted. Legg til nettstedets opphav.',
    some: (origins: string[]) => `Chatvinduet kan bygges inn på ${origins.join(', ')}.`,
    preview: (base: string) => `${base} er også tillatt: forhåndsvisningen viser chatvinduet.`,
    noPreview: (base: string) => `For å prøve chatvinduet på forhåndsvisningen, legg ${base} inn i Tillatte opphav.`,
  },
}

/** Where the widget may show, and whether the preview on this deployment can show it. */
export function chatChecks(ctx: ChannelContext<unknown>, locale: 'en' | 'nb'): SetupCheck[] {
  const say = checkWords[locale]
  const origins = originsOf(ctx.settings)
  if (origins.length === 0) return [{ status: 'problem', text: say.none }]
  const checks: SetupCheck[] = [{ status: 'ok', text: say.some(origins) }]
  if (ctx.baseUrl) {
    const base = new URL(ctx.baseUrl).origin
    checks.push(origins.includes(base) ? { status: 'ok', text: say.preview(base) } : { status: 'unknown', text: say.noPreview(base) })
  }
  return checks
}
