import { env } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { channels, conversations, messages } from '../../../src/db/schema'
import { deliver } from '../../../src/services/outbound'
import { db, form, login, origin, request, workspace } from '../../../test/workers/helpers'
import { twilioSignature } from '../../twilio'
import { installCallsStandIn } from './stand-in'

type Workspace = Awaited<ReturnType<typeof workspace>>
let standIn: ReturnType<typeof installCallsStandIn> | null = null
afterEach(() => {
  standIn?.restore()
  standIn = null
})

const lineOf = (ws: Workspace) => ws.channels.calls
const inboundPath = (ws: Workspace) => `/channels/${lineOf(ws).id}/inbound`

/** Posts a Twilio callback: form-encoded, signed over the full URL and the sorted fields. */
async function postCallback(ws: Workspace, fields: Record<string, string>, token = `calls-${ws.tag}`) {
  const body = new URLSearchParams(fields)
  const signature = await twilioSignature(token, `${origin}${inboundPath(ws)}`, body.entries())
  return request(inboundPath(ws), { method: 'POST', body, headers: { 'X-Twilio-Signature': signature, 'Content-Type': 'application/x-www-form-urlencoded' } })
}

const call = (sid: string, fields: Record<string, string>) => ({
  CallSid: sid,
  AccountSid: 'AC1',
  From: '+4791234567',
  To: '+4780012345',
  Direction: 'inbound',
  ...fields,
})

const entriesOf = (ws: Workspace) =>
  db()
    .select()
    .from(messages)
    .where(eq(messages.channelId, lineOf(ws).id))
    .orderBy(messages.id)

describe('Calls channel: the call log', () => {
  it('inbound, missed and outbound calls become entries from signed status callbacks; ringing updates and forged callbacks store nothing', async () => {
    const ws = await workspace()
    const forged = await postCallback(ws, call('CA1', { CallStatus: 'completed', CallDuration: '83' }), 'guessed')
    expect(forged.status).toBe(401)
    const ringing = await postCallback(ws, call('CA1', { CallStatus: 'ringing' }))
    expect(ringing.status).toBe(200)
    expect(await ringing.text()).toContain('<Response></Response>')
    expect(await entriesOf(ws)).toHaveLength(0)

    expect((await postCallback(ws, call('CA1', { CallStatus: 'completed', CallDuration: '83', CallerName: 'Henrik' }))).status).toBe(200)
    expect((await postCallback(ws, call('CA2', { CallStatus: 'no-answer' }))).status).toBe(200)
    // Click-to-call's leg to the contact: from our line to them.
    expect(
      (
        await postCallback(
          ws,
          call('CA3', { Direction: 'outbound-dial', From: '+4780012345', To: '+47 912 34 567', CallStatus: 'completed', CallDuration: '65' }),
        )
      ).status,
    ).toBe(200)
    const entries = await entriesOf(ws)
    expect(entries.map((entry) => [entry.direction, entry.text])).toEqual([
      ['in', 'Answered call (1:23)'],
      ['in', 'Missed call'],
      ['out', 'Outgoing call (1:05)'],
    ])
    // One number, one conversation (while open), with the calls in order.
    expect(new Set(entries.map((entry) => entry.conversationId)).size).toBe(1)
    expect(entries[2]!.metadata).toMatchObject({
      call: { sid: 'CA3', direction: 'outbound', from: '+4780012345', to: '+47 912 34 567', contact: '+4791234567', durationSeconds: 65, status: 'answered' },
    })
    const [conversation] = await db().select().from(conversations).where(eq(conversations.id, entries[0]!.conversationId))
    expect(conversation).toMatchObject({ subject: 'Call with Henrik', externalKey: '+4791234567' })
  })

  it('a voicemail shows its length and recording link, and its transcript arrives as an entry in the same conversation', async () => {
    const ws = await workspace()
    const recording = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE9'
    await postCallback(ws, call('CA9', { CallStatus: 'completed', CallDuration: '40', RecordingUrl: recording, RecordingDuration: '31' }))
    await postCallback(
      ws,
      call('CA9', {
        CallStatus: 'in-progress',
        TranscriptionText: 'Hi, it is Henrik. Call me back about the invoice.',
        TranscriptionStatus: 'completed',
        RecordingUrl: recording,
      }),
    )
    const entries = await entriesOf(ws)
    expect(entries.map((entry) => entry.text)).toEqual([
      `Voicemail (0:31)\n\nRecording: ${recording}`,
      'Voicemail transcript:\n\nHi, it is Henrik. Call me back about the invoice.',
    ])
    expect(entries[0]!.conversationId).toBe(entries[1]!.conversationId)
    expect(entries[0]!.metadata).toMatchObject({ call: { status: 'voicemail', recordingUrl: recording } })
  })
})

