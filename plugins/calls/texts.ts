import { type ChannelTexts, words } from '../../src/channels/types'

/** The calls channel's texts in every UI language: labels, set-up steps and its own sentences. */
export const callsTexts = {
  en: {
    name: 'Calls',
    description: 'Your phone line through Twilio: calls (answered, missed, voicemail) logged as conversations, click-to-call, and answers by SMS.',
    fields: {
      phoneNumber: { label: 'Phone number', help: 'The number callers dial, in international form (+47 …). Calls and texts from here come from it.' },
      accountSid: { label: 'Account SID', help: 'From your Twilio console (starts with AC): needed to call out and to text.' },
      apiBaseUrl: { label: 'API base URL', help: 'Leave as https://api.twilio.com unless your provider offers a Twilio-compatible API elsewhere.' },
      agentPhone: {
        label: 'Agents’ phone',
        help: 'Rings first when an agent without a phone of their own (Profile) clicks Call; then the contact is dialled.',
      },
      sms: { label: 'Number can send SMS', help: 'Agents may answer a caller by text from this number.' },
      defaultCountry: { label: 'Default country', help: 'Two letters (NO, SE …): the country of numbers written without +<country code>.' },
    },
    secrets: { authToken: { label: 'Auth token', help: 'From your Twilio console: it signs the callbacks and authorises calls and texts.' } },
    setup: [
      'In the Twilio console, open the number’s Voice configuration and set “Call status changes” to {webhookUrl} (HTTP POST).',
      'For voicemail, have your call flow record with transcribeCallback pointing at {webhookUrl} too.',
      'Enter the account SID and auth token here; set the agents’ phone to offer Call in the composer.',
    ],
    messages: {
      'provider.busy': 'The phone provider is busy ({detail}).',
      'provider.credentials_refused': 'The phone provider refused the account sid or auth token ({detail}).',
      'provider.sms_refused': 'The phone provider refused the SMS ({detail}).',
      'provider.call_refused': 'The phone provider refused the call ({detail}).',
      'send.not_set_up': 'The calls channel has no account sid or auth token: add them in its settings.',
      'send.no_sms': 'This line’s number does not send SMS.',
      'window.no_sms':
        'This line’s number does not send SMS, so a caller cannot be answered here: call them back, or turn on “Number can send SMS” in the channel’s settings.',
      'reply.no_number': 'This conversation has no phone number to text.',
      'call.no_number': 'The contact has no phone number to call.',
      'call.not_set_up': 'Calling out is not set up on this line.',
      'call.no_agent_phone': 'Add your phone number under your profile (or an agents’ phone on this line): it rings first.',
      'report.not_delivered': 'The SMS was not delivered.',
      'report.not_delivered_because': 'The SMS was not delivered (error {detail}).',
      'settings.phone_format': 'Enter the number in international form, e.g. +4791234567',
      'log.answered': 'Answered call ({length})',
      'log.missed': 'Missed call',
      'log.voicemail': 'Voicemail ({length})',
      'log.outgoing': 'Outgoing call ({length})',
      'log.outgoing_not_answered': 'Outgoing call, not answered ({status})',
      'log.recording': 'Recording: {url}',
      'log.transcript': 'Voicemail transcript:',
    },
  },
  nb: {
    name: 'Anrop',
    description: 'Telefonlinjen din via Twilio: anrop (besvart, tapt, talepost) loggført som samtaler, ring med ett klikk, og svar med SMS.',
    fields: {
      phoneNumber: { label: 'Telefonnummer', help: 'Nummeret som ringes, i internasjonal form (+47 …). Anrop og SMS herfra kommer fra det.' },
      accountSid: { label: 'Konto-SID', help: 'Fra Twilio-konsollen (begynner med AC): trengs for å ringe ut og sende SMS.' },
      apiBaseUrl: {
        label: 'API-adresse',
        help: 'La stå som https://api.twilio.com med mindre leverandøren din har et Twilio-kompatibelt API et annet sted.',
      },
      agentPhone: {
        label: 'Agentenes telefon',
        help: 'Ringer først når en agent uten egen telefon (Profil) trykker Ring; så ringes kontakten.',
      },
      sms: { label: 'Nummeret kan sende SMS', help: 'Agenter kan svare en innringer med SMS fra dette nummeret.' },
      defaultCountry: { label: 'Standardland', help: 'To bokstaver (NO, SE …): landet for numre skrevet uten +<landskode>.' },
    },
    secrets: { authToken: { label: 'Autentiseringstoken', help: 'Fra Twilio-konsollen: det signerer tilbakekallene og gir lov til å ringe og sende SMS.' } },
    setup: [
      'Åpne nummerets Voice-oppsett i Twilio-konsollen og sett «Call status changes» til {webhookUrl} (HTTP POST).',
      'For talepost: la samtaleflyten ta opp med transcribeCallback som peker på {webhookUrl}.',
      'Skriv inn konto-SID og autentiseringstoken her; sett agentenes telefon for å få Ring i svarfeltet.',
    ],
    messages: {
      'provider.busy': 'Telefonleverandøren er opptatt ({detail}).',
      'provider.credentials_refused': 'Telefonleverandøren godtok ikke konto-SID-en eller autentiseringstokenet ({detail}).',
      'provider.sms_refused': 'Telefonleverandøren avviste SMS-en ({detail}).',
      'provider.call_refused': 'Telefonleverandøren avviste anropet ({detail}).',
      'send.not_set_up': 'Anropskanalen mangler konto-SID eller autentiseringstoken: legg dem inn i kanalens innstillinger.',
      'send.no_sms': 'Nummeret til denne linjen kan ikke sende SMS.',
      'window.no_sms':
        'Nummeret til denne linjen kan ikke sende SMS, så innringeren kan ikke få svar her: ring tilbake, eller slå på «Nummeret kan sende SMS» i kanalens innstillinger.',
      'reply.no_number': 'Samtalen har ikke noe telefonnummer å sende SMS til.',
      'call.no_number': 'Kontakten har ikke noe telefonnummer å ringe.',
      'call.not_set_up': 'Utgående anrop er ikke satt opp på denne linjen.',
      'call.no_agent_phone': 'Legg inn telefonnummeret ditt i profilen (eller agentenes telefon på denne linjen): den ringer først.',
      'report.not_delivered': 'SMS-en ble ikke levert.',
      'report.not_delivered_because': 'SMS-en ble ikke levert (feil {detail}).',
      'settings.phone_format': 'Skriv nummeret i internasjonal form, f.eks. +4791234567',
      'log.answered': 'Besvart anrop ({length})',
      'log.missed': 'Tapt anrop',
      'log.voicemail': 'Talepost ({length})',
      'log.outgoing': 'Utgående anrop ({length})',
      'log.outgoing_not_answered': 'Utgående anrop, ikke besvart ({status})',
      'log.recording': 'Opptak: {url}',
      'log.transcript': 'Utskrift av talepost:',
    },
  },
} satisfies { en: ChannelTexts; nb: ChannelTexts }

/** The channel's own sentences in the current UI language. */
export const say = words(callsTexts)
