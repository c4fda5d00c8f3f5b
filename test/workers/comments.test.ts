import { createExecutionContext, createMessageBatch, env, getQueueResult, SELF } from 'cloudflare:test'
import { and, desc, eq } from 'drizzle-orm'
import { simpleParser } from 'mailparser'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { channels, messages, notifications, users } from '../../src/db/schema'
import { ingestInbound } from '../../src/channels/pipeline'
import { newId } from '../../src/lib/ids'
import { recordMentions } from '../../src/services/notifications'
import { mentionIdsInHtml, unwrapMentions, unwrapReplyMentions } from '../../src/services/mentions'
import type { MentionEmailJob } from '../../src/services/mention-email'
import { recordingNotifier } from '../shared/workspace'
import { db, form, login, openSocket, origin, request, workspace } from './helpers'

type Workspace = Awaited<ReturnType<typeof workspace>>

async function addUser(ws: Workspace, name: string, status: 'active' | 'deactivated' | 'removed' = 'active') {
  const [user] = await db()
    .insert(users)
    .values({
      id: newId(),
      accountId: ws.accountId,
      name,
      email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}.${ws.tag}@example.test`,
      passwordHash: 'x',
      status,
      createdAt: Date.now(),
    })
    .returning()
  return user!
}

/** A workspace with an email conversation ("Damaged tent") and the agent Kim logged in. */
async function seeded() {
  const ws = await workspace()
  const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
  const tent = await ingestInbound(deps, ws.channels.email, {
    externalId: `t-${ws.tag}`,
    from: { email: 'maja@fjord.no', name: 'Maja Nilsen' },
    subject: 'Damaged tent',
    text: 'The rain fly of my tent is torn.',
  })
  return { ws, conversationId: tent.conversationId, kim: await login(ws.users.agent.email) }
}

function comment(conversationId: string, cookie: string, text: string, kind: 'comment' | 'message' = 'comment') {
  return request(`/conversations/${conversationId}/messages`, { method: 'POST', cookie, hx: 'composer', body: form({ kind, text }) })
}

async function notificationsOf(userId: string) {
  return db().select().from(notifications).where(eq(notifications.userId, userId)).orderBy(desc(notifications.createdAt))
}

async function newestMessage(conversationId: string) {
  const [row] = await db().select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(desc(messages.seq)).limit(1)
  return row!
}

const pickerIds = (html: string) => [...html.matchAll(/data-user-id="([a-z0-9]+)"/g)].map((match) => match[1])

describe('the @ picker', () => {
  it('suggests active teammates by name or email prefix, never the asker, deactivated or removed users, or another workspace', async () => {
    const { ws, conversationId, kim } = await seeded()
    const olaHansen = await addUser(ws, 'Ola Hansen')
    const gone = await addUser(ws, 'Alma Gone', 'deactivated')
    const removed = await addUser(ws, 'Albert Removed', 'removed')
    const other = await workspace()
    await addUser(other, 'Alfred Elsewhere')

    const all = await (await request(`/conversations/${conversationId}/mentions`, { cookie: kim, hx: 'picker' })).text()
    expect(all).toContain('class="picker-list"')
    expect(pickerIds(all).sort()).toEqual([ws.users.admin.id, ws.users.superAdmin.id, olaHansen.id].sort())

    const al = await (await request(`/conversations/${conversationId}/mentions?q=al`, { cookie: kim, hx: 'picker' })).text()
    expect(pickerIds(al)).toEqual([ws.users.admin.id])
    expect(al).not.toContain(gone.id)
    expect(al).not.toContain(removed.id)
    expect(al).not.toContain('Elsewhere')
    // The inserted HTML is the mention span, escaped into the attribute.
    expect(al).toContain(`data-insert-html="&lt;span class=&quot;mention&quot; data-user-id=&quot;${ws.users.admin.id}&quot;&gt;@Alex&lt;/span&gt;"`)
    expect(al).toContain('<span class="picker-label">Alex</span>')

    // A later word of the name, and the email address, match too.
    expect(pickerIds(await (await request(`/conversations/${conversationId}/mentions?q=hans`, { cookie: kim })).text())).toEqual([olaHansen.id])
    expect(
      pickerIds(await (await request(`/conversations/${conversationId}/mentions?q=${encodeURIComponent(`sam.${ws.tag}`)}`, { cookie: kim })).text()),
    ).toEqual([ws.users.superAdmin.id])
    expect(pickerIds(await (await request(`/conversations/${conversationId}/mentions?q=kim`, { cookie: kim })).text())).toEqual([])

    const none = await request(`/conversations/${conversationId}/mentions?q=zz`, { cookie: kim, hx: 'picker' })
    expect(none.status).toBe(200)
    expect(await none.text()).toContain('<p class="picker-empty">No teammate matches “zz”.</p>')
  })

  it('escapes a hostile name, refuses another workspace’s conversation, and a query that is too long', async () => {
    const { ws, conversationId, kim } = await seeded()
    await addUser(ws, '<img src=x onerror=alert(1)> Mallory')
    const html = await (await request(`/conversations/${conversationId}/mentions?q=%3Cimg`, { cookie: kim })).text()
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; Mallory')

    const other = await workspace()
    const outsider = await login(other.users.agent.email)
    expect((await request(`/conversations/${conversationId}/mentions?q=a`, { cookie: outsider, hx: 'picker' })).status).toBe(404)
    expect((await request(`/conversations/${conversationId}/mentions?q=${'a'.repeat(101)}`, { cookie: kim, hx: 'picker' })).status).toBe(422)
    expect((await request(`/conversations/${conversationId}/mentions?q=a`)).status).toBe(302)
  })
})

describe('mentions in comments', () => {
  it('a plain-text @Name notifies that teammate once, never the author, and the comment shows the mention highlighted', async () => {
    const { ws, conversationId, kim } = await seeded()
    const response = await comment(conversationId, kim, 'Hey @Alex, can you check the warranty? @alex again, and a note to myself @Kim')
    expect(response.status).toBe(201)
    const html = await response.text()
    expect(html).toContain('<span class="mention">@Alex</span>')
    expect(html).toContain('Internal comment')
    const stored = await newestMessage(conversationId)
    expect(stored.kind).toBe('comment')
    expect(stored.metadata).toMatchObject({ mentions: [{ id: ws.users.admin.id, name: 'Alex' }] })
    const alex = await notificationsOf(ws.users.admin.id)
    expect(alex).toHaveLength(1)
    expect(alex[0]).toMatchObject({ kind: 'mention', actorUserId: ws.users.agent.id, conversationId, messageId: stored.id, readAt: null })
    expect(alex[0]!.excerpt).toBe('Hey @Alex, can you check the warranty? @alex again, and a note to myself @Kim')
    expect(await notificationsOf(ws.users.agent.id)).toEqual([])
    expect(await notificationsOf(ws.users.superAdmin.id)).toEqual([])
  })

  it('matches a full name, leaves an ambiguous first name, email addresses and deactivated users alone', async () => {
    const { ws, conversationId, kim } = await seeded()
    const olaHansen = await addUser(ws, 'Ola Hansen')
    const olaBerg = await addUser(ws, 'Ola Berg')
    const gone = await addUser(ws, 'Dana Gone', 'deactivated')
    await comment(conversationId, kim, '@Ola should look, or rather @ola berg. Mail sam@example.com, ping @Dana and @Dana Gone.')
    expect(await notificationsOf(olaBerg.id)).toHaveLength(1)
    expect(await notificationsOf(olaHansen.id)).toEqual([])
    expect(await notificationsOf(ws.users.superAdmin.id)).toEqual([])
    expect(await notificationsOf(gone.id)).toEqual([])
  })

  it('mention spans from the editor count only for active users of the same account', async () => {
    const { ws, conversationId } = await seeded()
    const other = await workspace()
    const gone = await addUser(ws, 'Dana Gone', 'deactivated')
    const html = [
      `<p>Over to <span class="mention" data-user-id="${ws.users.admin.id}">@Alex</span>`,
      ` and <span class="mention" data-user-id="${other.users.admin.id}">@Alex</span>`,
      ` and <span class="mention" data-user-id="${gone.id}">@Dana</span>`,
      ` and <span class="mention" data-user-id="${ws.users.agent.id}">@Kim</span>`,
      ` and <span class="mention" data-user-id="${ws.users.admin.id}">@Alex</span></p>`,
    ].join('')
    expect(mentionIdsInHtml(html)).toHaveLength(5)
    const [stored] = await db()
      .insert(messages)
      .values({
        accountId: ws.accountId,
        conversationId,
        channelId: ws.channels.email.id,
        seq: 99,
        direction: 'out',
        kind: 'comment',
        authorUserId: ws.users.agent.id,
        text: 'Over to @Alex and @Alex and @Dana and @Kim and @Alex',
        html,
        createdAt: Date.now(),
      })
      .returning()
    const { mentions, created } = await recordMentions(db(), { ...stored!, metadata: stored!.metadata ?? {} })
    expect(mentions).toEqual([{ id: ws.users.admin.id, name: 'Alex' }])
    expect(created.map((row) => row.userId)).toEqual([ws.users.admin.id])
    expect(await notificationsOf(other.users.admin.id)).toEqual([])
    expect(await notificationsOf(gone.id)).toEqual([])
  })

  it('a comment mentioning 15 teammates notifies all 15 (more rows than one insert may bind)', async () => {
    const { ws, conversationId } = await seeded()
    const team = []
    for (let index = 0; index < 15; index++) team.push(await addUser(ws, `Teammate ${String.fromCharCode(97 + index)}`))
    const html = `<p>${team.map((user) => `<span class="mention" data-user-id="${user.id}">@${user.name}</span>`).join(' ')}</p>`
    const [stored] = await db()
      .insert(messages)
      .values({
        accountId: ws.accountId,
        conversationId,
        channelId: ws.channels.email.id,
        seq: 99,
        direction: 'out',
        kind: 'comment',
        authorUserId: ws.users.agent.id,
        text: 'All hands',
        html,
        createdAt: Date.now(),
      })
      .returning()
    const { created } = await recordMentions(db(), { ...stored!, metadata: stored!.metadata ?? {} })
    expect(created.map((row) => row.userId).sort()).toEqual(team.map((user) => user.id).sort())
    for (const user of team) expect(await notificationsOf(user.id)).toHaveLength(1)
  })

  it('a reply that names a teammate notifies nobody, and a reply’s mention spans become plain text', async () => {
    const { ws, conversationId, kim } = await seeded()
    const response = await comment(conversationId, kim, 'Thanks Maja, @Alex will send a new tent.', 'message')
    expect(response.status).toBe(201)
    expect(await notificationsOf(ws.users.admin.id)).toEqual([])
    expect((await newestMessage(conversationId)).metadata).not.toHaveProperty('mentions')
    expect(unwrapMentions(`<p>Ask <span class="mention" data-user-id="${ws.users.admin.id}">@<strong>Alex</strong></span></p>`)).toBe(
      '<p>Ask @<strong>Alex</strong></p>',
    )

    // An HTML reply that carries a mention span is stored, and mailed, without it: whichever
    // sanitiser the reply form uses (today the email one, with the editor sanitizeRichText, which
    // keeps mention spans — the service call below is what unwraps them then).
    const span = `<span class="mention" data-user-id="${ws.users.admin.id}">@Alex</span>`
    const html = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie: kim,
      hx: 'composer',
      body: form({
        kind: 'message',
        format: 'html',
        html: `<p>Thanks, ${span} will call you.</p>`,
        text: `<p>Thanks, ${span} will call you.</p>`,
        seenSeq: '99',
        confirmed: '1',
      }),
    })
    expect(html.status).toBe(201)
    const reply = await newestMessage(conversationId)
    expect(reply.kind).toBe('message')
    expect(reply.html ?? '').not.toContain('data-user-id')
    expect(reply.html ?? '').not.toContain('class="mention"')
    expect(reply.text).toContain('@Alex will call you')
    expect(await notificationsOf(ws.users.admin.id)).toEqual([])

    const [editorReply] = await db()
      .insert(messages)
      .values({
        accountId: ws.accountId,
        conversationId,
        channelId: ws.channels.email.id,
        seq: 500,
        direction: 'out',
        kind: 'message',
        text: 'Ask @Alex',
        html: `<p>Ask ${span}</p>`,
        createdAt: Date.now(),
      })
      .returning()
    expect(await unwrapReplyMentions(db(), editorReply!)).toBe(true)
    const [unwrapped] = await db().select().from(messages).where(eq(messages.id, editorReply!.id))
    expect(unwrapped!.html).toBe('<p>Ask @Alex</p>')
  })
})

describe('the bell', () => {
  it('counts unread notifications, lists them newest first, opens one at its message and marks all read', async () => {
    const { ws, conversationId, kim } = await seeded()
    const alex = await login(ws.users.admin.email)
    const page = await (await request(`/inbox/${ws.inboxId}/open`, { cookie: alex })).text()
    expect(page).toContain('hx-get="/notifications/bell"')
    const empty = await (await request('/notifications/bell', { cookie: alex, hx: 'notification-bell' })).text()
    expect(empty).toContain('data-count="0"')
    expect(empty).toContain('No notifications yet.')

    await comment(conversationId, kim, 'First: @Alex look at the photos')
    const first = await newestMessage(conversationId)
    await new Promise((resolve) => setTimeout(resolve, 5))
    await comment(conversationId, kim, 'Second: @Alex <b>urgent</b>')
    const second = await newestMessage(conversationId)
    const bell = await (await request('/notifications/bell', { cookie: alex, hx: 'notification-bell' })).text()
    expect(bell).toContain('data-count="2"')
    expect(bell).toContain('Kim mentioned you in Damaged tent')
    expect(bell).toContain('Second: @Alex &lt;b&gt;urgent&lt;/b&gt;')
    expect(bell.indexOf('Second:')).toBeLessThan(bell.indexOf('First:'))
    expect((bell.match(/class="notification unread"/g) ?? []).length).toBe(2)

    const [newest] = await notificationsOf(ws.users.admin.id)
    expect(newest!.messageId).toBe(second.id)
    // Someone else cannot open (or mark read) Alex's notification.
    const sam = await login(ws.users.superAdmin.email)
    expect((await request(`/notifications/${newest!.id}`, { cookie: sam })).status).toBe(404)
    const opened = await request(`/notifications/${newest!.id}`, { cookie: alex })
    expect(opened.status).toBe(303)
    expect(opened.headers.get('Location')).toBe(`/m/${second.id}`)
    const permalink = await request(`/m/${second.id}`, { cookie: alex })
    expect(permalink.headers.get('Location')).toBe(`/inbox/${ws.inboxId}/open/c/${conversationId}#msg-${second.id}`)
    const after = await (await request('/notifications/bell', { cookie: alex, hx: 'notification-bell' })).text()
    expect(after).toContain('data-count="1"')
    expect((after.match(/class="notification unread"/g) ?? []).length).toBe(1)
    expect(first.id).toBeLessThan(second.id)

    const all = await request('/notifications/read-all', { method: 'POST', cookie: alex, hx: 'notification-bell' })
    expect(all.status).toBe(200)
    const allHtml = await all.text()
    expect(allHtml).toContain('data-count="0"')
    expect(allHtml).not.toContain('class="notification unread"')
    expect((await notificationsOf(ws.users.admin.id)).every((row) => row.readAt !== null)).toBe(true)
    // Mark all read is a POST like every change: a cross-site form cannot do it.
    const forged = await SELF.fetch(`${origin}/notifications/read-all`, {
      method: 'POST',
      headers: { Cookie: alex, Origin: 'https://evil.example' },
      redirect: 'manual',
    })
    expect(forged.status).toBe(403)
  })

  it('a comment hidden as sensitive takes its excerpt out of the bell', async () => {
    const { ws, conversationId, kim } = await seeded()
    await comment(conversationId, kim, '@Alex the card number is 4111 1111 1111 1111')
    const stored = await newestMessage(conversationId)
    const hide = await request(`/conversations/${conversationId}/messages/${stored.id}/hide`, { method: 'POST', cookie: kim, hx: `msg-${stored.id}` })
    expect(hide.status).toBe(200)
    const bell = await (await request('/notifications/bell', { cookie: await login(ws.users.admin.email), hx: 'notification-bell' })).text()
    expect(bell).toContain('This comment was hidden.')
    expect(bell).not.toContain('4111')
  })

  it('pushes the bell live to the mentioned user’s open inbox page, and to nobody else', async () => {
    const { ws, conversationId, kim } = await seeded()
    const alexSocket = await openSocket(`/inboxes/${ws.inboxId}/live?view=open`, await login(ws.users.admin.email))
    const samSocket = await openSocket(`/inboxes/${ws.inboxId}/live?view=open`, await login(ws.users.superAdmin.email))
    const kimSocket = await openSocket(`/inboxes/${ws.inboxId}/live?view=open`, kim)
    await comment(conversationId, kim, 'Live: @Alex the customer is waiting')
    const frame = await alexSocket.next((data) => data.includes('id="notification-count"'))
    expect(frame).toContain('data-count="1"')
    expect(frame).toMatch(/id="notification-count"[^>]*hx-swap-oob="true"/)
    expect(frame).toMatch(/id="notification-list"[^>]*hx-swap-oob="true"/)
    expect(frame).toContain('Live: @Alex the customer is waiting')
    // The row update every agent gets arrives too; only the bell is private.
    await samSocket.next((data) => data.includes(`conv-row-${conversationId}`))
    await kimSocket.next((data) => data.includes(`conv-row-${conversationId}`))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(samSocket.received.some((data) => data.includes('notification-count') || data.includes('the customer is waiting'))).toBe(false)
    expect(kimSocket.received.some((data) => data.includes('notification-count'))).toBe(false)
    for (const socket of [alexSocket, samSocket, kimSocket]) socket.socket.close(1000)
  })
})

