import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { and, desc, eq } from 'drizzle-orm'
import { describe, expect, it, vi } from 'vitest'
import worker from '../../src/index'
import { conversations, messages } from '../../src/db/schema'
import { ingestInbound } from '../../src/channels/pipeline'
import { buildMail, fixture } from '../shared/email-fixtures'
import { recordingNotifier } from '../shared/workspace'
import { db, emailMessage, form, hmacHex, login, openSocket, origin, request, workspace } from './helpers'

async function messengerWebhook(ws: Awaited<ReturnType<typeof workspace>>, senderId: string, mid: string, text: string) {
  const body = JSON.stringify({
    object: 'page',
    entry: [{ messaging: [{ sender: { id: senderId }, recipient: { id: `page-${ws.tag}` }, timestamp: Date.now(), message: { mid, text } }] }],
  })
  return request(`/channels/${ws.channels.messenger.id}/inbound`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': `sha256=${await hmacHex(`secret-${ws.tag}`, body)}` },
  })
}

describe('live updates', () => {
  it('pushes a new inbound message to agents on the thread, after it was stored', async () => {
    const ws = await workspace()
    const first = await messengerWebhook(ws, 'psid-1', 'm1', 'First message')
    const { results } = (await first.json()) as { results: { conversationId: string }[] }
    const conversationId = results[0]!.conversationId
    const cookie = await login(ws.users.agent.email)
    const thread = await openSocket(`/conversations/${conversationId}/live?after=1`, cookie)
    const other = await openSocket(`/conversations/${conversationId}/live?after=1`, await login(ws.users.admin.email))
    // Each agent sees who else has the thread open.
    expect(await thread.next((frame) => frame.includes('Also viewing: Alex'))).toContain('id="thread-viewers"')
    expect((await messengerWebhook(ws, 'psid-1', 'm2', 'Second <b>message</b>')).status).toBe(201)
    const frame = await thread.next((data) => data.includes('Second'))
    expect(frame).toContain('hx-swap-oob="beforeend:#thread-messages"')
    expect(frame).toContain('data-seq="2"')
    expect(frame).toContain('Second &lt;b&gt;message&lt;/b&gt;')
    await other.next((data) => data.includes('Second'))
    other.socket.close(1000)
    expect(await thread.next((data) => data.includes('id="thread-viewers"') && !data.includes('Alex'))).not.toContain('Also viewing')
    thread.socket.close(1000)
  })

  it('wakes a thread’s room for a delivery only while an agent has the thread open', async () => {
    const ws = await workspace()
    const recorder = recordingNotifier()
    const deps = { db: db(), notifier: recorder.notifier, blobs: env.ATTACHMENTS }
    const deliver = (n: number) =>
      ingestInbound(deps, ws.channels.messenger, { externalId: `w${n}`, from: { externalId: 'psid-w' }, text: `watched ${n}`, thread: { key: 'psid-w' } })
    const watchedOf = async (conversationId: string) =>
      (await db().select({ watched: conversations.watched }).from(conversations).where(eq(conversations.id, conversationId)))[0]?.watched
    const lastEvent = () => recorder.events.at(-1)!.event
    const { conversationId } = await deliver(1)
    // Nobody can have a conversation open before it exists.
    expect(lastEvent()).toMatchObject({ startedConversation: true })
    await deliver(2)
    expect(lastEvent()).toMatchObject({ conversationId, watched: false })
    // The room sets the flag before the socket opens, so the next delivery's transaction sees it.
    const thread = await openSocket(`/conversations/${conversationId}/live?after=2`, await login(ws.users.agent.email))
    expect(await watchedOf(conversationId)).toBe(true)
    await deliver(3)
    expect(lastEvent()).toMatchObject({ conversationId, watched: true })
    // A second agent leaving keeps it; the last one leaving clears it.
    const other = await openSocket(`/conversations/${conversationId}/live?after=3`, await login(ws.users.admin.email))
    other.socket.close(1000)
    await thread.next((data) => data.includes('id="thread-viewers"') && !data.includes('Also viewing'))
    expect(await watchedOf(conversationId)).toBe(true)
    thread.socket.close(1000)
    await vi.waitUntil(async () => (await watchedOf(conversationId)) === false, { timeout: 5000 })
    await deliver(4)
    expect(lastEvent()).toMatchObject({ conversationId, watched: false })
  })

  it('clears a stale watched flag when a delivery wakes a room nobody is in', async () => {
    const ws = await workspace()
    const created = (await (await messengerWebhook(ws, 'psid-stale', 's1', 'Hello')).json()) as { results: { conversationId: string }[] }
    const conversationId = created.results[0]!.conversationId
    // As after a restart that dropped the sockets without their close events.
    await db().update(conversations).set({ watched: true }).where(eq(conversations.id, conversationId))
    expect((await messengerWebhook(ws, 'psid-stale', 's2', 'Anyone?')).status).toBe(201)
    await vi.waitUntil(
      async () => (await db().select({ watched: conversations.watched }).from(conversations).where(eq(conversations.id, conversationId)))[0]?.watched === false,
      {
        timeout: 5000,
      },
    )
  })

  it('sends a reconnecting agent exactly the messages after its last seq', async () => {
    const ws = await workspace()
    const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
    let conversationId = ''
    for (let i = 1; i <= 4; i++) {
      const result = await ingestInbound(deps, ws.channels.chat, {
        externalId: `r${i}`,
        from: { externalId: 'v' },
        text: `resume ${i}`,
        thread: { key: 'resume' },
      })
      conversationId = result.conversationId
    }
    const cookie = await login(ws.users.agent.email)
    const resumed = await openSocket(`/conversations/${conversationId}/live?after=2`, cookie)
    const frame = await resumed.next((data) => data.includes('resume'))
    expect(frame).toContain('resume 3')
    expect(frame).toContain('resume 4')
    expect(frame).not.toContain('resume 2')
    resumed.socket.close(1000)
  })

  it('pushes an agent’s comment to the other agents on the thread', async () => {
    const ws = await workspace()
    const created = (await (await messengerWebhook(ws, 'psid-2', 'c1', 'Hello')).json()) as { results: { conversationId: string }[] }
    const conversationId = created.results[0]!.conversationId
    const watcher = await openSocket(`/conversations/${conversationId}/live?after=1`, await login(ws.users.admin.email))
    const writer = await login(ws.users.agent.email)
    await request(`/conversations/${conversationId}/messages`, { method: 'POST', cookie: writer, body: form({ kind: 'comment', text: 'On it' }) })
    const frame = await watcher.next((data) => data.includes('On it'))
    expect(frame).toContain('Internal comment')
    watcher.socket.close(1000)
  })

  it('moves the row to the top of the list and updates the counts for agents on the list', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.agent.email)
    const list = await openSocket(`/inboxes/${ws.inboxId}/live?view=open`, cookie)
    const closedList = await openSocket(`/inboxes/${ws.inboxId}/live?view=closed`, cookie)
    const response = await messengerWebhook(ws, 'psid-3', 'l1', 'New conversation arrives')
    const { results } = (await response.json()) as { results: { conversationId: string }[] }
    const id = results[0]!.conversationId
    const frame = await list.next((data) => data.includes(`conv-row-${id}`) && data.includes('afterbegin'))
    expect(frame).toContain(`<div id="conv-row-${id}" hx-swap-oob="delete"></div>`)
    expect(frame).toContain('hx-swap-oob="afterbegin:#conversation-rows"')
    expect(frame).toContain('New conversation arrives')
    expect(frame).toMatch(/id="count-open" class="count" hx-swap-oob="true">1</)
    // The same change, seen from a view the conversation is not in: removed, never inserted.
    const closedFrame = await closedList.next((data) => data.includes(`conv-row-${id}`))
    expect(closedFrame).not.toContain('afterbegin')
    list.socket.close(1000)
    closedList.socket.close(1000)
  })

  it('shows an agent on the thread our reply as failed, with the reason, the moment its bounce arrives', async () => {
    const ws = await workspace()
    const support = `support.${ws.tag}@example.test`
    // Mail arrives as Email Routing hands it to the worker's email(), with an execution context.
    const receive = async (raw: string, from: string) => {
      const { message, state } = emailMessage(raw, from, support)
      const ctx = createExecutionContext()
      await worker.email(message, env, ctx)
      await waitOnExecutionContext(ctx)
      expect(state.rejected).toBeUndefined()
    }
    await receive(buildMail({ from: 'gone@gone.example', to: support, subject: 'Your order', messageId: `order.${ws.tag}@gone.example` }), 'gone@gone.example')
    const [first] = await db()
      .select()
      .from(messages)
      .where(eq(messages.externalId, `order.${ws.tag}@gone.example`))
    const conversationId = first!.conversationId
    const cookie = await login(ws.users.agent.email)
    const posted = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Shipped today!' }),
    })
    expect(posted.status).toBe(201)
    // The queue consumer sends the reply.
    const ourReply = async () =>
      (
        await db()
          .select()
          .from(messages)
          .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'out')))
          .orderBy(desc(messages.seq))
          .limit(1)
      )[0]!
    await vi.waitUntil(async () => (await ourReply()).deliveryStatus === 'sent', { timeout: 10_000 })
    const reply = await ourReply()
    const thread = await openSocket(`/conversations/${conversationId}/live?after=${reply.seq}`, cookie)
    await thread.next((data) => data.includes('id="thread-viewers"'))
    await receive(
      fixture('dsnBounce', { TO: support, ID: ws.tag, BOUNCED: 'gone@gone.example', ORIGINAL_ID: reply.externalId! }),
      `MAILER-DAEMON@mx.example.test`,
    )
    expect((await ourReply()).deliveryStatus).toBe('failed')
    const frame = await thread.next((data) => data.includes(`id="msg-${reply.id}"`) && data.includes('delivery-failed'))
    expect(frame).toContain(`id="msg-${reply.id}" class="message message-out message-message" data-seq="${reply.seq}" hx-swap-oob="true"`)
    expect(frame).toContain('Failed: 550 5.1.1 User unknown')
    expect(frame).toContain(`/conversations/${conversationId}/messages/${reply.id}/retry`)
    thread.socket.close(1000)
  })

  it('refuses sockets from other sites and without a session', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.agent.email)
    const crossSite = await request(`/inboxes/${ws.inboxId}/live`, { cookie, headers: { Upgrade: 'websocket', Origin: 'https://evil.example' } })
    expect(crossSite.status).toBe(403)
    expect(crossSite.webSocket).toBeNull()
    const anonymous = await request(`/inboxes/${ws.inboxId}/live`, { headers: { Upgrade: 'websocket', Origin: origin } })
    expect(anonymous.status).toBe(401)
    const otherAccount = await workspace()
    const foreign = await request(`/inboxes/${otherAccount.inboxId}/live`, { cookie, headers: { Upgrade: 'websocket', Origin: origin } })
    expect(foreign.status).toBe(404)
  })

  it('answers malformed and oversized frames with an error frame and keeps the socket open', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.agent.email)
    const list = await openSocket(`/inboxes/${ws.inboxId}/live?view=open`, cookie)
    list.socket.send('not json')
    expect(await list.next((data) => data.includes('"error"'))).toContain('Malformed frame')
    list.socket.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(20_000) }))
    list.socket.send(JSON.stringify({ type: 'ping' }))
    expect(await list.next((data) => data.includes('pong'))).toBe('{"type":"pong"}')
    expect(list.received.filter((data) => data.includes('"error"'))).toHaveLength(2)
    list.socket.close(1000)
  })
})
