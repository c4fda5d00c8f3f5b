import { env, SELF } from 'cloudflare:test'
import { and, eq } from 'drizzle-orm'
import { simpleParser } from 'mailparser'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { channels, contacts, conversations, feedback, inboxes, messages } from '../../src/db/schema'
import { getSurveySettings, sendSurveyOnClose, type SurveyLive } from '../../src/services/feedback'
import { sendTranscript } from '../../src/services/email-outbound'
import { t, withLocale } from '../../src/i18n'
import { buildMail } from '../shared/email-fixtures'
import { db, emailMessage, form, login, origin, request, workspace } from './helpers'

type Workspace = Awaited<ReturnType<typeof workspace>>

/** An email conversation from `from`, received through the worker's email() handler. */
async function emailConversation(ws: Workspace, from = 'Ola Nordmann <ola@example.no>', subject = 'Bestilling – blåbær') {
  const support = `support.${ws.tag}@example.test`
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from
  const messageId = `${crypto.randomUUID()}@example.no`
  const { message, state } = emailMessage(buildMail({ from, to: support, subject, messageId, body: 'Where is my order #4411?' }), address, support)
  await worker.email(message, env)
  if (state.rejected) throw new Error(state.rejected)
  const [row] = await db().select().from(messages).where(eq(messages.externalId, messageId))
  return row!.conversationId
}

async function close(cookie: string, conversationId: string) {
  const response = await request(`/conversations/${conversationId}/status`, {
    method: 'POST',
    cookie,
    hx: 'thread',
    body: form({ status: 'closed', view: 'open' }),
  })
  expect(response.status).toBe(200)
}

async function eventually<T>(read: () => Promise<T | null | undefined>, what: string, timeoutMs = 8000): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await read()
    if (value) return value
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const surveyOf = async (conversationId: string) => (await db().select().from(feedback).where(eq(feedback.conversationId, conversationId)))[0] ?? null

const noLive: SurveyLive = { visitorConnected: async () => false, offer: async () => false }

/** The chat widget on a site the channel allows: its session, and its socket with the frames it got. */
async function widgetSite(ws: Workspace, siteOrigin: string, settings: Record<string, unknown> = {}) {
  await db()
    .update(channels)
    .set({ settings: { allowedOrigins: [siteOrigin], greeting: 'Hi!', ...settings } })
    .where(eq(channels.id, ws.channels.chat.id))
  const newSession = async () =>
    (await (
      await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/session`, {
        method: 'POST',
        headers: { Origin: siteOrigin, 'Content-Type': 'application/json' },
        body: '{}',
      })
    ).json()) as { token: string; conversationId: string; strings: Record<string, string> }
  const connect = async (token: string) => {
    const response = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/ws?token=${encodeURIComponent(token)}`, {
      headers: { Upgrade: 'websocket', Origin: siteOrigin },
    })
    const socket = response.webSocket!
    socket.accept()
    const frames: Record<string, unknown>[] = []
    socket.addEventListener('message', (event) => frames.push(JSON.parse(event.data as string)))
    const next = (type: string) => eventually(async () => frames.find((frame) => frame.type === type), `a ${type} frame`)
    return { socket, frames, next }
  }
  return { newSession, connect }
}

