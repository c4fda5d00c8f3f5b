import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { contacts, conversations, messages } from '../../../src/db/schema'
import { appendMessage } from '../../../src/services/messages'
import { deliver } from '../../../src/services/outbound'
import { db, form, login, origin, request, workspace } from '../../../test/workers/helpers'
import { graphErrors, graphStandInBase, installGraphStandIn, metaSignature } from './stand-in'

type Workspace = Awaited<ReturnType<typeof workspace>>
let standIn: ReturnType<typeof installGraphStandIn> | null = null
afterEach(() => {
  standIn?.restore()
  standIn = null
})

const channelOf = (ws: Workspace) => ws.channels.messenger
const pageOf = (ws: Workspace) => `page-${ws.tag}`
const hour = 3_600_000

function install(ws: Workspace) {
  standIn = installGraphStandIn({
    accessToken: `page-token-${ws.tag}`,
    profiles: { 'psid-ada': { first_name: 'Ada', last_name: 'Lovelace', profile_pic: 'https://platform-lookaside.fbsbx.com/ada.jpg' } },
  })
  return standIn
}

/** Posts a webhook body the way Meta does: JSON, signed with the app secret. */
async function postWebhook(ws: Workspace, messaging: unknown[]) {
  const body = JSON.stringify({ object: 'page', entry: [{ id: pageOf(ws), time: Date.now(), messaging }] })
  const headers = { 'Content-Type': 'application/json', ...(await metaSignature(`secret-${ws.tag}`, body)) }
  return request(`/channels/${channelOf(ws).id}/inbound`, { method: 'POST', body, headers })
}

const incoming = (ws: Workspace, mid: string, text: string, psid = 'psid-ada') => ({
  sender: { id: psid },
  recipient: { id: pageOf(ws) },
  timestamp: Date.now(),
  message: { mid, text },
})

async function conversationOf(ws: Workspace, mid: string) {
  const [row] = await db()
    .select()
    .from(messages)
    .where(and(eq(messages.channelId, channelOf(ws).id), eq(messages.externalId, mid)))
  return row!.conversationId
}

const outgoing = (conversationId: string) =>
  db()
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'out')))

const sendEnv = () => ({ ...env, APP_URL: origin })

