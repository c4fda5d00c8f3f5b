import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { app } from '../../src/app'
import { ingestInbound } from '../../src/channels/pipeline'
import { sessions } from '../../src/db/schema'
import { sessionExpiresInSeconds } from '../../src/auth/session'
import { recordingNotifier } from '../shared/workspace'
import { db, form, login, request, workspace } from './helpers'

/** The database round trips the worker reports for a request (Server-Timing `db;desc="round trips";dur=<n>`). */
function roundTrips(response: Response): number {
  const match = /db;desc="round trips";dur=(\d+)/.exec(response.headers.get('Server-Timing') ?? '')
  if (!match) throw new Error(`no round trips in Server-Timing: ${response.headers.get('Server-Timing')}`)
  return Number(match[1])
}

async function costOf(path: string, init: Parameters<typeof request>[1]) {
  const response = await request(path, init)
  const body = await response.text()
  return { status: response.status, trips: roundTrips(response), body, headers: response.headers }
}

async function inboxWithMail() {
  const ws = await workspace()
  const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
  const email = await ingestInbound(deps, ws.channels.email, {
    externalId: `cost-e-${ws.tag}`,
    from: { email: 'maja@example.com', name: 'Maja Nilsen' },
    subject: 'Torn tent',
    text: 'The tent arrived torn.',
  })
  await ingestInbound(deps, ws.channels.email, {
    externalId: `cost-e2-${ws.tag}`,
    from: { email: 'maja@example.com' },
    text: 'Any news on the torn tent?',
    thread: { conversationId: email.conversationId },
  })
  const chat = await ingestInbound(deps, ws.channels.chat, {
    externalId: `cost-c-${ws.tag}`,
    from: { externalId: `v-${ws.tag}`, name: 'Tom', email: 'tom@example.com' },
    text: 'Long sleeping bags?',
    thread: { key: `s-${ws.tag}` },
  })
  return { ws, email, chat, cookie: await login(ws.users.agent.email) }
}