describe('Calls channel: answering', () => {
  it('an agent answers a caller by SMS from the line’s number through the Messages API', async () => {
    const ws = await workspace()
    standIn = installCallsStandIn({ accountSid: `AC${ws.tag}`, authToken: `calls-${ws.tag}` })
    await postCallback(ws, call('CA20', { CallStatus: 'no-answer' }))
    const [missed] = await entriesOf(ws)
    const cookie = await login(ws.users.agent.email)
    const reply = await request(`/conversations/${missed!.conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Sorry we missed you, we call back at 14.', seenSeq: '1' }),
    })
    expect(reply.status).toBe(201)
    const [out] = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, missed!.conversationId), eq(messages.direction, 'out')))
    expect(await deliver(db(), { ...env, APP_URL: origin }, { accountId: ws.accountId, messageId: out!.id }, 1)).toEqual({ status: 'sent' })
    expect(standIn.requests).toEqual([
      expect.objectContaining({
        resource: 'Messages',
        form: {
          To: '+4791234567',
          From: '+4780012345',
          Body: 'Sorry we missed you, we call back at 14.',
          StatusCallback: `${origin}/channels/calls/${lineOf(ws).id}/status`,
        },
      }),
    ])
  })

  it('on a line whose number cannot text, the composer says so before anything is written and offers no Reply', async () => {
    const ws = await workspace()
    await db()
      .update(channels)
      .set({ settings: { phoneNumber: '+4780012345' } })
      .where(eq(channels.id, lineOf(ws).id))
    await postCallback(ws, call('CA30', { CallStatus: 'no-answer' }))
    const [missed] = await entriesOf(ws)
    const cookie = await login(ws.users.agent.email)
    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${missed!.conversationId}`, { cookie, hx: 'thread' })).text()
    expect(page).toContain('This line’s number does not send SMS')
    expect(page).not.toContain('name="kind" value="message"')
    // No line to call out from: Call is a plain tel: link.
    expect(page).toContain('href="tel:+4791234567"')
    const refused = await request(`/conversations/${missed!.conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Hi', seenSeq: '1' }),
    })
    expect(refused.status).toBe(422)

    // An agent who reads Norwegian is told in Norwegian.
    await request('/me/locale', { method: 'POST', cookie, body: form({ locale: 'nb' }) })
    const norwegian = await (await request(`/inbox/${ws.inboxId}/open/c/${missed!.conversationId}`, { cookie, hx: 'thread' })).text()
    expect(norwegian).toContain('Nummeret til denne linjen kan ikke sende SMS, så innringeren kan ikke få svar her')
  })

  it('Call rings the agent’s phone through the Calls API, then dials the contact from the line; a refusal shows the provider’s reason', async () => {
    const ws = await workspace()
    standIn = installCallsStandIn({ accountSid: `AC${ws.tag}`, authToken: `calls-${ws.tag}` })
    await postCallback(ws, call('CA40', { CallStatus: 'no-answer' }))
    const [missed] = await entriesOf(ws)
    const cookie = await login(ws.users.agent.email)
    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${missed!.conversationId}`, { cookie, hx: 'thread' })).text()
    expect(page).toContain(`hx-post="/conversations/${missed!.conversationId}/call"`)
    const placed = await request(`/conversations/${missed!.conversationId}/call`, { method: 'POST', cookie, hx: 'true' })
    expect(placed.status).toBe(200)
    expect(await placed.text()).toContain('your phone rings now')
    const [dial] = standIn.requests
    expect(dial).toMatchObject({ resource: 'Calls', path: `/2010-04-01/Accounts/AC${ws.tag}/Calls.json`, form: { To: '+4799988877', From: '+4780012345' } })
    expect(dial!.form.Twiml).toBe(
      `<Response><Dial callerId="+4780012345"><Number statusCallback="${origin}/channels/${lineOf(ws).id}/inbound" statusCallbackEvent="completed">+4791234567</Number></Dial></Response>`,
    )
    // An agent who gave their own phone in their profile is rung there instead of the line's phone.
    const saved = await request('/me/phone', { method: 'POST', cookie, hx: 'true', body: form({ phone: '+47 911 22 333' }) })
    expect(saved.status).toBe(200)
    const refusedPhone = await request('/me/phone', { method: 'POST', cookie, hx: 'true', body: form({ phone: '911 22 333' }) })
    expect(refusedPhone.status).toBe(422)
    await request(`/conversations/${missed!.conversationId}/call`, { method: 'POST', cookie, hx: 'true' })
    expect(standIn.requests[1]).toMatchObject({ resource: 'Calls', form: { To: '+4791122333' } })
    standIn.answerNext(400, { code: 21215, message: 'Geographic permission not enabled for +47' })
    const refused = await request(`/conversations/${missed!.conversationId}/call`, { method: 'POST', cookie, hx: 'true' })
    expect(await refused.text()).toContain(
      'The call could not be placed: The phone provider refused the call (21215: Geographic permission not enabled for +47).',
    )
  })
})
