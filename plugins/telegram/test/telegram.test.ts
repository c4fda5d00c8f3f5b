import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test'
import { and, eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { contacts, conversations, db, deliver, form, login, messages, origin, request, worker, workspace } from '../../../test/shared/plugin-test-kit'
import { secretTokenHeader } from '../index'
import { textUpdate } from './contract'
import { installTelegramStandIn, telegramError } from './stand-in'

type Workspace = Awaited<ReturnType<typeof workspace>>

let standIn: ReturnType<typeof installTelegramStandIn>
beforeEach(() => {
  standIn = installTelegramStandIn()
})
afterEach(() => standIn.restore())

const telegramOf = (ws: Workspace) => ws.channels.telegram!
const inboundPath = (ws: Workspace) => `/channels/${telegramOf(ws).id}/inbound`

/** Posts an Update the way Telegram does: JSON, with the secret token given to setWebhook in a header. */
function postUpdate(ws: Workspace, update: unknown, secret: string | null = `secret-${ws.tag}`) {
  return request(inboundPath(ws), {
    method: 'POST',
    body: JSON.stringify(update),
    headers: { 'Content-Type': 'application/json', ...(secret === null ? {} : { [secretTokenHeader]: secret }) },
  })
}

async function runQueue(ws: Workspace, messageId: number, attempt: number) {
  const batch = createMessageBatch('switchboard-outbound', [
    { id: `q${attempt}`, timestamp: new Date(), attempts: attempt, body: { accountId: ws.accountId, messageId } },
  ])
  const ctx = createExecutionContext()
  await worker.queue(batch, env)
  return getQueueResult(batch, ctx)
}

const messageRow = async (id: number) => (await db().select().from(messages).where(eq(messages.id, id)))[0]!
const byExternalId = (externalId: string) => db().select().from(messages).where(eq(messages.externalId, externalId))

/** An agent writes `text` in the conversation's composer; returns the stored outgoing message. */
async function reply(ws: Workspace, conversationId: string, text: string) {
  const cookie = await login(ws.users.agent.email)
  const posted = await request(`/conversations/${conversationId}/messages`, { method: 'POST', cookie, body: form({ kind: 'message', text, seenSeq: '1' }) })
  expect(posted.status).toBe(201)
  const out = await db()
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'out')))
  return out.find((row) => row.text === text) ?? out[out.length - 1]!
}

