import { z } from 'zod'
import { constantTimeEqualText, defineChannel, type ChannelContext, type InboundMessage, type SendOutcome } from '../../src/channels/types'
import { filedTelegram, mediaKinds, telegramMessageText } from './inbound-text'
import { say, telegramTexts } from './texts'

/** The longest text one Telegram message carries (sendMessage's limit, after entity parsing). */
export const maxTelegramLength = 4096

export const telegramSettings = z.object({
  /** Where the Bot API lives: Telegram's, or a local Bot API server (a stand-in in tests). */
  apiBaseUrl: z.string().url().default('https://api.telegram.org'),
})
type TelegramSettings = z.infer<typeof telegramSettings>

/** The header Telegram sets on every webhook call to the secret_token given to setWebhook. */
export const secretTokenHeader = 'X-Telegram-Bot-Api-Secret-Token'

/** A Telegram user (the sender of a message). Only what we read. */
const user = z.object({
  id: z.number().int(),
  is_bot: z.boolean().optional(),
  first_name: z.string().max(256),
  last_name: z.string().max(256).optional(),
  username: z.string().max(64).optional(),
  language_code: z.string().max(35).optional(),
})

/** A chat: private (the user's id), a group or supergroup (negative ids), or a channel. */
const chat = z.object({
  id: z.number().int(),
  type: z.string().max(32),
  title: z.string().max(256).optional(),
  username: z.string().max(64).optional(),
  first_name: z.string().max(256).optional(),
  last_name: z.string().max(256).optional(),
})

/** One message of an update. Telegram sends many more fields; the rest are ignored. */
const message = z.object({
  message_id: z.number().int(),
  /** Absent for messages sent on behalf of a chat (anonymous group admins, linked channels). */
  from: user.optional(),
  chat,
  /** Unix time, in seconds. */
  date: z.number().int().nonnegative(),
  text: z
    .string()
    .max(maxTelegramLength * 2)
    .optional(),
  caption: z.string().max(maxTelegramLength).optional(),
  photo: z.array(z.unknown()).optional(),
  document: z.unknown().optional(),
  sticker: z.unknown().optional(),
  voice: z.unknown().optional(),
  video: z.unknown().optional(),
  audio: z.unknown().optional(),
  location: z.unknown().optional(),
  contact: z.unknown().optional(),
})
type TelegramMessage = z.infer<typeof message>

/** An Update: exactly one of its optional fields is set; we take `message` and ignore the other kinds. */
const update = z.object({ update_id: z.number().int(), message: message.optional() })

/** The Bot API's answer to every method. */
const apiAnswer = z.object({
  ok: z.boolean(),
  result: z.object({ message_id: z.number().int() }).passthrough().optional(),
  error_code: z.number().int().optional(),
  description: z.string().max(1000).optional(),
  parameters: z.object({ retry_after: z.number().nonnegative().optional() }).passthrough().optional(),
})

/** The id a Telegram message keeps here: message ids are unique only within their chat. */
export const telegramMessageId = (chatId: number | string, messageId: number) => `telegram:${chatId}:${messageId}`

/** The stored text (English, for search, previews and the AI) and what the thread remakes our notes from (`messageText`). */
function textOf(msg: TelegramMessage) {
  const kind = mediaKinds.find((key) => msg[key] !== undefined) ?? null
  return filedTelegram((msg.text ?? msg.caption ?? '').slice(0, maxTelegramLength), kind)
}

function senderOf(msg: TelegramMessage): InboundMessage['from'] {
  if (msg.from) {
    const fullName = [msg.from.first_name, msg.from.last_name].filter(Boolean).join(' ').trim()
    return { externalId: String(msg.from.id), name: fullName || (msg.from.username ? `@${msg.from.username}` : undefined) }
  }
  // Sent on behalf of a chat: the chat is the sender.
  const name = msg.chat.title ?? [msg.chat.first_name, msg.chat.last_name].filter(Boolean).join(' ').trim()
  return { externalId: String(msg.chat.id), name: name || (msg.chat.username ? `@${msg.chat.username}` : undefined) }
}

