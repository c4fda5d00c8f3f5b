import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import {
  appendMessage,
  contacts,
  conversations,
  db,
  deliver,
  form,
  login,
  messages,
  origin,
  request,
  worker,
  workspace,
} from '../../../test/shared/plugin-test-kit'
import { twilioSignature } from '../../twilio'
import { installSmsStandIn } from './stand-in'

type Workspace = Awaited<ReturnType<typeof workspace>>

let standIn: ReturnType<typeof installSmsStandIn>
beforeEach(() => {
  standIn = installSmsStandIn()
})
afterEach(() => standIn.restore())

const smsChannelOf = (ws: Workspace) => ws.channels.sms!

/** Posts an SMS webhook the way Twilio does: form-encoded, signed over the URL and sorted fields. */
async function postSms(ws: Workspace, fields: Record<string, string>, options: { token?: string; path?: string } = {}) {
  const path = options.path ?? `/channels/${smsChannelOf(ws).id}/inbound`
  const body = new URLSearchParams(fields)
  const signature = await twilioSignature(options.token ?? `auth-${ws.tag}`, `${origin}${path}`, body.entries())
  return request(path, { method: 'POST', body, headers: { 'X-Twilio-Signature': signature, 'Content-Type': 'application/x-www-form-urlencoded' } })
}

const incoming = (sid: string, text: string, from = '+47 912 34 567') => ({
  MessageSid: sid,
  AccountSid: 'AC1',
  From: from,
  To: '+4759440000',
  Body: text,
  NumMedia: '0',
})

async function runQueue(ws: Workspace, messageId: number, attempt: number) {
  const batch = createMessageBatch('switchboard-outbound', [
    { id: `q${attempt}`, timestamp: new Date(), attempts: attempt, body: { accountId: ws.accountId, messageId } },
  ])
  const ctx = createExecutionContext()
  // Deployments set APP_URL so providers can call back (delivery reports); a queue job has no request to take it from.
  await worker.queue(batch, { ...env, APP_URL: origin })
  return getQueueResult(batch, ctx)
}

async function storedReply(ws: Workspace, conversationId: string, text: string) {
  const stored = await appendMessage(db(), {
    accountId: ws.accountId,
    conversationId,
    channelId: smsChannelOf(ws).id,
    direction: 'out',
    kind: 'message',
    authorUserId: ws.users.agent.id,
    text,
    deliveryStatus: 'pending',
    createdAt: Date.now(),
  })
  return stored!
}

const messageRow = async (id: number) => (await db().select().from(messages).where(eq(messages.id, id)))[0]!