describe('Messenger channel', () => {
  it('quick replies written beside a reply reach the Send API as buttons; one too long is refused beside its field and nothing is stored', async () => {
    const ws = await workspace()
    const graph = install(ws)
    await postWebhook(ws, [incoming(ws, 'm-qr-1', 'Kan jeg bytte størrelse?')])
    const conversationId = await conversationOf(ws, 'm-qr-1')
    const cookie = await login(ws.users.agent.email)
    const tooLong = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Hvilken størrelse?', seenSeq: '1', quickReplies: 'S, M, This one is far too long for a button' }),
    })
    expect(tooLong.status).toBe(422)
    expect(await tooLong.text()).toContain('data-field="quickReplies"')
    expect(await outgoing(conversationId)).toHaveLength(0)
    const reply = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Hvilken størrelse?', seenSeq: '1', quickReplies: 'S, M , L,' }),
    })
    expect(reply.status).toBe(201)
    const [out] = await outgoing(conversationId)
    expect(await deliver(db(), sendEnv(), { accountId: ws.accountId, messageId: out!.id }, 1)).toEqual({ status: 'sent' })
    expect(graph.sends[0]).toMatchObject({
      body: {
        message: {
          text: 'Hvilken størrelse?',
          quick_replies: [
            { content_type: 'text', title: 'S', payload: 'QR:S' },
            { content_type: 'text', title: 'M', payload: 'QR:M' },
            { content_type: 'text', title: 'L', payload: 'QR:L' },
          ],
        },
      },
    })
  })

  it('an agent’s reply goes through the Send API as a RESPONSE and shows as sent; its echo is stored once; delivery and read receipts show on it', async () => {
    const ws = await workspace()
    const graph = install(ws)
    expect((await postWebhook(ws, [incoming(ws, 'm-in-1', 'Hvor er pakken min?')])).status).toBe(201)
    const conversationId = await conversationOf(ws, 'm-in-1')
    const cookie = await login(ws.users.agent.email)
    const reply = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Den er sendt i dag.', seenSeq: '1' }),
    })
    expect(reply.status).toBe(201)
    const [out] = await outgoing(conversationId)
    expect(await deliver(db(), sendEnv(), { accountId: ws.accountId, messageId: out!.id }, 1)).toEqual({ status: 'sent' })
    expect(graph.sends).toHaveLength(1)
    expect(graph.sends[0]).toMatchObject({
      accessToken: `page-token-${ws.tag}`,
      body: { recipient: { id: 'psid-ada' }, messaging_type: 'RESPONSE', message: { text: 'Den er sendt i dag.' } },
    })
    const [sent] = await outgoing(conversationId)
    expect(sent).toMatchObject({ deliveryStatus: 'sent', externalId: 'm_stand_in_1' })

    // Meta echoes the page's message back: the same id, so it is not a second message.
    const echo = {
      sender: { id: pageOf(ws) },
      recipient: { id: 'psid-ada' },
      timestamp: Date.now(),
      message: { mid: 'm_stand_in_1', text: 'Den er sendt i dag.', is_echo: true },
    }
    expect((await postWebhook(ws, [echo])).status).toBe(200)
    expect(await outgoing(conversationId)).toHaveLength(1)

    const watermark = Date.now() + 1000
    await postWebhook(ws, [
      { sender: { id: 'psid-ada' }, recipient: { id: pageOf(ws) }, timestamp: watermark, delivery: { mids: ['m_stand_in_1'], watermark } },
    ])
    expect((await outgoing(conversationId))[0]!.metadata).toMatchObject({ deliveredAt: expect.any(Number) })
    let page = await (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()
    expect(page).toContain('class="delivery delivery-delivered"')
    await postWebhook(ws, [{ sender: { id: 'psid-ada' }, recipient: { id: pageOf(ws) }, timestamp: watermark, read: { watermark } }])
    page = await (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()
    expect(page).toContain('class="delivery delivery-read"')
    expect(page).toContain('>Seen<')
  })

  it('an echo that arrives before the Send API answered is not a second copy of the reply', async () => {
    const ws = await workspace()
    install(ws)
    await postWebhook(ws, [incoming(ws, 'm-race', 'Quick question')])
    const conversationId = await conversationOf(ws, 'm-race')
    const cookie = await login(ws.users.agent.email)
    await request(`/conversations/${conversationId}/messages`, { method: 'POST', cookie, body: form({ kind: 'message', text: 'Quick answer', seenSeq: '1' }) })
    // Meta's echo of the message the stand-in is about to accept (its next id) is filed first.
    const echo = {
      sender: { id: pageOf(ws) },
      recipient: { id: 'psid-ada' },
      timestamp: Date.now(),
      message: { mid: 'm_stand_in_1', text: 'Quick answer', is_echo: true },
    }
    expect((await postWebhook(ws, [echo])).status).toBe(201)
    const [reply] = (await outgoing(conversationId)).filter((row) => row.authorUserId !== null)
    expect(await deliver(db(), sendEnv(), { accountId: ws.accountId, messageId: reply!.id }, 1)).toEqual({ status: 'sent' })
    const after = await outgoing(conversationId)
    expect(after).toHaveLength(1)
    expect(after[0]).toMatchObject({ id: reply!.id, externalId: 'm_stand_in_1', authorUserId: ws.users.agent.id })
  })

  it('Meta’s subscription check on the webhook URL itself is answered with the challenge only for the right verify token', async () => {
    const ws = await workspace()
    const url = (token: string) => `/channels/${channelOf(ws).id}/inbound?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`
    const ok = await request(url(`verify-${ws.tag}`))
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe('1158201444')
    expect((await request(url('wrong-token'))).status).toBe(403)
  })

  it('a message the page wrote in Meta’s own inbox shows in the thread as sent by the page', async () => {
    const ws = await workspace()
    install(ws)
    await postWebhook(ws, [incoming(ws, 'm-in-2', 'Hei')])
    const conversationId = await conversationOf(ws, 'm-in-2')
    const echo = {
      sender: { id: pageOf(ws) },
      recipient: { id: 'psid-ada' },
      timestamp: Date.now(),
      message: { mid: 'm-from-page-inbox', text: 'Svar fra siden', is_echo: true, app_id: 263902037430900 },
    }
    expect((await postWebhook(ws, [echo])).status).toBe(201)
    const [stored] = await outgoing(conversationId)
    expect(stored).toMatchObject({ text: 'Svar fra siden', direction: 'out', deliveryStatus: 'sent', authorContactId: null })
  })

  it('outside the 24-hour window the composer says why before anything is written, and a reply posted anyway is refused and nothing is queued', async () => {
    const ws = await workspace()
    const graph = install(ws)
    await postWebhook(ws, [incoming(ws, 'm-old', 'Hello?')])
    const conversationId = await conversationOf(ws, 'm-old')
    await db()
      .update(messages)
      .set({ createdAt: Date.now() - 30 * hour })
      .where(eq(messages.externalId, 'm-old'))
    const cookie = await login(ws.users.agent.email)
    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()
    expect(page).toContain('data-reply-closed')
    expect(page).toContain('Messenger only allows replies within 24 hours of the customer’s last message (30 hours ago)')
    expect(page).not.toContain('name="kind" value="message"')
    const refused = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Late', seenSeq: '1' }),
    })
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('Messenger only allows replies within 24 hours')
    expect(await outgoing(conversationId)).toHaveLength(0)
    expect(graph.sends).toHaveLength(0)
  })

  it('an agent who reads Norwegian sees why the window is closed in Norwegian, in the composer and when posting anyway', async () => {
    const ws = await workspace()
    install(ws)
    await postWebhook(ws, [incoming(ws, 'm-gammel', 'Hallo?')])
    const conversationId = await conversationOf(ws, 'm-gammel')
    await db()
      .update(messages)
      .set({ createdAt: Date.now() - 30 * hour })
      .where(eq(messages.externalId, 'm-gammel'))
    const cookie = await login(ws.users.agent.email)
    expect((await request('/me/locale', { method: 'POST', cookie, body: form({ locale: 'nb' }) })).status).toBe(303)
    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()
    expect(page).toContain('data-reply-closed')
    expect(page).toContain('Messenger tillater bare svar innen 24 timer etter kundens siste melding (for 30 timer siden).')
    expect(page).not.toContain('Messenger only allows')
    const refused = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Sent', seenSeq: '1' }),
    })
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('Messenger tillater bare svar innen 24 timer')
  })

  it('with the Human Agent permission on, a reply 3 days later goes with the HUMAN_AGENT tag', async () => {
    const ws = await workspace()
    const graph = install(ws)
    await db()
      .update((await import('../../../src/db/schema')).channels)
      .set({ settings: { pageId: pageOf(ws), verifyToken: `verify-${ws.tag}`, graphApiUrl: graphStandInBase, humanAgent: true } })
      .where(eq((await import('../../../src/db/schema')).channels.id, channelOf(ws).id))
    await postWebhook(ws, [incoming(ws, 'm-3d', 'Hello?')])
    const conversationId = await conversationOf(ws, 'm-3d')
    await db()
      .update(messages)
      .set({ createdAt: Date.now() - 72 * hour })
      .where(eq(messages.externalId, 'm-3d'))
    const cookie = await login(ws.users.agent.email)
    const reply = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Sorry for the wait', seenSeq: '1' }),
    })
    expect(reply.status).toBe(201)
    const [out] = await outgoing(conversationId)
    expect(await deliver(db(), sendEnv(), { accountId: ws.accountId, messageId: out!.id }, 1)).toEqual({ status: 'sent' })
    expect(graph.sends[0]!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Sorry for the wait' } })
  })

  it('Meta’s “outside the window” and “person unavailable” end as failed with the reason; a rate limit is retried after a wait', async () => {
    const ws = await workspace()
    const graph = install(ws)
    await postWebhook(ws, [incoming(ws, 'm-err', 'Hi')])
    const conversationId = await conversationOf(ws, 'm-err')
    const stored = async (text: string) =>
      (await appendMessage(db(), {
        accountId: ws.accountId,
        conversationId,
        channelId: channelOf(ws).id,
        direction: 'out',
        kind: 'message',
        authorUserId: ws.users.agent.id,
        text,
        deliveryStatus: 'pending',
        createdAt: Date.now(),
      }))!
    const row = async (id: number) => (await db().select().from(messages).where(eq(messages.id, id)))[0]!

    const one = await stored('One')
    graph.answerNext(graphErrors.outsideWindow())
    expect(await deliver(db(), sendEnv(), { accountId: ws.accountId, messageId: one.id }, 1)).toMatchObject({ status: 'failed' })
    expect((await row(one.id)).deliveryError).toBe(
      'Messenger refused the reply: The message is outside Messenger’s messaging window (#10/2018278: (#10) This message is sent outside of allowed window.).',
    )
    const two = await stored('Two')
    graph.answerNext(graphErrors.unavailable())
    await deliver(db(), sendEnv(), { accountId: ws.accountId, messageId: two.id }, 1)
    expect(await row(two.id)).toMatchObject({
      deliveryStatus: 'failed',
      deliveryError: expect.stringContaining('This person isn’t available on Messenger right now'),
    })
    const three = await stored('Three')
    graph.answerNext(graphErrors.rateLimited())
    expect(await deliver(db(), sendEnv(), { accountId: ws.accountId, messageId: three.id }, 1)).toMatchObject({ status: 'retry', delaySeconds: 60 })
    expect(await row(three.id)).toMatchObject({ deliveryStatus: 'pending', deliveryError: expect.stringContaining('limiting') })
    expect(await deliver(db(), sendEnv(), { accountId: ws.accountId, messageId: three.id }, 2)).toEqual({ status: 'sent' })
  })

  it('a new sender gets their name and picture from the Graph API, looked up once and again after a week', async () => {
    const ws = await workspace()
    const graph = install(ws)
    await postWebhook(ws, [incoming(ws, 'm-p1', 'First')])
    await postWebhook(ws, [incoming(ws, 'm-p2', 'Second')])
    expect(graph.profileLookups).toEqual(['psid-ada'])
    const conversationId = await conversationOf(ws, 'm-p1')
    const [conversation] = await db().select().from(conversations).where(eq(conversations.id, conversationId))
    const [contact] = await db().select().from(contacts).where(eq(contacts.id, conversation!.contactId!))
    expect(contact).toMatchObject({ name: 'Ada Lovelace', avatarUrl: 'https://platform-lookaside.fbsbx.com/ada.jpg' })
    const [first] = await db().select().from(messages).where(eq(messages.externalId, 'm-p1'))
    expect(first!.authorName).toBe('Ada Lovelace')
    await db()
      .update(contacts)
      .set({ profileRefreshedAt: Date.now() - 8 * 24 * hour })
      .where(eq(contacts.id, contact!.id))
    await postWebhook(ws, [incoming(ws, 'm-p3', 'Third')])
    expect(graph.profileLookups).toEqual(['psid-ada', 'psid-ada'])
  })

  it('a postback and a quick-reply answer are messages; a picture the customer sends arrives as an attachment', async () => {
    const ws = await workspace()
    const graph = install(ws)
    const picture = graph.serve('/cdn/receipt.png', 'image/png', new Uint8Array([137, 80, 78, 71]))
    const base = { sender: { id: 'psid-ada' }, recipient: { id: pageOf(ws) }, timestamp: Date.now() }
    const ok = await postWebhook(ws, [
      { ...base, postback: { mid: 'm-pb', title: 'Track my order', payload: 'TRACK' } },
      { ...base, message: { mid: 'm-qr', text: 'Yes', quick_reply: { payload: 'YES' } } },
      { ...base, message: { mid: 'm-att', attachments: [{ type: 'image', payload: { url: picture } }] } },
      // Only Meta's own hosts are fetched: anything else is named, never requested.
      { ...base, message: { mid: 'm-evil', attachments: [{ type: 'file', payload: { url: 'https://internal.example/secret' } }] } },
    ])
    expect(ok.status).toBe(201)
    const rows = await db()
      .select()
      .from(messages)
      .where(eq(messages.channelId, channelOf(ws).id))
    const byId = Object.fromEntries(rows.map((row) => [row.externalId, row]))
    expect(byId['m-pb']).toMatchObject({ text: 'Track my order', metadata: { messenger: { postback: 'TRACK' } } })
    expect(byId['m-qr']).toMatchObject({ text: 'Yes', metadata: { messenger: { quickReply: 'YES' } } })
    expect(byId['m-att']!.metadata).toMatchObject({ attachments: [{ filename: 'receipt.png', contentType: 'image/png', sizeBytes: 4 }] })
    expect(byId['m-evil']!.text).toBe('(file)')
  })

  it('a picture attached to a reply is uploaded to the Send API as the file', async () => {
    const ws = await workspace()
    const graph = install(ws)
    await postWebhook(ws, [incoming(ws, 'm-f', 'Send me the invoice')])
    const conversationId = await conversationOf(ws, 'm-f')
    const cookie = await login(ws.users.agent.email)
    const body = new FormData()
    body.set('kind', 'message')
    body.set('text', 'Here it is')
    body.set('seenSeq', '1')
    body.set('attachments', new File([new Uint8Array([1, 2, 3])], 'invoice.pdf', { type: 'application/pdf' }))
    const reply = await request(`/conversations/${conversationId}/messages`, { method: 'POST', cookie, body })
    expect(reply.status).toBe(201)
    const [out] = await outgoing(conversationId)
    const ctx = createExecutionContext()
    expect(await deliver(db(), sendEnv(), { accountId: ws.accountId, messageId: out!.id }, 1)).toEqual({ status: 'sent' })
    await waitOnExecutionContext(ctx)
    expect(graph.sends.map((send) => send.body.message)).toEqual([{ text: 'Here it is' }, { attachment: { type: 'file', payload: { is_reusable: false } } }])
    expect(graph.sends[1]!.file).toEqual({ name: 'invoice.pdf', type: 'application/pdf', size: 3 })
    const [sent] = await outgoing(conversationId)
    expect(sent!.metadata).toMatchObject({ messenger: { mids: ['m_stand_in_1', 'm_stand_in_2'] } })
  })
})
