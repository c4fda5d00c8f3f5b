import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import worker from '../../../src/index'
import { attachments, channels, contacts, messages } from '../../../src/db/schema'
import { deliver } from '../../../src/services/outbound'
import { db, emailMessage, form, login, request, workspace } from '../../../test/workers/helpers'

type Workspace = Awaited<ReturnType<typeof workspace>>
const inboundOf = (ws: Workspace) => `/channels/${ws.channels.forms.id}/inbound`
const siteOf = (ws: Workspace) => `https://shop-${ws.tag}.example`
const stored = (ws: Workspace) => db().select().from(messages).where(eq(messages.channelId, ws.channels.forms.id))

function submit(ws: Workspace, fields: Record<string, string | File>, headers: Record<string, string> = {}) {
  const body = new FormData()
  for (const [key, value] of Object.entries(fields)) body.append(key, value)
  // Posted by a browser on the site the channel lists (its Origin is what verify checks).
  return request(inboundOf(ws), { method: 'POST', body, headers: { Origin: siteOf(ws), ...headers } })
}

describe('Forms channel: inbound', () => {
  it('a malformed multipart body gets a 4xx and stores nothing', async () => {
    const ws = await workspace()
    const broken = await request(inboundOf(ws), {
      method: 'POST',
      body: '--xyz\r\nContent-Disposition: form-data; name="email"\r\n\r\nlena@example.com\r\n--xy',
      headers: { 'Content-Type': 'multipart/form-data; boundary=xyz', Origin: siteOf(ws) },
    })
    expect(broken.status).toBeGreaterThanOrEqual(400)
    expect(broken.status).toBeLessThan(500)
    const noBoundary = await request(inboundOf(ws), { method: 'POST', body: 'email=x', headers: { 'Content-Type': 'multipart/form-data', Origin: siteOf(ws) } })
    expect(noBoundary.status).toBeGreaterThanOrEqual(400)
    expect(noBoundary.status).toBeLessThan(500)
    expect(await stored(ws)).toHaveLength(0)
  })
})

describe('Forms channel: spam and size', () => {
  it('a submission that fills the honeypot is accepted and stored nowhere', async () => {
    const ws = await workspace()
    const bot = await submit(ws, { email: 'bot@example.com', message: 'Cheap pills', hp_website: 'http://spam.example' })
    expect(bot.status).toBeLessThan(300)
    expect(await stored(ws)).toHaveLength(0)
    const person = await submit(ws, { email: 'lena@example.com', message: 'Real question', hp_website: '' })
    expect(person.status).toBe(201)
    const [row] = await stored(ws)
    expect(row!.text).toBe('Real question')
  })

  it('a browser that posted the plain HTML form reads the thank-you text (or lands on the site’s page), not JSON', async () => {
    const ws = await workspace()
    const channel = ws.channels.forms
    const asBrowser = { Accept: 'text/html,application/xhtml+xml', Referer: `https://shop-${ws.tag}.example/contact?a="b"` }
    const [row] = await db().select().from(channels).where(eq(channels.id, channel.id))
    const settings = row!.settings as Record<string, unknown>
    await db()
      .update(channels)
      .set({ settings: { ...settings, thankYou: 'Takk <b>Lena</b>! We answer within a day.' } })
      .where(eq(channels.id, channel.id))
    const page = await submit(ws, { email: 'lena@example.com', message: 'Open on Sundays?' }, asBrowser)
    expect(page.status).toBe(200)
    expect(page.headers.get('Content-Type')).toContain('text/html')
    const html = await page.text()
    // The admin's text is shown as text, and the way back is the page the form was on.
    expect(html).toContain('Takk &lt;b&gt;Lena&lt;/b&gt;! We answer within a day.')
    expect(html).toContain(`href="https://shop-${ws.tag}.example/contact?a=&quot;b&quot;"`)
    expect(await stored(ws)).toHaveLength(1)
    // A bot caught by the honeypot sees the same page.
    const bot = await submit(ws, { email: 'bot@example.com', message: 'Cheap', hp_website: 'x' }, asBrowser)
    expect(await bot.text()).toContain('We answer within a day.')
    await db()
      .update(channels)
      .set({ settings: { ...settings, redirectUrl: 'https://shop.example/thanks' } })
      .where(eq(channels.id, channel.id))
    const redirected = await submit(ws, { email: 'lena@example.com', message: 'And Mondays?' }, asBrowser)
    expect(redirected.status).toBe(303)
    expect(redirected.headers.get('Location')).toBe('https://shop.example/thanks')
    // A script's post still gets JSON.
    const json = await submit(ws, { email: 'lena@example.com', message: 'From a script' })
    expect(json.status).toBe(201)
    expect(((await json.json()) as { received: number }).received).toBe(1)
  })

  it('one address may post a form only so many times a minute (429); another address still can', async () => {
    const ws = await workspace()
    const statuses: number[] = []
    for (let index = 0; index < 22; index++) {
      statuses.push((await submit(ws, { email: 'lena@example.com', message: `n${index}` }, { 'CF-Connecting-IP': '203.0.113.9' })).status)
    }
    expect(statuses.slice(0, 20).every((status) => status === 201)).toBe(true)
    expect(statuses.slice(20)).toEqual([429, 429])
    expect((await submit(ws, { email: 'ola@example.com', message: 'other' }, { 'CF-Connecting-IP': '203.0.113.10' })).status).toBe(201)
    expect(await stored(ws)).toHaveLength(21)
  })

  it('file fields become attachments of the message; too many files or too large a file is refused (413)', async () => {
    const ws = await workspace()
    const ok = await submit(ws, {
      email: 'lena@example.com',
      message: 'See the photo',
      photo: new File([new Uint8Array([1, 2, 3, 4])], 'broken-lamp.jpg', { type: 'image/jpeg' }),
      empty: new File([], ''),
    })
    expect(ok.status).toBe(201)
    const [row] = await stored(ws)
    expect(row!.metadata).toMatchObject({ attachments: [{ filename: 'broken-lamp.jpg', contentType: 'image/jpeg', sizeBytes: 4 }] })
    expect(await db().select().from(attachments).where(eq(attachments.messageId, row!.id))).toHaveLength(1)
    const six = Object.fromEntries(Array.from({ length: 6 }, (_, index) => [`file${index}`, new File([new Uint8Array([index])], `f${index}.txt`)]))
    expect((await submit(ws, { email: 'lena@example.com', ...six })).status).toBe(413)
    const big = new File([new Uint8Array(4 * 1024 * 1024 + 1)], 'big.bin')
    expect((await submit(ws, { email: 'lena@example.com', big })).status).toBe(413)
    expect(await stored(ws)).toHaveLength(1)
  })

  it('a visitor reads why a submission is refused in their browser’s language', async () => {
    const ws = await workspace()
    const six = Object.fromEntries(Array.from({ length: 6 }, (_, index) => [`file${index}`, new File([new Uint8Array([index])], `f${index}.txt`)]))
    const norwegian = await submit(ws, { email: 'lena@example.com', ...six }, { 'Accept-Language': 'nb-NO,nb;q=0.9,en;q=0.5' })
    expect(norwegian.status).toBe(413)
    expect(await norwegian.json()).toEqual({ error: 'En innsending kan ha høyst 5 filer.' })
    const english = await submit(ws, { email: 'lena@example.com', ...six }, { 'Accept-Language': 'en-GB' })
    expect(await english.json()).toEqual({ error: 'A submission carries at most 5 files.' })
    const badAddress = await submit(ws, { email: 'not-an-address', message: 'Hei' }, { 'Accept-Language': 'nb' })
    expect(badAddress.status).toBe(422)
    expect(await badAddress.text()).toContain('Skriv inn en gyldig e-postadresse')
  })
})

