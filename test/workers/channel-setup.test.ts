import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import worker from '../../src/index'
import { channels, conversations, inboxes, messages } from '../../src/db/schema'
import { newId } from '../../src/lib/ids'
import { emailChannelsOf } from '../../src/services/email-outbound'
import { notificationSender } from '../../src/services/notifications'
import { db, emailMessage, form, login, origin, request, workspace } from './helpers'

type Ws = Awaited<ReturnType<typeof workspace>>

async function secondInbox(ws: Ws, name = 'Billing') {
  const id = newId()
  await db().insert(inboxes).values({ id, accountId: ws.accountId, name, createdAt: Date.now() })
  return id
}

/** Connects a channel through the form as an admin; answers the response and the new channel's id (from the redirect). */
async function connect(cookie: string, inboxId: string, pluginId: string, values: Record<string, string>) {
  const response = await request(`/inbox/${inboxId}/settings/connect/${pluginId}`, { method: 'POST', cookie, body: form(values) })
  const channelId = /\/channels-settings\/([A-Za-z0-9_-]+)\?connected=1$/.exec(response.headers.get('Location') ?? '')?.[1]
  return { response, channelId }
}

const mailTo = (to: string, id: string) =>
  [`From: Ola <ola@example.no>`, `To: ${to}`, 'Subject: Hello', `Message-ID: <${id}@example.no>`, 'Content-Type: text/plain; charset=utf-8', '', 'Hei!'].join(
    '\r\n',
  )

