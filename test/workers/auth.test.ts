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

  it('makes an unknown device wait after repeated failures, even with the right password', async () => {
    const ws = await workspace()
    for (let i = 0; i < 5; i++) {
      expect((await request('/login', { method: 'POST', body: form({ email: ws.users.admin.email, password: `wrong-${i}-password` }) })).status).toBe(401)
    }
    const locked = await request('/login', { method: 'POST', body: form({ email: ws.users.admin.email, password: testPassword }) })
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(await locked.text()).toContain('Too many failed attempts')
  })
})

/** A login POST from a given client IP, optionally with a device cookie. */
function loginFrom(ip: string, email: string, password: string, device?: string) {
  return request('/login', { method: 'POST', cookie: device, headers: { 'CF-Connecting-IP': ip }, body: form({ email, password }) })
}
const deviceCookieOf = (response: Response) => /sb_device=([a-z2-7]+)/.exec(response.headers.get('Set-Cookie') ?? '')?.[1]

describe('login throttling under attack', () => {
  it('of 30 parallel wrong passwords for one address, only the allowed 5 are checked; the rest get 429 with Retry-After', async () => {
    const ws = await workspace()
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => loginFrom('198.51.100.7', ws.users.admin.email, `wrong-${i}-password`)))
    const statuses = responses.map((response) => response.status)
    // 401 = the password was checked and was wrong; 429 = refused before any hashing.
    expect(statuses.filter((status) => status === 401)).toHaveLength(5)
    expect(statuses.filter((status) => status === 429)).toHaveLength(25)
    for (const response of responses.filter((response) => response.status === 429)) {
      expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0)
    }
  })

  it('spread over many IPs, the guesses for one address are still counted once each', async () => {
    const ws = await workspace()
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => loginFrom(`203.0.113.${i + 1}`, ws.users.admin.email, `wrong-${i}-password`)))
    expect(responses.filter((response) => response.status === 401)).toHaveLength(5)
  })

  it('the real user on a known device still signs in during an attack; an unknown device waits', async () => {
    const ws = await workspace()
    const first = await loginFrom('192.0.2.10', ws.users.agent.email, testPassword)
    expect(first.status).toBe(303)
    const device = deviceCookieOf(first)
    expect(first.headers.get('Set-Cookie')).toMatch(/sb_device=[a-z2-7]{24}; Max-Age=\d+; Path=\/login; HttpOnly; Secure; SameSite=Strict/)
    expect(device).toBeTruthy()
    // The attack: many wrong passwords from elsewhere.
    await Promise.all(Array.from({ length: 20 }, (_, i) => loginFrom('198.51.100.66', ws.users.agent.email, `guess-${i}-password`)))
    const unknownDevice = await loginFrom('192.0.2.99', ws.users.agent.email, testPassword)
    expect(unknownDevice.status).toBe(429)
    expect(Number(unknownDevice.headers.get('Retry-After'))).toBeGreaterThan(0)
    const knownDevice = await loginFrom('192.0.2.10', ws.users.agent.email, testPassword, `sb_device=${device}`)
    expect(knownDevice.status).toBe(303)
    expect(knownDevice.headers.get('Set-Cookie')).toMatch(/sb_session=/)
    // A device cookie of another user, or a forged one, is an unknown device.
    const forged = await loginFrom('192.0.2.10', ws.users.agent.email, testPassword, 'sb_device=aaaaaaaaaaaaaaaaaaaaaaaa')
    expect(forged.status).toBe(429)
  })

  it('the right password starts the address’s count afresh', async () => {
    const ws = await workspace()
    for (let i = 0; i < 4; i++) expect((await loginFrom('192.0.2.30', ws.users.agent.email, `typo-${i}-password`)).status).toBe(401)
    expect((await loginFrom('192.0.2.30', ws.users.agent.email, testPassword)).status).toBe(303)
    // From another browser (no device cookie): five more tries before any wait.
    for (let i = 0; i < 5; i++) expect((await loginFrom('192.0.2.31', ws.users.agent.email, `typo-${i}-again`)).status).toBe(401)
    expect((await loginFrom('192.0.2.31', ws.users.agent.email, testPassword)).status).toBe(429)
  })

  it('a known device that guesses wrong waits on its own', async () => {
    const ws = await workspace()
    const device = deviceCookieOf(await loginFrom('192.0.2.20', ws.users.agent.email, testPassword))
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => loginFrom('192.0.2.20', ws.users.agent.email, `nope-${i}-password`, `sb_device=${device}`)),
    )
    expect(guesses.filter((response) => response.status === 401)).toHaveLength(5)
    expect((await loginFrom('192.0.2.20', ws.users.agent.email, testPassword, `sb_device=${device}`)).status).toBe(429)
    // Other devices of the user are not held back by it.
    expect((await loginFrom('192.0.2.21', ws.users.agent.email, testPassword)).status).toBe(303)
  })
})

