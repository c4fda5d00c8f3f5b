import { createMessageBatch, env, getQueueResult, createExecutionContext } from 'cloudflare:test'
import { and, eq } from 'drizzle-orm'
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { conversationParticipants, conversations, messages } from '../../src/db/schema'
import { ingestInbound } from '../../src/channels/pipeline'
import { appendMessage } from '../../src/services/messages'
import { sendTranscript } from '../../src/services/email-outbound'
import { decodeThreadIndex } from '../../plugins/email/thread-index'
import { buildMail } from '../shared/email-fixtures'
import { recordingNotifier } from '../shared/workspace'
import { db, emailMessage, form, login, request, workspace } from './helpers'

/** Delivers a message through the worker's email() handler, as Email Routing would. */
async function receive(raw: string, from: string, to: string) {
  const { message, state } = emailMessage(raw, from, to)
  await worker.email(message, env)
  if (state.rejected) throw new Error(`rejected: ${state.rejected}`)
}

async function byExternalId(externalId: string) {
  const [row] = await db().select().from(messages).where(eq(messages.externalId, externalId))
  if (!row) throw new Error(`no message ${externalId}`)
  return row
}

/** Waits for the OUTBOUND queue's consumer (the worker's own queue() in workerd) to deliver a message. */
async function delivered(messageId: number, timeoutMs = 10_000) {
  const started = Date.now()
  for (;;) {
    const [row] = await db().select().from(messages).where(eq(messages.id, messageId))
    if (row && (row.deliveryStatus === 'sent' || row.deliveryStatus === 'failed')) return row
    if (Date.now() - started > timeoutMs) throw new Error(`message ${messageId} still ${row?.deliveryStatus} (${row?.deliveryError ?? ''})`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The MIME we sent, as kept in R2 with the message, parsed back. */
async function sentMail(row: { rawKey: string | null }): Promise<{ raw: string; mail: ParsedMail }> {
  const object = row.rawKey ? await env.ATTACHMENTS.get(row.rawKey) : null
  if (!object) throw new Error('no raw stored')
  const raw = await object.text()
  return { raw, mail: await simpleParser(raw) }
}

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((object) => object.value.map((entry) => entry.address))

async function latestOut(conversationId: string) {
  const rows = await db()
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'out'), eq(messages.kind, 'message')))
  return rows.sort((a, b) => b.seq - a.seq)[0]!
}

async function emailThread() {
  const ws = await workspace()
  const support = `support.${ws.tag}@example.test`
  await receive(
    buildMail({
      from: 'Ola Nordmann <ola@example.no>',
      to: support,
      cc: 'kari@example.no',
      subject: 'Bestilling – blåbær',
      messageId: `first.${ws.tag}@example.no`,
      headers: ['Thread-Index: AdpHZxuCOqj7o6mvQ+6Xh1Ue+wJx0w=='],
    }),
    'ola@example.no',
    support,
  )
  const first = await byExternalId(`first.${ws.tag}@example.no`)
  return { ws, support, conversationId: first.conversationId, first, cookie: await login(ws.users.agent.email) }
}

