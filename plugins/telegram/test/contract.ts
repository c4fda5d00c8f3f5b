import type { PluginContract } from '../../../test/shared/plugin-fixtures'
import { secretTokenHeader } from '../index'
import { installTelegramStandIn, standInBase, telegramError } from './stand-in'

/** An Update carrying a private text message, as Telegram posts it to the webhook. */
export function textUpdate(updateId: number, messageId: number, text: string, chatId = 700100200) {
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      from: { id: chatId, is_bot: false, first_name: 'Kari', last_name: 'Nordmann', username: 'karin', language_code: 'nb' },
      chat: { id: chatId, first_name: 'Kari', last_name: 'Nordmann', username: 'karin', type: 'private' },
      date: 1764950000,
      text,
    },
  }
}

/** A number from the contract's event id, so each id is a distinct update and message. */
const numberOf = (id: string) => {
  let hash = 0
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000_007
  return hash
}

/** The test workspace's Telegram channel, an Update as Telegram posts it, and the Bot API stand-in. */
export const contract: PluginContract = {
  settings: () => ({ apiBaseUrl: standInBase }),
  secrets: (tag) => ({ botToken: `123456:bot-${tag}`, webhookSecret: `secret-${tag}` }),
  inbound: {
    kind: 'webhook',
    event: (_tag, id) => ({
      body: JSON.stringify(textUpdate(numberOf(id), numberOf(id), 'Is my parcel on its way?')),
      contentType: 'application/json',
    }),
    invalid: () => ({ body: JSON.stringify({ update_id: 'not a number', message: { text: 'no chat' } }), contentType: 'application/json' }),
    // Telegram does not sign the body: it sends back the secret_token given to setWebhook.
    sign: async (tag) => ({ [secretTokenHeader]: `secret-${tag}` }),
    expectText: 'Is my parcel on its way?',
  },
  outbound: {
    standIn() {
      const standIn = installTelegramStandIn()
      return {
        accepted: () => standIn.requests.length - standIn.refused(),
        failNextTemporarily: () => standIn.answerNext(telegramError(429, 'Too Many Requests: retry after 5', { retry_after: 5 })),
        failNextPermanently: () => standIn.answerNext(telegramError(403, 'Forbidden: bot was blocked by the user')),
        restore: () => standIn.restore(),
      }
    },
  },
}
