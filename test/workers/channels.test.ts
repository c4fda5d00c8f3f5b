import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import worker from '../../src/index'
import { conversations, messages } from '../../src/db/schema'
import { getConversation } from '../../src/services/conversations'
import { listMessages } from '../../src/services/messages'
import { db, emailMessage, hmacHex, origin, request, workspace } from './helpers'
import { twilioSignature } from '../../plugins/twilio'

describe('channel webhooks', () => {
  it('files a form submission, validates it, and stores a repeated submission once', async () => {
    const ws = await workspace()
    const url = `/channels/${ws.channels.forms.id}/inbound`
    // The browser on the shop's page (the channel's allowed origin) posts it.
    const fromShop = { Origin: `https://shop-${ws.tag}.example` }
    const bad = await request(url, {
      method: 'POST',
      body: JSON.stringify({ email: 'nope', message: 'hi' }),
      headers: { 'Content-Type': 'application/json', ...fromShop },
    })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toEqual({ error: 'invalid payload', issues: ['email: Enter a valid email address'] })
    const body = new URLSearchParams({
      email: 'lena@example.com',
      name: 'Lena',
      message: 'Call me back',
      company: 'Fjell AS',
      submissionId: 'sub-1',
      hp_website: '',
    })
    const ok = await request(url, { method: 'POST', body, headers: fromShop })
    expect(ok.status).toBe(201)
    const { results } = (await ok.json()) as { results: { conversationId: string; status: string }[] }
    const thread = await listMessages(db(), ws.accountId, results[0]!.conversationId)
    expect(thread[0]?.text).toBe('Call me back\ncompany: Fjell AS')
    const again = await request(url, { method: 'POST', body, headers: fromShop })
    expect(again.status).toBe(200)
    expect(((await again.json()) as { results: { status: string }[] }).results[0]?.status).toBe('duplicate')
  })

  it('refuses a form posted from a site the channel does not list, and drops a bot’s that filled the hidden field; the site’s server posts with its token', async () => {
    const ws = await workspace()
    const url = `/channels/${ws.channels.forms.id}/inbound`
    const submission = (id: string, extra: Record<string, string> = {}) =>
      new URLSearchParams({ email: 'lena@example.com', message: 'Call me back', submissionId: id, ...extra })
    const foreign = await request(url, { method: 'POST', body: submission('f1'), headers: { Origin: 'https://spam.example' } })
    expect(foreign.status).toBe(401)
    // Our own origin is not implied: the form lives on the customer's site.
    expect((await request(url, { method: 'POST', body: submission('f2') })).status).toBe(401)
    const bot = await request(url, {
      method: 'POST',
      body: submission('f3', { hp_website: 'http://cheap.example' }),
      headers: { Origin: `https://shop-${ws.tag}.example` },
    })
    // The bot is told nothing (it learns no way around the field), and nothing is stored.
    expect(bot.status).toBeLessThan(300)
    const wrongToken = await request(url, { method: 'POST', body: submission('f4'), headers: { Origin: '', Authorization: 'Bearer guess' } })
    expect(wrongToken.status).toBe(401)
    expect(await db().select().from(messages).where(eq(messages.channelId, ws.channels.forms.id))).toHaveLength(0)
    const server = await request(url, { method: 'POST', body: submission('f5'), headers: { Origin: '', Authorization: `Bearer form-token-${ws.tag}` } })
    expect(server.status).toBe(201)
  })

  it('checks Messenger’s signature and answers its subscription handshake', async () => {
    const ws = await workspace()
    const url = `/channels/${ws.channels.messenger.id}/inbound`
    const body = JSON.stringify({
      object: 'page',
      entry: [{ messaging: [{ sender: { id: 'u1' }, recipient: { id: 'p' }, timestamp: 1, message: { mid: 'm-1', text: 'hei' } }] }],
    })
    const unsigned = await request(url, { method: 'POST', body })
    expect(unsigned.status).toBe(401)
    const forged = await request(url, { method: 'POST', body, headers: { 'X-Hub-Signature-256': `sha256=${await hmacHex('wrong', body)}` } })
    expect(forged.status).toBe(401)
    const signed = await request(url, { method: 'POST', body, headers: { 'X-Hub-Signature-256': `sha256=${await hmacHex(`secret-${ws.tag}`, body)}` } })
    expect(signed.status).toBe(201)
    const handshake = await request(
      `/channels/messenger/${ws.channels.messenger.id}/webhook?hub.mode=subscribe&hub.verify_token=verify-${ws.tag}&hub.challenge=12345`,
    )
    expect(await handshake.text()).toBe('12345')
    const wrongToken = await request(`/channels/messenger/${ws.channels.messenger.id}/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1`)
    expect(wrongToken.status).toBe(403)
  })

  it('takes call records only when Twilio’s signature verifies', async () => {
    const ws = await workspace()
    const url = `/channels/${ws.channels.calls.id}/inbound`
    const call = new URLSearchParams({
      CallSid: 'CA-1',
      From: '+4791234567',
      To: '+4780012345',
      CallerName: 'Henrik',
      CallStatus: 'completed',
      Direction: 'inbound',
      RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',
      RecordingDuration: '48',
      TranscriptionText: 'Please call me back.',
    })
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' }
    expect((await request(url, { method: 'POST', body: call, headers })).status).toBe(401)
    const signature = await twilioSignature(`calls-${ws.tag}`, `${origin}${url}`, call.entries())
    const ok = await request(url, { method: 'POST', body: call, headers: { ...headers, 'X-Twilio-Signature': signature } })
    expect(ok.status).toBe(200)
    const [row] = await db().select().from(messages).where(eq(messages.externalId, 'call:CA-1'))
    const detail = await getConversation(db(), ws.accountId, row!.conversationId)
    expect(detail?.conversation.subject).toBe('Call with Henrik')
    expect((await listMessages(db(), ws.accountId, row!.conversationId))[0]?.text).toBe(
      'Voicemail (0:48)\n\nPlease call me back.\n\nRecording: https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',
    )
    const bad = new URLSearchParams({ CallSid: 'CA-2' })
    const badSignature = await twilioSignature(`calls-${ws.tag}`, `${origin}${url}`, bad.entries())
    expect((await request(url, { method: 'POST', body: bad, headers: { ...headers, 'X-Twilio-Signature': badSignature } })).status).toBe(422)
  })

  it('answers an unknown channel with 404', async () => {
    expect((await request('/channels/nope/inbound', { method: 'POST', body: '{}' })).status).toBe(404)
  })
})