/** The MIME handed to the binding (workerd keeps it on the EmailMessage under this internal key). */
async function rawOf(message: EmailMessage | EmailMessageBuilder): Promise<string> {
  const raw = (message as unknown as Record<string, unknown>)['EmailMessage::raw']
  if (typeof raw === 'string') return raw
  if (raw instanceof ReadableStream || raw instanceof ArrayBuffer || raw instanceof Uint8Array) return new Response(raw).text()
  throw new Error(`cannot read the raw message: ${typeof raw}`)
}

async function runQueue(body: unknown, attempt: number, queueEnv: Cloudflare.Env) {
  const batch = createMessageBatch('switchboard-outbound', [{ id: `n${attempt}`, timestamp: new Date(), attempts: attempt, body }])
  const ctx = createExecutionContext()
  await worker.queue(batch, queueEnv)
  return getQueueResult(batch, ctx)
}

async function emailedAt(notificationId: string, timeoutMs = 10_000) {
  const started = Date.now()
  for (;;) {
    const [row] = await db().select().from(notifications).where(eq(notifications.id, notificationId))
    if (row?.emailedAt) return row.emailedAt
    if (Date.now() - started > timeoutMs) throw new Error('the mention email was never sent')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('the mention email', () => {
  it('goes through the queue to the mentioned user, with the excerpt escaped and an absolute link to the message', async () => {
    const { ws, conversationId, kim } = await seeded()
    await comment(conversationId, kim, '@Alex see <script>alert("x")</script> & "quotes"')
    const stored = await newestMessage(conversationId)
    const [notification] = await notificationsOf(ws.users.admin.id)
    // The worker's own queue consumer sent it through the (simulated) SEND_EMAIL binding.
    await emailedAt(notification!.id)

    // Sent again into a recording binding to read exactly what goes out.
    await db().update(notifications).set({ emailedAt: null }).where(eq(notifications.id, notification!.id))
    const sent: { from: string; to: string; raw: string }[] = []
    const recording = {
      ...env,
      SEND_EMAIL: {
        async send(message: EmailMessage | EmailMessageBuilder): Promise<EmailSendResult> {
          const raw = await rawOf(message)
          sent.push({ from: String(message.from), to: String(message.to), raw })
          return { messageId: 'x@provider.test' }
        },
      },
    }
    const job: MentionEmailJob = { type: 'mention-email', accountId: ws.accountId, notificationId: notification!.id, baseUrl: origin }
    expect((await runQueue(job, 1, recording)).explicitAcks).toEqual(['n1'])
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ from: `support.${ws.tag}@example.test`, to: ws.users.admin.email })
    const mail = await simpleParser(sent[0]!.raw)
    expect(mail.subject).toBe('Kim mentioned you in “Damaged tent”')
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated')
    expect(mail.text).toContain(`${origin}/m/${stored.id}`)
    expect(mail.text).toContain('@Alex see <script>alert("x")</script> & "quotes"')
    expect(mail.html).toContain(`href="${origin}/m/${stored.id}"`)
    expect(mail.html).toContain('@Alex see &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;')
    expect(mail.html).not.toContain('<script')
    // The comment itself never went anywhere: it is not a delivery.
    expect(stored).toMatchObject({ kind: 'comment', deliveryStatus: 'none', deliveryAttempts: 0 })
    const [row] = await db().select().from(notifications).where(eq(notifications.id, notification!.id))
    expect(row!.emailedAt).not.toBeNull()

    // A redelivered job does not send twice.
    expect((await runQueue(job, 2, recording)).explicitAcks).toEqual(['n2'])
    expect(sent).toHaveLength(1)
  })

  it('is retried when sending fails, in the recipient’s language', async () => {
    const { ws, conversationId, kim } = await seeded()
    await db().update(users).set({ locale: 'nb' }).where(eq(users.id, ws.users.admin.id))
    await comment(conversationId, kim, 'Kan du se på dette, @Alex?')
    const [notification] = await notificationsOf(ws.users.admin.id)
    await emailedAt(notification!.id)
    await db().update(notifications).set({ emailedAt: null }).where(eq(notifications.id, notification!.id))
    let down = true
    const subjects: string[] = []
    const flaky = {
      ...env,
      SEND_EMAIL: {
        async send(message: EmailMessage | EmailMessageBuilder): Promise<EmailSendResult> {
          if (down) throw new Error('421 try later')
          subjects.push((await simpleParser(await rawOf(message))).subject ?? '')
          return { messageId: 'y@provider.test' }
        },
      },
    }
    const job: MentionEmailJob = { type: 'mention-email', accountId: ws.accountId, notificationId: notification!.id, baseUrl: origin }
    const first = await runQueue(job, 1, flaky)
    expect(first.retryMessages.map((message) => message.msgId)).toEqual(['n1'])
    down = false
    expect((await runQueue(job, 2, flaky)).explicitAcks).toEqual(['n2'])
    expect(subjects).toEqual(['Kim nevnte deg i «Damaged tent»'])
  })
  it('is not retried when the mail binding refuses the teammate’s address for good', async () => {
    const { ws, conversationId, kim } = await seeded()
    await comment(conversationId, kim, 'Look at this, @Alex')
    const [notification] = await notificationsOf(ws.users.admin.id)
    await emailedAt(notification!.id)
    await db().update(notifications).set({ emailedAt: null }).where(eq(notifications.id, notification!.id))
    let attempts = 0
    const refusing = {
      ...env,
      SEND_EMAIL: {
        async send(): Promise<EmailSendResult> {
          attempts += 1
          // Cloudflare's binding names the refusal with a string code.
          throw Object.assign(new Error('Recipient is on the suppression list'), { code: 'E_RECIPIENT_SUPPRESSED' })
        },
      },
    }
    const job: MentionEmailJob = { type: 'mention-email', accountId: ws.accountId, notificationId: notification!.id, baseUrl: origin }
    const result = await runQueue(job, 1, refusing)
    expect(result.retryMessages).toEqual([])
    expect(attempts).toBe(1)
    const [row] = await db().select().from(notifications).where(eq(notifications.id, notification!.id))
    expect(row!.emailedAt).toBeNull()
  })
})