describe('replying by email', () => {
  it('a reply with 14 attachments stores and sends every one (more rows than one insert may bind)', async () => {
    const { conversationId, cookie } = await emailThread()
    const body = new FormData()
    body.set('kind', 'message')
    body.set('text', 'All the pages.')
    body.set('to', 'Ola Nordmann <ola@example.no>')
    for (let page = 1; page <= 14; page++) body.append('attachments', new File([`page ${page}`], `page-${page}.txt`, { type: 'text/plain' }))
    const response = await request(`/conversations/${conversationId}/messages`, { method: 'POST', cookie, hx: 'composer', body })
    expect(response.status).toBe(201)
    const reply = await delivered((await latestOut(conversationId)).id)
    expect(reply.deliveryStatus).toBe('sent')
    const { mail } = await sentMail(reply)
    expect(mail.attachments.map((attachment) => attachment.content.toString()).sort()).toEqual(
      Array.from({ length: 14 }, (_, index) => `page ${index + 1}`).sort(),
    )
  })

  it('stores the reply, queues it, and the queue consumer sends it with threading headers; the contact’s answer threads back', async () => {
    const { ws, support, conversationId, cookie } = await emailThread()
    const fields = await request(`/conversations/${conversationId}/reply-fields?all=1`, { cookie })
    const fieldsHtml = await fields.text()
    expect(fieldsHtml).toContain('value="Ola Nordmann &lt;ola@example.no&gt;"')
    expect(fieldsHtml).toContain('name="cc" value="kari@example.no"')

    const body = new FormData()
    body.set('kind', 'message')
    body.set('text', 'Hei Ola,\n\nDen er sendt.')
    body.set('to', 'Ola Nordmann <ola@example.no>')
    body.set('cc', 'kari@example.no')
    body.set('bcc', 'boss@example.test')
    body.set('attachments', new File(['order 42'], 'kvittering.txt', { type: 'text/plain' }))
    const response = await request(`/conversations/${conversationId}/messages`, { method: 'POST', cookie, hx: 'composer', body })
    expect(response.status).toBe(201)
    const posted = await response.text()
    expect(posted).toContain('Sending…')
    expect(posted).toContain('To: ola@example.no · Cc: kari@example.no · Bcc: boss@example.test')
    expect(posted).toContain('kvittering.txt')

    const reply = await delivered((await latestOut(conversationId)).id)
    expect(reply.deliveryStatus).toBe('sent')
    const { raw, mail } = await sentMail(reply)
    expect(addresses(mail.from)).toEqual([support])
    expect(addresses(mail.to)).toEqual(['ola@example.no'])
    expect(addresses(mail.cc)).toEqual(['kari@example.no'])
    expect(raw).not.toMatch(/^Bcc:/im)
    expect(addresses(mail.replyTo)).toEqual([`reply+${conversationId}@example.test`])
    expect(mail.subject).toBe('Re: Bestilling – blåbær')
    expect(mail.messageId).toBe(`<${reply.metadata.messageId}>`)
    expect(String(reply.metadata.messageId)).toMatch(new RegExp(`^sb\\.${conversationId}\\.m[a-z2-7]+@example\\.test$`))
    expect(mail.inReplyTo).toBe(`<first.${ws.tag}@example.no>`)
    expect(mail.references).toBe(`<first.${ws.tag}@example.no>`)
    // Outlook's index: the customer's 22 bytes plus one 5-byte block for our reply.
    const index = decodeThreadIndex(String(mail.headers.get('thread-index')))!
    expect(index.length).toBe(27)
    expect(btoa(String.fromCharCode(...index.subarray(0, 22)))).toBe('AdpHZxuCOqj7o6mvQ+6Xh1Ue+wJx0w==')
    expect(mail.headers.has('auto-submitted')).toBe(false)
    expect(mail.text?.trim()).toBe('Hei Ola,\n\nDen er sendt.')
    expect(mail.html).toContain('<p>Hei Ola,</p>')
    expect(mail.attachments.map((attachment) => [attachment.filename, attachment.content.toString()])).toEqual([['kvittering.txt', 'order 42']])
    // The send_email binding answered with the Message-ID the recipient sees: that is the one kept.
    expect(reply.externalId).toBeTruthy()
    expect(reply.metadata.recipients).toMatchObject({ bcc: [{ address: 'boss@example.test' }] })

    const download = await request(`/conversations/${conversationId}/messages/${reply.id}/raw`, { cookie })
    expect(download.status).toBe(200)
    expect(await download.text()).toBe(raw)
    const participants = await db().select().from(conversationParticipants).where(eq(conversationParticipants.conversationId, conversationId))
    expect(participants.map((participant) => participant.address).sort()).toEqual(['kari@example.no', 'ola@example.no'])

    await receive(
      buildMail({ from: 'ola@example.no', to: support, subject: 'Totally different', messageId: `answer.${ws.tag}@example.no`, inReplyTo: reply.externalId! }),
      'ola@example.no',
      support,
    )
    expect((await byExternalId(`answer.${ws.tag}@example.no`)).conversationId).toBe(conversationId)
  })

  it('keeps what was typed when a recipient is not an address', async () => {
    const { conversationId, cookie } = await emailThread()
    const response = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Draft stays', to: 'ola@example.no, nonsense', cc: '' }),
    })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('“nonsense” is not an email address.')
    expect(html).toContain('value="ola@example.no, nonsense"')
    expect(html).toContain('Draft stays')
  })

  it('tells an agent who reads Norwegian which recipient is not an address, in Norwegian, the address shown as text', async () => {
    const { conversationId, cookie } = await emailThread()
    expect((await request('/me/locale', { method: 'POST', cookie, body: form({ locale: 'nb' }) })).status).toBe(303)
    const response = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Utkastet blir', to: 'ola@example.no, <b>tull</b>', cc: '' }),
    })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('«&lt;b&gt;tull&lt;/b&gt;» er ikke en e-postadresse.')
    expect(html).not.toContain('<b>tull</b>')
  })

  it('sanitises the editor’s HTML before it is stored or sent: no scripts, no event handlers', async () => {
    const { conversationId, cookie } = await emailThread()
    const hostile =
      '<p onclick="steal()">Hello <b>there</b><script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">link</a></p><style>*{}</style>'
    const response = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', html: hostile, to: 'ola@example.no' }),
    })
    expect(response.status).toBe(201)
    const reply = await delivered((await latestOut(conversationId)).id)
    for (const stored of [reply.html ?? '', (await sentMail(reply)).mail.html || '']) {
      expect(stored).toContain('<strong>there</strong>')
      expect(stored).not.toMatch(/<script|onclick|onerror|javascript:|<style/i)
    }
    expect(reply.text).toBe('Hello therelink')
  })
})

