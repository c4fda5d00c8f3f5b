import { type ChannelTexts, words } from '../../src/channels/types'

/** The chat channel's texts in every UI language: labels, set-up steps and its own sentences. */
export const chatTexts = {
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
    messages: {
      'settings.origin_format': 'An origin is a scheme and a host, nothing after it: https://www.example.com',
    },
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
    messages: {
      'settings.origin_format': 'Et opphav er protokoll og vert, uten noe etter: https://www.example.com',
    },
  },
} satisfies { en: ChannelTexts; nb: ChannelTexts }

/** The channel's own sentences in the current UI language. */
export const say = words(chatTexts)
