import { afterEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { db, form, login, messages, request, workspace } from '../../../test/shared/plugin-test-kit'
import { graphStandInBase, installGraphStandIn, metaSignature } from './stand-in'

type Workspace = Awaited<ReturnType<typeof workspace>>
let standIn: ReturnType<typeof installGraphStandIn> | null = null
afterEach(() => {
  standIn?.restore()
  standIn = null
})

async function postWebhook(ws: Workspace, messaging: unknown[]) {
  const body = JSON.stringify({ object: 'page', entry: [{ id: `page-${ws.tag}`, time: Date.now(), messaging }] })
  const headers = { 'Content-Type': 'application/json', ...(await metaSignature(`secret-${ws.tag}`, body)) }
  return request(`/channels/${ws.channels.messenger.id}/inbound`, { method: 'POST', body, headers })
}

async function threadIn(ws: Workspace, email: string, locale: 'en' | 'nb', conversationId: string) {
  const cookie = await login(email)
  await request('/me/locale', { method: 'POST', cookie, body: form({ locale }) })
  return (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()
}

describe('Messenger channel: our words on a message in the reader’s language', () => {
  it('a file that could not be downloaded, an empty message and a bare button press read in Norwegian for a Norwegian agent; the customer’s words stay as written', async () => {
    const ws = await workspace()
    standIn = installGraphStandIn({ accessToken: `page-token-${ws.tag}` })
    const base = { sender: { id: 'psid-ola' }, recipient: { id: `page-${ws.tag}` }, timestamp: Date.now() }
    const gone = `${graphStandInBase}/cdn/gone.png`
    const posted = await postWebhook(ws, [
      { ...base, message: { mid: 'm-1', text: 'Kvittering <3', attachments: [{ type: 'image', payload: { url: gone } }] } },
      { ...base, message: { mid: 'm-2' } },
      { ...base, postback: { mid: 'm-3' } },
      { ...base, message: { mid: 'm-4', attachments: [{ type: 'template', payload: { title: 'Ordre 12' } }] } },
    ])
    expect(posted.status).toBe(201)
    const stored = await db().select().from(messages).where(eq(messages.channelId, ws.channels.messenger.id)).orderBy(messages.id)
    // Filed in English for search, previews and the AI.
    expect(stored.map((message) => message.text)).toEqual([
      'Kvittering <3\n(image could not be downloaded)',
      '(empty message)',
      '(button)',
      '(template: Ordre 12)',
    ])

    const norwegian = await threadIn(ws, ws.users.agent.email, 'nb', stored[0]!.conversationId)
    expect(norwegian).toContain('<div class="message-text">Kvittering &lt;3\n(image kunne ikke lastes ned)</div>')
    expect(norwegian).toContain('<div class="message-text">(tom melding)</div>')
    expect(norwegian).toContain('<div class="message-text">(knapp)</div>')
    expect(norwegian).toContain('<div class="message-text">(template: Ordre 12)</div>')
    const english = await threadIn(ws, ws.users.admin.email, 'en', stored[0]!.conversationId)
    expect(english).toContain('<div class="message-text">Kvittering &lt;3\n(image could not be downloaded)</div>')
    expect(english).toContain('<div class="message-text">(button)</div>')
  })

  it('an echo of a message the page wrote elsewhere is signed with the channel’s name when the page has none set, not an English word', async () => {
    const ws = await workspace()
    standIn = installGraphStandIn({ accessToken: `page-token-${ws.tag}` })
    const echo = {
      sender: { id: `page-${ws.tag}` },
      recipient: { id: 'psid-ola' },
      timestamp: Date.now(),
      message: { mid: 'm-echo', text: 'Hei Ola', is_echo: true },
    }
    expect((await postWebhook(ws, [echo])).status).toBe(201)
    const [stored] = await db().select().from(messages).where(eq(messages.channelId, ws.channels.messenger.id))
    expect(stored).toMatchObject({ direction: 'out', authorName: ws.channels.messenger.name })
  })
})