describe('SMS channel', () => {
  it('files a signed SMS as a conversation and answers Twilio with empty TwiML; unsigned or forged ones store nothing; a redelivery is stored once', async () => {
    const ws = await workspace()
    const unsigned = await request(`/channels/${smsChannelOf(ws).id}/inbound`, { method: 'POST', body: new URLSearchParams(incoming('SMa1', 'Hei')) })
    expect(unsigned.status).toBe(401)
    const forged = await postSms(ws, incoming('SMa1', 'Hei'), { token: 'guessed' })
    expect(forged.status).toBe(401)
    expect(await db().select().from(messages).where(eq(messages.externalId, 'sms:SMa1'))).toHaveLength(0)

    const ok = await postSms(ws, incoming('SMa1', 'Hei, er pakken sendt?'))
    expect(ok.status).toBe(200)
    expect(ok.headers.get('Content-Type')).toContain('text/xml')
    expect(await ok.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>')
    const again = await postSms(ws, incoming('SMa1', 'Hei, er pakken sendt?'))
    expect(again.status).toBe(200)
    const rows = await db().select().from(messages).where(eq(messages.externalId, 'sms:SMa1'))
    expect(rows).toHaveLength(1)
    expect(rows[0]!.text).toBe('Hei, er pakken sendt?')
    const [conversation] = await db().select().from(conversations).where(eq(conversations.id, rows[0]!.conversationId))
    expect(conversation!.externalKey).toBe('+4791234567')
  })

  it('refuses a payload too large to be an SMS (413) and one without a sender (422), storing nothing', async () => {
    const ws = await workspace()
    const huge = await postSms(ws, incoming('SMbig', 'x'.repeat(20_000)))
    expect(huge.status).toBe(413)
    const missing = await postSms(ws, { MessageSid: 'SMnofrom', Body: 'hi' })
    expect(missing.status).toBe(422)
    const stored = await db()
      .select()
      .from(messages)
      .where(eq(messages.channelId, smsChannelOf(ws).id))
    expect(stored).toHaveLength(0)
  })

  it('the composer offers no formatting on an SMS reply, shows the limit with a counter, and refuses 1,700 characters beside the text before storing anything', async () => {
    const ws = await workspace()
    const ok = await postSms(ws, incoming('SMc1', 'Can you call me?'))
    expect(ok.status).toBe(200)
    const [inbound] = await db().select().from(messages).where(eq(messages.externalId, 'sms:SMc1'))
    const cookie = await login(ws.users.agent.email)
    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${inbound!.conversationId}`, { cookie, hx: 'thread' })).text()
    expect(page).toMatch(/class="composer composer-message composer-plain"/)
    expect(page).toContain('at most 1600 characters')
    expect(page).toMatch(/<output class="composer-count" aria-live="polite">0 \/ 1600<\/output>/)

    const long = await request(`/conversations/${inbound!.conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'a'.repeat(1700), seenSeq: '1' }),
    })
    expect(long.status).toBe(422)
    const refused = await long.text()
    // Shown beside the text it concerns (DraftProblem.field), not above the composer.
    expect(refused).toMatch(/<p class="field-error" id="composer-error-text" data-field="text" role="alert">[^<]*at most 1600 characters; the reply has 1700/)
    expect(refused).not.toContain('class="form-error"')
    expect(refused).toMatch(/<output class="composer-count over" aria-live="polite">1700 \/ 1600<\/output>/)
    const outgoing = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, inbound!.conversationId), eq(messages.direction, 'out')))
    expect(outgoing).toHaveLength(0)
    expect(standIn.requests).toHaveLength(0)
  })

  it('sends a reply through the Messages API (Basic auth, To, From, Body, StatusCallback) as plain text and keeps the provider’s sid', async () => {
    const ws = await workspace()
    await postSms(ws, incoming('SMd1', 'Hello?'))
    const [inbound] = await db().select().from(messages).where(eq(messages.externalId, 'sms:SMd1'))
    const cookie = await login(ws.users.agent.email)
    const reply = await request(`/conversations/${inbound!.conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Yes, it left today.', html: '<p><strong>Yes</strong>, it left today.</p>', seenSeq: '1' }),
    })
    expect(reply.status).toBe(201)
    const [out] = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, inbound!.conversationId), eq(messages.direction, 'out')))
    // Stored as the plain text that goes out: an SMS has no formatting to keep.
    expect(out!.html).toBeNull()
    await runQueue(ws, out!.id, 1)
    const sent = await messageRow(out!.id)
    expect(sent.deliveryStatus).toBe('sent')
    expect(sent.externalId).toMatch(/^SM\d{32}$/)
    const call = standIn.requests.find((entry) => entry.form.Body === 'Yes, it left today.')!
    expect(call.path).toBe(`/2010-04-01/Accounts/AC${ws.tag}/Messages.json`)
    expect(call.authorization).toBe(`Basic ${btoa(`AC${ws.tag}:auth-${ws.tag}`)}`)
    expect(call.form).toMatchObject({ To: '+4791234567', From: '+4759440000', StatusCallback: `${origin}/channels/sms/${smsChannelOf(ws).id}/status` })
  })

  it('a number the provider refuses ends as failed with its reason after one attempt; a rate limit is retried after the wait it asks', async () => {
    const ws = await workspace()
    await postSms(ws, incoming('SMe1', 'Hi'))
    const [inbound] = await db().select().from(messages).where(eq(messages.externalId, 'sms:SMe1'))
    const refused = await storedReply(ws, inbound!.conversationId, 'Thanks!')
    standIn.answerNext(Response.json({ code: 21610, message: 'Attempt to send to unsubscribed recipient' }, { status: 400 }))
    const first = await runQueue(ws, refused.id, 1)
    expect(first.explicitAcks).toEqual(['q1'])
    expect(await messageRow(refused.id)).toMatchObject({
      deliveryStatus: 'failed',
      deliveryError: 'The SMS provider refused the message (21610: Attempt to send to unsubscribed recipient).',
      deliveryAttempts: 1,
    })

    const limited = await storedReply(ws, inbound!.conversationId, 'Again')
    standIn.answerNext(new Response(JSON.stringify({ code: 20429, message: 'Too Many Requests' }), { status: 429, headers: { 'Retry-After': '30' } }))
    const busy = await deliver(db(), env, { accountId: ws.accountId, messageId: limited.id }, 1)
    expect(busy).toEqual({ status: 'retry', delaySeconds: 30, error: 'The SMS provider is busy (20429: Too Many Requests).' })
    expect(await messageRow(limited.id)).toMatchObject({ deliveryStatus: 'pending', deliveryError: 'The SMS provider is busy (20429: Too Many Requests).' })
    await runQueue(ws, limited.id, 2)
    expect((await messageRow(limited.id)).deliveryStatus).toBe('sent')

    // A wait longer than the stale-delivery sweep allows is shortened, so the sweep never queues the message twice.
    const patient = await storedReply(ws, inbound!.conversationId, 'Tomorrow')
    standIn.answerNext(new Response(JSON.stringify({ code: 20429, message: 'Too Many Requests' }), { status: 429, headers: { 'Retry-After': '86400' } }))
    const later = await deliver(db(), env, { accountId: ws.accountId, messageId: patient.id }, 1)
    expect(later).toMatchObject({ status: 'retry', delaySeconds: 840 })
  })

  it('a refused reply’s reason is written in its author’s language, the provider’s own words kept', async () => {
    const ws = await workspace()
    await postSms(ws, incoming('SMn1', 'Hei'))
    const [inbound] = await db().select().from(messages).where(eq(messages.externalId, 'sms:SMn1'))
    const unsubscribed = () => standIn.answerNext(Response.json({ code: 21610, message: 'Attempt to send to unsubscribed recipient' }, { status: 400 }))
    const english = await storedReply(ws, inbound!.conversationId, 'Thanks!')
    unsubscribed()
    await runQueue(ws, english.id, 1)
    expect((await messageRow(english.id)).deliveryError).toBe('The SMS provider refused the message (21610: Attempt to send to unsubscribed recipient).')

    const agent = await login(ws.users.agent.email)
    expect((await request('/me/locale', { method: 'POST', cookie: agent, body: form({ locale: 'nb' }) })).status).toBe(303)
    const norwegian = await storedReply(ws, inbound!.conversationId, 'Takk!')
    unsubscribed()
    await runQueue(ws, norwegian.id, 1)
    expect(await messageRow(norwegian.id)).toMatchObject({
      deliveryStatus: 'failed',
      deliveryError: 'SMS-leverandøren avviste meldingen (21610: Attempt to send to unsubscribed recipient).',
    })
    // The earlier reply keeps the words it was given.
    expect((await messageRow(english.id)).deliveryError).toMatch(/^The SMS provider refused/)
  })

  it('a signed delivery report of an undelivered reply marks it failed with the error; an unsigned one is refused', async () => {
    const ws = await workspace()
    await postSms(ws, incoming('SMf1', 'Hi'))
    const [inbound] = await db().select().from(messages).where(eq(messages.externalId, 'sms:SMf1'))
    const reply = await storedReply(ws, inbound!.conversationId, 'On its way')
    await runQueue(ws, reply.id, 1)
    const sid = (await messageRow(reply.id)).externalId!
    const path = `/channels/sms/${smsChannelOf(ws).id}/status`
    const report = { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003', ErrorMessage: 'Unreachable destination handset' }
    const unsigned = await request(path, { method: 'POST', body: new URLSearchParams(report) })
    expect(unsigned.status).toBe(401)
    expect((await messageRow(reply.id)).deliveryStatus).toBe('sent')
    const signed = await postSms(ws, report, { path })
    expect(signed.status).toBe(204)
    expect(await messageRow(reply.id)).toMatchObject({
      deliveryStatus: 'failed',
      deliveryError: 'The SMS was not delivered (error 30003: Unreachable destination handset).',
    })

    // Twilio's report has no reader: the reason is written in the language of the reply's author.
    const agent = await login(ws.users.agent.email)
    await request('/me/locale', { method: 'POST', cookie: agent, body: form({ locale: 'nb' }) })
    const norwegian = await storedReply(ws, inbound!.conversationId, 'Den er på vei')
    await runQueue(ws, norwegian.id, 1)
    const lost = { ...report, MessageSid: (await messageRow(norwegian.id)).externalId! }
    expect((await postSms(ws, lost, { path })).status).toBe(204)
    expect((await messageRow(norwegian.id)).deliveryError).toBe('SMS-en ble ikke levert (feil 30003: Unreachable destination handset).')
  })

  it('an SMS and a call from the same number, written differently, are one contact', async () => {
    const ws = await workspace()
    const call = new URLSearchParams({ CallSid: 'CA-same', From: '+4791234567', To: '+4780012345', CallStatus: 'no-answer', Direction: 'inbound' })
    const callsPath = `/channels/${ws.channels.calls.id}/inbound`
    // The calls line signs its callbacks the Twilio way too, with its own auth token.
    const signature = await twilioSignature(`calls-${ws.tag}`, `${origin}${callsPath}`, call.entries())
    const called = await request(callsPath, {
      method: 'POST',
      body: call,
      headers: { 'X-Twilio-Signature': signature, 'Content-Type': 'application/x-www-form-urlencoded' },
    })
    expect(called.status).toBe(200)
    await postSms(ws, incoming('SMg1', 'Did you call?', '+47 912 34 567'))
    const people = await db().select().from(contacts).where(eq(contacts.accountId, ws.accountId))
    expect(people.map((contact) => contact.phone)).toEqual(['+4791234567'])
  })
})