describe('delivery failures', () => {
  it('retries with backoff, then shows the reason with a Retry button that sends it again', async () => {
    const { ws, conversationId, cookie } = await emailThread()
    const stored = await appendMessage(db(), {
      accountId: ws.accountId,
      conversationId,
      channelId: ws.channels.email.id,
      direction: 'out',
      kind: 'message',
      authorUserId: ws.users.agent.id,
      text: 'Will bounce for a while',
      deliveryStatus: 'pending',
      createdAt: Date.now(),
    })
    const failing = { ...env, SEND_EMAIL: { send: async () => Promise.reject(new Error('421 try again later')) } }
    for (let attempt = 1; attempt <= 5; attempt++) {
      const batch = createMessageBatch('switchboard-outbound', [
        { id: `m${attempt}`, timestamp: new Date(), attempts: attempt, body: { accountId: ws.accountId, messageId: stored!.id } },
      ])
      const ctx = createExecutionContext()
      await worker.queue(batch, failing)
      const result = await getQueueResult(batch, ctx)
      const [row] = await db().select().from(messages).where(eq(messages.id, stored!.id))
      if (attempt < 5) {
        expect(result.retryMessages.map((message) => message.msgId)).toEqual([`m${attempt}`])
        expect(row).toMatchObject({ deliveryStatus: 'pending', deliveryError: '421 try again later', deliveryAttempts: attempt })
      } else {
        expect(result.explicitAcks).toEqual(['m5'])
        expect(row).toMatchObject({ deliveryStatus: 'failed', deliveryError: '421 try again later' })
      }
    }
    const thread = await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })
    const html = await thread.text()
    expect(html).toContain('Failed: 421 try again later')
    expect(html).toContain(`/conversations/${conversationId}/messages/${stored!.id}/retry`)

    const retry = await request(`/conversations/${conversationId}/messages/${stored!.id}/retry`, { method: 'POST', cookie, hx: `msg-${stored!.id}` })
    expect(retry.status).toBe(200)
    expect(await retry.text()).toContain('Sending…')
    const sent = await delivered(stored!.id)
    expect(sent.deliveryStatus).toBe('sent')
    expect((await sentMail(sent)).mail.text?.trim()).toBe('Will bounce for a while')
  })
})

async function runQueue(job: { accountId: string; messageId: number }, attempt: number, queueEnv: Cloudflare.Env) {
  const batch = createMessageBatch('switchboard-outbound', [{ id: `a${attempt}`, timestamp: new Date(), attempts: attempt, body: job }])
  const ctx = createExecutionContext()
  await worker.queue(batch, queueEnv)
  return getQueueResult(batch, ctx)
}