describe('inbound email (the worker’s email handler)', () => {
  it('stores the raw message in R2 first, then files it in the inbox that owns the address (plus-addressing too)', async () => {
    const ws = await workspace()
    const to = `support.${ws.tag}+urgent@example.test`
    const raw = [
      'From: "Ola Nordmann" <ola@example.no>',
      `To: ${to}`,
      'Subject: =?UTF-8?Q?Bestilling_p=C3=A5_vei?=',
      `Message-ID: <m1.${ws.tag}@example.no>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hei! Når kommer pakken?',
    ].join('\r\n')
    const { message, state } = emailMessage(raw, 'ola@example.no', to)
    await worker.email(message, env)
    expect(state.rejected).toBeUndefined()
    const [row] = await db()
      .select()
      .from(messages)
      .where(eq(messages.externalId, `m1.${ws.tag}@example.no`))
    expect(row?.text).toBe('Hei! Når kommer pakken?')
    const conversation = await getConversation(db(), ws.accountId, row!.conversationId)
    expect(conversation?.conversation.subject).toBe('Bestilling på vei')
    expect(conversation?.contact).toMatchObject({ name: 'Ola Nordmann', email: 'ola@example.no' })
    const stored = await env.ATTACHMENTS.list({ prefix: `${ws.accountId}/raw/` })
    expect(stored.objects).toHaveLength(1)
    expect(await (await env.ATTACHMENTS.get(stored.objects[0]!.key))?.text()).toBe(raw)

    const reply = raw
      .replace(`Message-ID: <m1.${ws.tag}@example.no>`, `Message-ID: <m2.${ws.tag}@example.no>\r\nIn-Reply-To: <m1.${ws.tag}@example.no>`)
      .replace('Hei! Når kommer pakken?', 'Takk!')
    await worker.email(emailMessage(reply, 'ola@example.no', to).message, env)
    const thread = await listMessages(db(), ws.accountId, row!.conversationId)
    expect(thread.map((m) => m.text)).toEqual(['Hei! Når kommer pakken?', 'Takk!'])
  })

  it('rejects mail for an address no inbox owns, with the reason', async () => {
    const { message, state } = emailMessage('Subject: hi\r\n\r\nhello', 'a@example.com', 'nobody@nowhere.test')
    await worker.email(message, env)
    expect(state.rejected).toBe('No inbox receives mail for nobody@nowhere.test')
  })

  it('files a message without usable headers instead of dropping it, with the raw kept in R2', async () => {
    const ws = await workspace()
    const to = `support.${ws.tag}@example.test`
    const before = await db().select().from(conversations).where(eq(conversations.accountId, ws.accountId))
    const { message } = emailMessage('\u0000\u0001 not really an email', 'weird@example.com', to)
    await worker.email(message, env)
    const after = await db().select().from(conversations).where(eq(conversations.accountId, ws.accountId))
    expect(after.length).toBe(before.length + 1)
    const stored = await env.ATTACHMENTS.list({ prefix: `${ws.accountId}/raw/` })
    expect(stored.objects).toHaveLength(1)
  })
})
