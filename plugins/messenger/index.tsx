import { defineChannel, verifyHmacSha256Hex } from '../../src/channels/types'
import { fetchProfile, messagingTypeFor, sendReply, windowReason } from './graph'
import { messengerSettings } from './settings'
import { MessengerComposerFields, messengerReplyOptions, quickRepliesOf } from './composer'
import { parseWebhook, receiptsOf } from './webhook'

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
  texts: {
    en: {
      name: 'Facebook Messenger',
      description: 'Messages to your Facebook page arrive as conversations.',
      fields: {
        pageId: { label: 'Page id', help: 'The numeric id of the Facebook page whose messages arrive here.' },
        pageName: { label: 'Page name' },
        verifyToken: { label: 'Verify token', help: 'Any string of 8 or more characters; enter the same one in Meta’s webhook settings.' },
        graphApiUrl: { label: 'Graph API URL', help: 'Leave as https://graph.facebook.com.' },
        humanAgent: {
          label: 'Human Agent permission',
          help: 'Turn on only if Meta granted your page Human Agent: agents may then answer for 7 days after the customer’s last message instead of 24 hours.',
        },
        appId: { label: 'App id', help: 'Your Meta app’s id: echoes of replies sent from here are recognised as ours.' },
      },
      secrets: {
        appSecret: { label: 'App secret (signs Meta’s webhooks)', help: 'From your Meta app’s Basic settings.' },
        pageAccessToken: {
          label: 'Page access token',
          help: 'Generated for the page in the Messenger settings of your Meta app: replies and profiles use it.',
        },
      },
      setup: [
        'In your Meta app, add the Messenger product and subscribe the page to the messages field.',
        'Callback URL: {webhookUrl} (the handshake and the events both use it).',
        'Use the verify token entered here, and paste the app secret and the page access token below.',
        'Subscribe the page to messages, message_echoes, message_deliveries, message_reads, messaging_postbacks.',
      ],
    },
    nb: {
      name: 'Facebook Messenger',
      description: 'Meldinger til Facebook-siden din kommer inn som samtaler.',
      fields: {
        pageId: { label: 'Side-ID', help: 'Den numeriske ID-en til Facebook-siden som meldingene kommer fra.' },
        pageName: { label: 'Sidenavn' },
        verifyToken: { label: 'Verifiseringstoken', help: 'En streng på minst 8 tegn; skriv den samme i Metas webhook-innstillinger.' },
        graphApiUrl: { label: 'Graph API-adresse', help: 'La stå som https://graph.facebook.com.' },
        humanAgent: {
          label: 'Human Agent-tillatelse',
          help: 'Slå på bare hvis Meta har gitt siden Human Agent: da kan agenter svare i 7 dager etter kundens siste melding i stedet for 24 timer.',
        },
        appId: { label: 'App-ID', help: 'ID-en til Meta-appen din: ekko av svar sendt herfra kjennes igjen som våre.' },
      },
      secrets: {
        appSecret: { label: 'Apphemmelighet (signerer Metas webhooks)', help: 'Fra Basic settings i Meta-appen din.' },
        pageAccessToken: { label: 'Sidetilgangstoken', help: 'Lages for siden i Messenger-innstillingene i Meta-appen: svar og profiler bruker det.' },
      },
      setup: [
        'I Meta-appen: legg til Messenger og abonner siden på feltet messages.',
        'Callback-URL: {webhookUrl} (både håndtrykket og hendelsene bruker den).',
        'Bruk verifiseringstokenet du skrev her, og lim inn apphemmeligheten og sidetilgangstokenet under.',
        'Abonner siden på messages, message_echoes, message_deliveries, message_reads, messaging_postbacks.',
      ],
    },
  },
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
    if (!psid) return { status: 'failed', reason: 'This conversation has no Messenger recipient to answer.' }
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
  ui: { Icon: MessengerIcon, ComposerFields: MessengerComposerFields },
})
