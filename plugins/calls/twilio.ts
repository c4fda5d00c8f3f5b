import { normalizePhone, type ChannelContext, type SendOutcome } from '../../src/channels/types'
import { refusalOutcome, twilioPost, type TwilioAccount } from '../twilio'
import type { CallsSettings } from './settings'
import { say } from './texts'

/** Twilio's account from a line's settings (startCall and sendSms check both are set first). */
const accountOf = (ctx: ChannelContext<CallsSettings>): TwilioAccount => ({
  apiBaseUrl: ctx.settings.apiBaseUrl,
  accountSid: ctx.settings.accountSid ?? '',
  authToken: ctx.secrets.authToken ?? '',
})

/** A refusal in this plugin's words: what was refused (an SMS, a call) is named. */
const refusalWords = (refused: 'provider.sms_refused' | 'provider.call_refused') => ({
  busy: (detail: string) => say('provider.busy', { detail }),
  credentials: (detail: string) => say('provider.credentials_refused', { detail }),
  refused: (detail: string) => say(refused, { detail }),
  unexpected: (detail: string) => say(refused, { detail }),
})

/** An SMS from the channel's number through the Messages API (the number must be able to send SMS). */
export async function sendSms(ctx: ChannelContext<CallsSettings>, to: string, text: string, messageId: number): Promise<SendOutcome> {
  if (!ctx.settings.accountSid || !ctx.secrets.authToken) return { status: 'failed', reason: say('send.not_set_up') }
  const form = new URLSearchParams({ To: to, From: normalizePhone(ctx.settings.phoneNumber) ?? ctx.settings.phoneNumber, Body: text })
  // Delivery reports come back to the channel's status route (routes in index.tsx).
  if (ctx.baseUrl) form.set('StatusCallback', `${ctx.baseUrl}/channels/calls/${ctx.channel.id}/status`)
  const answer = await twilioPost(accountOf(ctx), 'Messages', form, `${ctx.channel.id}-${messageId}`)
  if (answer.ok) return { externalId: answer.sid, metadata: { sms: { to } } }
  return refusalOutcome(answer, refusalWords('provider.sms_refused'))
}

const escapeXml = (value: string) => value.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`)

/**
 * Click-to-call through the Calls API: Twilio rings the agent's phone first; when they answer,
 * the TwiML dials the contact from the channel's number, and that leg's end is reported to the
 * channel's webhook (a signed status callback), which files it as an outgoing call.
 */
export async function startCall(
  ctx: ChannelContext<CallsSettings>,
  call: { to: string; agentPhone: string; statusCallback: string | null },
): Promise<{ status: 'ringing'; externalId: string } | { status: 'failed'; reason: string }> {
  const from = normalizePhone(ctx.settings.phoneNumber) ?? ctx.settings.phoneNumber
  const callback = call.statusCallback ? ` statusCallback="${escapeXml(call.statusCallback)}" statusCallbackEvent="completed"` : ''
  const twiml = `<Response><Dial callerId="${escapeXml(from)}"><Number${callback}>${escapeXml(call.to)}</Number></Dial></Response>`
  const form = new URLSearchParams({ To: call.agentPhone, From: from, Twiml: twiml })
  const answer = await twilioPost(accountOf(ctx), 'Calls', form, `${ctx.channel.id}-call-${crypto.randomUUID()}`)
  if (answer.ok) return { status: 'ringing', externalId: answer.sid }
  // The agent is waiting for their phone to ring: any refusal is shown now, never retried later.
  return { status: 'failed', reason: refusalWords('provider.call_refused')[answer.kind](answer.why) }
}
