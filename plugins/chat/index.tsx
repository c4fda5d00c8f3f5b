import { z } from 'zod'
import { chatflows, defineChannel } from '../../src/channels/types'
import { ChatEmbed, chatChecks, chatExclusive, originSetting } from './setup'

const settings = z.object({
  /** Origins allowed to embed the widget; empty allows none (not even this app's own origin). */
  allowedOrigins: z.array(originSetting).default([]),
  greeting: z.string().max(500).default('Hi! How can we help?'),
  /** Shown instead of the default "leave a message" line while nobody is available. */
  awayMessage: z.string().max(500).optional(),
  /** A chatflow that greets visitors and collects details before a person takes over. */
  chatflow: z.enum(['none', ...chatflows.map((flow) => flow.id)] as [string, ...string[]]).default('none'),
  /** The widget's language: 'auto' follows each visitor's browser. */
  // A stored value this version no longer knows follows the visitor's browser (never a refused widget).
  language: z.enum(['auto', 'en', 'nb']).catch('auto'),
})

/** What a ConversationRoom hands the pipeline for a visitor's message. */
export const chatEvent = z.object({
  visitorId: z.string().min(1).max(64),
  sessionKey: z.string().min(1).max(64),
  clientMessageId: z.string().min(1).max(64),
  name: z.string().max(120).optional(),
  email: z.string().email().max(254).optional(),
  text: z.string().min(1).max(4000),
  /** The widget's language (the channel's, or the visitor's browser's). */
  locale: z.string().max(16).optional(),
  /** A file the visitor sent (the widget's upload; size and type were checked before). */
  file: z.object({ filename: z.string().min(1).max(255), contentType: z.string().max(255), content: z.instanceof(Uint8Array) }).optional(),
})

function ChatIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" class="icon">
      <path d="M4 5h16v11H9l-5 4z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
    </svg>
  )
}

export const chatChannel = defineChannel({
  id: 'chat',
  name: 'Live chat',
  view: 'Chat',
  viewAlwaysShown: true,
  settings,
  capabilities: { outbound: true, realtime: true, attachments: true },
  texts: {
    en: {
      name: 'Live chat',
      description: 'A chat button on your website; visitors’ messages arrive live and agents answer in real time.',
      fields: {
        allowedOrigins: { label: 'Allowed origins', help: 'The sites that may show the widget, one per line (https://www.example.com). Empty allows none.' },
        greeting: { label: 'Greeting', help: 'The first thing a visitor reads.' },
        awayMessage: { label: 'Away message', help: 'Shown while nobody is available (default: ask for their email so you can reply by mail).' },
        chatflow: { label: 'Chatflow', help: 'A bot that greets visitors and asks for their details before a person takes over.' },
        language: { label: 'Widget language (auto follows the visitor’s browser)' },
      },
      setup: [
        'Add your site’s origin to Allowed origins (https://www.example.com, no path).',
        'Paste the embed code below before </body> on every page that should offer chat.',
        'To try it here first, add {baseUrl} to Allowed origins and open the preview.',
      ],
    },
    nb: {
      name: 'Livechat',
      description: 'En chatknapp på nettstedet ditt; meldingene fra besøkende kommer inn live, og agentene svarer med en gang.',
      fields: {
        allowedOrigins: {
          label: 'Tillatte opphav',
          help: 'Nettstedene som kan vise chatvinduet, ett per linje (https://www.example.com). Tomt tillater ingen.',
        },
        greeting: { label: 'Hilsen', help: 'Det første en besøkende leser.' },
        awayMessage: { label: 'Borte-melding', help: 'Vises når ingen er tilgjengelige (standard: be om e-postadressen så dere kan svare på e-post).' },
        chatflow: { label: 'Chatflyt', help: 'En bot som hilser og spør etter kontaktinformasjon før et menneske tar over.' },
        language: { label: 'Språk i chatvinduet (auto følger den besøkendes nettleser)' },
      },
      setup: [
        'Legg nettstedets opphav inn i Tillatte opphav (https://www.example.com, uten sti).',
        'Lim inn koden under før </body> på hver side som skal tilby chat.',
        'For å prøve her først: legg {baseUrl} inn i Tillatte opphav og åpne forhåndsvisningen.',
      ],
    },
  },
  widget: (settings) => ({
    allowedOrigins: settings.allowedOrigins,
    greeting: settings.greeting,
    awayMessage: settings.awayMessage,
    chatflow: settings.chatflow === 'none' ? undefined : settings.chatflow,
    language: settings.language,
  }),
  async parse(input) {
    if (input.type !== 'event') return []
    const event = chatEvent.parse(input.payload)
    return [
      {
        externalId: `${event.visitorId}:${event.clientMessageId}`,
        from: { externalId: event.visitorId, name: event.name, email: event.email, ...(event.locale ? { locale: event.locale } : {}) },
        text: event.text,
        thread: { key: event.sessionKey },
        ...(event.file ? { attachments: [event.file] } : {}),
      },
    ]
  },
  exclusive: chatExclusive,
  checks: chatChecks,
  ui: { Icon: ChatIcon, Embed: ChatEmbed },
})
