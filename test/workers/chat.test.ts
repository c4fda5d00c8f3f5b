import { env, evictDurableObject, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { and, asc, eq } from 'drizzle-orm'
import { conversations, messages } from '../../src/db/schema'
import { db, form, login, openSocket, origin, request } from './helpers'
import { visitorBurst } from '../../src/rooms/rate-limit'
import { appendMessage } from '../../src/services/messages'
import { chatWorkspace, send, session, siteOrigin, visitorSocket } from './widget-helpers'

describe('widget sessions', () => {
  it('refuses pages on origins the channel does not allow, and answers CORS for allowed ones', async () => {
    const ws = await chatWorkspace()
    const foreign = await session(ws, undefined, 'https://evil.example')
    expect(foreign.response.status).toBe(403)
    const ok = await session(ws)
    expect(ok.response.status).toBe(200)
    expect(ok.response.headers.get('Access-Control-Allow-Origin')).toBe(siteOrigin)
    expect(ok.body?.availability.available).toBe(true)
    // Our own origin is not implied: only the origins the channel lists.
    const ownOrigin = await session(ws, undefined, origin)
    expect(ownOrigin.response.status).toBe(403)
  })

  it('keeps a returning visitor’s identity and conversation, rotates the token, and ignores forged ones', async () => {
    const ws = await chatWorkspace()
    const first = (await session(ws)).body!
    await new Promise((resolve) => setTimeout(resolve, 5))
    const again = (await session(ws, first.token)).body!
    expect(again.visitorId).toBe(first.visitorId)
    expect(again.conversationId).toBe(first.conversationId)
    expect(again.returning).toBe(true)
    expect(again.token).not.toBe(first.token)
    const [payload] = first.token.split('.')
    const forged = (await session(ws, `${payload}.${'0'.repeat(64)}`)).body!
    expect(forged.visitorId).not.toBe(first.visitorId)
    const other = await chatWorkspace()
    const crossChannel = await visitorSocket(other, first.token)
    expect(crossChannel.response.status).toBe(401)
  })
})

describe('the chat room', () => {
  it('persists a visitor message before acking it, and broadcasts it to agents as HTML', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const visitor = await visitorSocket(ws, visit.token)
    expect(await visitor.next((frame) => frame.type === 'history')).toMatchObject({ messages: [], lastSeq: 0 })
    send(visitor.socket!, 'c1', 'Hello <b>there</b>')
    const ack = await visitor.next((frame) => frame.type === 'ack')
    expect(ack).toMatchObject({ clientId: 'c1', seq: 1, duplicate: false })
    const [row] = await db().select().from(messages).where(eq(messages.conversationId, visit.conversationId))
    expect(row).toMatchObject({ text: 'Hello <b>there</b>', direction: 'in', seq: 1 })
    const agent = await openSocket(`/conversations/${visit.conversationId}/live?after=1&inbox=${ws.inboxId}`, await login(ws.users.agent.email))
    send(visitor.socket!, 'c2', 'Are you there?')
    const html = await agent.next((data) => data.includes('Are you there?'))
    expect(html).toContain('beforeend:#thread-messages')
    expect(html).toContain('data-seq="2"')
    const echo = await visitor.next((frame) => frame.type === 'message' && (frame.message as { seq: number }).seq === 2)
    expect(echo).toMatchObject({ message: { from: 'visitor', text: 'Are you there?' } })
    visitor.socket!.close(1000)
    agent.socket.close(1000)
  })

  it('sends agents’ replies to the visitor as JSON, but never comments, activity or hidden text', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const visitor = await visitorSocket(ws, visit.token)
    send(visitor.socket!, 'q1', 'Do you ship to Iceland?')
    await visitor.next((frame) => frame.type === 'ack')
    const cookie = await login(ws.users.agent.email)
    await request(`/conversations/${visit.conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'comment', text: 'internal: check with logistics' }),
    })
    const reply = await request(`/conversations/${visit.conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Yes, in 4–6 days.', seenSeq: '2' }),
    })
    expect(reply.status).toBe(201)
    const frame = await visitor.next((f) => f.type === 'message' && (f.message as { from: string }).from === 'agent')
    expect(frame).toMatchObject({ message: { from: 'agent', author: 'Kim', text: 'Yes, in 4–6 days.' } })
    await request(`/conversations/${visit.conversationId}/status`, { method: 'POST', cookie, hx: 'thread', body: form({ status: 'closed' }) })
    const [visitorMessage] = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, visit.conversationId), eq(messages.seq, 1)))
    await request(`/conversations/${visit.conversationId}/messages/${visitorMessage!.id}/hide`, { method: 'POST', cookie, hx: 'x' })
    const replaced = await visitor.next((f) => f.type === 'replaced')
    expect(replaced).toMatchObject({ message: { seq: 1, text: 'This message was removed.' } })
    expect(JSON.stringify(visitor.frames)).not.toContain('internal: check with logistics')
    expect(JSON.stringify(visitor.frames)).not.toContain('closed the conversation')
    visitor.socket!.close(1000)
  })

  it('never sends the visitor a message of another channel of the conversation when it changes (a reply handed off by email)', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const visitor = await visitorSocket(ws, visit.token)
    send(visitor.socket!, 'h1', 'Please email me the invoice')
    await visitor.next((frame) => frame.type === 'ack')
    const cookie = await login(ws.users.agent.email)
    // What a handoff stores: our reply on the inbox's email channel, in the chat's conversation.
    const emailed = await appendMessage(db(), {
      accountId: ws.accountId,
      conversationId: visit.conversationId,
      channelId: ws.channels.email.id,
      direction: 'out',
      kind: 'message',
      authorUserId: ws.users.agent.id,
      authorName: 'Kim',
      text: 'Invoice 4471 attached, sent to your address',
      createdAt: Date.now(),
    })
    await request(`/conversations/${visit.conversationId}/messages/${emailed!.id}/hide`, { method: 'POST', cookie, hx: 'x' })
    // A change the visitor may see arrives after it, so the hide had its chance to leak.
    const [first] = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, visit.conversationId), eq(messages.seq, 1)))
    await request(`/conversations/${visit.conversationId}/messages/${first!.id}/hide`, { method: 'POST', cookie, hx: 'x' })
    await visitor.next((f) => f.type === 'replaced' && (f.message as { seq: number }).seq === 1)
    expect(visitor.frames.filter((f) => f.type === 'replaced').map((f) => (f.message as { seq: number }).seq)).toEqual([1])
    visitor.socket!.close(1000)
  })

  it('keeps the order of a burst, and stores a resent message once', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const visitor = await visitorSocket(ws, visit.token)
    for (let i = 1; i <= 5; i++) send(visitor.socket!, `b${i}`, `burst ${i}`)
    send(visitor.socket!, 'b3', 'burst 3')
    await visitor.next((frame) => frame.type === 'ack' && frame.clientId === 'b5')
    const rows = await db().select().from(messages).where(eq(messages.conversationId, visit.conversationId)).orderBy(asc(messages.seq))
    expect(rows.map((row) => row.text)).toEqual(['burst 1', 'burst 2', 'burst 3', 'burst 4', 'burst 5'])
    visitor.socket!.close(1000)
  })

  it('lets the same visitor chat from two tabs: one conversation, one contact, every message on both', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const first = await visitorSocket(ws, visit.token)
    const second = await visitorSocket(ws, visit.token)
    send(first.socket!, 't1', 'from the first tab')
    await first.next((frame) => frame.type === 'ack' && frame.clientId === 't1')
    // The second tab's first message joins the conversation the first one started.
    send(second.socket!, 't2', 'from the second tab')
    await second.next((frame) => frame.type === 'ack' && frame.clientId === 't2')
    for (const tab of [first, second]) {
      for (const text of ['from the first tab', 'from the second tab'])
        await tab.next((frame) => frame.type === 'message' && (frame.message as { text: string }).text === text)
    }
    const rows = await db().select().from(messages).where(eq(messages.conversationId, visit.conversationId)).orderBy(asc(messages.seq))
    expect(rows.filter((row) => row.direction === 'in').map((row) => [row.seq, row.text])).toEqual([
      [1, 'from the first tab'],
      [2, 'from the second tab'],
    ])
    expect(new Set(rows.filter((row) => row.direction === 'in').map((row) => row.authorContactId)).size).toBe(1)
    expect(await db().select().from(conversations).where(eq(conversations.externalKey, visit.visitorId))).toHaveLength(1)
    first.socket!.close(1000)
    second.socket!.close(1000)
  })

  it('gives a reconnecting visitor exactly what it missed, also after the room was evicted', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const first = await visitorSocket(ws, visit.token)
    send(first.socket!, 'r1', 'first')
    const ack = await first.next((frame) => frame.type === 'ack')
    first.socket!.close(1000)
    const cookie = await login(ws.users.agent.email)
    for (const text of ['reply one', 'reply two']) {
      await request(`/conversations/${visit.conversationId}/messages`, { method: 'POST', cookie, body: form({ kind: 'message', text, confirmed: '1' }) })
    }
    await evictDurableObject(env.CONVERSATION_ROOM.get(env.CONVERSATION_ROOM.idFromName(visit.conversationId)))
    const resumed = await visitorSocket(ws, visit.token, ack.seq as number)
    const history = await resumed.next((frame) => frame.type === 'history')
    expect((history.messages as { text: string }[]).map((message) => message.text)).toEqual(['reply one', 'reply two'])
    send(resumed.socket!, 'r2', 'after the eviction')
    expect(await resumed.next((frame) => frame.type === 'ack')).toMatchObject({ clientId: 'r2', seq: 4 })
    resumed.socket!.close(1000)
  })

  it('limits how fast a visitor may send, and survives oversized and malformed frames', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const visitor = await visitorSocket(ws, visit.token)
    visitor.socket!.send('{not json')
    expect(await visitor.next((frame) => frame.type === 'error')).toMatchObject({ message: 'Malformed frame' })
    visitor.socket!.send(JSON.stringify({ type: 'message', clientId: 'big', text: 'x'.repeat(5000) }))
    expect(await visitor.next((frame) => frame.type === 'error' && String(frame.message).includes('at most'))).toBeTruthy()
    visitor.socket!.send('x'.repeat(20_000))
    expect(await visitor.next((frame) => frame.type === 'error' && frame.message === 'That message is too long.')).toBeTruthy()
    for (let i = 0; i < visitorBurst + 3; i++) send(visitor.socket!, `f${i}`, `fast ${i}`)
    const limited = await visitor.next((frame) => frame.type === 'error' && frame.code === 'rate_limited')
    expect(limited.retryAfterMs).toBeGreaterThan(0)
    visitor.socket!.send(JSON.stringify({ type: 'ping' }))
    expect(await visitor.next((frame) => frame.type === 'pong')).toEqual({ type: 'pong' })
    const stored = await db().select().from(messages).where(eq(messages.conversationId, visit.conversationId))
    expect(stored.length).toBeGreaterThanOrEqual(visitorBurst)
    expect(stored.length).toBeLessThan(visitorBurst + 3)
    visitor.socket!.close(1000)
  })

  it('refuses sockets from other origins and without a valid token', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    expect((await visitorSocket(ws, visit.token, 0, 'https://evil.example')).response.status).toBe(403)
    expect((await visitorSocket(ws, 'garbage')).response.status).toBe(401)
  })

  it('shows typing both ways', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const visitor = await visitorSocket(ws, visit.token)
    visitor.socket!.send(JSON.stringify({ type: 'profile', name: 'Nora' }))
    send(visitor.socket!, 't1', 'hi')
    await visitor.next((frame) => frame.type === 'ack')
    const agent = await openSocket(`/conversations/${visit.conversationId}/live?after=1&inbox=${ws.inboxId}`, await login(ws.users.agent.email))
    visitor.socket!.send(JSON.stringify({ type: 'typing', typing: true }))
    expect(await agent.next((data) => data.includes('id="thread-typing"') && data.includes('typing'))).toContain('Nora is typing…')
    agent.socket.send(JSON.stringify({ type: 'typing', typing: true }))
    expect(await visitor.next((frame) => frame.type === 'typing')).toEqual({ type: 'typing', typing: true, name: 'Kim' })
    visitor.socket!.close(1000)
    agent.socket.close(1000)
  })
})

