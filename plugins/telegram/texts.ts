import { type ChannelTexts, words } from '../../src/channels/types'

/** The Telegram channel's texts in every UI language: labels, set-up steps and its own sentences. */
export const telegramTexts = {
  en: {
    name: 'Telegram',
    description: 'Messages to your Telegram bot arrive as conversations; replies go out from the bot.',
    fields: {
      apiBaseUrl: { label: 'Bot API URL', help: 'Leave as https://api.telegram.org unless you run your own Bot API server.' },
    },
    secrets: {
      botToken: { label: 'Bot token', help: 'The token @BotFather gave when you created the bot (123456:ABC…). It authorises replies.' },
      webhookSecret: {
        label: 'Webhook secret token',
        help: '1–256 letters, digits, _ or -, chosen by you. Give the same value to setWebhook as secret_token; Telegram sends it with every update.',
      },
    },
    setup: [
      'Create a bot with @BotFather in Telegram and copy its token into Bot token.',
      'Choose a long random secret token (letters, digits, _ and -) and enter it as Webhook secret token.',
      'Point the bot at this channel: curl -X POST https://api.telegram.org/bot<bot token>/setWebhook -d url={webhookUrl} -d secret_token=<secret token> -d allowed_updates=["message"]',
      'Check with https://api.telegram.org/bot<bot token>/getWebhookInfo: the url is {webhookUrl} and there is no last_error_message. Then send the bot a message.',
    ],
    messages: {
      'send.no_token': 'The Telegram channel has no bot token: add it in the channel’s settings.',
      'send.rate_limited': 'Telegram is rate limiting the bot ({detail}).',
      'send.unavailable': 'Telegram is unavailable ({detail}).',
      'send.refused': '{detail}',
      'send.token_refused': 'Telegram refused the bot token ({detail}).',
      'send.unexpected': 'Unexpected answer from Telegram ({detail}).',
      'send.too_long': 'A Telegram message carries at most {max} characters.',
      'reply.no_chat': 'This conversation has no Telegram chat to answer.',
      'inbound.not_shown.photo': '(photo not shown)',
      'inbound.not_shown.document': '(document not shown)',
      'inbound.not_shown.sticker': '(sticker not shown)',
      'inbound.not_shown.voice': '(voice message not shown)',
      'inbound.not_shown.video': '(video not shown)',
      'inbound.not_shown.audio': '(audio not shown)',
      'inbound.not_shown.location': '(location not shown)',
      'inbound.not_shown.contact': '(contact not shown)',
      'inbound.empty': '(empty message)',
    },
  },
  nb: {
    name: 'Telegram',
    description: 'Meldinger til Telegram-boten din kommer inn som samtaler; svar sendes fra boten.',
    fields: {
      apiBaseUrl: { label: 'Bot API-adresse', help: 'La stå som https://api.telegram.org med mindre du kjører din egen Bot API-server.' },
    },
    secrets: {
      botToken: { label: 'Bot-token', help: 'Tokenet @BotFather ga da du opprettet boten (123456:ABC…). Det gir lov til å sende svar.' },
      webhookSecret: {
        label: 'Hemmelig webhook-token',
        help: '1–256 bokstaver, sifre, _ eller -, valgt av deg. Gi samme verdi til setWebhook som secret_token; Telegram sender det med hver oppdatering.',
      },
    },
    setup: [
      'Opprett en bot med @BotFather i Telegram og lim inn tokenet som Bot-token.',
      'Velg et langt, tilfeldig hemmelig token (bokstaver, sifre, _ og -) og skriv det inn som Hemmelig webhook-token.',
      'Koble boten til denne kanalen: curl -X POST https://api.telegram.org/bot<bot-token>/setWebhook -d url={webhookUrl} -d secret_token=<hemmelig token> -d allowed_updates=["message"]',
      'Sjekk med https://api.telegram.org/bot<bot-token>/getWebhookInfo: url er {webhookUrl} og det er ingen last_error_message. Send så boten en melding.',
    ],
    messages: {
      'send.no_token': 'Telegram-kanalen mangler bot-token: legg det inn i kanalens innstillinger.',
      'send.rate_limited': 'Telegram begrenser hvor fort boten kan sende ({detail}).',
      'send.unavailable': 'Telegram er utilgjengelig ({detail}).',
      'send.refused': 'Telegram avviste meldingen ({detail}).',
      'send.token_refused': 'Telegram avviste bot-tokenet ({detail}).',
      'send.unexpected': 'Uventet svar fra Telegram ({detail}).',
      'send.too_long': 'En Telegram-melding kan ha høyst {max} tegn.',
      'reply.no_chat': 'Samtalen har ingen Telegram-chat å svare til.',
      'inbound.not_shown.photo': '(bilde vises ikke)',
      'inbound.not_shown.document': '(dokument vises ikke)',
      'inbound.not_shown.sticker': '(klistremerke vises ikke)',
      'inbound.not_shown.voice': '(talemelding vises ikke)',
      'inbound.not_shown.video': '(video vises ikke)',
      'inbound.not_shown.audio': '(lydfil vises ikke)',
      'inbound.not_shown.location': '(posisjon vises ikke)',
      'inbound.not_shown.contact': '(kontakt vises ikke)',
      'inbound.empty': '(tom melding)',
    },
  },
} satisfies { en: ChannelTexts; nb: ChannelTexts }

/** The channel's own sentences in the current UI language. */
export const say = words(telegramTexts)
