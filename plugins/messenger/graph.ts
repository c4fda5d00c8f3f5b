import type { ChannelContext, ContactProfile, OutboundAttachment, SendOutcome } from '../../src/channels/types'
import type { MessengerSettings } from './settings'
import { say } from './texts'

/** The Graph API version the plugin speaks (Meta keeps each version for two years). */
export const graphVersion = 'v21.0'

/** Meta's standard messaging window: a page may answer freely for 24 hours after the customer's last message. */
export const standardWindowMs = 24 * 60 * 60 * 1000
/** The HUMAN_AGENT tag lets a person answer for 7 days (the page must have been granted it). */
export const humanAgentWindowMs = 7 * 24 * 60 * 60 * 1000

export const graphUrl = (settings: MessengerSettings, path: string) => `${settings.graphApiUrl.replace(/\/+$/, '')}/${graphVersion}/${path}`

/** How a reply goes given when the customer last wrote: freely, with the HUMAN_AGENT tag, or not at all. */
export function messagingTypeFor(lastInboundAt: number | null | undefined, settings: MessengerSettings, nowMs = Date.now()) {
  if (!lastInboundAt) return null
  const age = nowMs - lastInboundAt
  if (age < standardWindowMs) return { messaging_type: 'RESPONSE' as const }
  if (settings.humanAgent && age < humanAgentWindowMs) return { messaging_type: 'MESSAGE_TAG' as const, tag: 'HUMAN_AGENT' as const }
  return null
}

/** Why a reply cannot go, in words an agent can act on. */
export function windowReason(lastInboundAt: number | null | undefined, settings: MessengerSettings, nowMs = Date.now()): string {
  if (!lastInboundAt) return say('window.never_wrote')
  const hours = Math.floor((nowMs - lastInboundAt) / 3_600_000)
  // Only ever said of a closed window: at least 24 hours, so always the plural.
  const since = hours >= 48 ? say('window.days', { days: Math.floor(hours / 24) }) : say('window.hours', { hours })
  if (!settings.humanAgent && nowMs - lastInboundAt < humanAgentWindowMs) return say('window.closed_human_agent_possible', { since })
  return say(settings.humanAgent ? 'window.closed_7_days' : 'window.closed_24_hours', { since })
}

interface GraphError {
  message?: string
  code?: number
  error_subcode?: number
}

/** Meta's answer to a send: the new message's id, or `error` with its code. */
async function readAnswer(response: Response): Promise<{ messageId?: string; error?: GraphError }> {
  const body = (await response.json().catch(() => ({}))) as { message_id?: unknown; error?: GraphError }
  const error = body && typeof body.error === 'object' && body.error ? body.error : undefined
  return {
    messageId: typeof body?.message_id === 'string' ? body.message_id.slice(0, 200) : undefined,
    error: error
      ? { message: String(error.message ?? '').slice(0, 300), code: Number(error.code) || undefined, error_subcode: Number(error.error_subcode) || undefined }
      : undefined,
  }
}

// Meta's documented error codes: rate limits and outages are worth a retry; the rest are refusals.
const rateLimitCodes = new Set([4, 17, 32, 613, 80006])
const transientCodes = new Set([1, 2])

/** Maps a failed send to an outcome the queue understands, with a reason an agent can read. */
export function outcomeOfError(response: Response, error: GraphError | undefined): SendOutcome {
  const code = error?.code
  const why = error?.message ? `${code ? `#${code}${error.error_subcode ? `/${error.error_subcode}` : ''}: ` : ''}${error.message}` : `HTTP ${response.status}`
  if ((code === 10 && error?.error_subcode === 2018278) || code === 551 || error?.error_subcode === 2018108) {
    return { status: 'failed', reason: say(code === 551 ? 'send.person_unavailable' : 'send.outside_window', { detail: why }) }
  }
  if ((code && rateLimitCodes.has(code)) || response.status === 429) {
    const after = Number(response.headers.get('Retry-After'))
    return {
      status: 'retry',
      reason: say('send.rate_limited', { detail: why }),
      retryAfterSeconds: Number.isFinite(after) && after > 0 ? after : 60,
    }
  }
  if ((code && transientCodes.has(code)) || response.status >= 500) return { status: 'retry', reason: say('send.unavailable', { detail: why }) }
  if (code === 190) return { status: 'failed', reason: say('send.token_refused', { detail: why }) }
  return { status: 'failed', reason: say('send.refused', { detail: why }) }
}