describe('reply collisions', () => {
  it('asks an agent to confirm when someone else replied since they loaded the thread', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const visitor = await visitorSocket(ws, visit.token)
    send(visitor.socket!, 'x1', 'Anyone?')
    await visitor.next((frame) => frame.type === 'ack')
    visitor.socket!.close(1000)
    const kim = await login(ws.users.agent.email)
    const alex = await login(ws.users.admin.email)
    expect(
      (
        await request(`/conversations/${visit.conversationId}/messages`, {
          method: 'POST',
          cookie: alex,
          body: form({ kind: 'message', text: 'Alex here', seenSeq: '1' }),
        })
      ).status,
    ).toBe(201)
    const warned = await request(`/conversations/${visit.conversationId}/messages`, {
      method: 'POST',
      cookie: kim,
      body: form({ kind: 'message', text: 'Kim here', seenSeq: '1' }),
    })
    expect(warned.status).toBe(409)
    const html = await warned.text()
    expect(html).toContain('Alex replied since you opened this conversation')
    expect(html).toContain('Kim here')
    expect(html).toContain('name="confirmed" value="1"')
    const sent = await request(`/conversations/${visit.conversationId}/messages`, {
      method: 'POST',
      cookie: kim,
      body: form({ kind: 'message', text: 'Kim here', seenSeq: '1', confirmed: '1' }),
    })
    expect(sent.status).toBe(201)
    // Comments never need a confirm, and one's own replies never count.
    expect(
      (
        await request(`/conversations/${visit.conversationId}/messages`, {
          method: 'POST',
          cookie: kim,
          body: form({ kind: 'comment', text: 'note', seenSeq: '1' }),
        })
      ).status,
    ).toBe(201)
  })
})