describe('comments stay internal', () => {
  it('a comment with a mention is never queued for the contact, and a later reply’s mail does not carry it', async () => {
    const { ws, conversationId, kim } = await seeded()
    await comment(conversationId, kim, 'SECRET-NOTE @Alex the customer broke it themselves')
    const note = await newestMessage(conversationId)
    expect(note).toMatchObject({ kind: 'comment', deliveryStatus: 'none' })
    const reply = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie: kim,
      hx: 'composer',
      body: form({ kind: 'message', text: 'We will send a new tent.', seenSeq: String(note.seq) }),
    })
    expect(reply.status).toBe(201)
    const sentReply = await newestMessage(conversationId)
    const started = Date.now()
    let row = sentReply
    while (row.deliveryStatus !== 'sent' && Date.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      ;[row] = (await db().select().from(messages).where(eq(messages.id, sentReply.id))) as [typeof sentReply]
    }
    expect(row.deliveryStatus).toBe('sent')
    const raw = await (await env.ATTACHMENTS.get(row.rawKey!))!.text()
    expect(raw).toContain('We will send a new tent.')
    expect(raw).not.toContain('SECRET-NOTE')
    const [channel] = await db()
      .select()
      .from(channels)
      .where(and(eq(channels.accountId, ws.accountId), eq(channels.pluginId, 'email')))
    expect(channel).toBeTruthy()
  })
})

