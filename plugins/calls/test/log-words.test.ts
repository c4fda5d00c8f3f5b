import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { db, form, login, messages, origin, request, workspace } from '../../../test/shared/plugin-test-kit'
import { twilioSignature } from '../../twilio'

type Workspace = Awaited<ReturnType<typeof workspace>>

async function postCallback(ws: Workspace, fields: Record<string, string>) {
  const path = `/channels/${ws.channels.calls.id}/inbound`
  const body = new URLSearchParams({ AccountSid: 'AC1', From: '+4791234567', To: '+4780012345', Direction: 'inbound', ...fields })
  const signature = await twilioSignature(`calls-${ws.tag}`, `${origin}${path}`, body.entries())
  return request(path, { method: 'POST', body, headers: { 'X-Twilio-Signature': signature, 'Content-Type': 'application/x-www-form-urlencoded' } })
}

async function readerIn(ws: Workspace, email: string, locale: 'en' | 'nb') {
  const cookie = await login(email)
  await request('/me/locale', { method: 'POST', cookie, body: form({ locale }) })
  return (conversationId: string) => request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' }).then((page) => page.text())
}

const recording = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE7'

describe('Calls channel: the call log in the reader’s language', () => {
  it('a Norwegian agent reads a missed call, a voicemail and its transcript in Norwegian; an English agent reads them in English', async () => {
    const ws = await workspace()
    expect((await postCallback(ws, { CallSid: 'CA70', CallStatus: 'no-answer' })).status).toBe(200)
    await postCallback(ws, { CallSid: 'CA71', CallStatus: 'completed', CallDuration: '40', RecordingUrl: recording, RecordingDuration: '31' })
    await postCallback(ws, { CallSid: 'CA71', CallStatus: 'in-progress', TranscriptionText: 'Ring meg <b>tilbake</b>.', RecordingUrl: recording })
    const entries = await db().select().from(messages).where(eq(messages.channelId, ws.channels.calls.id)).orderBy(messages.id)
    // What is filed for search, previews and the AI stays English.
    expect(entries.map((entry) => entry.text)).toEqual([
      'Missed call',
      `Voicemail (0:31)\n\nRecording: ${recording}`,
      'Voicemail transcript:\n\nRing meg <b>tilbake</b>.',
    ])
    const conversationId = entries[0]!.conversationId

    const norwegian = await (await readerIn(ws, ws.users.agent.email, 'nb'))(conversationId)
    expect(norwegian).toContain('<div class="message-text">Tapt anrop</div>')
    expect(norwegian).toContain(`<div class="message-text">Talepost (0:31)\n\nOpptak: ${recording}</div>`)
    expect(norwegian).toContain('<div class="message-text">Utskrift av talepost:\n\nRing meg &lt;b&gt;tilbake&lt;/b&gt;.</div>')
    expect(norwegian).not.toContain('<div class="message-text">Missed call')

    const english = await (await readerIn(ws, ws.users.admin.email, 'en'))(conversationId)
    expect(english).toContain('<div class="message-text">Missed call</div>')
    expect(english).toContain(`<div class="message-text">Voicemail (0:31)\n\nRecording: ${recording}</div>`)
    expect(english).toContain('<div class="message-text">Voicemail transcript:\n\nRing meg &lt;b&gt;tilbake&lt;/b&gt;.</div>')
  })

  it('an entry filed before its metadata said what happened shows the text it was filed with', async () => {
    const ws = await workspace()
    await postCallback(ws, { CallSid: 'CA80', CallStatus: 'no-answer' })
    const [entry] = await db().select().from(messages).where(eq(messages.channelId, ws.channels.calls.id))
    await db().update(messages).set({ text: 'Missed call (logged long ago)', metadata: {} }).where(eq(messages.id, entry!.id))
    const page = await (await readerIn(ws, ws.users.agent.email, 'nb'))(entry!.conversationId)
    expect(page).toContain('<div class="message-text">Missed call (logged long ago)</div>')
  })
})