describe('files from the widget', () => {
  it('stores a visitor’s file in R2 through the room, shows it to agents, and serves it back only with the visitor’s token', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const socket = await visitorSocket(ws, visit.token)
    const body = new FormData()
    body.append('file', new File([new TextEncoder().encode('%PDF-1.4 receipt')], '../../receipt.pdf', { type: 'application/pdf' }))
    body.append('clientId', 'file1')
    const upload = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/upload?token=${encodeURIComponent(visit.token)}`, {
      method: 'POST',
      body,
      headers: { Origin: siteOrigin },
    })
    expect(upload.status).toBe(200)
    expect(await upload.json()).toMatchObject({ type: 'ack', clientId: 'file1', seq: 1 })
    const frame = await socket.next((f) => f.type === 'message')
    const files = (frame.message as { files: { id: string; filename: string }[] }).files
    expect(files).toEqual([{ id: expect.any(String), filename: '_.._receipt.pdf', contentType: 'application/pdf', sizeBytes: 16 }])
    const fetched = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/files/${files[0]!.id}?token=${encodeURIComponent(visit.token)}`, {
      headers: { Origin: siteOrigin },
    })
    expect(fetched.headers.get('Content-Disposition')).toContain('attachment')
    expect(await fetched.text()).toBe('%PDF-1.4 receipt')
    const stranger = (await session(ws)).body!
    const refused = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/files/${files[0]!.id}?token=${encodeURIComponent(stranger.token)}`, {
      headers: { Origin: siteOrigin },
    })
    expect(refused.status).toBe(404)
    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${visit.conversationId}`, { cookie: await login(ws.users.agent.email) })).text()
    expect(page).toContain('_.._receipt.pdf')
    const tooBig = new FormData()
    tooBig.append('file', new File([new Uint8Array(10 * 1024 * 1024 + 1)], 'big.bin'))
    tooBig.append('clientId', 'file2')
    const refusedBig = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/upload?token=${encodeURIComponent(visit.token)}`, {
      method: 'POST',
      body: tooBig,
      headers: { Origin: siteOrigin },
    })
    expect(refusedBig.status).toBe(413)
    socket.socket!.close(1000)
  })
})

describe('switching a chat to email', () => {
  it('answers by email through the inbox’s email channel, and mails the transcript when the chat closes', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const socket = await visitorSocket(ws, visit.token)
    socket.socket!.send(JSON.stringify({ type: 'profile', name: 'Nora', email: 'nora@example.com' }))
    send(socket.socket!, 's1', 'Can you email me the details?')
    await socket.next((frame) => frame.type === 'ack')
    const cookie = await login(ws.users.agent.email)
    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${visit.conversationId}`, { cookie })).text()
    expect(page).toContain('Email to nora@example.com')
    const reply = await request(`/conversations/${visit.conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', via: ws.channels.email.id, text: 'Details attached below.', seenSeq: '1' }),
    })
    expect(reply.status).toBe(201)
    const [byEmail] = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, visit.conversationId), eq(messages.text, 'Details attached below.')))
    expect(byEmail).toMatchObject({ channelId: ws.channels.email.id, deliveryStatus: expect.stringMatching(/pending|sent/) })
    expect(byEmail!.metadata).toMatchObject({ handoffTo: 'nora@example.com', startsThread: true })
    // The widget shows the chat; the email went to the visitor's mailbox.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(JSON.stringify(socket.frames)).not.toContain('Details attached below.')

    await request(`/conversations/${visit.conversationId}/status`, { method: 'POST', cookie, hx: 'thread', body: form({ status: 'closed' }) })
    let transcript: typeof messages.$inferSelect | undefined
    for (let waited = 0; waited < 3000 && !transcript; waited += 100) {
      ;[transcript] = (await db().select().from(messages).where(eq(messages.conversationId, visit.conversationId))).filter((row) => row.metadata.transcript)
      if (!transcript) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(transcript).toMatchObject({
      channelId: ws.channels.email.id,
      automated: true,
      metadata: { autoSubmitted: 'auto-generated', replyOptions: { to: [{ address: 'nora@example.com' }] } },
    })
    socket.socket!.close(1000)
  })

  it('refuses to switch when the visitor left no address', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const socket = await visitorSocket(ws, visit.token)
    send(socket.socket!, 'n1', 'hi')
    await socket.next((frame) => frame.type === 'ack')
    const cookie = await login(ws.users.agent.email)
    const refused = await request(`/conversations/${visit.conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', via: ws.channels.email.id, text: 'hello', seenSeq: '1' }),
    })
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('No other channel of this inbox can reach this contact')
    socket.socket!.close(1000)
  })
})