describe('the survey after a close', () => {
  it('emails a one-question survey with five answer links, automatic and only once per conversation', async () => {
    const ws = await workspace()
    const conversationId = await emailConversation(ws)
    const cookie = await login(ws.users.agent.email)
    await close(cookie, conversationId)
    const survey = await eventually(() => surveyOf(conversationId), 'the survey row')
    expect(survey).toMatchObject({ via: 'email', score: null, answeredAt: null })
    const sent = await eventually(async () => {
      const [row] = await db()
        .select()
        .from(messages)
        .where(and(eq(messages.conversationId, conversationId), eq(messages.automated, true), eq(messages.direction, 'out')))
      return row?.deliveryStatus === 'sent' ? row : null
    }, 'the survey mail to be sent')
    expect(sent.text).toBe('Satisfaction survey emailed to ola@example.no.')
    const mail = await simpleParser(await (await env.ATTACHMENTS.get(sent.rawKey!))!.text())
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : null).toBe('ola@example.no')
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated')
    expect(mail.subject).toBe('How did Support do?')
    for (const score of [1, 2, 3, 4, 5]) {
      expect(mail.text).toContain(`${origin}/feedback/${survey.token}?score=${score}`)
      expect(mail.html).toContain(`href="${origin}/feedback/${survey.token}?score=${score}"`)
    }
    expect(mail.text).toContain('How satisfied were you with our help?')

    // Reopened and closed again: still one survey.
    await request(`/conversations/${conversationId}/status`, { method: 'POST', cookie, hx: 'thread', body: form({ status: 'open', view: 'open' }) })
    await close(cookie, conversationId)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await db().select().from(feedback).where(eq(feedback.conversationId, conversationId))).toHaveLength(1)
    // The survey mail is not part of a later transcript or forward of the thread.
    const { renderConversationForEmail } = await import('../../src/services/email-outbound')
    expect((await renderConversationForEmail(db(), ws.accountId, conversationId))!.text).not.toContain('Satisfaction survey')
  })

  it('sends none to blocked or bouncing contacts, for spam, when surveys are off, or on a bulk close', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.agent.email)
    const closeQuietly = async (id: string) => {
      await db().update(conversations).set({ status: 'closed' }).where(eq(conversations.id, id))
      return sendSurveyOnClose(db(), env, noLive, { accountId: ws.accountId, conversationId: id, baseUrl: origin })
    }
    const blocked = await emailConversation(ws, 'Blocked <blocked@example.com>')
    await db().update(contacts).set({ blocked: true }).where(eq(contacts.email, 'blocked@example.com'))
    expect(await closeQuietly(blocked)).toMatchObject({ sent: null, reason: 'blocked' })
    const bouncing = await emailConversation(ws, 'Kari Bounce <kari.b@example.com>')
    await db().update(contacts).set({ bouncingAt: Date.now() }).where(eq(contacts.email, 'kari.b@example.com'))
    expect(await closeQuietly(bouncing)).toMatchObject({ sent: null, reason: 'bouncing' })
    const spam = await emailConversation(ws, 'Spammer <spam@example.com>')
    await db().update(conversations).set({ folder: 'spam' }).where(eq(conversations.id, spam))
    expect(await closeQuietly(spam)).toMatchObject({ sent: null, reason: 'in spam' })
    const sent = await emailConversation(ws, 'Sent Folder <sent@example.com>')
    await db().update(conversations).set({ folder: 'sent' }).where(eq(conversations.id, sent))
    expect(await closeQuietly(sent)).toMatchObject({ sent: null, reason: 'in sent' })
    const machine = await emailConversation(ws, 'Notifications <notify@example.com>')
    await db().update(messages).set({ automated: true }).where(eq(messages.conversationId, machine))
    expect(await closeQuietly(machine)).toMatchObject({ sent: null, reason: 'contact never wrote' })
    const open = await emailConversation(ws, 'Still Open <open@example.com>')
    expect(await sendSurveyOnClose(db(), env, noLive, { accountId: ws.accountId, conversationId: open, baseUrl: origin })).toMatchObject({
      sent: null,
      reason: 'not closed',
    })

    const bulk = [await emailConversation(ws, 'Bulk One <b1@example.com>'), await emailConversation(ws, 'Bulk Two <b2@example.com>')]
    const body = new URLSearchParams([['action', 'close'], ...bulk.map((id) => ['ids', id])])
    expect((await request(`/inbox/${ws.inboxId}/open/bulk`, { method: 'POST', cookie, hx: 'list', body })).status).toBe(200)

    const admin = await login(ws.users.admin.email)
    expect((await request('/settings/feedback', { method: 'POST', cookie: admin, hx: 'x', body: form({ question: '' }) })).status).toBe(200)
    const off = await emailConversation(ws, 'Off <off@example.com>')
    await close(cookie, off)
    await new Promise((resolve) => setTimeout(resolve, 400))
    for (const id of [blocked, bouncing, spam, sent, machine, open, ...bulk, off]) expect(await surveyOf(id)).toBeNull()
  })

  it('shows the survey in the widget of a connected visitor, who answers over the socket', async () => {
    const ws = await workspace()
    const site = await widgetSite(ws, 'https://shop.example')
    const session = await site.newSession()
    const visitor = await site.connect(session.token)
    visitor.socket.send(JSON.stringify({ type: 'profile', name: 'Tom', email: 'tom@example.com' }))
    await visitor.next('profile:saved')
    visitor.socket.send(JSON.stringify({ type: 'message', clientId: 'm1', text: 'Do you have long sleeping bags?' }))
    await visitor.next('ack')

    await close(await login(ws.users.agent.email), session.conversationId)
    const frame = (await visitor.next('survey')) as { token: string; question: string; choices: { score: number; label: string }[] }
    expect(frame.question).toBe('How satisfied were you with our help?')
    expect(frame.choices.map((choice) => choice.label)).toEqual(['Very unsatisfied', 'Unsatisfied', 'Neutral', 'Satisfied', 'Very satisfied'])
    expect(await surveyOf(session.conversationId)).toMatchObject({ via: 'widget', token: frame.token })

    // A token of another conversation is refused; the right one is recorded.
    visitor.socket.send(JSON.stringify({ type: 'survey', token: 'a'.repeat(48), score: 1 }))
    expect(await visitor.next('survey:error')).toMatchObject({ message: 'This survey is not available.' })
    visitor.socket.send(JSON.stringify({ type: 'survey', token: frame.token, score: 4, comment: 'Quick <b>help</b>' }))
    await visitor.next('survey:saved')
    expect(await surveyOf(session.conversationId)).toMatchObject({ score: 4, comment: 'Quick <b>help</b>' })
    visitor.socket.close(1000)
    // Nothing went by email: the visitor had it in the widget.
    const mails = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, session.conversationId), eq(messages.automated, true)))
    expect(mails.filter((row) => row.metadata.survey)).toHaveLength(0)
  })

  it('asks in the widget’s language: choices, texts and errors', async () => {
    const ws = await workspace()
    const site = await widgetSite(ws, 'https://butikk.example', { greeting: 'Hei!', language: 'nb' })
    const session = await site.newSession()
    expect(session.strings).toMatchObject({ survey_send: 'Send tilbakemelding', survey_thanks: 'Takk for tilbakemeldingen!', feedback: 'Tilbakemelding' })
    const { socket, next } = await site.connect(session.token)
    socket.send(JSON.stringify({ type: 'profile', name: 'Kari', email: 'kari@example.no' }))
    await next('profile:saved')
    socket.send(JSON.stringify({ type: 'message', clientId: 'm1', text: 'Har dere lange soveposer?' }))
    await next('ack')
    // The contact keeps the widget's language for the mail they get later.
    const [contact] = await db()
      .select({ locale: contacts.locale })
      .from(conversations)
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .where(eq(conversations.id, session.conversationId))
    expect(contact?.locale).toBe('nb')
    const cookie = await login(ws.users.agent.email)
    await close(cookie, session.conversationId)
    const frame = (await next('survey')) as { question: string; choices: { label: string }[] }
    expect(frame.question).toBe(withLocale('nb', () => t('feedback.question_default')))
    expect(frame.question).not.toBe('How satisfied were you with our help?')
    expect(frame.choices.map((choice) => choice.label)).toEqual(['Svært misfornøyd', 'Misfornøyd', 'Nøytral', 'Fornøyd', 'Svært fornøyd'])
    socket.send(JSON.stringify({ type: 'survey', token: 'b'.repeat(48), score: 2 }))
    expect(await next('survey:error')).toMatchObject({ message: 'Denne undersøkelsen er ikke tilgjengelig.' })
    socket.close(1000)
    // The transcript goes out in their language too, whoever asked for it (here an English-speaking agent).
    const transcript = await sendTranscript(db(), env, session.conversationId, 'kari@example.no')
    const [inbox] = await db().select({ name: inboxes.name }).from(inboxes).where(eq(inboxes.id, ws.inboxId))
    expect(transcript.metadata).toMatchObject({ subject: `Samtalen din med ${inbox!.name}` })
    expect((transcript.metadata.sendBody as { text: string }).text.startsWith(`Her er en kopi av samtalen din med ${inbox!.name}.`)).toBe(true)

    // A visitor who left gets the survey by email, in their language.
    const gone = await site.newSession()
    const { socket: goneSocket, next: goneNext } = await site.connect(gone.token)
    goneSocket.send(JSON.stringify({ type: 'profile', name: 'Per', email: 'per@example.no' }))
    goneSocket.send(JSON.stringify({ type: 'message', clientId: 'g1', text: 'Takk, ha det!' }))
    await goneNext('ack')
    goneSocket.close(1000)
    await new Promise((resolve) => setTimeout(resolve, 200))
    await close(cookie, gone.conversationId)
    expect(await eventually(() => surveyOf(gone.conversationId), 'the emailed survey')).toMatchObject({ via: 'email' })
    const mail = await eventually(
      async () =>
        (
          await db()
            .select()
            .from(messages)
            .where(and(eq(messages.conversationId, gone.conversationId), eq(messages.automated, true)))
        ).find((row) => row.metadata.survey),
      'the survey mail',
    )
    expect(mail.metadata).toMatchObject({ subject: `Hvordan gjorde ${inbox!.name} det?` })
  })

  it('emails a chat visitor who already left, and shows an unanswered widget survey again when the visitor returns', async () => {
    const ws = await workspace()
    const { newSession, connect } = await widgetSite(ws, 'https://shop.example')
    const cookie = await login(ws.users.agent.email)

    const gone = await newSession()
    const first = await connect(gone.token)
    first.socket.send(JSON.stringify({ type: 'profile', name: 'Tom', email: 'tom.gone@example.com' }))
    await first.next('profile:saved')
    first.socket.send(JSON.stringify({ type: 'message', clientId: 'g1', text: 'Thanks, bye!' }))
    await first.next('ack')
    first.socket.close(1000)
    await new Promise((resolve) => setTimeout(resolve, 200))
    await close(cookie, gone.conversationId)
    expect(await eventually(() => surveyOf(gone.conversationId), 'the emailed survey')).toMatchObject({ via: 'email' })

    const returning = await newSession()
    const visit = await connect(returning.token)
    visit.socket.send(JSON.stringify({ type: 'message', clientId: 'r1', text: 'One more question' }))
    await visit.next('ack')
    await close(cookie, returning.conversationId)
    const offered = (await visit.next('survey')) as { token: string }
    visit.socket.close(1000)
    const again = await connect(returning.token)
    expect(await again.next('survey')).toMatchObject({ token: offered.token })
    again.socket.close(1000)
  })

  it('offers an unanswered widget survey again when the visitor comes back', async () => {
    const ws = await workspace()
    const conversationId = await emailConversation(ws)
    const [survey] = await db()
      .insert(feedback)
      .values({ id: `fb${ws.tag}`, accountId: ws.accountId, conversationId, contactId: null, via: 'widget', token: 'b'.repeat(32), sentAt: Date.now() })
      .returning()
    const { pendingWidgetSurvey } = await import('../../src/services/feedback')
    expect(await pendingWidgetSurvey(db(), ws.accountId, conversationId)).toMatchObject({ token: survey!.token })
    await db().update(feedback).set({ score: 3, answeredAt: Date.now() }).where(eq(feedback.id, survey!.id))
    expect(await pendingWidgetSurvey(db(), ws.accountId, conversationId)).toBeNull()
  })
})

