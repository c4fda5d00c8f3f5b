import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { messages } from '../../src/db/schema'
import { ingestInbound } from '../../src/channels/pipeline'
import { recordingNotifier } from '../shared/workspace'
import { db, form, login, request, workspace } from './helpers'

async function filledWorkspace() {
  const ws = await workspace()
  const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
  const email = await ingestInbound(deps, ws.channels.email, {
    externalId: `e-${ws.tag}`,
    from: { email: 'maja@example.com', name: 'Maja <b>Nilsen</b>' },
    subject: 'Order arrived damaged <img src=x onerror=alert(1)>',
    text: 'The tent is torn. <script>alert("xss")</script>',
  })
  const chat = await ingestInbound(deps, ws.channels.chat, {
    externalId: `c-${ws.tag}`,
    from: { externalId: `v-${ws.tag}`, name: 'Tom' },
    text: 'Long sleeping bags?',
    thread: { key: `s-${ws.tag}` },
  })
  return { ws, email, chat, cookie: await login(ws.users.agent.email) }
}

describe('the inbox shell', () => {
  it('renders three panes: views with counts, the list, and an empty thread', async () => {
    const { ws, cookie } = await filledWorkspace()
    const response = await request(`/inbox/${ws.inboxId}/open`, { cookie })
    expect(response.status).toBe(200)
    const csp = response.headers.get('Content-Security-Policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/script-src[^;]*unsafe/)
    expect(csp).toContain("frame-ancestors 'none'")
    const html = await response.text()
    expect(html).toContain('<!doctype html>')
    for (const view of [
      'Unassigned',
      'Assigned to me',
      'All open',
      'Chat',
      'Bots',
      'Email',
      'Messenger',
      'Forms',
      'Calls',
      'All closed',
      'Sent',
      'Spam',
      'Filtered',
      'Trash',
    ]) {
      expect(html).toContain(`<span>${view}</span>`)
    }
    expect(html).toMatch(/id="count-open" class="count">2</)
    expect(html).toMatch(/id="count-chat" class="count">1</)
    expect(html).toContain('id="list"')
    expect(html).toContain('Select a conversation')
    expect(html).toContain(`ws-connect="/inboxes/${ws.inboxId}/live?view=open`)
  })

  it('escapes every outside string: names, subjects and message text stay inert', async () => {
    const { ws, email, cookie } = await filledWorkspace()
    const html = await (await request(`/inbox/${ws.inboxId}/open/c/${email.conversationId}`, { cookie })).text()
    expect(html).not.toContain('<script>alert')
    expect(html).not.toContain('<img src=x')
    expect(html).not.toContain('<b>Nilsen</b>')
    expect(html).toContain('&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;')
  })

  it('serves one URL as a page or, for HTMX, just the thread or the list', async () => {
    const { ws, email, cookie } = await filledWorkspace()
    const url = `/inbox/${ws.inboxId}/open/c/${email.conversationId}`
    const pageResponse = await request(url, { cookie })
    // The same URL answers a page or a fragment: caches (the browser's Back) are told it varies.
    expect(pageResponse.headers.get('Vary')).toMatch(/HX-Request/)
    const page = await pageResponse.text()
    expect(page).toContain('<!doctype html>')
    expect(page).toContain('The tent is torn.')
    const thread = await (await request(url, { cookie, hx: 'thread' })).text()
    expect(thread).not.toContain('<html')
    expect(thread).toContain('id="thread-messages"')
    expect(thread).toMatch(new RegExp(`<li id="conv-row-${email.conversationId}" class="conversation-row active" [^>]*hx-swap-oob="true"`))
    const list = await (await request(`/inbox/${ws.inboxId}/email`, { cookie, hx: 'list' })).text()
    expect(list).not.toContain('<html')
    expect(list).toContain(`conv-row-${email.conversationId}`)
    expect(list).toContain('id="views" class="views" aria-label="Views" hx-swap-oob="true"')
    const history = await (await request(url, { cookie, hx: 'thread', headers: { 'HX-History-Restore-Request': 'true' } })).text()
    expect(history).toContain('<!doctype html>')
  })

  it('marks a conversation read for the agent who opened it only', async () => {
    const { ws, email, cookie } = await filledWorkspace()
    const unreadRow = new RegExp(`id="conv-row-${email.conversationId}" class="conversation-row unread`)
    expect(await (await request(`/inbox/${ws.inboxId}/open`, { cookie })).text()).toMatch(unreadRow)
    await request(`/inbox/${ws.inboxId}/open/c/${email.conversationId}`, { cookie, hx: 'thread' })
    expect(await (await request(`/inbox/${ws.inboxId}/open`, { cookie })).text()).not.toMatch(unreadRow)
    const admin = await login(ws.users.admin.email)
    expect(await (await request(`/inbox/${ws.inboxId}/open`, { cookie: admin })).text()).toMatch(unreadRow)
  })

  it('answers unknown views and inboxes with 404', async () => {
    const { ws, cookie } = await filledWorkspace()
    expect((await request(`/inbox/${ws.inboxId}/nope`, { cookie })).status).toBe(404)
    expect((await request(`/inbox/nope/open`, { cookie })).status).toBe(404)
  })
})

describe('writing in a conversation', () => {
  it('adds an internal comment and returns a fresh composer plus the message', async () => {
    const { email, cookie } = await filledWorkspace()
    const response = await request(`/conversations/${email.conversationId}/messages`, {
      method: 'POST',
      cookie,
      hx: 'composer',
      body: form({ kind: 'comment', text: 'Checking stock' }),
    })
    expect(response.status).toBe(201)
    const html = await response.text()
    expect(html).toContain('id="composer"')
    expect(html).toContain('hx-swap-oob="beforeend:#thread-messages"')
    expect(html).toContain('Checking stock')
    const [stored] = await db().select().from(messages).where(eq(messages.text, 'Checking stock'))
    expect(stored).toMatchObject({ kind: 'comment', direction: 'out', seq: 2 })
  })

  it('replies only where the channel can send, and explains otherwise', async () => {
    const { ws, chat, cookie } = await filledWorkspace()
    // A web form is answered by email: a submission without an address cannot be answered at all.
    const submitted = await ingestInbound({ db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }, ws.channels.forms, {
      externalId: `f-${ws.tag}`,
      from: { name: 'Ida' },
      text: 'Call me',
    })
    const refused = await request(`/conversations/${submitted.conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Hello' }),
    })
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('This submission has no email address')
    const sent = await request(`/conversations/${chat.conversationId}/messages`, {
      method: 'POST',
      cookie,
      body: form({ kind: 'message', text: 'Yes, 210 cm' }),
    })
    expect(sent.status).toBe(201)
    const empty = await request(`/conversations/${chat.conversationId}/messages`, { method: 'POST', cookie, body: form({ kind: 'message', text: '   ' }) })
    expect(empty.status).toBe(422)
    expect(await empty.text()).toContain('Write something first.')
  })
})

describe('user management', () => {
  it('adds a user, validates the form, changes a role and deactivates', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.admin.email)
    const bad = await request('/settings/users', {
      method: 'POST',
      cookie,
      body: form({ name: 'Eve', email: 'not-an-address', password: 'long enough pw', role: 'agent' }),
    })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Enter a valid email address.')
    const email = `new.${ws.tag}@example.test`
    const added = await request('/settings/users', { method: 'POST', cookie, body: form({ name: 'Nora', email, password: 'long enough pw', role: 'agent' }) })
    expect(added.status).toBe(201)
    const addedHtml = await added.text()
    expect(addedHtml).toContain('beforeend:#user-rows')
    const userId = /id="user-([a-z0-9]+)"/.exec(addedHtml)![1]!
    const duplicate = await request('/settings/users', {
      method: 'POST',
      cookie,
      body: form({ name: 'Nora', email, password: 'long enough pw', role: 'agent' }),
    })
    expect(await duplicate.text()).toContain('This workspace already has a user with this email address.')
    const escalate = await request('/settings/users', {
      method: 'POST',
      cookie,
      body: form({ name: 'Mallory', email: `m.${ws.tag}@example.test`, password: 'long enough pw', role: 'super_admin' }),
    })
    expect(escalate.status).toBe(403)
    const promoted = await request(`/settings/users/${userId}/role`, { method: 'POST', cookie, body: form({ role: 'admin' }) })
    expect(await promoted.text()).toMatch(/<option value="admin" selected/)
    const deactivated = await request(`/settings/users/${userId}/status`, { method: 'POST', cookie, body: form({ status: 'deactivated' }) })
    expect(await deactivated.text()).toContain('deactivated')
    const self = await request(`/settings/users/${ws.users.admin.id}/status`, { method: 'POST', cookie, body: form({ status: 'deactivated' }) })
    expect(self.status).toBe(422)
    expect(await self.text()).toContain('cannot change your own')
  })
})