describe('Telegram channel', () => {
  it('files an update as a conversation keyed by chat id; a missing or wrong secret token stores nothing; a redelivered update is stored once', async () => {
    const ws = await workspace()
    const update = textUpdate(900001, 41, 'Hei! Er pakken min sendt?')
    expect((await postUpdate(ws, update, null)).status).toBe(401)
    expect((await postUpdate(ws, update, 'guessed')).status).toBe(401)
    expect((await postUpdate(ws, update, `secret-${ws.tag}x`)).status).toBe(401)
    expect(await byExternalId('telegram:700100200:41')).toHaveLength(0)

    const first = await postUpdate(ws, update)
    expect(first.status).toBe(201)
    const again = await postUpdate(ws, update)
    expect(again.status).toBe(200)
    const rows = await byExternalId('telegram:700100200:41')
    expect(rows).toHaveLength(1)
    expect(rows[0]!.text).toBe('Hei! Er pakken min sendt?')
    expect(rows[0]!.direction).toBe('in')
    const [conversation] = await db().select().from(conversations).where(eq(conversations.id, rows[0]!.conversationId))
    expect(conversation!.externalKey).toBe('700100200')
    const people = await db().select().from(contacts).where(eq(contacts.accountId, ws.accountId))
    expect(people.map((person) => person.name)).toContain('Kari Nordmann')

    // A second message in the same chat joins the conversation.
    expect((await postUpdate(ws, textUpdate(900002, 42, 'Ordrenummer 1234'))).status).toBe(201)
    const [second] = await byExternalId('telegram:700100200:42')
    expect(second!.conversationId).toBe(rows[0]!.conversationId)
  })

  it('keys a group conversation by the group’s chat id, names each sender, and keeps when the message was written in its metadata', async () => {
    const ws = await workspace()
    const inGroup = (updateId: number, messageId: number, from: { id: number; first_name: string; username?: string }, text: string) => ({
      update_id: updateId,
      message: {
        message_id: messageId,
        from: { ...from, is_bot: false },
        chat: { id: -100123456, type: 'supergroup', title: 'Shop helpers' },
        date: 1764950100,
        text,
      },
    })
    expect((await postUpdate(ws, inGroup(900050, 7, { id: 11, first_name: 'Ola' }, 'Anyone there?'))).status).toBe(201)
    expect((await postUpdate(ws, inGroup(900051, 8, { id: 12, first_name: 'Per', username: 'per' }, 'Me too'))).status).toBe(201)
    const [first] = await byExternalId('telegram:-100123456:7')
    const [second] = await byExternalId('telegram:-100123456:8')
    expect(second!.conversationId).toBe(first!.conversationId)
    expect(first!.metadata).toMatchObject({ telegram: { updateId: 900050, chatType: 'supergroup', chatTitle: 'Shop helpers', sentAt: 1764950100 * 1000 } })
    const [conversation] = await db().select().from(conversations).where(eq(conversations.id, first!.conversationId))
    expect(conversation!.externalKey).toBe('-100123456')
    const people = await db().select().from(contacts).where(eq(contacts.accountId, ws.accountId))
    expect(people.map((person) => person.name)).toEqual(expect.arrayContaining(['Ola', 'Per']))
  })

  it('answers other update kinds with 2xx and stores nothing; refuses a malformed update (422) and bad JSON', async () => {
    const ws = await workspace()
    const edited = { update_id: 900010, edited_message: textUpdate(0, 43, 'edited').message }
    // Telegram redelivers anything not answered 2xx: an update we do not file is still accepted.
    const ignored = await postUpdate(ws, edited)
    expect(ignored.status).toBe(200)
    const malformed = await postUpdate(ws, { update_id: 900011, message: { message_id: 44, text: 'no chat', date: 1 } })
    expect(malformed.status).toBe(422)
    const notJson = await request(inboundPath(ws), {
      method: 'POST',
      body: '{"update_id":',
      headers: { 'Content-Type': 'application/json', [secretTokenHeader]: `secret-${ws.tag}` },
    })
    expect(notJson.status).toBe(422)
    expect(
      await db()
        .select()
        .from(messages)
        .where(eq(messages.channelId, telegramOf(ws).id)),
    ).toHaveLength(0)
  })

  it('an agent’s reply reaches sendMessage with exactly the text written; a 403 from Telegram ends as failed with its description', async () => {
    const ws = await workspace()
    await postUpdate(ws, textUpdate(900020, 51, 'Hello?'))
    const [inbound] = await byExternalId('telegram:700100200:51')

    const text = 'Yes, it left today.\n<b>Not bold</b> *nor this* & 1 < 2 🚚'
    const out = await reply(ws, inbound!.conversationId, text)
    expect(out.text).toBe(text)
    await runQueue(ws, out.id, 1)
    const sent = await messageRow(out.id)
    expect(sent.deliveryStatus).toBe('sent')
    expect(sent.externalId).toMatch(/^telegram:700100200:\d+$/)
    const calls = standIn.requests.filter((entry) => entry.body.text === text)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.path).toBe(`/bot123456:bot-${ws.tag}/sendMessage`)
    expect(calls[0]!.contentType).toContain('application/json')
    expect(calls[0]!.body).toEqual({ chat_id: 700100200, text })

    const blocked = await reply(ws, inbound!.conversationId, 'Are you still there?')
    standIn.answerNext(telegramError(403, 'Forbidden: bot was blocked by the user'))
    const result = await runQueue(ws, blocked.id, 1)
    expect(result.explicitAcks).toEqual(['q1'])
    expect(await messageRow(blocked.id)).toMatchObject({
      deliveryStatus: 'failed',
      deliveryError: 'Forbidden: bot was blocked by the user',
      deliveryAttempts: 1,
    })
  })

  it('a reply by an agent who reads Norwegian that Telegram refuses says so in Norwegian, with Telegram’s own words', async () => {
    const ws = await workspace()
    await postUpdate(ws, textUpdate(900050, 81, 'Hei'))
    const [inbound] = await byExternalId('telegram:700100200:81')
    const agent = await login(ws.users.agent.email)
    expect((await request('/me/locale', { method: 'POST', cookie: agent, body: form({ locale: 'nb' }) })).status).toBe(303)
    const blocked = await reply(ws, inbound!.conversationId, 'Er du der fortsatt?')
    standIn.answerNext(telegramError(403, 'Forbidden: bot was blocked by the user'))
    await runQueue(ws, blocked.id, 1)
    expect(await messageRow(blocked.id)).toMatchObject({
      deliveryStatus: 'failed',
      deliveryError: 'Telegram avviste meldingen (Forbidden: bot was blocked by the user).',
    })
  })

  it('a chat Telegram cannot find fails for good; a rate limit is retried after retry_after; a 5xx is retried', async () => {
    const ws = await workspace()
    await postUpdate(ws, textUpdate(900030, 61, 'Hi'))
    const [inbound] = await byExternalId('telegram:700100200:61')

    const lost = await reply(ws, inbound!.conversationId, 'One')
    standIn.answerNext(telegramError(400, 'Bad Request: chat not found'))
    expect(await deliver(db(), env, { accountId: ws.accountId, messageId: lost.id }, 1)).toMatchObject({ status: 'failed' })
    expect(await messageRow(lost.id)).toMatchObject({ deliveryStatus: 'failed', deliveryError: 'Bad Request: chat not found' })

    const limited = await reply(ws, inbound!.conversationId, 'Two')
    standIn.answerNext(telegramError(429, 'Too Many Requests: retry after 17', { retry_after: 17 }))
    const busy = await deliver(db(), env, { accountId: ws.accountId, messageId: limited.id }, 1)
    expect(busy).toMatchObject({ status: 'retry', delaySeconds: 17 })
    expect((await messageRow(limited.id)).deliveryStatus).toBe('pending')
    await runQueue(ws, limited.id, 2)
    expect((await messageRow(limited.id)).deliveryStatus).toBe('sent')

    const outage = await reply(ws, inbound!.conversationId, 'Three')
    standIn.answerNext(telegramError(502, 'Bad Gateway'))
    expect(await deliver(db(), env, { accountId: ws.accountId, messageId: outage.id }, 1)).toMatchObject({ status: 'retry' })
    expect((await messageRow(outage.id)).deliveryStatus).toBe('pending')
  })

  it('refuses a reply longer than 4096 characters beside the text, storing and sending nothing', async () => {
    const ws = await workspace()
    await postUpdate(ws, textUpdate(900040, 71, 'Long answer please'))
    const [inbound] = await byExternalId('telegram:700100200:71')
    const cookie = await login(ws.users.agent.email)
    const long = await request(`/conversations/${inbound!.conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'a'.repeat(4097), seenSeq: '1' }),
    })
    expect(long.status).toBe(422)
    expect(await long.text()).toMatch(/data-field="text"[^>]*>[^<]*4096/)
    const outgoing = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, inbound!.conversationId), eq(messages.direction, 'out')))
    expect(outgoing).toHaveLength(0)
    expect(standIn.requests).toHaveLength(0)
  })

  it('the channel’s page shows the setWebhook step with this deployment’s webhook URL', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.admin.email)
    const page = await request(`/channels-settings/${telegramOf(ws).id}`, { cookie })
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('setWebhook')
    expect(html).toContain(`url=${origin}/channels/${telegramOf(ws).id}/inbound`)
  })
})