describe('the answer page', () => {
  async function emailedSurvey() {
    const ws = await workspace()
    const conversationId = await emailConversation(ws)
    await db().update(conversations).set({ status: 'closed' }).where(eq(conversations.id, conversationId))
    expect(await sendSurveyOnClose(db(), env, noLive, { accountId: ws.accountId, conversationId, baseUrl: origin })).toMatchObject({ sent: 'email' })
    const survey = (await surveyOf(conversationId))!
    return { ws, conversationId, survey }
  }

  const post = (token: string, values: Record<string, string>, headers: Record<string, string> = { 'Sec-Fetch-Site': 'same-origin' }) =>
    SELF.fetch(`${origin}/feedback/${token}`, {
      method: 'POST',
      headers: { ...headers, Origin: headers.Origin ?? origin, Accept: 'text/html' },
      body: form(values),
      redirect: 'manual',
    })

  it('GET preselects the linked score and records nothing; POST records score and comment', async () => {
    const { survey } = await emailedSurvey()
    const page = await SELF.fetch(`${origin}/feedback/${survey.token}?score=4`)
    expect(page.status).toBe(200)
    expect(page.headers.get('Cache-Control')).toBe('no-store')
    const html = await page.text()
    expect(html).toContain('How satisfied were you with our help?')
    expect(html).toMatch(/<input type="radio" name="score" value="4" checked="" required=""\/>/)
    expect(html).toContain(`action="/feedback/${survey.token}"`)
    expect((await surveyOf(survey.conversationId!))!.answeredAt).toBeNull()

    const saved = await post(survey.token, { score: '5', comment: 'Fast and <script>alert(1)</script> friendly' })
    expect(saved.status).toBe(200)
    const savedHtml = await saved.text()
    expect(savedHtml).toContain('Thank you! Your answer is saved.')
    expect(savedHtml).toContain('Fast and &lt;script&gt;alert(1)&lt;/script&gt; friendly')
    expect(savedHtml).not.toContain('<script>alert(1)')
    const row = (await surveyOf(survey.conversationId!))!
    expect(row).toMatchObject({ score: 5, comment: 'Fast and <script>alert(1)</script> friendly' })

    // Changing it within the window keeps the first answer's time.
    expect((await post(survey.token, { score: '3', comment: '' })).status).toBe(200)
    expect(await surveyOf(survey.conversationId!)).toMatchObject({ score: 3, comment: null, answeredAt: row.answeredAt })
  })

  it('refuses bad scores, long comments, cross-site posts and changes after 7 days; unknown tokens are 404', async () => {
    const { survey } = await emailedSurvey()
    for (const score of ['0', '6', '2.5', 'five', '']) {
      const response = await post(survey.token, { score, comment: 'x' })
      expect(response.status).toBe(422)
      expect(await response.text()).toContain('Choose an answer from 1 to 5.')
    }
    const long = await post(survey.token, { score: '4', comment: 'x'.repeat(2001) })
    expect(long.status).toBe(422)
    expect(await long.text()).toContain('The comment can have at most 2000 characters.')
    expect((await post(survey.token, { score: '1' }, { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' })).status).toBe(403)
    expect((await surveyOf(survey.conversationId!))!.score).toBeNull()

    expect((await post(survey.token, { score: '4', comment: 'x'.repeat(2000) })).status).toBe(200)
    await db()
      .update(feedback)
      .set({ answeredAt: Date.now() - 8 * 24 * 60 * 60 * 1000 })
      .where(eq(feedback.id, survey.id))
    const late = await post(survey.token, { score: '1' })
    expect(late.status).toBe(409)
    const lateHtml = await late.text()
    expect(lateHtml).toContain('can no longer be changed')
    expect(lateHtml).not.toContain('<form method="post"')
    expect((await surveyOf(survey.conversationId!))!.score).toBe(4)

    for (const path of ['/feedback/nosuchtokennosuchtoken', '/feedback/x%27%3Cb%3E']) {
      const missing = await SELF.fetch(`${origin}${path}`)
      expect(missing.status).toBe(404)
      expect(await missing.text()).toContain('Survey not found')
    }
    expect((await post('nosuchtokennosuchtoken', { score: '4' })).status).toBe(404)
  })
})

describe('the Past feedback card and the settings', () => {
  it('lists the contact’s answers with stars, escaped comments, the average and what is still pending', async () => {
    const ws = await workspace()
    const first = await emailConversation(ws, 'Ola Nordmann <ola@example.no>', 'First order')
    const second = await emailConversation(ws, 'Ola Nordmann <ola@example.no>', 'Second order')
    const [contact] = await db()
      .select()
      .from(contacts)
      .where(and(eq(contacts.accountId, ws.accountId), eq(contacts.email, 'ola@example.no')))
    const nowMs = Date.now()
    await db()
      .insert(feedback)
      .values([
        {
          id: `a${ws.tag}`,
          accountId: ws.accountId,
          conversationId: first,
          contactId: contact!.id,
          via: 'email',
          token: `a${ws.tag}`.padEnd(32, 'a'),
          score: 4,
          comment: '<img src=x onerror=alert(1)> great',
          sentAt: nowMs - 5000,
          answeredAt: nowMs - 4000,
        },
        {
          id: `b${ws.tag}`,
          accountId: ws.accountId,
          conversationId: second,
          contactId: contact!.id,
          via: 'email',
          token: `b${ws.tag}`.padEnd(32, 'b'),
          score: 2,
          comment: null,
          sentAt: nowMs - 3000,
          answeredAt: nowMs - 2000,
        },
        {
          id: `c${ws.tag}`,
          accountId: ws.accountId,
          conversationId: null,
          contactId: contact!.id,
          via: 'widget',
          token: `c${ws.tag}`.padEnd(32, 'c'),
          sentAt: nowMs - 1000,
        },
      ])
    const cookie = await login(ws.users.agent.email)
    const thread = await request(`/inbox/${ws.inboxId}/open/c/${second}`, { cookie, hx: 'thread' })
    expect(await thread.text()).toContain(`hx-get="/conversations/${second}/cards/feedback"`)
    const card = await request(`/conversations/${second}/cards/feedback`, { cookie, hx: 'card-feedback' })
    expect(card.status).toBe(200)
    const html = await card.text()
    expect(html).toContain('id="card-feedback"')
    expect(html).toContain('Past feedback')
    expect(html).toContain('<strong>4/5</strong> · Satisfied')
    expect(html).toContain('<strong>2/5</strong> · Unsatisfied')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; great')
    expect(html).not.toContain('<img')
    expect(html).toContain('Average 3.0 of 5 (2 answers)')
    expect(html).toContain('Sent, not answered')
    expect(html).toContain('Shown in the chat')
    expect(html).toContain('First order')
    expect(html).toContain('this conversation')

    const stranger = await workspace()
    expect((await request(`/conversations/${second}/cards/feedback`, { cookie: await login(stranger.users.agent.email), hx: 'x' })).status).toBe(404)
  })

  it('lets admins switch surveys off and change the question, which the next survey uses', async () => {
    const ws = await workspace()
    const agent = await login(ws.users.agent.email)
    expect((await request('/settings/feedback', { cookie: agent })).status).toBe(403)
    const admin = await login(ws.users.admin.email)
    const page = await request('/settings/feedback', { cookie: admin })
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('name="enabled" value="1" checked=""')
    expect(html).toContain('aria-current="page"')
    expect(html).toContain('Satisfaction survey')

    const tooLong = await request('/settings/feedback', { method: 'POST', cookie: admin, hx: 'x', body: form({ enabled: '1', question: 'q'.repeat(301) }) })
    expect(tooLong.status).toBe(422)
    expect(await tooLong.text()).toContain('The question can have at most 300 characters.')
    const saved = await request('/settings/feedback', {
      method: 'POST',
      cookie: admin,
      hx: 'x',
      body: form({ enabled: '1', question: 'Did Støtte & co. <b>help</b>?' }),
    })
    expect(saved.status).toBe(200)
    expect(await saved.text()).toContain('value="Did Støtte &amp; co. &lt;b&gt;help&lt;/b&gt;?"')
    expect(await getSurveySettings(db(), ws.accountId)).toEqual({ enabled: true, question: 'Did Støtte & co. <b>help</b>?' })

    const conversationId = await emailConversation(ws)
    await close(agent, conversationId)
    const survey = await eventually(() => surveyOf(conversationId), 'the survey')
    const answerPage = await (await SELF.fetch(`${origin}/feedback/${survey.token}`)).text()
    expect(answerPage).toContain('Did Støtte &amp; co. &lt;b&gt;help&lt;/b&gt;?')
  })
})
