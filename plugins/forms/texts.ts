import { type ChannelTexts, words } from '../../src/channels/types'

/** The forms channel's texts in every UI language: labels, set-up steps and its own sentences (a visitor reads those in their browser's language). */
export const formsTexts = {
  en: {
    name: 'Forms',
    description: 'A contact form on your website: each submission becomes a conversation you answer by email.',
    fields: {
      formName: { label: 'Form name', help: 'Names new conversations: “New <form name> submission”.' },
      thankYou: { label: 'Thank-you text', help: 'What a person reads after sending the form.' },
      redirectUrl: { label: 'Redirect url', help: 'Where a browser goes after posting a plain HTML form.' },
      allowedOrigins: { label: 'Allowed origins', help: 'The sites whose pages may post this form, one per line (https://shop.example).' },
    },
    secrets: { serverToken: { label: 'Server token', help: 'Your server posts with the header Authorization: Bearer <token>.' } },
    setup: [
      'Paste the form below into your page (it needs no script), or point your own form’s action at {webhookUrl}.',
      'List the sites the form is on under Allowed origins: a browser’s post from any other site is refused. Your server may post instead (JSON or form data) with the server token.',
      'Send an email field so agents can answer (by email); name, subject, message, files and any other fields are kept.',
      'Your own form: add a hidden, empty field named hp_website; submissions that fill it in are dropped as spam (the form below has it).',
    ],
    messages: {
      'submit.unsupported_type': 'Post the form as multipart/form-data, application/x-www-form-urlencoded or JSON.',
      'submit.too_many_files': 'A submission carries at most {max} files.',
      'submit.file_too_large': 'A file may be at most {max} MB.',
      'submit.too_often': 'Too many submissions from your address; try again in a minute.',
      'submit.invalid_email': 'Enter a valid email address',
      'inbound.empty': '(empty submission)',
    },
  },
  nb: {
    name: 'Skjemaer',
    description: 'Et kontaktskjema på nettstedet ditt: hver innsending blir en samtale du svarer på med e-post.',
    fields: {
      formName: { label: 'Skjemanavn', help: 'Gir navn til nye samtaler, på engelsk som alle emner kanalen lagrer: «New <skjemanavn> submission».' },
      thankYou: { label: 'Takketekst', help: 'Det en person leser etter å ha sendt skjemaet.' },
      redirectUrl: { label: 'Videresendings-URL', help: 'Hvor nettleseren går etter et vanlig HTML-skjema.' },
      allowedOrigins: { label: 'Tillatte opphav', help: 'Nettstedene som kan sende dette skjemaet, ett per linje (https://butikk.example).' },
    },
    secrets: { serverToken: { label: 'Servernøkkel', help: 'Serveren din sender med headeren Authorization: Bearer <nøkkel>.' } },
    setup: [
      'Lim inn skjemaet under på siden din (det trenger ikke skript), eller la ditt eget skjemas action gå til {webhookUrl}.',
      'Før opp nettstedene skjemaet ligger på under Tillatte opphav: en nettlesers innsending fra andre nettsteder avvises. Serveren din kan sende i stedet (JSON eller skjemadata) med servernøkkelen.',
      'Send et e-postfelt så agentene kan svare (på e-post); navn, emne, melding, filer og andre felt tas vare på.',
      'Eget skjema: legg til et skjult, tomt felt som heter hp_website; innsendinger som fyller det ut, forkastes som søppel (skjemaet under har det).',
    ],
    messages: {
      'submit.unsupported_type': 'Send skjemaet som multipart/form-data, application/x-www-form-urlencoded eller JSON.',
      'submit.too_many_files': 'En innsending kan ha høyst {max} filer.',
      'submit.file_too_large': 'En fil kan være på høyst {max} MB.',
      'submit.too_often': 'For mange innsendinger fra adressen din; prøv igjen om et minutt.',
      'submit.invalid_email': 'Skriv inn en gyldig e-postadresse',
      'inbound.empty': '(tom innsending)',
    },
  },
} satisfies { en: ChannelTexts; nb: ChannelTexts }

/** The channel's own sentences in the current UI language. */
export const say = words(formsTexts)
/** What a submission is filed with for everyone (search, previews, the AI): English. */
export const english = words(formsTexts, 'en')