describe('delivery to several recipients', () => {
  it('a retry after a partial failure sends only to those who did not get it', async () => {
    const { ws, conversationId } = await emailThread()
    const stored = await appendMessage(db(), {
      accountId: ws.accountId,
      conversationId,
      channelId: ws.channels.email.id,
      direction: 'out',
      kind: 'message',
      text: 'To both of you',
      deliveryStatus: 'pending',
      metadata: { replyOptions: { to: [{ address: 'ola@example.no' }], cc: [{ address: 'kari@example.no' }], bcc: [] } },
      createdAt: Date.now(),
    })
    const seen: string[] = []
    let karisServerDown = true
    // A recording stand-in for the send_email binding: it sees each envelope recipient.
    const recording = {
      ...env,
      SEND_EMAIL: {
        async send(message: EmailMessage | EmailMessageBuilder): Promise<EmailSendResult> {
          const to = typeof message.to === 'string' ? message.to : JSON.stringify(message.to)
          seen.push(to)
          if (to === 'kari@example.no' && karisServerDown) throw new Error('451 temporary failure')
          return { messageId: `<copy-${seen.length}@provider.test>` }
        },
      },
    }
    const job = { accountId: ws.accountId, messageId: stored!.id }
    expect((await runQueue(job, 1, recording)).retryMessages).toHaveLength(1)
    karisServerDown = false
    expect((await runQueue(job, 2, recording)).explicitAcks).toEqual(['a2'])
    expect(seen).toEqual(['ola@example.no', 'kari@example.no', 'kari@example.no'])
    const [row] = await db().select().from(messages).where(eq(messages.id, stored!.id))
    expect(row).toMatchObject({ deliveryStatus: 'sent', externalId: 'copy-3@provider.test' })
  })

  it('marks automatic replies Auto-Submitted: auto-replied, and only those', async () => {
    const { ws, conversationId } = await emailThread()
    const stored = await appendMessage(db(), {
      accountId: ws.accountId,
      conversationId,
      channelId: ws.channels.email.id,
      direction: 'out',
      kind: 'message',
      text: 'We got your message and answer within a day.',
      automated: true,
      deliveryStatus: 'pending',
      createdAt: Date.now(),
    })
    await runQueue({ accountId: ws.accountId, messageId: stored!.id }, 1, env)
    const [row] = await db().select().from(messages).where(eq(messages.id, stored!.id))
    const { mail } = await sentMail(row!)
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied')
    expect(mail.headers.get('x-auto-response-suppress')).toBe('All')
    expect(addresses(mail.to)).toEqual(['ola@example.no'])
  })
})