describe('comments never reach a chat visitor', () => {
  it('a mention comment is neither pushed to the widget nor in its history on resume', async () => {
    const ws = await workspace()
    const siteOrigin = 'https://shop.example'
    await db()
      .update(channels)
      .set({ settings: { allowedOrigins: [siteOrigin] } })
      .where(eq(channels.id, ws.channels.chat.id))
    const started = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/session`, {
      method: 'POST',
      headers: { Origin: siteOrigin, 'Content-Type': 'application/json' },
      body: '{}',
    })
    const visit = (await started.json()) as { token: string; conversationId: string }
    const open = async () => {
      const response = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/ws?token=${encodeURIComponent(visit.token)}&after=0`, {
        headers: { Upgrade: 'websocket', Origin: siteOrigin },
      })
      const socket = response.webSocket!
      socket.accept()
      const frames: string[] = []
      socket.addEventListener('message', (event) => frames.push(String(event.data)))
      return { socket, frames }
    }
    const visitor = await open()
    visitor.socket.send(JSON.stringify({ type: 'message', clientId: 'c1', text: 'Is the blue tent in stock?' }))
    for (let i = 0; i < 50 && !visitor.frames.some((frame) => frame.includes('"ack"')); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    const kim = await login(ws.users.agent.email)
    expect((await comment(visit.conversationId, kim, 'INTERNAL-ONLY @Alex do we have blue tents?')).status).toBe(201)
    expect(await notificationsOf(ws.users.admin.id)).toHaveLength(1)
    const reply = await request(`/conversations/${visit.conversationId}/messages`, {
      method: 'POST',
      cookie: kim,
      hx: 'composer',
      body: form({ kind: 'message', text: 'Yes, we do!', seenSeq: '2' }),
    })
    expect(reply.status).toBe(201)
    for (let i = 0; i < 50 && !visitor.frames.some((frame) => frame.includes('Yes, we do!')); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(visitor.frames.join('\n')).toContain('Yes, we do!')
    expect(visitor.frames.join('\n')).not.toContain('INTERNAL-ONLY')
    visitor.socket.close(1000)
    const resumed = await open()
    for (let i = 0; i < 50 && !resumed.frames.some((frame) => frame.includes('"history"')); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(resumed.frames.join('\n')).toContain('Yes, we do!')
    expect(resumed.frames.join('\n')).not.toContain('INTERNAL-ONLY')
    resumed.socket.close(1000)
  })
})
