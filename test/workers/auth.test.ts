import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { users } from '../../src/db/schema'
import { hashPassword, verifyPassword, needsRehash, passwordIterations } from '../../src/auth/password'
import { ingestInbound } from '../../src/channels/pipeline'
import { recordingNotifier, testPassword } from '../shared/workspace'
import { env, SELF } from 'cloudflare:test'
import { db, form, login, origin, request, workspace } from './helpers'

describe('passwords', () => {
  it('hashes with PBKDF2-SHA256 at 600,000 iterations in workerd and verifies only the right password', async () => {
    const hash = await hashPassword('a long passphrase')
    expect(hash.startsWith(`pbkdf2-sha256$${passwordIterations}$`)).toBe(true)
    expect(await verifyPassword('a long passphrase', hash)).toBe(true)
    expect(await verifyPassword('a long passphrasE', hash)).toBe(false)
    expect(await verifyPassword('a long passphrase', 'garbage')).toBe(false)
    expect(needsRehash(hash)).toBe(false)
    expect(needsRehash(await hashPassword('x', 1000))).toBe(true)
  })
})

describe('login', () => {
  it('sets an HttpOnly, Secure, SameSite=Lax session cookie and lands in the inbox', async () => {
    const ws = await workspace({ realPasswords: true })
    const response = await request('/login', { method: 'POST', body: form({ email: ws.users.agent.email.toUpperCase(), password: testPassword }) })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe('/')
    const cookie = response.headers.get('Set-Cookie') ?? ''
    expect(cookie).toMatch(/^sb_session=[a-z0-9]+\.[a-z0-9]+;/)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/Secure/)
    expect(cookie).toMatch(/SameSite=Lax/)
    const home = await request('/', { cookie: cookie.split(';')[0] })
    expect(home.status).toBe(302)
    expect(home.headers.get('Location')).toBe(`/inbox/${ws.inboxId}/open`)
  })

  it('refuses a wrong password and an unknown address with the same answer', async () => {
    const ws = await workspace()
    const wrong = await request('/login', { method: 'POST', body: form({ email: ws.users.agent.email, password: 'not the password' }) })
    const unknown = await request('/login', { method: 'POST', body: form({ email: `nobody.${ws.tag}@example.test`, password: 'whatever123' }) })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(await wrong.text()).toContain('Wrong email address or password.')
    expect(await unknown.text()).toContain('Wrong email address or password.')
    expect(wrong.headers.get('Set-Cookie')).toBeNull()
  })

  it('refuses deactivated and removed users, and ends their open sessions', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.agent.email)
    await db().update(users).set({ status: 'deactivated' }).where(eq(users.id, ws.users.agent.id))
    const again = await request('/login', { method: 'POST', body: form({ email: ws.users.agent.email, password: testPassword }) })
    expect(again.status).toBe(403)
    expect(await again.text()).toContain('deactivated')
    const page = await request(`/inbox/${ws.inboxId}/open`, { cookie })
    expect(page.status).toBe(302)
    expect(page.headers.get('Location')).toBe('/login')
    await db().update(users).set({ status: 'removed' }).where(eq(users.id, ws.users.agent.id))
    expect((await request('/login', { method: 'POST', body: form({ email: ws.users.agent.email, password: testPassword }) })).status).toBe(403)
  })

  it('locks an address out after repeated failures, even for the right password', async () => {
    const ws = await workspace()
    for (let i = 0; i < 5; i++) {
      expect((await request('/login', { method: 'POST', body: form({ email: ws.users.admin.email, password: `wrong-${i}-password` }) })).status).toBe(401)
    }
    const locked = await request('/login', { method: 'POST', body: form({ email: ws.users.admin.email, password: testPassword }) })
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(await locked.text()).toContain('Too many failed attempts')
  })

  it('logs out: the old cookie opens nothing', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.agent.email)
    const out = await request('/logout', { method: 'POST', cookie })
    expect(out.status).toBe(303)
    expect(out.headers.get('Set-Cookie')).toMatch(/sb_session=;/)
    expect((await request(`/inbox/${ws.inboxId}/open`, { cookie })).headers.get('Location')).toBe('/login')
  })
})

describe('sessions on every route', () => {
  it('sends pages without a session to the login page, and HTMX requests a 401 with HX-Redirect', async () => {
    const ws = await workspace()
    for (const cookie of [undefined, 'sb_session=forged.secret', 'sb_session=no-dot']) {
      const page = await request(`/inbox/${ws.inboxId}/open`, { cookie })
      expect(page.status).toBe(302)
      expect(page.headers.get('Location')).toBe('/login')
    }
    const fragment = await request(`/inbox/${ws.inboxId}/open`, { hx: 'list' })
    expect(fragment.status).toBe(401)
    expect(fragment.headers.get('HX-Redirect')).toBe('/login')
    const post = await request('/conversations/abc/messages', { method: 'POST', body: form({ text: 'hi' }) })
    expect(post.status).toBe(401)
  })

  it('never shows one account’s inbox or conversation to another account', async () => {
    const mine = await workspace()
    const theirs = await workspace()
    const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
    const secret = await ingestInbound(deps, theirs.channels.email, { externalId: `s-${theirs.tag}`, from: { email: 'x@example.com' }, text: 'their secret' })
    const cookie = await login(mine.users.admin.email)
    expect((await request(`/inbox/${theirs.inboxId}/open`, { cookie, headers: { Accept: 'text/html' } })).status).toBe(404)
    const thread = await request(`/inbox/${mine.inboxId}/open/c/${secret.conversationId}`, { cookie, headers: { Accept: 'text/html' } })
    expect(thread.status).toBe(404)
    expect(await thread.text()).not.toContain('their secret')
    const post = await request(`/conversations/${secret.conversationId}/messages`, { method: 'POST', cookie, body: form({ kind: 'comment', text: 'sneaky' }) })
    expect(post.status).toBe(404)
  })

  it('refuses cross-site state changes (Origin or Sec-Fetch-Site), including the login form', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.agent.email)
    const attempts: Record<string, string>[] = [
      { Origin: 'https://evil.example' },
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
      { 'Sec-Fetch-Site': 'same-site', Origin: 'https://sub.switchboard.test' },
      {}, // neither header: not a browser we can trust with a cookie
    ]
    for (const headers of attempts) {
      const init = { method: 'POST', cookie, body: form({ kind: 'comment', text: 'forged' }) }
      const response = await requestWithHeaders(`/logout`, init, headers)
      expect(response.status, JSON.stringify(headers)).toBe(403)
      const loginForm = await requestWithHeaders('/login', { method: 'POST', body: form({ email: ws.users.agent.email, password: testPassword }) }, headers)
      expect(loginForm.status).toBe(403)
    }
    // The session survived every forged logout.
    expect((await request(`/inbox/${ws.inboxId}/open`, { cookie })).status).toBe(200)
  })

  it('lets only admins into user management', async () => {
    const ws = await workspace()
    const agent = await login(ws.users.agent.email)
    const admin = await login(ws.users.admin.email)
    expect((await request('/settings/users', { cookie: agent, headers: { Accept: 'text/html' } })).status).toBe(403)
    expect((await request('/settings/users', { cookie: admin })).status).toBe(200)
  })
})

/** A request carrying exactly the given Origin/Sec-Fetch-Site headers, as another site's page would. */
function requestWithHeaders(path: string, init: RequestInit & { cookie?: string }, headers: Record<string, string>) {
  const all = new Headers(headers)
  if (init.cookie) all.set('Cookie', init.cookie)
  return SELF.fetch(`${origin}${path}`, { ...init, headers: all, redirect: 'manual' })
}