async function sendMessage(chatId: string, text: string, ctx: ChannelContext<TelegramSettings>): Promise<SendOutcome> {
  const token = ctx.secrets.botToken
  if (!token) return { status: 'failed', reason: say('send.no_token') }
  // Numeric ids go as numbers, @channel usernames as strings (the Bot API takes either).
  const numeric = /^-?\d+$/.test(chatId) ? Number(chatId) : null
  const url = `${ctx.settings.apiBaseUrl.replace(/\/+$/, '')}/bot${token}/sendMessage`
  // A thrown network error is a temporary failure: the queue retries it.
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ chat_id: numeric !== null && Number.isSafeInteger(numeric) ? numeric : chatId, text }),
  })
  const parsed = apiAnswer.safeParse(await response.json().catch(() => ({})))
  const answer = parsed.success ? parsed.data : null
  if (response.ok && answer?.ok && answer.result) return { externalId: telegramMessageId(chatId, answer.result.message_id) }
  const code = answer?.error_code ?? response.status
  const description = answer?.description ?? `HTTP ${response.status}`
  if (code === 429) {
    const after = answer?.parameters?.retry_after ?? Number(response.headers.get('Retry-After'))
    return {
      status: 'retry',
      reason: say('send.rate_limited', { detail: description }),
      ...(Number.isFinite(after) && after > 0 ? { retryAfterSeconds: Math.ceil(after) } : {}),
    }
  }
  if (code >= 500 || response.status >= 500) return { status: 'retry', reason: say('send.unavailable', { detail: description }) }
  // 403: the user blocked the bot (or it was removed from the group); 400: chat not found, text
  // refused. Telegram's own words say it best in English; another language frames them.
  if (code === 400 || code === 403) return { status: 'failed', reason: say('send.refused', { detail: description }) }
  if (code === 401 || code === 404) return { status: 'failed', reason: say('send.token_refused', { detail: description }) }
  if (code >= 400 && code < 500) return { status: 'failed', reason: say('send.refused', { detail: description }) }
  return { status: 'retry', reason: say('send.unexpected', { detail: description }) }
}

function TelegramIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" class="icon">
      <path
        d="M21 4.5 2.8 11.4c-.9.4-.9 1.5 0 1.8l4.5 1.5 1.7 5.3c.2.7 1 .8 1.5.3l2.5-2.4 4.6 3.4c.6.4 1.4.1 1.6-.6L22.3 5.7c.2-.9-.5-1.5-1.3-1.2Z"
        fill="none"
        stroke="currentColor"
        stroke-width="1.6"
        stroke-linejoin="round"
      />
      <path d="m7.4 14.6 9.6-6.1-7.3 7.1" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />
    </svg>
  )
}

export const telegramChannel = defineChannel({
  id: 'telegram',
  name: 'Telegram',
  view: 'Telegram',
  settings: telegramSettings,
  secrets: [
    { key: 'botToken', label: 'Bot token (from @BotFather)' },
    { key: 'webhookSecret', label: 'Webhook secret token (given to setWebhook)' },
  ],
  capabilities: { outbound: true, webhook: true, text: 'plain', maxLength: maxTelegramLength },
  // A text update is at most a few tens of kilobytes, even with a quoted reply and entities.
  maxPayloadBytes: 256 * 1024,
  texts: telegramTexts,
  async verify(request, ctx) {
    const expected = ctx.secrets.webhookSecret
    const given = request.headers.get(secretTokenHeader) ?? ''
    if (!expected || !given) return false
    return constantTimeEqualText(expected, given)
  },
  async parse(input) {
    if (input.type !== 'http') return []
    const received = update.parse(await input.request.json())
    // Edited messages, channel posts, callback queries …: not conversations.
    const msg = received.message
    if (!msg) return []
    const chatId = String(msg.chat.id)
    const { text, made } = textOf(msg)
    return [
      {
        externalId: telegramMessageId(chatId, msg.message_id),
        from: senderOf(msg),
        text,
        sentAt: msg.date * 1000,
        thread: { key: chatId },
        metadata: {
          telegram: {
            updateId: received.update_id,
            // Core files a message at its arrival and does not read `sentAt` (yet): keep Telegram's time here too.
            sentAt: msg.date * 1000,
            chatType: msg.chat.type,
            ...(msg.chat.title ? { chatTitle: msg.chat.title } : {}),
            ...(msg.from?.username ? { username: msg.from.username } : {}),
            ...made,
          },
        },
      },
    ]
  },
  messageText: telegramMessageText,
  validate(draft) {
    if (!draft.to.externalId) return [{ message: say('reply.no_chat') }]
    return []
  },
  async send(message, ctx) {
    const chatId = message.to.externalId
    if (!chatId) return { status: 'failed', reason: say('reply.no_chat') }
    if (message.text.length > maxTelegramLength) return { status: 'failed', reason: say('send.too_long', { max: maxTelegramLength }) }
    return sendMessage(chatId, message.text, ctx)
  },
  ui: { Icon: TelegramIcon },
})