describe('connect a channel', () => {
  it('lists every registered plugin with its description, connects email, and shows the steps with this deployment’s addresses', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const list = await (await request(`/inbox/${ws.inboxId}/settings/connect`, { cookie: admin })).text()
    for (const [name, description] of [
      ['Email', 'Mail to your support addresses becomes conversations'],
      ['Live chat', 'A chat button on your website'],
      ['Facebook Messenger', 'Messages to your Facebook page'],
      ['Forms', 'A contact form on your website'],
      ['Calls', 'Your phone line through Twilio'],
      ['SMS', 'Text messages to your number'],
    ]) {
      expect(list).toContain(name)
      expect(list).toContain(description)
    }
    const inboxId = await secondInbox(ws)
    const { channelId: id } = await connect(admin, inboxId, 'email', {
      name: 'Billing mail',
      addresses: `billing.${ws.tag}@acme.com\ninvoices.${ws.tag}@acme.com`,
    })
    expect(id).toBeTruthy()
    const [stored] = await db().select().from(channels).where(eq(channels.id, id!))
    expect(stored).toMatchObject({
      inboxId,
      pluginId: 'email',
      status: 'active',
      settings: { addresses: [`billing.${ws.tag}@acme.com`, `invoices.${ws.tag}@acme.com`] },
    })
    const page = await (await request(`/channels-settings/${id}?connected=1`, { cookie: admin })).text()
    expect(page).toContain('Connected. Follow the steps below to finish.')
    expect(page).toContain('Custom addresses → Create address: billing.')
    expect(page).toContain('Send to a Worker')
    expect(page).toContain('Add a forwarding address')
    expect(page).toContain('SPF, DKIM and DMARC for acme.com cannot be checked from here')
    expect(page).toContain('The SEND_EMAIL binding is configured')
    expect(page).toContain('Send a test email')
    // Agents may not connect channels.
    const agent = await login(ws.users.agent.email)
    expect((await request(`/inbox/${inboxId}/settings/connect`, { cookie: agent })).status).toBe(403)
    expect((await request(`/channels-settings/${id}`, { cookie: agent })).status).toBe(403)
    expect((await connect(agent, inboxId, 'chat', { name: 'Chat', allowedOrigins: 'https://agent.example.com' })).response.status).toBe(403)
  })

  it('refuses an address another channel has, naming its inbox, and keeps everything typed', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const inboxId = await secondInbox(ws)
    const typed = `new.${ws.tag}@acme.com\nSUPPORT.${ws.tag}@example.test`
    const { response } = await connect(admin, inboxId, 'email', { name: 'Second mail', addresses: typed, fromName: 'Billing team' })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain(`“support.${ws.tag}@example.test” is already used by a channel of the inbox Support.`)
    expect(html).toMatch(/id="new-error-addresses"/)
    expect(html).toContain(`new.${ws.tag}@acme.com\nSUPPORT.${ws.tag}@example.test`)
    expect(html).toContain('value="Billing team"')
    expect(html).toContain('value="Second mail"')
    // Another workspace's address is refused without naming anything of theirs.
    const other = await workspace()
    const across = await connect(admin, inboxId, 'email', { name: 'Mail', addresses: `support.${other.tag}@example.test` })
    expect(await across.response.text()).toContain('is already used by another workspace on this deployment.')
    // A malformed address and the same address twice, each next to the field.
    const bad = await connect(admin, inboxId, 'email', { name: 'Mail', addresses: 'not-an-address' })
    expect(await bad.response.text()).toContain('“not-an-address” is not a valid email address.')
    const twice = await connect(admin, inboxId, 'email', { name: 'Mail', addresses: `a.${ws.tag}@acme.com\nA.${ws.tag}@acme.com` })
    expect(await twice.response.text()).toContain(`“a.${ws.tag}@acme.com” is listed twice.`)
    // Editing a channel is held to the same rule.
    const edit = await request(`/channels-settings/${ws.channels.email.id}`, {
      method: 'POST',
      cookie: admin,
      body: form({ name: 'x', addresses: `support.${other.tag}@example.test` }),
    })
    expect(edit.status).toBe(422)
    expect(
      await db()
        .select()
        .from(channels)
        .where(and(eq(channels.accountId, ws.accountId), eq(channels.inboxId, inboxId))),
    ).toHaveLength(0)
  })

  it('refuses a malformed origin and one another chat channel allows, with per-field zod errors, keeping what was typed', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const first = await connect(admin, ws.inboxId, 'chat', {
      name: 'Site chat',
      allowedOrigins: 'https://www.acme.com',
      greeting: 'Hei',
      language: 'auto',
      chatflow: 'none',
    })
    expect(first.channelId).toBeTruthy()
    // Its page: the embed code for this deployment, and whether the preview can show the widget.
    const page = await (await request(`/channels-settings/${first.channelId}`, { cookie: admin })).text()
    expect(page).toContain(`&lt;script src=&quot;${origin}/widget.js&quot; data-channel=&quot;${first.channelId}&quot;`)
    expect(page).toContain(`To try the widget on the preview page, add ${origin} to Allowed origins.`)
    const preview = await (await request(`/channels-settings/${first.channelId}/preview`, { cookie: admin })).text()
    expect(preview).toContain(`<script src="${origin}/widget.js" data-channel="${first.channelId}"`)
    const malformed = await connect(admin, ws.inboxId, 'chat', {
      name: 'Shop chat',
      allowedOrigins: 'shop.acme.com',
      greeting: 'Hello shop',
      language: 'en',
      chatflow: 'none',
    })
    expect(malformed.response.status).toBe(422)
    const html = await malformed.response.text()
    expect(html).toContain('“shop.acme.com” is not a valid address')
    expect(html).toContain('value="Hello shop"')
    const withPath = await connect(admin, ws.inboxId, 'chat', {
      name: 'Shop chat',
      allowedOrigins: 'https://shop.acme.com/contact',
      language: 'en',
      chatflow: 'none',
    })
    expect(await withPath.response.text()).toContain('An origin is a scheme and a host')
    // The plugin's own sentence follows the admin's language.
    await request('/me/locale', { method: 'POST', cookie: admin, body: form({ locale: 'nb' }) })
    const norwegian = await connect(admin, ws.inboxId, 'chat', {
      name: 'Shop chat',
      allowedOrigins: 'https://shop.acme.com/contact',
      language: 'en',
      chatflow: 'none',
    })
    expect(await norwegian.response.text()).toContain('Et opphav er protokoll og vert, uten noe etter')
    await request('/me/locale', { method: 'POST', cookie: admin, body: form({ locale: 'en' }) })
    const taken = await connect(admin, ws.inboxId, 'chat', { name: 'Shop chat', allowedOrigins: 'https://WWW.acme.com/', language: 'en', chatflow: 'none' })
    expect(await taken.response.text()).toContain('“https://www.acme.com” is already used by a channel of the inbox Support.')
    // This deployment (the previews) and local test pages may be allowed by every channel.
    const shared = `${origin}\nhttp://localhost:8787`
    await request(`/channels-settings/${first.channelId}`, {
      method: 'POST',
      cookie: admin,
      body: form({ name: 'Site chat', allowedOrigins: `https://www.acme.com\n${shared}` }),
    })
    const second = await connect(admin, ws.inboxId, 'chat', { name: 'Pricing chat', allowedOrigins: shared, language: 'en', chatflow: 'none' })
    expect(second.response.status).toBe(303)
    // Messenger: a short verify token is refused next to its field; the page id stays.
    const messenger = await connect(admin, ws.inboxId, 'messenger', { name: 'FB', pageId: '12345', verifyToken: 'short' })
    const messengerHtml = await messenger.response.text()
    expect(messengerHtml).toMatch(/id="new-error-verifyToken"/)
    expect(messengerHtml).toContain('value="12345"')
  })

  it('gives the widget the chat channel’s own away message', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const saved = await request(`/channels-settings/${ws.channels.chat.id}`, {
      method: 'POST',
      cookie: admin,
      body: form({ name: 'Chat', allowedOrigins: 'https://www.example.com', language: 'auto', chatflow: 'none', awayMessage: 'We answer from 9 tomorrow.' }),
    })
    expect(saved.status).toBe(200)
    const session = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/session`, {
      method: 'POST',
      headers: { Origin: 'https://www.example.com' },
      body: '{}',
    })
    expect(((await session.json()) as { awayMessage: string | null }).awayMessage).toBe('We answer from 9 tomorrow.')
  })

  it('keeps secrets write-only: never sent back, blank keeps them, and the checks say which are missing', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const { channelId } = await connect(admin, ws.inboxId, 'messenger', {
      name: 'FB page',
      pageId: '99887766',
      verifyToken: 'a-long-verify-token',
      'secret.appSecret': 'app-secret-value-1',
    })
    const page = await (await request(`/channels-settings/${channelId}`, { cookie: admin })).text()
    expect(page).not.toContain('app-secret-value-1')
    expect(page).toContain('Set — leave empty to keep it')
    expect(page).toContain('Page access token is not set yet.')
    // One callback URL for Meta: its GET handshake and its posted events.
    expect(page).toContain(`Callback URL: ${origin}/channels/${channelId}/inbound`)
    const handshake = await request(`/channels/${channelId}/inbound?hub.mode=subscribe&hub.verify_token=a-long-verify-token&hub.challenge=4242`)
    expect(await handshake.text()).toBe('4242')
    expect((await request(`/channels/${channelId}/inbound?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1`)).status).toBe(403)
    // A plugin without a handshake: the address takes posts only.
    expect((await request(`/channels/${ws.channels.forms.id}/inbound`)).status).toBe(405)
    await request(`/channels-settings/${channelId}`, {
      method: 'POST',
      cookie: admin,
      body: form({ name: 'FB page', pageId: '99887766', verifyToken: 'a-long-verify-token', 'secret.appSecret': '', 'secret.pageAccessToken': 'EAAB-token' }),
    })
    const [stored] = await db().select().from(channels).where(eq(channels.id, channelId!))
    expect(stored?.secrets).toEqual({ appSecret: 'app-secret-value-1', pageAccessToken: 'EAAB-token' })
  })

  it('sends a test email through the real inbound path and links the conversation it landed in', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const response = await request(`/channels-settings/${ws.channels.email.id}/test-email`, { method: 'POST', cookie: admin, hx: 'test-email-result' })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('The test email landed in Support.')
    const conversationId = /\/c\/([A-Za-z0-9_-]+)"/.exec(html)?.[1]
    const [message] = await db().select().from(messages).where(eq(messages.conversationId, conversationId!))
    expect(message?.channelId).toBe(ws.channels.email.id)
    expect(message?.text).toContain('This test email was sent from the channel')
    // The raw message is kept like any routed mail's.
    expect(await env.ATTACHMENTS.get(message!.rawKey!)).not.toBeNull()
  })

  it('disables a channel: webhooks, mail and the widget are refused, history stays, and enabling takes mail again', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    await worker.email(
      emailMessage(mailTo(`support.${ws.tag}@example.test`, `before-${ws.tag}`), 'ola@example.no', `support.${ws.tag}@example.test`).message,
      env,
    )
    for (const channel of [ws.channels.email, ws.channels.forms, ws.channels.chat]) {
      const response = await request(`/channels-settings/${channel.id}/status`, { method: 'POST', cookie: admin, body: form({ status: 'disabled' }) })
      expect(response.status).toBe(303)
    }
    const refusedForm = await request(`/channels/${ws.channels.forms.id}/inbound`, { method: 'POST', body: form({ email: 'lena@example.com', message: 'hi' }) })
    expect(refusedForm.status).toBe(410)
    expect(await refusedForm.json()).toEqual({ error: 'This channel is disabled.' })
    const mail = emailMessage(mailTo(`support.${ws.tag}@example.test`, `during-${ws.tag}`), 'ola@example.no', `support.${ws.tag}@example.test`)
    await worker.email(mail.message, env)
    expect(mail.state.rejected).toContain('does not take mail at the moment')
    const widget = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/session`, {
      method: 'POST',
      headers: { Origin: 'https://www.example.com' },
      body: '{}',
    })
    expect(widget.status).toBe(410)
    // History stays; the settings show it disabled.
    expect(await db().select().from(conversations).where(eq(conversations.channelId, ws.channels.email.id))).toHaveLength(1)
    const settings = await (await request(`/inbox/${ws.inboxId}/settings`, { cookie: admin })).text()
    expect(settings).toContain('channel-status status-disabled')
    await request(`/channels-settings/${ws.channels.email.id}/status`, { method: 'POST', cookie: admin, body: form({ status: 'active' }) })
    const again = emailMessage(mailTo(`support.${ws.tag}@example.test`, `after-${ws.tag}`), 'ola@example.no', `support.${ws.tag}@example.test`)
    await worker.email(again.message, env)
    expect(again.state.rejected).toBeUndefined()
  })

  it('removes a channel: its conversation stays readable, replies are refused, and its address is free again', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const address = `support.${ws.tag}@example.test`
    await worker.email(emailMessage(mailTo(address, `old-${ws.tag}`), 'ola@example.no', address).message, env)
    const [conversation] = await db().select().from(conversations).where(eq(conversations.channelId, ws.channels.email.id))
    const removed = await request(`/channels-settings/${ws.channels.email.id}/status`, {
      method: 'POST',
      cookie: admin,
      hx: 'body',
      body: form({ status: 'removed' }),
    })
    expect(removed.headers.get('HX-Redirect')).toBe(`/inbox/${ws.inboxId}/settings`)
    const [row] = await db().select().from(channels).where(eq(channels.id, ws.channels.email.id))
    expect(row?.status).toBe('removed')
    // Readable as before, with Comment but no Reply.
    const thread = await request(`/inbox/${ws.inboxId}/open/c/${conversation!.id}`, { cookie: admin })
    expect(thread.status).toBe(200)
    const threadHtml = await thread.text()
    expect(threadHtml).toContain('Hei!')
    expect(threadHtml).toContain('name="kind" value="comment"')
    expect(threadHtml).not.toContain('name="kind" value="message"')
    // Not offered for replies.
    const reply = await request(`/conversations/${conversation!.id}/messages`, {
      method: 'POST',
      cookie: admin,
      hx: 'composer',
      body: form({ kind: 'message', text: 'Hello?' }),
    })
    expect(reply.status).toBe(422)
    expect(await reply.text()).toContain('channel has been removed')
    // Removed is final, and the settings say so.
    const settings = await (await request(`/inbox/${ws.inboxId}/settings`, { cookie: admin })).text()
    expect(settings).toContain('This channel was removed')
    expect(
      (await request(`/channels-settings/${ws.channels.email.id}/status`, { method: 'POST', cookie: admin, body: form({ status: 'active' }) })).status,
    ).toBe(422)
    // New mail and notifications no longer go out from it.
    expect(await emailChannelsOf(db(), ws.accountId, ws.inboxId)).toEqual([])
    expect(await notificationSender(db(), ws.accountId, ws.inboxId)).toBeNull()
    // Mail to the address is no longer routed to it; a new channel may claim it and gets the mail.
    const lost = emailMessage(mailTo(address, `lost-${ws.tag}`), 'ola@example.no', address)
    await worker.email(lost.message, env)
    expect(lost.state.rejected).toContain('No inbox receives mail')
    const { channelId } = await connect(admin, ws.inboxId, 'email', { name: 'New mail', addresses: address })
    expect(channelId).toBeTruthy()
    const found = emailMessage(mailTo(address, `new-${ws.tag}`), 'ola@example.no', address)
    await worker.email(found.message, env)
    expect(found.state.rejected).toBeUndefined()
    expect(await db().select().from(messages).where(eq(messages.channelId, channelId!))).toHaveLength(1)
  })

  it('builds a form: the chosen fields are stored and the embed code and preview carry them', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    // The new form starts from the schema's defaults (the thank-you text, the standard fields).
    const blank = await (await request(`/inbox/${ws.inboxId}/settings/connect/forms`, { cookie: admin })).text()
    expect(blank).toContain('value="Thank you! We will get back to you soon."')
    expect(blank).toMatch(/name="std\.message\.required" value="1" checked=""/)
    const { response, channelId } = await connect(admin, ws.inboxId, 'forms', {
      name: 'Contact',
      formName: 'Contact us',
      thankYou: 'Takk!',
      allowedOrigins: 'https://shop.example',
      'std.name.include': '1',
      'std.name.label': 'Your name',
      'std.message.include': '1',
      'std.message.required': '1',
      'std.message.label': 'Message',
      'std.email.label': 'Email',
      'custom.0.label': 'Order number',
      'custom.0.type': 'text',
      'custom.0.required': '1',
      'custom.1.label': '',
    })
    expect(response.status).toBe(303)
    const [stored] = await db().select().from(channels).where(eq(channels.id, channelId!))
    expect(stored?.settings).toMatchObject({
      formName: 'Contact us',
      thankYou: 'Takk!',
      fields: [
        { name: 'email', label: 'Email', type: 'email', required: true },
        { name: 'name', label: 'Your name', type: 'text', required: false },
        { name: 'message', label: 'Message', type: 'textarea', required: true },
        { name: 'order_number', label: 'Order number', type: 'text', required: true },
      ],
    })
    const page = await (await request(`/channels-settings/${channelId}`, { cookie: admin })).text()
    // The embed code is shown as text to copy …
    expect(page).toContain(`&lt;form action=&quot;${origin}/channels/${channelId}/inbound&quot;`)
    expect(page).toContain('name=&quot;order_number&quot;')
    // The embedded form carries the hidden field a bot fills in.
    expect(page).toContain('name=&quot;hp_website&quot;')
    // The snippet is the script, with the plain form for browsers without scripts.
    expect(page).toContain(`&lt;script src=&quot;${origin}/channels/forms/${channelId}/embed.js&quot;`)
    expect(page).toContain('&lt;noscript&gt;')
    const script = await request(`/channels/forms/${channelId}/embed.js`)
    expect(script.headers.get('Content-Type')).toContain('text/javascript')
    const source = await script.text()
    expect(source).toContain(`"action":"${origin}/channels/${channelId}/inbound"`)
    expect(source).toContain('"label":"Order number"')
    expect(source).toContain('"thankYou":"Takk!"')
    // An admin's label can never end the script: it is data, with every "<" escaped.
    const [row] = await db().select().from(channels).where(eq(channels.id, channelId!))
    const hostile = { ...(row!.settings as Record<string, unknown>), thankYou: '</script><script>alert(1)</script>' }
    await db().update(channels).set({ settings: hostile }).where(eq(channels.id, channelId!))
    const escaped = await (await request(`/channels/forms/${channelId}/embed.js`)).text()
    expect(escaped).not.toContain('</script>')
    expect(escaped).toContain('\\u003c/script>')
    expect(page).toContain('data-copy-text="embed-snippet"')
    // … and live on the preview page.
    const preview = await (await request(`/channels-settings/${channelId}/preview`, { cookie: admin })).text()
    expect(preview).toMatch(/<input id="sb-[^"]+-order_number" name="order_number" type="text" required=""/)
    // The form as embedded on the listed site posts to the channel, and the submission is filed.
    const filed = await request(`/channels/${channelId}/inbound`, {
      method: 'POST',
      body: form({ email: 'lena@example.com', name: 'Lena', message: 'Hei', order_number: 'A-17', hp_website: '' }),
      headers: { Origin: 'https://shop.example' },
    })
    expect(filed.status).toBe(201)
    // The script's post from the listed site may read its answer (CORS for that origin only).
    expect(filed.headers.get('Access-Control-Allow-Origin')).toBe('https://shop.example')
  })
})