describe('what a request costs the database', () => {
  it('reads the session once: a page that needs only the user costs one round trip, and an early session is not rewritten', async () => {
    const { cookie } = await inboxWithMail()
    const profile = await costOf('/me', { cookie })
    expect(profile.status).toBe(200)
    expect(profile.trips).toBe(1)
    expect(profile.headers.get('Set-Cookie')).toBeNull()
  })

  it('extends a session in its second half, once, and sends the cookie again', async () => {
    const { cookie } = await inboxWithMail()
    const sessionId = /sb_session=([^.;]+)/.exec(cookie)![1]!
    await db()
      .update(sessions)
      .set({ expiresAt: Date.now() + (sessionExpiresInSeconds * 1000) / 3 })
      .where(eq(sessions.id, sessionId))
    const profile = await costOf('/me', { cookie })
    expect(profile.trips).toBe(2)
    expect(profile.headers.get('Set-Cookie')).toContain('sb_session=')
    const [stored] = await db().select().from(sessions).where(eq(sessions.id, sessionId))
    expect(stored!.expiresAt).toBeGreaterThan(Date.now() + (sessionExpiresInSeconds * 1000 * 9) / 10)
    expect((await costOf('/me', { cookie })).trips).toBe(1)
  })

  it('opens a thread, as a page or as the thread fragment, in at most 3 round trips', async () => {
    const { ws, email, chat, cookie } = await inboxWithMail()
    const fragment = await costOf(`/inbox/${ws.inboxId}/open/c/${email.conversationId}`, { cookie, hx: 'thread' })
    expect(fragment.status).toBe(200)
    expect(fragment.body).toContain('Any news on the torn tent?')
    expect(fragment.trips).toBeLessThanOrEqual(3)
    // A chat also offers "continue by email", which needs the contact's address and a channel.
    const chatThread = await costOf(`/inbox/${ws.inboxId}/open/c/${chat.conversationId}`, { cookie, hx: 'thread' })
    expect(chatThread.body).toContain('Long sleeping bags?')
    expect(chatThread.trips).toBeLessThanOrEqual(3)
    const page = await costOf(`/inbox/${ws.inboxId}/open/c/${email.conversationId}`, { cookie })
    expect(page.body).toContain('<!doctype html>')
    expect(page.body).toContain('Any news on the torn tent?')
    expect(page.trips).toBeLessThanOrEqual(3)
  })

  it('shows the property settings (definitions and all three cards) in at most 3 round trips', async () => {
    const { ws } = await inboxWithMail()
    const admin = await login(ws.users.admin.email)
    const created = await costOf('/settings/properties', {
      cookie: admin,
      method: 'POST',
      body: form({ object: 'contact', name: 'plan', label: 'Plan', type: 'text', options: '' }),
    })
    expect(created.status).toBe(201)
    const page = await costOf('/settings/properties', { cookie: admin })
    expect(page.status).toBe(200)
    expect(page.body).toContain('Plan')
    expect(page.trips).toBeLessThanOrEqual(3)
  })

  it('posts an internal comment (with and without a mention), an email reply (with and without a file) and a chat reply in 3 round trips, and refuses a collision in 2', async () => {
    const { ws, email, chat, cookie } = await inboxWithMail()
    const post = (conversationId: string, body: URLSearchParams | FormData) =>
      costOf(`/conversations/${conversationId}/messages`, { cookie, method: 'POST', hx: 'composer', body })
    const comment = await post(email.conversationId, form({ kind: 'comment', text: 'Check the batch number first.' }))
    expect(comment.status).toBe(201)
    expect(comment.body).toContain('Check the batch number first.')
    const mention = await post(email.conversationId, form({ kind: 'comment', text: '@Alex, can you approve a new tent?' }))
    expect(mention.status).toBe(201)
    expect(mention.body).toContain('<span class="mention">@Alex</span>')
    const reply = await post(email.conversationId, form({ kind: 'message', text: 'A new tent is on its way.', to: 'maja@example.com', seenSeq: '4' }))
    expect(reply.status).toBe(201)
    expect(reply.body).toContain('A new tent is on its way.')
    const withFile = new FormData()
    for (const [key, value] of Object.entries({ kind: 'message', text: 'The receipt.', to: 'maja@example.com', seenSeq: '5' })) withFile.set(key, value)
    withFile.set('attachments', new File(['order 42'], 'receipt.txt', { type: 'text/plain' }))
    const replyWithFile = await post(email.conversationId, withFile)
    expect(replyWithFile.status).toBe(201)
    expect(replyWithFile.body).toContain('receipt.txt')
    const chatReply = await post(chat.conversationId, form({ kind: 'message', text: 'Yes, up to 220 cm.', seenSeq: '1' }))
    expect(chatReply.status).toBe(201)
    expect(chatReply.body).toContain('Yes, up to 220 cm.')
    // Another agent answered since this one looked: the composer comes back (409) and nothing is stored.
    const alex = await login(ws.users.admin.email)
    const answered = await request(`/conversations/${email.conversationId}/messages`, {
      cookie: alex,
      method: 'POST',
      hx: 'composer',
      body: form({ kind: 'message', text: 'Alex here: sorted.', to: 'maja@example.com', seenSeq: '6' }),
    })
    expect(answered.status).toBe(201)
    const collision = await post(email.conversationId, form({ kind: 'message', text: 'Me too.', to: 'maja@example.com', seenSeq: '2' }))
    expect(collision.status).toBe(409)
    // The session, one batch of reads, one batch that stores the message with all that goes with it.
    const trips = Object.fromEntries(Object.entries({ comment, mention, reply, replyWithFile, chatReply, collision }).map(([name, cost]) => [name, cost.trips]))
    expect(trips).toEqual({ comment: 3, mention: 3, reply: 3, replyWithFile: 3, chatReply: 3, collision: 2 })
  })

  it('shows a list, as a page, as the list fragment or filtered by assignee, in at most 3 round trips; a search too', async () => {
    const { ws, cookie } = await inboxWithMail()
    const page = await costOf(`/inbox/${ws.inboxId}/open`, { cookie })
    expect(page.body).toContain('Torn tent')
    expect(page.trips).toBeLessThanOrEqual(3)
    const fragment = await costOf(`/inbox/${ws.inboxId}/open`, { cookie, hx: 'list' })
    expect(fragment.body).toContain('Torn tent')
    expect(fragment.trips).toBeLessThanOrEqual(3)
    const filtered = await costOf(`/inbox/${ws.inboxId}/open?assignee=none`, { cookie, hx: 'list' })
    expect(filtered.body).toContain('Torn tent')
    expect(filtered.trips).toBeLessThanOrEqual(3)
    const search = await costOf(`/inbox/${ws.inboxId}/open?q=torn&hideFiltered=1&hideTrash=1`, { cookie, hx: 'list' })
    expect(search.body).toContain('<mark>')
    expect(search.trips).toBeLessThanOrEqual(3)
  })
})

describe('which routes ask for a session', () => {
  // Public routes check their caller themselves (a widget token, a webhook signature, the survey
  // link's token) or serve what anyone may read. First-run setup refuses once a workspace exists;
  // invitation and reset links carry their own one-time token.
  const publicPaths = [
    /^\/login$/,
    /^\/logout$/,
    /^\/widget\//,
    /^\/channels\//,
    /^\/dev\//,
    /^\/kb\//,
    /^\/d\//,
    /^\/feedback\/:token$/,
    /^\/setup$/,
    /^\/invite\/:token$/,
    /^\/forgot$/,
    /^\/reset\/:token$/,
  ]

  it('sends every route but the public ones to the login page without a session, and never the public ones', async () => {
    const routes = new Map<string, { method: string; path: string }>()
    for (const route of app.routes) if (route.method !== 'ALL') routes.set(`${route.method} ${route.path}`, route)
    expect(routes.size).toBeGreaterThan(100)
    for (const { method, path } of routes.values()) {
      // A parameter with a pattern (`:endpoint{session|upload}`) takes its first choice.
      const url = path.replace(/:[A-Za-z]+\{([^}|]+)[^}]*\}/g, '$1').replace(/:[A-Za-z]+/g, 'abc123')
      const response = await request(url, { method, hx: 'list', ...(method === 'GET' ? {} : { body: new URLSearchParams({ x: '1' }) }) })
      await response.body?.cancel()
      const sentToLogin = response.status === 401 && response.headers.get('HX-Redirect') === '/login'
      expect(sentToLogin, `${method} ${path}`).toBe(!publicPaths.some((pattern) => pattern.test(path)))
    }
  })
})
