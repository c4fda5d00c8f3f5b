import { constantTimeEqualText, hmacSha1Base64, normalizePhone, type ChannelContext, type SendOutcome } from '../../src/channels/types'
import type { CallsSettings } from './settings'
import { say } from './texts'

/** What one SMS reply may carry (Twilio's Messages API limit). */
export const maxSmsLength = 1600

/**
 * Twilio's signature: HMAC-SHA1 with the auth token over the full URL it called followed by every
 * POST parameter's name and value, sorted by name; base64, in X-Twilio-Signature.
 */
export async function twilioSignature(authToken: string, url: string, params: Iterable<[string, string]>): Promise<string> {
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return hmacSha1Base64(authToken, url + sorted.map(([key, value]) => key + value).join(''))
}

export async function verifyTwilio(request: Request, authToken: string | undefined): Promise<boolean> {
  const given = request.headers.get('X-Twilio-Signature') ?? ''
  if (!authToken || !given) return false
  const params = new URLSearchParams(await request.text())
  return constantTimeEqualText(await twilioSignature(authToken, request.url, params.entries()), given)
}

export async function formOf(request: Request): Promise<Record<string, string>> {
  const params = new URLSearchParams(await request.text())
  const fields: Record<string, string> = {}
  params.forEach((value, key) => {
    if (!(key in fields)) fields[key] = value
  })
  return fields
}

const apiUrl = (settings: CallsSettings, resource: 'Messages' | 'Calls') =>
  `${settings.apiBaseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid ?? '')}/${resource}.json`

function authHeaders(ctx: ChannelContext<CallsSettings>, idempotencyKey: string) {
  return {
    Authorization: `Basic ${btoa(`${ctx.settings.accountSid}:${ctx.secrets.authToken}`)}`,
    'Content-Type': 'application/x-www-form-urlencoded',
    'Idempotency-Key': idempotencyKey,
  }
}

async function answerOf(response: Response) {
  const body = (await response.json().catch(() => ({}))) as { sid?: unknown; code?: unknown; message?: unknown }
  const code = typeof body.code === 'number' ? body.code : undefined
  const message = typeof body.message === 'string' ? body.message.slice(0, 300) : undefined
  return {
    sid: typeof body.sid === 'string' ? body.sid.slice(0, 64) : undefined,
    why: message ? `${code ? `${code}: ` : ''}${message}` : `HTTP ${response.status}`,
  }
}

/** Twilio's answer to a refused request: a retry for rate limits and outages, a failure with the reason otherwise. */
function refusal(response: Response, why: string, refused: 'provider.sms_refused' | 'provider.call_refused'): SendOutcome {
  if (response.status === 429 || response.status >= 500) {
    const after = Number(response.headers.get('Retry-After'))
    return { status: 'retry', reason: say('provider.busy', { detail: why }), ...(Number.isFinite(after) && after > 0 ? { retryAfterSeconds: after } : {}) }
  }
  if (response.status === 401 || response.status === 403) return { status: 'failed', reason: say('provider.credentials_refused', { detail: why }) }
  return { status: 'failed', reason: say(refused, { detail: why }) }
}

/** An SMS from the channel's number through the Messages API (the number must be able to send SMS). */
export async function sendSms(ctx: ChannelContext<CallsSettings>, to: string, text: string, messageId: number): Promise<SendOutcome> {
  if (!ctx.settings.accountSid || !ctx.secrets.authToken) return { status: 'failed', reason: say('send.not_set_up') }
  const form = new URLSearchParams({ To: to, From: normalizePhone(ctx.settings.phoneNumber) ?? ctx.settings.phoneNumber, Body: text })
  // Delivery reports come back to the channel's status route (routes in index.tsx).
  if (ctx.baseUrl) form.set('StatusCallback', `${ctx.baseUrl}/channels/calls/${ctx.channel.id}/status`)
  const response = await fetch(apiUrl(ctx.settings, 'Messages'), { method: 'POST', headers: authHeaders(ctx, `${ctx.channel.id}-${messageId}`), body: form })
  const answer = await answerOf(response)
  if (response.ok && answer.sid) return { externalId: answer.sid, metadata: { sms: { to } } }
  return refusal(response, answer.why, 'provider.sms_refused')
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
  const response = await fetch(apiUrl(ctx.settings, 'Calls'), {
    method: 'POST',
    headers: authHeaders(ctx, `${ctx.channel.id}-call-${crypto.randomUUID()}`),
    body: form,
  })
  const answer = await answerOf(response)
  if (response.ok && answer.sid) return { status: 'ringing', externalId: answer.sid }
  const outcome = refusal(response, answer.why, 'provider.call_refused')
  return { status: 'failed', reason: 'reason' in outcome ? outcome.reason : answer.why }
}
