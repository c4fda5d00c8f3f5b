import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { db, form, login, messages, origin, request, workspace } from '../../../test/shared/plugin-test-kit'
import { twilioSignature } from '../../twilio'

type Workspace = Awaited<ReturnType<typeof workspace>>

async function postSms(ws: Workspace, sid: string, body: string, numMedia: number) {
  const path = `/channels/${ws.channels.sms!.id}/inbound`
  const fields = new URLSearchParams({ MessageSid: sid, AccountSid: 'AC1', From: '+4791234567', To: '+4759440000', Body: body, NumMedia: String(numMedia) })
  const signature = await twilioSignature(`auth-${ws.tag}`, `${origin}${path}`, fields.entries())
  return request(path, { method: 'POST', body: fields, headers: { 'X-Twilio-Signature': signature, 'Content-Type': 'application/x-www-form-urlencoded' } })
}

async function threadIn(ws: Workspace, email: string, locale: 'en' | 'nb', conversationId: string) {
  const cookie = await login(email)
  await request('/me/locale', { method: 'POST', cookie, body: form({ locale }) })
  return (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()
}

describe('SMS channel: our notes on an SMS in the reader’s language', () => {
  it('a Norwegian agent reads that pictures were left out, and that an SMS was empty, in Norwegian; an English agent in English', async () => {
    const ws = await workspace()
    expect((await postSms(ws, 'SM90', 'Se <i>bildene</i>', 3)).status).toBe(200)
    await postSms(ws, 'SM91', '', 0)
    await postSms(ws, 'SM92', 'Bare tekst', 0)
    const stored = await db().select().from(messages).where(eq(messages.channelId, ws.channels.sms!.id)).orderBy(messages.id)
    // Filed in English for search, previews and the AI.
    expect(stored.map((message) => message.text)).toEqual(['Se <i>bildene</i>\n(3 pictures not shown)', '(empty message)', 'Bare tekst'])
    const conversationId = stored[0]!.conversationId

    const norwegian = await threadIn(ws, ws.users.agent.email, 'nb', conversationId)
    expect(norwegian).toContain('<div class="message-text">Se &lt;i&gt;bildene&lt;/i&gt;\n(3 bilder vises ikke)</div>')
    expect(norwegian).toContain('<div class="message-text">(tom melding)</div>')
    expect(norwegian).toContain('<div class="message-text">Bare tekst</div>')

    const english = await threadIn(ws, ws.users.admin.email, 'en', conversationId)
    expect(english).toContain('<div class="message-text">Se &lt;i&gt;bildene&lt;/i&gt;\n(3 pictures not shown)</div>')
    expect(english).toContain('<div class="message-text">(empty message)</div>')
  })

  it('an SMS filed before the note was kept shows the text it was filed with', async () => {
    const ws = await workspace()
    await postSms(ws, 'SM93', 'Hei', 1)
    const [sms] = await db().select().from(messages).where(eq(messages.channelId, ws.channels.sms!.id))
    await db().update(messages).set({ text: 'Hei\n(1 picture not shown, long ago)', metadata: {} }).where(eq(messages.id, sms!.id))
    const page = await threadIn(ws, ws.users.agent.email, 'nb', sms!.conversationId)
    expect(page).toContain('<div class="message-text">Hei\n(1 picture not shown, long ago)</div>')
  })
})
