import { z } from 'zod'
import { defineChannel, normalizePhone, type ChannelContext, type SendOutcome } from '../../src/channels/types'
import { maxSmsLength, refusalOutcome, smsStatusRoute, twilioForm, twilioPost, verifyTwilio } from '../twilio'
import { filedSms, smsMessageText } from './inbound-text'
import { say, smsTexts } from './texts'

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

/** An SMS from the channel's number through the Messages API, its delivery reported to our status route. */
async function sendSms(text: string, to: string, ctx: ChannelContext<SmsSettings>, messageId: number): Promise<SendOutcome> {
  const { accountSid, phoneNumber, apiBaseUrl } = ctx.settings
  const authToken = ctx.secrets.authToken
  if (!authToken) return { status: 'failed', reason: say('send.no_token') }
  const form = new URLSearchParams({ To: to, From: normalizePhone(phoneNumber) ?? phoneNumber, Body: text })
  if (ctx.baseUrl) form.set('StatusCallback', `${ctx.baseUrl}/channels/sms/${ctx.channel.id}/status`)
  const answer = await twilioPost({ apiBaseUrl, accountSid, authToken }, 'Messages', form, `${ctx.channel.id}-${messageId}`)
  if (answer.ok) return { externalId: answer.sid, metadata: { sms: { to, segments: Math.ceil(text.length / 153) || 1 } } }
  return refusalOutcome(answer, {
    busy: (detail) => say('send.busy', { detail }),
    credentials: (detail) => say('send.credentials_refused', { detail }),
    refused: (detail) => say('send.refused', { detail }),
    unexpected: (detail) => say('send.unexpected', { detail }),
  })
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
    const sms = incoming.parse(await twilioForm(input.request))
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
    smsStatusRoute(app, kit, (error) => (error ? say('report.not_delivered_because', { detail: error }) : say('report.not_delivered')))
  },
  ui: { Icon: SmsIcon },
})