describe('a new email from the inbox', () => {
  it('starts a conversation in Sent that moves to All open when the contact replies to it', async () => {
    const ws = await workspace()
    const support = `support.${ws.tag}@example.test`
    const cookie = await login(ws.users.agent.email)
    const page = await request(`/inbox/${ws.inboxId}/open`, { cookie })
    expect(await page.text()).toContain(`href="/inbox/${ws.inboxId}/compose"`)
    const compose = await request(`/inbox/${ws.inboxId}/compose`, { cookie, hx: 'thread' })
    expect(await compose.text()).toContain('name="subject"')

    const response = await request(`/inbox/${ws.inboxId}/compose`, {
      method: 'POST',
      cookie,
      hx: 'compose-email',
      body: form({
        to: 'Ingrid Å <ingrid@example.se>',
        cc: 'per@example.se',
        bcc: '',
        subject: 'Din offert — ÅÄÖ',
        html: '<p>Hej <b>Ingrid</b>!</p><script>x()</script>',
      }),
    })
    expect(response.status).toBe(201)
    const location = response.headers.get('HX-Redirect') ?? ''
    const conversationId = /\/sent\/c\/([a-z2-7]{16})$/.exec(location)?.[1]
    expect(conversationId).toBeTruthy()
    const [created] = await db().select().from(conversations).where(eq(conversations.id, conversationId!))
    expect(created).toMatchObject({ folder: 'sent', subject: 'Din offert — ÅÄÖ', channelId: ws.channels.email.id, assigneeId: ws.users.agent.id })

    const sent = await delivered((await latestOut(conversationId!)).id)
    const { mail } = await sentMail(sent)
    expect(mail.subject).toBe('Din offert — ÅÄÖ')
    // Written in the editor: sanitised HTML with the plain text beside it.
    expect(mail.html).toContain('<p>Hej <strong>Ingrid</strong>!</p>')
    expect(mail.html).not.toContain('script')
    expect(mail.text?.trim()).toBe('Hej Ingrid!')
    expect(sent.metadata).toMatchObject({ richText: true })
    expect(mail.inReplyTo).toBeUndefined()
    expect(decodeThreadIndex(String(mail.headers.get('thread-index')))!.length).toBe(22)
    expect(addresses(mail.to)).toEqual(['ingrid@example.se'])
    expect(addresses(mail.cc)).toEqual(['per@example.se'])

    const sentList = await request(`/inbox/${ws.inboxId}/sent`, { cookie, hx: 'list' })
    expect(await sentList.text()).toContain(`conv-row-${conversationId}`)

    // Ingrid's client rewrites the subject but keeps the Message-ID she received in In-Reply-To.
    await receive(
      buildMail({ from: 'ingrid@example.se', to: support, subject: 'SV: offert', messageId: `svar.${ws.tag}@example.se`, inReplyTo: sent.externalId! }),
      'ingrid@example.se',
      support,
    )
    expect((await byExternalId(`svar.${ws.tag}@example.se`)).conversationId).toBe(conversationId)
    const [moved] = await db().select().from(conversations).where(eq(conversations.id, conversationId!))
    expect(moved).toMatchObject({ folder: 'inbox', status: 'open' })
    for (const viewId of ['open', 'mine']) {
      const list = await request(`/inbox/${ws.inboxId}/${viewId}`, { cookie, hx: 'list' })
      expect(await list.text()).toContain(`conv-row-${conversationId}`)
    }
    const unassigned = await request(`/inbox/${ws.inboxId}/unassigned`, { cookie, hx: 'list' })
    expect(await unassigned.text()).not.toContain(`conv-row-${conversationId}`)
  })

  it('threads a reply that keeps only our own Message-ID form', async () => {
    const ws = await workspace()
    const support = `support.${ws.tag}@example.test`
    const cookie = await login(ws.users.agent.email)
    const response = await request(`/inbox/${ws.inboxId}/compose`, {
      method: 'POST',
      cookie,
      body: form({ to: 'bo@example.dk', subject: 'Hello', text: 'Hi Bo' }),
    })
    expect(response.status).toBe(303)
    const conversationId = /\/sent\/c\/([a-z2-7]{16})$/.exec(response.headers.get('Location') ?? '')![1]!
    const sent = await delivered((await latestOut(conversationId)).id)
    await receive(
      buildMail({
        from: 'bo@example.dk',
        to: support,
        subject: 'New subject',
        messageId: `bo.${ws.tag}@example.dk`,
        references: `<unknown@example.dk> <${sent.metadata.messageId}>`,
      }),
      'bo@example.dk',
      support,
    )
    expect((await byExternalId(`bo.${ws.tag}@example.dk`)).conversationId).toBe(conversationId)
  })
})

