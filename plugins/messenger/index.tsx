import { defineChannel, verifyHmacSha256Hex } from '../../src/channels/types'
import { fetchProfile, messagingTypeFor, sendReply, windowReason } from './graph'
import { messengerSettings } from './settings'
import { messengerTexts, say } from './texts'
import { MessengerComposerFields, messengerReplyOptions, quickRepliesOf } from './composer'
import { parseWebhook, receiptsOf } from './webhook'
import { messengerMessageText } from './inbound-text'

/** Meta's subscription handshake: the challenge echoed when the verify token matches, else a 403. */
function answerHandshake(url: URL, verifyToken: string | undefined): Response {
  const mode = url.searchParams.get('hub.mode')
  const token = url.searchParams.get('hub.verify_token')
  if (mode === 'subscribe' && verifyToken && token === verifyToken) return new Response((url.searchParams.get('hub.challenge') ?? '').slice(0, 200))
  return new Response('Verification failed', { status: 403 })
}

function MessengerIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" class="icon">
      <path
        d="M12 3.5c-4.8 0-8.5 3.5-8.5 8 0 2.5 1.2 4.7 3.1 6.2V21l2.9-1.6c.8.2 1.6.3 2.5.3 4.8 0 8.5-3.5 8.5-8s-3.7-8.2-8.5-8.2z"
        fill="none"
        stroke="currentColor"
        stroke-width="1.7"
      />
      <path d="m7.5 14 3-3.2 2 2 3.5-3.3-3 3.2-2-2z" fill="currentColor" stroke="currentColor" stroke-width="1.2" stroke-linejoin="round" />
    </svg>
  )
}

/**
 * Facebook Messenger: Meta's signed page webhook in (messages, postbacks, quick replies, echoes of
 * the page's own messages, delivery and read receipts), the Send API out, within Meta's messaging
 * window; names and pictures from the User Profile API.
 */
export const messengerChannel = defineChannel({
  id: 'messenger',
  name: 'Facebook Messenger',
  view: 'Messenger',
  settings: messengerSettings,
  secrets: [
    { key: 'appSecret', label: 'App secret (signs Meta’s webhooks)' },
    { key: 'pageAccessToken', label: 'Page access token' },
  ],
  texts: messengerTexts,
  capabilities: {
    outbound: true,
    webhook: true,
    text: 'plain',
    // The Send API's limit for a text message.
    maxLength: 2000,
    attachments: true,
    attachmentLimits: { maxFiles: 5, maxBytes: 25 * 1024 * 1024 },
  },
  handshake(request, ctx) {
    return answerHandshake(new URL(request.url), ctx.settings.verifyToken)
  },
  async verify(request, ctx) {
    const appSecret = ctx.secrets.appSecret
    const header = request.headers.get('X-Hub-Signature-256') ?? ''
    if (!appSecret || !header.startsWith('sha256=')) return false
    const body = new Uint8Array(await request.arrayBuffer())
    return verifyHmacSha256Hex(appSecret, body, header.slice('sha256='.length))
  },
  async parse(input, ctx) {
    if (input.type !== 'http') return []
    return parseWebhook(await input.request.json(), ctx)
  },
  async receipts(input) {
    if (input.type !== 'http') return []
    return receiptsOf(await input.request.json().catch(() => null))
  },
  profile: (from, ctx) => (from.externalId ? fetchProfile(ctx, from.externalId) : Promise.resolve(null)),
  replyWindow: (state, ctx) => (messagingTypeFor(state.lastInboundAt, ctx.settings) ? null : windowReason(state.lastInboundAt, ctx.settings)),
  async send(message, ctx) {
    const psid = message.to.externalId
    if (!psid) return { status: 'failed', reason: say('reply.no_recipient') }
    const kind = messagingTypeFor(message.lastInboundAt, ctx.settings)
    // The window closed while the reply waited in the queue: Meta would refuse it too.
    if (!kind) return { status: 'failed', reason: windowReason(message.lastInboundAt, ctx.settings) }
    return sendReply(ctx, psid, kind, message.text, message.attachments ?? [], quickRepliesOf(message.options))
  },
  routes(app, kit) {
    // The handshake at its earlier address, for apps registered with it (the inbound URL answers it too).
    app.get('/:channelId/webhook', async (c) => {
      const channel = await kit.channel(c, c.req.param('channelId'))
      return answerHandshake(new URL(c.req.url), channel?.valid ? channel.settings.verifyToken : undefined)
    })
  },
  replyOptions: messengerReplyOptions,
  messageText: messengerMessageText,
  ui: { Icon: MessengerIcon, ComposerFields: MessengerComposerFields },
})
