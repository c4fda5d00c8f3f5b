import { type ChannelTexts, words } from '../../src/channels/types'

/** Messenger's texts in every UI language: labels, set-up steps and its own sentences. */
export const messengerTexts = {
  en: {
    name: 'Facebook Messenger',
    description: 'Messages to your Facebook page arrive as conversations.',
    fields: {
      pageId: { label: 'Page id', help: 'The numeric id of the Facebook page whose messages arrive here.' },
      pageName: { label: 'Page name' },
      verifyToken: { label: 'Verify token', help: 'Any string of 8 or more characters; enter the same one in Meta’s webhook settings.' },
      graphApiUrl: { label: 'Graph API URL', help: 'Leave as https://graph.facebook.com.' },
      humanAgent: {
        label: 'Human Agent permission',
        help: 'Turn on only if Meta granted your page Human Agent: agents may then answer for 7 days after the customer’s last message instead of 24 hours.',
      },
      appId: { label: 'App id', help: 'Your Meta app’s id: echoes of replies sent from here are recognised as ours.' },
    },
    secrets: {
      appSecret: { label: 'App secret (signs Meta’s webhooks)', help: 'From your Meta app’s Basic settings.' },
      pageAccessToken: {
        label: 'Page access token',
        help: 'Generated for the page in the Messenger settings of your Meta app: replies and profiles use it.',
      },
    },
    setup: [
      'In your Meta app, add the Messenger product and subscribe the page to the messages field.',
      'Callback URL: {webhookUrl} (the handshake and the events both use it).',
      'Use the verify token entered here, and paste the app secret and the page access token below.',
      'Subscribe the page to messages, message_echoes, message_deliveries, message_reads, messaging_postbacks.',
    ],
    messages: {
      'window.never_wrote': 'Messenger only allows a page to answer a customer who has written to it; this customer has not written yet.',
      'window.hours': '{hours} hours',
      'window.days': '{days} days',
      'window.closed_human_agent_possible':
        'Messenger only allows replies within 24 hours of the customer’s last message ({since} ago). If your page has the Human Agent permission, turn it on in the channel’s settings to answer within 7 days.',
      'window.closed_24_hours':
        'Messenger only allows replies within 24 hours of the customer’s last message ({since} ago). The customer has to write again before you can answer.',
      'window.closed_7_days':
        'Messenger only allows replies within 7 days of the customer’s last message ({since} ago). The customer has to write again before you can answer.',
      'reply.no_recipient': 'This conversation has no Messenger recipient to answer.',
      'send.no_token': 'The Messenger channel has no page access token: add it in the channel’s settings.',
      'send.outside_window': 'Messenger refused the reply: The message is outside Messenger’s messaging window ({detail}).',
      'send.person_unavailable': 'Messenger refused the reply: This person isn’t available on Messenger right now ({detail}).',
      'send.rate_limited': 'Messenger is limiting the page’s sending rate ({detail}).',
      'send.unavailable': 'Messenger is unavailable ({detail}).',
      'send.token_refused': 'Messenger refused the page access token: enter a new one in the channel’s settings ({detail}).',
      'send.refused': 'Messenger refused the reply ({detail}).',
      'send.files_not_sent': '{reason} The text went; the files did not.',
      'inbound.not_downloaded': '({type} could not be downloaded)',
      'inbound.button': '(button)',
      'inbound.empty': '(empty message)',
    },
  },
  nb: {
    name: 'Facebook Messenger',
    description: 'Meldinger til Facebook-siden din kommer inn som samtaler.',
    fields: {
      pageId: { label: 'Side-ID', help: 'Den numeriske ID-en til Facebook-siden som meldingene kommer fra.' },
      pageName: { label: 'Sidenavn' },
      verifyToken: { label: 'Verifiseringstoken', help: 'En streng på minst 8 tegn; skriv den samme i Metas webhook-innstillinger.' },
      graphApiUrl: { label: 'Graph API-adresse', help: 'La stå som https://graph.facebook.com.' },
      humanAgent: {
        label: 'Human Agent-tillatelse',
        help: 'Slå på bare hvis Meta har gitt siden Human Agent: da kan agenter svare i 7 dager etter kundens siste melding i stedet for 24 timer.',
      },
      appId: { label: 'App-ID', help: 'ID-en til Meta-appen din: ekko av svar sendt herfra kjennes igjen som våre.' },
    },
    secrets: {
      appSecret: { label: 'Apphemmelighet (signerer Metas webhooks)', help: 'Fra Basic settings i Meta-appen din.' },
      pageAccessToken: { label: 'Sidetilgangstoken', help: 'Lages for siden i Messenger-innstillingene i Meta-appen: svar og profiler bruker det.' },
    },
    setup: [
      'I Meta-appen: legg til Messenger og abonner siden på feltet messages.',
      'Callback-URL: {webhookUrl} (både håndtrykket og hendelsene bruker den).',
      'Bruk verifiseringstokenet du skrev her, og lim inn apphemmeligheten og sidetilgangstokenet under.',
      'Abonner siden på messages, message_echoes, message_deliveries, message_reads, messaging_postbacks.',
    ],
    messages: {
      'window.never_wrote': 'Messenger lar en side bare svare kunder som har skrevet til den, og denne kunden har ikke skrevet ennå.',
      'window.hours': '{hours} timer',
      'window.days': '{days} dager',
      'window.closed_human_agent_possible':
        'Messenger tillater bare svar innen 24 timer etter kundens siste melding (for {since} siden). Har siden Human Agent-tillatelse, kan du slå den på i kanalens innstillinger og svare i 7 dager.',
      'window.closed_24_hours':
        'Messenger tillater bare svar innen 24 timer etter kundens siste melding (for {since} siden). Kunden må skrive igjen før du kan svare.',
      'window.closed_7_days':
        'Messenger tillater bare svar innen 7 dager etter kundens siste melding (for {since} siden). Kunden må skrive igjen før du kan svare.',
      'reply.no_recipient': 'Samtalen har ingen Messenger-mottaker å svare til.',
      'send.no_token': 'Messenger-kanalen mangler sidetilgangstoken: legg det inn i kanalens innstillinger.',
      'send.outside_window': 'Messenger avviste svaret: meldingen er utenfor Messengers meldingsvindu ({detail}).',
      'send.person_unavailable': 'Messenger avviste svaret: personen er ikke tilgjengelig på Messenger akkurat nå ({detail}).',
      'send.rate_limited': 'Messenger begrenser hvor fort siden kan sende ({detail}).',
      'send.unavailable': 'Messenger er utilgjengelig ({detail}).',
      'send.token_refused': 'Messenger avviste sidetilgangstokenet: legg inn et nytt i kanalens innstillinger ({detail}).',
      'send.refused': 'Messenger avviste svaret ({detail}).',
      'send.files_not_sent': '{reason} Teksten ble sendt, men ikke filene.',
      'inbound.not_downloaded': '({type} kunne ikke lastes ned)',
      'inbound.button': '(knapp)',
      'inbound.empty': '(tom melding)',
    },
  },
} satisfies { en: ChannelTexts; nb: ChannelTexts }

/** The channel's own sentences in the current UI language. */
export const say = words(messengerTexts)