type Recipient = { id: string }
type Kind = { messaging_type: 'RESPONSE' } | { messaging_type: 'MESSAGE_TAG'; tag: 'HUMAN_AGENT' }

/** One Send API call: a text, or one file uploaded with the message (multipart, as Meta documents). */
type QuickReply = { content_type: 'text'; title: string; payload: string }

async function sendOne(
  ctx: ChannelContext<MessengerSettings>,
  token: string,
  recipient: Recipient,
  kind: Kind,
  part: { text: string } | OutboundAttachment,
  quickReplies: QuickReply[],
) {
  const url = `${graphUrl(ctx.settings, 'me/messages')}?access_token=${encodeURIComponent(token)}`
  const extra = quickReplies.length > 0 ? { quick_replies: quickReplies } : {}
  if ('text' in part) {
    return fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ recipient, ...kind, message: { text: part.text, ...extra } }),
    })
  }
  const form = new FormData()
  form.set('recipient', JSON.stringify(recipient))
  for (const [key, value] of Object.entries(kind)) form.set(key, value)
  const type = part.contentType.startsWith('image/')
    ? 'image'
    : part.contentType.startsWith('video/')
      ? 'video'
      : part.contentType.startsWith('audio/')
        ? 'audio'
        : 'file'
  form.set('message', JSON.stringify({ attachment: { type, payload: { is_reusable: false } }, ...extra }))
  form.set('filedata', new Blob([await part.read()], { type: part.contentType }), part.filename)
  return fetch(url, { method: 'POST', body: form })
}

/**
 * Sends a reply: its text, then each attachment as a message of its own (the Send API carries one
 * of either per call). The first message's id is the reply's; a failure after it keeps what went.
 */
export async function sendReply(
  ctx: ChannelContext<MessengerSettings>,
  psid: string,
  kind: Kind,
  text: string,
  attachments: OutboundAttachment[],
  quickReplies: QuickReply[] = [],
): Promise<SendOutcome> {
  const token = ctx.secrets.pageAccessToken
  if (!token) return { status: 'failed', reason: say('send.no_token') }
  const parts: ({ text: string } | OutboundAttachment)[] = [...(text.trim() ? [{ text }] : []), ...attachments]
  const mids: string[] = []
  for (const [index, part] of parts.entries()) {
    // Quick replies ride on the last message (Messenger shows them under the newest one only).
    // A thrown network error is a temporary failure: the queue retries it.
    const response = await sendOne(ctx, token, { id: psid }, kind, part, index === parts.length - 1 ? quickReplies : [])
    const answer = await readAnswer(response)
    if (!response.ok || !answer.messageId) {
      const outcome = outcomeOfError(response, answer.error)
      // Part of it went: say so rather than send it twice.
      if (mids.length > 0 && outcome.status !== 'sent' && 'reason' in outcome)
        return { status: 'failed', reason: say('send.files_not_sent', { reason: outcome.reason }) }
      return outcome
    }
    mids.push(answer.messageId)
  }
  return { externalId: mids[0], metadata: { messenger: { mids, ...('tag' in kind ? { tag: kind.tag } : {}) } } }
}

/** The sender's name and picture from the Graph API (User Profile API), or null. */
export async function fetchProfile(ctx: ChannelContext<MessengerSettings>, psid: string): Promise<ContactProfile | null> {
  const token = ctx.secrets.pageAccessToken
  if (!token || !/^[0-9A-Za-z_-]{1,64}$/.test(psid)) return null
  const url = `${graphUrl(ctx.settings, encodeURIComponent(psid))}?fields=first_name,last_name,profile_pic&access_token=${encodeURIComponent(token)}`
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) })
  if (!response.ok) return null
  const body = (await response.json().catch(() => null)) as { first_name?: unknown; last_name?: unknown; profile_pic?: unknown } | null
  if (!body) return null
  const name = [body.first_name, body.last_name]
    .filter((part): part is string => typeof part === 'string' && part.trim() !== '')
    .join(' ')
    .slice(0, 120)
  return { name: name || undefined, avatarUrl: typeof body.profile_pic === 'string' ? body.profile_pic : undefined }
}
