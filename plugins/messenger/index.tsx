import { z } from 'zod'
import { defineChannel, type InboundMessage } from '../../src/channels/types'
import { verifyHmacSha256Hex } from '../../src/channels/types'

const settings = z.object({
  pageId: z.string().min(1),
  pageName: z.string().optional(),
  /** The token Meta echoes back when the webhook is registered. */
  verifyToken: z.string().min(8),
})

// The parts of Meta's webhook payload we read; everything else is ignored.
const webhook = z.object({
  object: z.literal('page'),
  entry: z.array(
    z.object({
      messaging: z
        .array(
          z.object({
            sender: z.object({ id: z.string() }),
            recipient: z.object({ id: z.string() }),
            timestamp: z.number(),
            message: z.object({ mid: z.string(), text: z.string().optional(), is_echo: z.boolean().optional() }).optional(),
          }),
        )
        .default([]),
    }),
  ),
})

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

export const messengerChannel = defineChannel({
  id: 'messenger',
  name: 'Facebook Messenger',
  view: 'Messenger',
  settings,
  secrets: [{ key: 'appSecret', label: 'App secret (signs Meta’s webhooks)' }],
  texts: {
    en: {
      name: 'Facebook Messenger',
      fields: {
        pageId: { label: 'Page id', help: 'The numeric id of the Facebook page whose messages arrive here.' },
        pageName: { label: 'Page name' },
        verifyToken: { label: 'Verify token', help: 'Any string of 8 or more characters; enter the same one in Meta’s webhook settings.' },
      },
      secrets: { appSecret: { label: 'App secret (signs Meta’s webhooks)', help: 'From your Meta app’s Basic settings.' } },
      setup: [
        'In your Meta app, add the Messenger product and subscribe the page to the messages field.',
        'Callback URL: {routesUrl}/webhook for the handshake; events go to {webhookUrl}.',
        'Use the verify token entered here, and paste the app secret below.',
      ],
    },
    nb: {
      name: 'Facebook Messenger',
      fields: {
        pageId: { label: 'Side-ID', help: 'Den numeriske ID-en til Facebook-siden som meldingene kommer fra.' },
        pageName: { label: 'Sidenavn' },
        verifyToken: { label: 'Verifiseringstoken', help: 'En streng på minst 8 tegn; skriv den samme i Metas webhook-innstillinger.' },
      },
      secrets: { appSecret: { label: 'Apphemmelighet (signerer Metas webhooks)', help: 'Fra Basic settings i Meta-appen din.' } },
      setup: [
        'I Meta-appen: legg til Messenger og abonner siden på feltet messages.',
        'Callback-URL: {routesUrl}/webhook for håndtrykket; hendelser går til {webhookUrl}.',
        'Bruk verifiseringstokenet du skrev her, og lim inn apphemmeligheten under.',
      ],
    },
  },
  // Replies need the Graph API and a page token; sending arrives with the Messenger issue.
  capabilities: { outbound: false, webhook: true },
  async verify(request, ctx) {
    const appSecret = ctx.secrets.appSecret
    const header = request.headers.get('X-Hub-Signature-256') ?? ''
    if (!appSecret || !header.startsWith('sha256=')) return false
    const body = new Uint8Array(await request.arrayBuffer())
    return verifyHmacSha256Hex(appSecret, body, header.slice('sha256='.length))
  },
  async parse(input, ctx) {
    if (input.type !== 'http') return []
    const payload = webhook.parse(await input.request.json())
    const messages: InboundMessage[] = []
    for (const entry of payload.entry) {
      for (const event of entry.messaging) {
        // Echoes are our page's own messages; attachments-only messages get a placeholder.
        if (!event.message || event.message.is_echo || event.sender.id === ctx.settings.pageId) continue
        messages.push({
          externalId: event.message.mid,
          from: { externalId: event.sender.id },
          text: event.message.text ?? '(attachment)',
          sentAt: event.timestamp,
          thread: { key: event.sender.id },
        })
      }
    }
    return messages
  },
  routes(app, kit) {
    // Meta's subscription handshake: echo hub.challenge when the verify token matches.
    app.get('/:channelId/webhook', async (c) => {
      const channel = await kit.channel(c, c.req.param('channelId'))
      const mode = c.req.query('hub.mode')
      const token = c.req.query('hub.verify_token')
      if (mode === 'subscribe' && channel?.valid && token === channel.settings.verifyToken) {
        return c.text(c.req.query('hub.challenge') ?? '')
      }
      return c.text('Verification failed', 403)
    })
  },
  ui: { Icon: MessengerIcon },
})
