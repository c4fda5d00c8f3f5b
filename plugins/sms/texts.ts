import { type ChannelTexts, words } from '../../src/channels/types'

/** The SMS channel's texts in every UI language: labels, set-up steps and its own sentences. */
export const smsTexts = {
  en: {
    name: 'SMS',
    description: 'Text messages to your number arrive as conversations; replies go out by SMS (Twilio or a compatible provider).',
    fields: {
      accountSid: { label: 'Account SID', help: 'From your Twilio console (starts with AC).' },
      phoneNumber: { label: 'Phone number', help: 'The number customers text, in international form (+47 …). Replies come from it.' },
      apiBaseUrl: { label: 'API base URL', help: 'Leave as https://api.twilio.com unless your provider offers a Twilio-compatible API elsewhere.' },
      defaultCountry: { label: 'Default country', help: 'Two letters (NO, SE …): the country of numbers written without +<country code>.' },
    },
    secrets: { authToken: { label: 'Auth token', help: 'From your Twilio console: it signs the webhooks and authorises replies.' } },
    setup: [
      'In the Twilio console, open the number’s Messaging configuration.',
      'Set “A message comes in” to Webhook, HTTP POST, {webhookUrl}.',
      'Enter the account SID and auth token here. Replies are sent through the Messages API; delivery reports come back by themselves.',
    ],
    messages: {
      'send.no_token': 'The SMS channel has no auth token: add it in the channel’s settings.',
      'send.busy': 'The SMS provider is busy ({detail}).',
      'send.credentials_refused': 'The SMS provider refused the account sid or auth token ({detail}).',
      'send.refused': 'The SMS provider refused the message ({detail}).',
      'send.unexpected': 'Unexpected answer from the SMS provider ({detail}).',
      'send.too_long': 'An SMS carries at most {max} characters.',
      'reply.no_number': 'This conversation has no phone number to answer.',
      'draft.too_long': 'An SMS carries at most {max} characters; this one has {length}.',
      'report.not_delivered': 'The SMS was not delivered.',
      'report.not_delivered_because': 'The SMS was not delivered (error {detail}).',
      'settings.phone_format': 'Enter the number in international form, e.g. +4791234567',
      'inbound.picture_not_shown': '(1 picture not shown)',
      'inbound.pictures_not_shown': '({count} pictures not shown)',
      'inbound.empty': '(empty message)',
    },
  },
  nb: {
    name: 'SMS',
    description: 'SMS til nummeret ditt kommer inn som samtaler; svar sendes som SMS (Twilio eller en kompatibel leverandør).',
    fields: {
      accountSid: { label: 'Konto-SID', help: 'Fra Twilio-konsollen (begynner med AC).' },
      phoneNumber: { label: 'Telefonnummer', help: 'Nummeret kundene sender SMS til, i internasjonal form (+47 …). Svar sendes fra det.' },
      apiBaseUrl: {
        label: 'API-adresse',
        help: 'La stå som https://api.twilio.com med mindre leverandøren din har et Twilio-kompatibelt API et annet sted.',
      },
      defaultCountry: { label: 'Standardland', help: 'To bokstaver (NO, SE …): landet for numre skrevet uten +<landskode>.' },
    },
    secrets: { authToken: { label: 'Autentiseringstoken', help: 'Fra Twilio-konsollen: det signerer webhookene og gir lov til å sende svar.' } },
    setup: [
      'Åpne nummerets Messaging-oppsett i Twilio-konsollen.',
      'Sett «A message comes in» til Webhook, HTTP POST, {webhookUrl}.',
      'Skriv inn konto-SID og autentiseringstoken her. Svar sendes gjennom Messages-API-et; leveringsrapporter kommer tilbake av seg selv.',
    ],
    messages: {
      'send.no_token': 'SMS-kanalen mangler autentiseringstoken: legg det inn i kanalens innstillinger.',
      'send.busy': 'SMS-leverandøren er opptatt ({detail}).',
      'send.credentials_refused': 'SMS-leverandøren godtok ikke konto-SID-en eller autentiseringstokenet ({detail}).',
      'send.refused': 'SMS-leverandøren avviste meldingen ({detail}).',
      'send.unexpected': 'Uventet svar fra SMS-leverandøren ({detail}).',
      'send.too_long': 'En SMS kan ha høyst {max} tegn.',
      'reply.no_number': 'Samtalen har ikke noe telefonnummer å svare til.',
      'draft.too_long': 'En SMS kan ha høyst {max} tegn; denne har {length}.',
      'report.not_delivered': 'SMS-en ble ikke levert.',
      'report.not_delivered_because': 'SMS-en ble ikke levert (feil {detail}).',
      'settings.phone_format': 'Skriv nummeret i internasjonal form, f.eks. +4791234567',
      'inbound.picture_not_shown': '(1 bilde vises ikke)',
      'inbound.pictures_not_shown': '({count} bilder vises ikke)',
      'inbound.empty': '(tom melding)',
    },
  },
} satisfies { en: ChannelTexts; nb: ChannelTexts }

/** The SMS channel's own sentences in the current UI language. */
export const say = words(smsTexts)
