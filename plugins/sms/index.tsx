import { z } from 'zod'
import { constantTimeEqualText, defineChannel, hmacSha1Base64, normalizePhone, type ChannelContext, type SendOutcome } from '../../src/channels/types'
import { filedSms, smsMessageText } from './inbound-text'
import { say, smsTexts } from './texts'

/** What Twilio (and providers that copy its API) carry in one SMS: 10 segments of 160 GSM characters. */
export const maxSmsLength = 1600

export const smsSettings = z.object({
  /** The account the Messages API is called for (Twilio's "AC…" id). */
  accountSid: z
    .string()
    .trim()
    .min(2)
    .max(64)
    .regex(/^[A-Za-z0-9]+$/),
  /** The number customers text and replies come from, in international form. */
  phoneNumber: z
    .string()
    .trim()
    .min(3)
    .max(32)
    .refine((value) => normalizePhone(value) !== null, { error: () => say('settings.phone_format') }),
  /** Where the Messages API lives: Twilio's, or a compatible provider's (a local stand-in in tests). */
  apiBaseUrl: z.string().url().default('https://api.twilio.com'),
  /** The country assumed for numbers written without +<country code>. */
  defaultCountry: z.string().trim().length(2).optional(),
})
type SmsSettings = z.infer<typeof smsSettings>

/** The fields of Twilio's incoming-message webhook we read; the rest are ignored. */
const incoming = z.object({
  MessageSid: z.string().min(1).max(64),
  From: z.string().min(1).max(64),
  To: z.string().max(64).optional(),
  Body: z
    .string()
    .max(maxSmsLength * 2)
    .default(''),
  NumMedia: z.coerce.number().int().min(0).max(10).default(0),
})

/** Twilio's delivery-status callback for a message we sent. */
const statusCallback = z.object({
  MessageSid: z.string().min(1).max(64),
  MessageStatus: z.string().max(32),
  ErrorCode: z.string().max(16).optional(),
  ErrorMessage: z.string().max(300).optional(),
})

/** The Messages API's answer: the new message's sid, or an error with its code. */
const apiAnswer = z.object({ sid: z.string().max(64).optional(), code: z.number().optional(), message: z.string().max(500).optional() })

async function formOf(request: Request): Promise<Map<string, string>> {
  const params = new URLSearchParams(await request.text())
  const fields = new Map<string, string>()
  params.forEach((value, key) => {
    if (!fields.has(key)) fields.set(key, value)
  })
  return fields
}

/**
 * Twilio's signature: HMAC-SHA1 with the auth token over the full URL it called followed by every
 * POST parameter's name and value, sorted by name; base64, in X-Twilio-Signature.
 */
export async function twilioSignature(authToken: string, url: string, params: Iterable<[string, string]>): Promise<string> {
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return hmacSha1Base64(authToken, url + sorted.map(([key, value]) => key + value).join(''))
}

async function verifyTwilio(request: Request, authToken: string | undefined): Promise<boolean> {
  const given = request.headers.get('X-Twilio-Signature') ?? ''
  if (!authToken || !given) return false
  const params = new URLSearchParams(await request.text())
  return constantTimeEqualText(await twilioSignature(authToken, request.url, params.entries()), given)
}

/** Twilio error codes that no retry can fix (bad or unreachable number, the customer opted out …). */
const permanentCodes = new Set([21211, 21212, 21408, 21606, 21610, 21612, 21614, 21617, 30003, 30004, 30005, 30006, 30007])

async function sendSms(text: string, to: string, ctx: ChannelContext<SmsSettings>, messageId: number): Promise<SendOutcome> {
  const { accountSid, phoneNumber, apiBaseUrl } = ctx.settings
  const authToken = ctx.secrets.authToken
  if (!authToken) return { status: 'failed', reason: say('send.no_token') }
  const form = new URLSearchParams({ To: to, From: normalizePhone(phoneNumber) ?? phoneNumber, Body: text })
  if (ctx.baseUrl) form.set('StatusCallback', `${ctx.baseUrl}/channels/sms/${ctx.channel.id}/status`)
  const url = `${apiBaseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`
  // A thrown network error is a temporary failure: the queue retries it.
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${btoa(`${accountSid}:${authToken}`)}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      'Idempotency-Key': `${ctx.channel.id}-${messageId}`,
    },
    body: form,
  })
  const answer = apiAnswer.safeParse(await response.json().catch(() => ({})))
  const detail = answer.success ? answer.data : {}
  if (response.ok && detail.sid) return { externalId: detail.sid, metadata: { sms: { to, segments: Math.ceil(text.length / 153) || 1 } } }
  const why = detail.message ? `${detail.code ? `${detail.code}: ` : ''}${detail.message}` : `HTTP ${response.status}`
  if (response.status === 429 || response.status >= 500) {
    const after = Number(response.headers.get('Retry-After'))
    return { status: 'retry', reason: say('send.busy', { detail: why }), ...(Number.isFinite(after) && after > 0 ? { retryAfterSeconds: after } : {}) }
  }
  if (response.status === 401 || response.status === 403) return { status: 'failed', reason: say('send.credentials_refused', { detail: why }) }
  if (detail.code && permanentCodes.has(detail.code)) return { status: 'failed', reason: say('send.refused', { detail: why }) }
  // Any other 4xx is a request the provider will refuse again.
  if (response.status >= 400 && response.status < 500) return { status: 'failed', reason: say('send.refused', { detail: why }) }
  return { status: 'retry', reason: say('send.unexpected', { detail: why }) }
}

function SmsIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" class="icon">
      <rect x="6" y="2.5" width="12" height="19" rx="2.5" fill="none" stroke="currentColor" stroke-width="1.7" />
      <path d="M9 7h6M9 10.5h6M9 14h3.5" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
    </svg>
  )
}

export const smsChannel = defineChannel({
  id: 'sms',
  name: 'SMS',
  view: 'SMS',
  settings: smsSettings,
  secrets: [{ key: 'authToken', label: 'Auth token (signs webhooks, authorises replies)' }],
  capabilities: { outbound: true, webhook: true, text: 'plain', maxLength: maxSmsLength },
  // One SMS webhook is a few hundred bytes of form fields.
  maxPayloadBytes: 16 * 1024,
  texts: smsTexts,
  verify: (request, ctx) => verifyTwilio(request, ctx.secrets.authToken),
  async parse(input, ctx) {
    if (input.type !== 'http') return []
    const sms = incoming.parse(Object.fromEntries(await formOf(input.request)))
    // The sender's number as we keep it everywhere (E.164), so a call and an SMS from it are one contact.
    const from = normalizePhone(sms.From, ctx.settings.defaultCountry) ?? sms.From.trim()
    // English for everyone (search, previews, the AI); the thread remakes our notes in the reader's language (`messageText`).
    const { text, metadata } = filedSms(sms.Body.slice(0, maxSmsLength), sms.NumMedia)
    return [{ externalId: `sms:${sms.MessageSid}`, from: { phone: from, externalId: from }, text, thread: { key: from }, ...(metadata ? { metadata } : {}) }]
  },
  messageText: smsMessageText,
  // Twilio reads the answer as TwiML: an empty Response sends no automatic reply.
  respond: () =>
    new Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', { status: 200, headers: { 'Content-Type': 'text/xml; charset=utf-8' } }),
  validate(draft, ctx) {
    const problems = []
    if (draft.text.length > maxSmsLength) problems.push({ field: 'text', message: say('draft.too_long', { max: maxSmsLength, length: draft.text.length }) })
    const to = normalizePhone(draft.to.externalId ?? draft.to.phone, ctx.settings.defaultCountry)
    if (!to) problems.push({ message: say('reply.no_number') })
    return problems
  },
  async send(message, ctx) {
    const to = normalizePhone(message.to.externalId ?? message.to.phone, ctx.settings.defaultCountry)
    if (!to) return { status: 'failed', reason: say('reply.no_number') }
    if (message.text.length > maxSmsLength) return { status: 'failed', reason: say('send.too_long', { max: maxSmsLength }) }
    return sendSms(message.text, to, ctx, message.messageId)
  },
  routes(app, kit) {
    // Twilio's delivery reports for the replies we sent (StatusCallback).
    app.post('/:channelId/status', async (c) => {
      const channel = await kit.channel(c, c.req.param('channelId'))
      if (!channel?.valid) return c.text('No such channel.', 404)
      if (!(await verifyTwilio(c.req.raw.clone(), channel.secrets.authToken))) return c.text('Signature did not verify.', 401)
      const report = statusCallback.safeParse(Object.fromEntries(await formOf(c.req.raw)))
      if (!report.success) return c.text('Invalid status callback.', 422)
      const { MessageSid, MessageStatus, ErrorCode, ErrorMessage } = report.data
      if (MessageStatus === 'failed' || MessageStatus === 'undelivered') {
        const reason = () =>
          ErrorCode ? say('report.not_delivered_because', { detail: `${ErrorCode}${ErrorMessage ? `: ${ErrorMessage}` : ''}` }) : say('report.not_delivered')
        await kit.reportDelivery(c, channel, { externalId: MessageSid, status: 'failed', reason })
      } else if (MessageStatus === 'delivered') {
        await kit.reportDelivery(c, channel, { externalId: MessageSid, status: 'delivered' })
      }
      return c.body(null, 204)
    })
  },
  ui: { Icon: SmsIcon },
})