describe('Forms channel: the agent answers by email', () => {
  it('the reply goes by email to the submitter through the inbox’s email channel, and their answer comes back into the same conversation', async () => {
    const ws = await workspace()
    await submit(ws, { email: 'lena@example.com', name: 'Lena', subject: 'Broken lamp', message: 'The lamp I bought flickers.' })
    const [submission] = await stored(ws)
    const conversationId = submission!.conversationId
    const cookie = await login(ws.users.agent.email)
    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()
    expect(page).toContain('name="kind" value="message"')
    expect(page).toContain('The reply goes by email to lena@example.com')
    const reply = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Sorry! A new lamp is on its way.', seenSeq: '1' }),
    })
    expect(reply.status).toBe(201)
    const [out] = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'out')))
    expect(out).toMatchObject({ channelId: ws.channels.email.id, deliveryStatus: 'pending' })
    const sentTo: string[] = []
    const mailEnv = {
      ...env,
      SEND_EMAIL: {
        async send(message: { to: string }) {
          sentTo.push(message.to)
        },
      } as unknown as SendEmail,
    }
    expect(await deliver(db(), mailEnv, { accountId: ws.accountId, messageId: out!.id }, 1)).toEqual({ status: 'sent' })
    expect(sentTo).toEqual(['lena@example.com'])
    // What went out is kept with the message: the agent's words, and our Message-ID.
    const [sent] = await db().select().from(messages).where(eq(messages.id, out!.id))
    const raw = await (await env.ATTACHMENTS.get(sent!.rawKey!))!.text()
    expect(raw).toContain('Sorry! A new lamp is on its way.')
    expect(raw).toMatch(/^To: .*lena@example\.com/im)
    const messageId = /^Message-ID: (<[^>]+>)/im.exec(raw)![1]!
    expect(messageId).toBe(`<${sent!.externalId}>`)

    // Lena answers from her mail client: In-Reply-To and References name our message.
    const answer = [
      'From: Lena <lena@example.com>',
      `To: support.${ws.tag}@example.test`,
      'Subject: Re: Broken lamp',
      `Message-ID: <answer.${ws.tag}@example.com>`,
      `In-Reply-To: ${messageId}`,
      `References: ${messageId}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Thank you, it arrived!',
    ].join('\r\n')
    const { message, state } = emailMessage(answer, 'lena@example.com', `support.${ws.tag}@example.test`)
    await worker.email(message, env)
    expect(state.rejected).toBeUndefined()
    const [back] = await db()
      .select()
      .from(messages)
      .where(eq(messages.externalId, `answer.${ws.tag}@example.com`))
    expect(back).toMatchObject({ conversationId, direction: 'in', channelId: ws.channels.email.id })
  })

  it('a submission without an email address: the composer says so before anything is written, and a reply is refused', async () => {
    const ws = await workspace()
    expect((await submit(ws, { name: 'Anon', message: 'Your shop is great' })).status).toBe(201)
    const [submission] = await stored(ws)
    const [contact] = await db().select().from(contacts).where(eq(contacts.id, submission!.authorContactId!))
    expect(contact).toMatchObject({ name: 'Anon', email: null })
    const cookie = await login(ws.users.agent.email)
    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${submission!.conversationId}`, { cookie, hx: 'thread' })).text()
    expect(page).toContain('This submission has no email address, so a reply cannot reach the sender.')
    expect(page).not.toContain('name="kind" value="message"')
    const refused = await request(`/conversations/${submission!.conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Thanks!', seenSeq: '1' }),
    })
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('This submission has no email address')
    const out = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, submission!.conversationId), eq(messages.direction, 'out')))
    expect(out).toHaveLength(0)
  })
})