describe('one address in several workspaces', () => {
  it('an admin may add an address that has an account in another workspace, and the refusal speaks only of its own', async () => {
    const mine = await workspace()
    const theirs = await workspace()
    const admin = await login(mine.users.admin.email)
    const add = (email: string) =>
      request('/settings/users', { method: 'POST', cookie: admin, body: form({ name: 'Nora', email, password: 'long enough pw', role: 'agent' }) })
    // Their agent's address: nothing tells my admin that it exists over there.
    const added = await add(theirs.users.agent.email)
    expect(added.status).toBe(201)
    const again = await add(theirs.users.agent.email.toUpperCase())
    expect(again.status).toBe(422)
    expect(await again.text()).toContain('This workspace already has a user with this email address.')
  })

  it('signs in to the workspace whose password matches, and asks which one when the password matches in several', async () => {
    const a = await workspace()
    const b = await workspace()
    const c = await workspace()
    const shared = `shared.${a.tag}@example.test`
    const nowMs = Date.now()
    const otherPassword = 'another long passphrase'
    await db()
      .insert(users)
      .values([
        { id: `ua${a.tag}`, accountId: a.accountId, name: 'Sol A', email: shared, passwordHash: await hashPassword(testPassword, 1000), createdAt: nowMs },
        { id: `ub${a.tag}`, accountId: b.accountId, name: 'Sol B', email: shared, passwordHash: await hashPassword(testPassword, 1000), createdAt: nowMs },
        { id: `uc${a.tag}`, accountId: c.accountId, name: 'Sol C', email: shared, passwordHash: await hashPassword(otherPassword, 1000), createdAt: nowMs },
      ])
    const post = (values: Record<string, string>) =>
      request('/login', { method: 'POST', headers: { 'CF-Connecting-IP': '192.0.2.50' }, body: form({ email: shared, ...values }) })
    const userOf = async (response: Response) => {
      expect(response.status).toBe(303)
      const cookie = /sb_session=([^;]+)/.exec(response.headers.get('Set-Cookie') ?? '')![1]
      const page = await request('/', { cookie: `sb_session=${cookie}` })
      return page.headers.get('Location')
    }
    // The password of C alone: straight into C.
    expect(await userOf(await post({ password: otherPassword }))).toBe(`/inbox/${c.inboxId}/open`)
    // The password of A and B: a choice between those two, never C (and after four typos the
    // choice still costs no extra attempt: the right password restarted the count).
    for (let i = 0; i < 4; i++) expect((await post({ password: `typo-${i}-password` })).status).toBe(401)
    const choose = await post({ password: testPassword })
    expect(choose.status).toBe(200)
    const html = await choose.text()
    expect(html).toContain(`value="${a.accountId}"`)
    expect(html).toContain(`value="${b.accountId}"`)
    expect(html).not.toContain(c.accountId)
    expect(html).toContain(`Test ${a.tag}`)
    expect(choose.headers.get('Set-Cookie') ?? '').not.toContain('sb_session=')
    expect(await userOf(await post({ password: testPassword, accountId: b.accountId }))).toBe(`/inbox/${b.inboxId}/open`)
    // Choosing a workspace whose password is different, or one without the address, fails as a wrong password.
    expect((await post({ password: testPassword, accountId: c.accountId })).status).toBe(401)
    const stranger = await workspace()
    expect((await post({ password: testPassword, accountId: stranger.accountId })).status).toBe(401)
  })
})

describe('logout', () => {
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
