import { type ChannelTexts, words } from '../../src/channels/types'

/** The email channel's texts in every UI language: labels, set-up steps and its own sentences. */
export const emailTexts = {
  en: {
    name: 'Email',
    description: 'Mail to your support addresses becomes conversations; replies go out by email.',
    fields: {
      addresses: {
        label: 'Addresses',
        help: 'The support address first (replies come from it), then any aliases this channel also receives at, one per line.',
      },
      fromName: { label: 'From name', help: 'The name customers see on replies (the inbox’s name when empty).' },
    },
    messages: {
      'send.no_mail_sender': 'No mail sender is configured (wrangler.toml [[send_email]], or SMTP_URL on the self-host).',
      'send.no_sending_address': 'This email channel has no valid sending address in its settings.',
      'send.no_contact_address': 'The contact has no email address to send to.',
      'recipients.too_long': 'That is too many recipients.',
      'recipients.invalid': '“{address}” is not an email address.',
      'recipients.none': 'Add at least one recipient.',
      'recipients.too_many': 'Send to at most {max} recipients at once.',
      'inbound.unreadable': 'This message could not be read ({reason}). The original .eml can be downloaded.',
      'inbound.too_large': 'it is larger than {mib} MiB',
    },
  },
  nb: {
    name: 'E-post',
    description: 'E-post til kundeservice-adressene blir samtaler; svar sendes som e-post.',
    fields: {
      addresses: {
        label: 'Adresser',
        help: 'Kundeservice-adressen først (svar sendes fra den), så eventuelle alias kanalen også tar imot på, én per linje.',
      },
      fromName: { label: 'Avsendernavn', help: 'Navnet kundene ser på svar (innboksens navn når tomt).' },
    },
    messages: {
      'send.no_mail_sender': 'Ingen e-postavsender er satt opp (wrangler.toml [[send_email]], eller SMTP_URL på egen server).',
      'send.no_sending_address': 'E-postkanalen har ingen gyldig avsenderadresse i innstillingene.',
      'send.no_contact_address': 'Kontakten har ingen e-postadresse å sende til.',
      'recipients.too_long': 'Det er for mange mottakere.',
      'recipients.invalid': '«{address}» er ikke en e-postadresse.',
      'recipients.none': 'Legg til minst én mottaker.',
      'recipients.too_many': 'Send til høyst {max} mottakere om gangen.',
      'inbound.unreadable': 'Meldingen kunne ikke leses ({reason}). Den opprinnelige .eml-filen kan lastes ned.',
      'inbound.too_large': 'den er større enn {mib} MiB',
    },
  },
} satisfies { en: ChannelTexts; nb: ChannelTexts }

/** The channel's own sentences in the current UI language. */
export const say = words(emailTexts)
/** What is filed for everyone (search, previews, the AI): English. */
export const english = words(emailTexts, 'en')
