import { z } from 'zod'
import { constantTimeEqualText, hmacSha1Base64, type ChannelPlugin, type PluginRouteKit, type SendOutcome } from '../src/channels/types'

/**
 * Twilio's side of the two plugins that speak to it (plugins/sms and plugins/calls): signed
 * webhooks, the REST API's answers and the SMS status callback. Not a plugin; each plugin keeps its
 * own words for what Twilio answered, and this file only says which kind of answer it was.
 */

/** What one SMS may carry (the Messages API's limit). */
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

/** A form-encoded webhook body; the first value of a repeated name counts. */
export async function twilioForm(request: Request): Promise<Record<string, string>> {
  const params = new URLSearchParams(await request.text())
  const fields: Record<string, string> = {}
  params.forEach((value, key) => {
    if (!(key in fields)) fields[key] = value
  })
  return fields
}

export interface TwilioAccount {
  apiBaseUrl: string
  accountSid: string
  authToken: string
}

/** Twilio error codes that no retry can fix (bad or unreachable number, the customer opted out …). */
const permanentCodes = new Set([21211, 21212, 21408, 21606, 21610, 21612, 21614, 21617, 30003, 30004, 30005, 30006, 30007])

/**
 * What the REST API made of a request: the new resource's sid, or which kind of refusal (`why` is
 * Twilio's own code and message, kept as it wrote them).
 * - busy: rate limited or down (429, 5xx): try again, after `retryAfterSeconds` when it said;
 * - credentials: the account sid or auth token was refused (401, 403);
 * - refused: this request will be refused again (a permanent error code, any other 4xx);
 * - unexpected: anything else (a 2xx without a sid …): worth another try.
 */
export type TwilioAnswer =
  | { ok: true; sid: string }
  | { ok: false; kind: 'busy' | 'credentials' | 'refused' | 'unexpected'; why: string; retryAfterSeconds?: number }

const apiAnswer = z.object({ sid: z.string().max(64).optional(), code: z.number().optional(), message: z.string().max(300).optional() })

/** POSTs a form to one of the account's resources (Messages, Calls). A network error throws: the queue retries it. */
export async function twilioPost(account: TwilioAccount, resource: 'Messages' | 'Calls', form: URLSearchParams, idempotencyKey: string): Promise<TwilioAnswer> {
  const url = `${account.apiBaseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(account.accountSid)}/${resource}.json`
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${btoa(`${account.accountSid}:${account.authToken}`)}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      'Idempotency-Key': idempotencyKey,
    },
    body: form,
  })
  const parsed = apiAnswer.safeParse(await response.json().catch(() => ({})))
  const detail = parsed.success ? parsed.data : {}
  if (response.ok && detail.sid) return { ok: true, sid: detail.sid }
  const why = detail.message ? `${detail.code ? `${detail.code}: ` : ''}${detail.message}` : `HTTP ${response.status}`
  if (response.status === 429 || response.status >= 500) {
    const after = Number(response.headers.get('Retry-After'))
    return { ok: false, kind: 'busy', why, ...(Number.isFinite(after) && after > 0 ? { retryAfterSeconds: after } : {}) }
  }
  if (response.status === 401 || response.status === 403) return { ok: false, kind: 'credentials', why }
  if ((detail.code && permanentCodes.has(detail.code)) || (response.status >= 400 && response.status < 500)) return { ok: false, kind: 'refused', why }
  return { ok: false, kind: 'unexpected', why }
}

/** A refusal as the delivery queue takes it, in the plugin's own words for each kind. */
export function refusalOutcome(answer: Exclude<TwilioAnswer, { ok: true }>, words: Record<typeof answer.kind, (why: string) => string>): SendOutcome {
  const reason = words[answer.kind](answer.why)
  if (answer.kind === 'busy') return { status: 'retry', reason, ...(answer.retryAfterSeconds ? { retryAfterSeconds: answer.retryAfterSeconds } : {}) }
  if (answer.kind === 'unexpected') return { status: 'retry', reason }
  return { status: 'failed', reason }
}

const smsStatus = z.object({
  MessageSid: z.string().min(1).max(64),
  MessageStatus: z.string().max(32),
  ErrorCode: z.string().max(16).optional(),
  ErrorMessage: z.string().max(300).optional(),
})

/**
 * `POST /channels/<plugin>/:channelId/status`: Twilio's delivery reports for the SMS a channel
 * sent (the StatusCallback its send names). `notDelivered` gives the plugin's words, with Twilio's
 * error when it named one; they are made when read, in the reader's language.
 */
/** The Hono app a plugin's `routes` is given. */
type PluginApp = Parameters<NonNullable<ChannelPlugin['routes']>>[0]

export function smsStatusRoute<S>(app: PluginApp, kit: PluginRouteKit<S>, notDelivered: (error: string | null) => string) {
  app.post('/:channelId/status', async (c) => {
    const channel = await kit.channel(c, c.req.param('channelId'))
    if (!channel?.valid) return c.text('No such channel.', 404)
    if (!(await verifyTwilio(c.req.raw.clone(), channel.secrets.authToken))) return c.text('Signature did not verify.', 401)
    const report = smsStatus.safeParse(await twilioForm(c.req.raw))
    if (!report.success) return c.text('Invalid status callback.', 422)
    const { MessageSid, MessageStatus, ErrorCode, ErrorMessage } = report.data
    if (MessageStatus === 'failed' || MessageStatus === 'undelivered') {
      const error = ErrorCode ? `${ErrorCode}${ErrorMessage ? `: ${ErrorMessage}` : ''}` : null
      await kit.reportDelivery(c, channel, { externalId: MessageSid, status: 'failed', reason: () => notDelivered(error) })
    } else if (MessageStatus === 'delivered') {
      await kit.reportDelivery(c, channel, { externalId: MessageSid, status: 'delivered' })
    }
    return c.body(null, 204)
  })
}