describe('forwarding and transcripts', () => {
  it('forwards the conversation’s messages, never its comments or hidden text', async () => {
    const { ws, conversationId, cookie } = await emailThread()
    await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'comment', text: 'Internal: customer is grumpy' }),
    })
    const secret = await appendMessage(db(), {
      accountId: ws.accountId,
      conversationId,
      channelId: ws.channels.email.id,
      direction: 'in',
      kind: 'message',
      text: 'My card number is 4111',
      createdAt: Date.now(),
    })
    await db().update(messages).set({ hiddenAt: Date.now(), hiddenBy: ws.users.agent.id }).where(eq(messages.id, secret!.id))

    const thread = await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })
    expect(await thread.text()).toContain(`hx-get="/conversations/${conversationId}/forward"`)
    const formHtml = await (await request(`/conversations/${conversationId}/forward`, { cookie })).text()
    expect(formHtml).toContain('name="to"')

    const response = await request(`/conversations/${conversationId}/forward`, {
      method: 'POST',
      cookie,
      body: form({ to: 'warehouse@partner.example', note: 'Can you check stock?' }),
    })
    expect(response.status).toBe(201)
    expect(await response.text()).toContain('Forwarded to warehouse@partner.example')
    const forwardId = (await latestOut(conversationId)).id
    // A forward is not an answer to the contact: another agent's reply is not held up by it.
    const other = await login(ws.users.admin.email)
    const reply = await request(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      cookie: other,
      body: form({ kind: 'message', text: 'On it', seenSeq: '1' }),
    })
    expect(reply.status).toBe(201)
    const forward = await delivered(forwardId)
    const { mail } = await sentMail(forward)
    expect(addresses(mail.to)).toEqual(['warehouse@partner.example'])
    expect(mail.subject).toBe('Fwd: Bestilling – blåbær')
    expect(mail.inReplyTo).toBeUndefined()
    expect(mail.text).toContain('Can you check stock?')
    expect(mail.text).toContain('Ola Nordmann')
    for (const body of [mail.text ?? '', mail.html || '']) {
      expect(body).not.toContain('grumpy')
      expect(body).not.toContain('4111')
    }
  })

  it('emails a chat transcript to the contact: messages only, auto-generated when automatic', async () => {
    const ws = await workspace()
    const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
    const chat = await ingestInbound(deps, ws.channels.chat, {
      externalId: `chat-${ws.tag}`,
      from: { externalId: `v-${ws.tag}`, name: 'Tom', email: 'tom@example.com' },
      text: 'Do you have long sleeping bags?',
      thread: { key: `s-${ws.tag}` },
    })
    const base = { accountId: ws.accountId, conversationId: chat.conversationId, channelId: ws.channels.chat.id, createdAt: Date.now() }
    await appendMessage(db(), { ...base, direction: 'out', kind: 'message', authorName: 'Kim', text: 'Yes, 210 cm <b>long</b>.' })
    await appendMessage(db(), { ...base, direction: 'out', kind: 'comment', authorName: 'Kim', text: 'He asked last week too' })
    const hidden = await appendMessage(db(), { ...base, direction: 'in', kind: 'message', text: 'my password is hunter2' })
    await db().update(messages).set({ hiddenAt: Date.now() }).where(eq(messages.id, hidden!.id))

    const cookie = await login(ws.users.agent.email)
    const thread = await request(`/inbox/${ws.inboxId}/open/c/${chat.conversationId}`, { cookie, hx: 'thread' })
    expect(await thread.text()).toContain(`/conversations/${chat.conversationId}/transcript`)
    const manual = await request(`/conversations/${chat.conversationId}/transcript`, { method: 'POST', cookie, body: form({ view: 'open' }) })
    expect(manual.status).toBe(200)
    expect(await manual.text()).toContain('Transcript of this conversation emailed to tom@example.com')
    const first = await delivered((await latestOut(chat.conversationId)).id)
    expect((await sentMail(first)).mail.headers.has('auto-submitted')).toBe(false)

    const automatic = await sendTranscript(db(), env, chat.conversationId, 'tom@example.com', { automatic: true })
    const sent = await delivered(automatic.id)
    const { mail } = await sentMail(sent)
    expect(addresses(mail.to)).toEqual(['tom@example.com'])
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated')
    expect(mail.text).toContain('Do you have long sleeping bags?')
    expect(mail.text).toContain('Yes, 210 cm <b>long</b>.')
    expect(mail.html).toContain('Yes, 210 cm &lt;b&gt;long&lt;/b&gt;.')
    for (const body of [mail.text ?? '', mail.html || '']) {
      expect(body).not.toContain('He asked last week')
      expect(body).not.toContain('hunter2')
      // The earlier transcript is not part of the next one.
      expect(body).not.toContain('Transcript of this conversation')
    }
  })
})
