import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test'
import { and, eq } from 'drizzle-orm'
import { simpleParser } from 'mailparser'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { accounts, conversations, inboxes, inboxMembers, invitations, passwordResets, sessions, users } from '../../src/db/schema'
import type { SystemEmailJob } from '../../src/services/system-email'
import { deleteSpentLinks } from '../../src/services/invitations'
import { testPassword } from '../shared/workspace'
import { db, form, login, origin, workspace } from './helpers'
import { linkIn, recordingWorker } from './team-helpers'

const cookieOf = (response: Response) => /sb_session=([^;]+)/.exec(response.headers.get('Set-Cookie') ?? '')?.[1]

describe('inviting a teammate', () => {
  it('mails a one-time link (only its hash stored); the invitee sets name and password, joins the chosen inboxes and is signed in', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const { jobs, call } = recordingWorker()
    const email = `newbie.${ws.tag}@example.test`
    const invited = await call('/settings/users/invite', { method: 'POST', cookie: admin, body: form({ email, role: 'agent', inboxes: ws.inboxId }) })
    expect(invited.status).toBe(200)
    expect(jobs).toHaveLength(1)
    expect(jobs[0]).toMatchObject({ type: 'system-email', to: email })
    expect(jobs[0]!.subject).toContain(`Test ${ws.tag}`)
    const token = linkIn(jobs[0], 'invite')
    const [row] = await db().select().from(invitations).where(eq(invitations.email, email))
    expect(row!.secretHash).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(row)).not.toContain(token.split('.')[1])
    expect(row!.expiresAt - row!.createdAt).toBe(7 * 24 * 60 * 60 * 1000)
    // The users page lists it as pending; the session and one batch of reads make the page.
    const usersPage = await call('/settings/users', { cookie: admin })
    expect(await usersPage.text()).toContain(email)
    expect(usersPage.headers.get('Server-Timing')).toContain('db;desc="round trips";dur=2')
    expect((await call('/settings/inboxes', { cookie: admin })).headers.get('Server-Timing')).toContain('db;desc="round trips";dur=2')

    const page = await call(`/invite/${token}`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain(email)
    const short = await call(`/invite/${token}`, { method: 'POST', body: form({ name: 'Newbie', password: 'short' }) })
    expect(short.status).toBe(422)
    const shortPage = await short.text()
    expect(shortPage).toContain('id="error-password"')
    expect(shortPage).toContain('value="Newbie"')
    const accepted = await call(`/invite/${token}`, { method: 'POST', body: form({ name: 'Newbie', password: 'a long new password' }) })
    expect(accepted.status).toBe(303)
    const cookie = cookieOf(accepted)
    expect(cookie).toBeTruthy()
    const home = await call('/me', { cookie: `sb_session=${cookie}` })
    expect(home.status).toBe(200)
    const [user] = await db()
      .select()
      .from(users)
      .where(and(eq(users.accountId, ws.accountId), eq(users.email, email)))
    expect(user).toMatchObject({ name: 'Newbie', role: 'agent' })
    expect(await db().select().from(inboxMembers).where(eq(inboxMembers.userId, user!.id))).toEqual([expect.objectContaining({ inboxId: ws.inboxId })])
    expect(await login(email, 'a long new password')).toMatch(/^sb_session=/)
    // Used once: the link now says so, and makes no second account.
    const again = await call(`/invite/${token}`, { method: 'POST', body: form({ name: 'Twice', password: 'a long new password' }) })
    expect(again.status).toBe(410)
    expect(await again.text()).toContain('already been used')
  })

  it('refuses, next to the field and keeping what was typed, an address already in the workspace or a malformed one', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const { jobs, call } = recordingWorker()
    const existing = await call('/settings/users/invite', {
      method: 'POST',
      cookie: admin,
      body: form({ email: ws.users.agent.email.toUpperCase(), role: 'admin' }),
    })
    expect(existing.status).toBe(422)
    const page = await existing.text()
    expect(page).toContain('This address already has an account in this workspace.')
    expect(page).toContain(`value="${ws.users.agent.email.toUpperCase()}"`)
    const malformed = await call('/settings/users/invite', { method: 'POST', cookie: admin, body: form({ email: 'not an address', role: 'agent' }) })
    expect(malformed.status).toBe(422)
    expect(await malformed.text()).toContain('Enter a valid email address.')
    // An admin cannot invite a super admin.
    const escalate = await call('/settings/users/invite', {
      method: 'POST',
      cookie: admin,
      body: form({ email: `boss.${ws.tag}@example.test`, role: 'super_admin' }),
    })
    expect(escalate.status).toBe(422)
    expect(jobs).toHaveLength(0)
  })

  it('writes the invitation in the language the admin chose, and the new account keeps it', async () => {
    const ws = await workspace()
    const { jobs, call } = recordingWorker()
    await call('/settings/users/invite', {
      method: 'POST',
      cookie: await login(ws.users.admin.email),
      body: form({ email: `nora.${ws.tag}@example.test`, role: 'agent', locale: 'nb' }),
    })
    expect(jobs[0]!.subject).toBe(`Du er invitert til Test ${ws.tag} i Switchboard`)
    await call(`/invite/${linkIn(jobs[0], 'invite')}`, { method: 'POST', body: form({ name: 'Nora', password: 'et langt passord' }) })
    const [user] = await db()
      .select()
      .from(users)
      .where(eq(users.email, `nora.${ws.tag}@example.test`))
    expect(user!.locale).toBe('nb')
  })

  it('treats an address with an account in another workspace like any other (nothing leaks across workspaces)', async () => {
    const ours = await workspace()
    const theirs = await workspace()
    const { jobs, call } = recordingWorker()
    const response = await call('/settings/users/invite', {
      method: 'POST',
      cookie: await login(ours.users.admin.email),
      body: form({ email: theirs.users.agent.email, role: 'agent' }),
    })
    expect(response.status).toBe(200)
    expect(jobs).toHaveLength(1)
  })

  it('resend replaces the link (the old one stops working); revoke and expiry refuse the link with a clear message', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const { jobs, call } = recordingWorker()
    const email = `later.${ws.tag}@example.test`
    await call('/settings/users/invite', { method: 'POST', cookie: admin, body: form({ email, role: 'agent' }) })
    const first = linkIn(jobs[0], 'invite')
    const [row] = await db().select().from(invitations).where(eq(invitations.email, email))
    const resent = await call(`/settings/users/invitations/${row!.id}/resend`, { method: 'POST', cookie: admin })
    expect(resent.status).toBe(200)
    const second = linkIn(jobs[1], 'invite')
    expect(await resent.text()).toContain(`<code id="invite-link">${origin}/invite/${second}</code>`)
    expect(second).not.toBe(first)
    expect((await call(`/invite/${first}`)).status).toBe(410)
    expect((await call(`/invite/${second}`)).status).toBe(200)

    await db()
      .update(invitations)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(invitations.id, second.split('.')[0]!))
    const expired = await call(`/invite/${second}`)
    expect(expired.status).toBe(410)
    expect(await expired.text()).toContain('This invitation has expired.')
    await call(`/settings/users/invitations/${second.split('.')[0]}/revoke`, { method: 'POST', cookie: admin })
    expect(await (await call(`/invite/${second}`)).text()).toContain('already been used or was revoked')
    // A forged secret for a real id is refused too.
    expect(await (await call(`/invite/${second.split('.')[0]}.${'a'.repeat(52)}`)).text()).toContain('not valid')
  })
})

describe('forgot password', () => {
  it('answers the same for a known and an unknown address; the known gets a one-hour link that ends every other session', async () => {
    const ws = await workspace()
    const { jobs, call } = recordingWorker()
    const other = await login(ws.users.agent.email)
    const unknown = await call('/forgot', { method: 'POST', body: form({ email: `nobody.${ws.tag}@example.test` }) })
    const known = await call('/forgot', { method: 'POST', body: form({ email: ws.users.agent.email }) })
    expect(unknown.status).toBe(known.status)
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '')
    expect(strip(await unknown.text())).toBe(strip(await known.text()))
    expect(jobs).toHaveLength(1)
    expect(jobs[0]!.to).toBe(ws.users.agent.email)
    const token = linkIn(jobs[0], 'reset')
    const [reset] = await db()
      .select()
      .from(passwordResets)
      .where(eq(passwordResets.id, token.split('.')[0]!))
    expect(reset!.expiresAt - reset!.createdAt).toBe(60 * 60 * 1000)

    expect((await call(`/reset/${token}`)).status).toBe(200)
    const done = await call(`/reset/${token}`, { method: 'POST', body: form({ password: 'my fresh password' }) })
    expect(done.status).toBe(303)
    expect(cookieOf(done)).toBeTruthy()
    // The session from before is gone; the new password works, the old one does not.
    expect((await call('/me', { cookie: other })).status).toBe(302)
    expect((await call('/me', { cookie: `sb_session=${cookieOf(done)}` })).status).toBe(200)
    expect(await login(ws.users.agent.email, 'my fresh password')).toMatch(/^sb_session=/)
    await expect(login(ws.users.agent.email, testPassword)).rejects.toThrow()
    const reused = await call(`/reset/${token}`, { method: 'POST', body: form({ password: 'another password!' }) })
    expect(reused.status).toBe(410)
    expect(await reused.text()).toContain('already been used')
    const remaining = await db().select().from(sessions).where(eq(sessions.userId, ws.users.agent.id))
    expect(remaining.length).toBeGreaterThanOrEqual(1)
  })

  it('sends one mail per workspace account of the address, each resetting that account only; an expired link says so', async () => {
    const first = await workspace()
    const second = await workspace()
    const shared = `shared.${first.tag}@example.test`
    await db().update(users).set({ email: shared }).where(eq(users.id, first.users.agent.id))
    await db().update(users).set({ email: shared }).where(eq(users.id, second.users.agent.id))
    const { jobs, call } = recordingWorker()
    await call('/forgot', { method: 'POST', body: form({ email: shared }) })
    expect(jobs).toHaveLength(2)
    expect(jobs.map((job) => job.subject).sort()).toEqual(
      [`Reset your Switchboard password for Test ${first.tag}`, `Reset your Switchboard password for Test ${second.tag}`].sort(),
    )
    const firstJob = jobs.find((job) => job.subject.includes(first.tag))!
    await call(`/reset/${linkIn(firstJob, 'reset')}`, { method: 'POST', body: form({ password: 'only the first one' }) })
    const [a] = await db().select().from(users).where(eq(users.id, first.users.agent.id))
    const [b] = await db().select().from(users).where(eq(users.id, second.users.agent.id))
    expect(a!.passwordHash).not.toBe(b!.passwordHash)
    const secondToken = linkIn(
      jobs.find((job) => job.subject.includes(second.tag)),
      'reset',
    )
    await db()
      .update(passwordResets)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(passwordResets.id, secondToken.split('.')[0]!))
    expect(await (await call(`/reset/${secondToken}`)).text()).toContain('This reset link has expired')
  })

  it('an admin’s “Reset password” mails the teammate a link instead of typing a password', async () => {
    const ws = await workspace()
    const { jobs, call } = recordingWorker()
    const response = await call(`/settings/users/${ws.users.agent.id}/reset-password`, { method: 'POST', cookie: await login(ws.users.admin.email) })
    expect(response.status).toBe(303)
    expect(jobs).toHaveLength(1)
    expect(jobs[0]!.to).toBe(ws.users.agent.email)
    // An agent cannot.
    expect((await call(`/settings/users/${ws.users.admin.id}/reset-password`, { method: 'POST', cookie: await login(ws.users.agent.email) })).status).toBe(403)
  })
})

describe('system mails', () => {
  it('go out through SEND_EMAIL in the queue consumer; a copy lands in the local outbox only with DEV_OUTBOX', async () => {
    const sent: string[] = []
    const recording = {
      ...env,
      SEND_EMAIL: {
        async send() {
          sent.push('x')
          return { messageId: 'x@provider.test' }
        },
      },
    }
    const job: SystemEmailJob = {
      type: 'system-email',
      id: 'job1',
      from: 'no-reply@switchboard.test',
      to: 'someone@example.test',
      subject: 'Hi',
      text: `Go: ${origin}/invite/x`,
      html: '<p>Go</p>',
    }
    const run = async (queueEnv: Cloudflare.Env, id: string) => {
      const batch = createMessageBatch('switchboard-outbound', [{ id, timestamp: new Date(), attempts: 1, body: { ...job, id } }])
      const ctx = createExecutionContext()
      await worker.queue(batch, queueEnv)
      return getQueueResult(batch, ctx)
    }
    expect((await run(recording as unknown as Cloudflare.Env, 'prod1')).explicitAcks).toEqual(['prod1'])
    expect((await env.ATTACHMENTS.list({ prefix: 'dev-outbox/' })).objects.filter((o) => o.key.endsWith('prod1.eml'))).toHaveLength(0)
    await run({ ...recording, DEV_OUTBOX: 'true' } as unknown as Cloudflare.Env, 'dev1')
    const listed = (await env.ATTACHMENTS.list({ prefix: 'dev-outbox/' })).objects.filter((o) => o.key.endsWith('dev1.eml'))
    expect(listed).toHaveLength(1)
    expect(sent).toHaveLength(2)
    const mail = await simpleParser(await (await env.ATTACHMENTS.get(listed[0]!.key))!.text())
    expect(mail.text).toContain(`${origin}/invite/x`)
    // The outbox page exists only with the flag.
    const ctx = createExecutionContext()
    expect((await worker.fetch(new Request(`${origin}/dev/outbox`), env, ctx)).status).toBe(404)
    const page = await worker.fetch(new Request(`${origin}/dev/outbox`), { ...env, DEV_OUTBOX: 'true' }, ctx)
    expect(await page.text()).toContain(`${origin}/invite/x`)
  })
})

describe('first-run setup once a workspace exists', () => {
  it('refuses a second setup clearly, and creates no second owner', async () => {
    await workspace()
    const { call } = recordingWorker()
    expect((await call('/setup')).status).toBe(409)
    const before = (await db().select().from(accounts)).length
    const second = await call('/setup', {
      method: 'POST',
      body: form({ workspaceName: 'Hijack', name: 'Eve', email: 'eve@example.test', password: 'long enough password', locale: 'en' }),
    })
    expect(second.status).toBe(409)
    expect(await second.text()).toContain('already set up')
    expect((await db().select().from(accounts)).length).toBe(before)
    expect(await db().select().from(users).where(eq(users.email, 'eve@example.test'))).toHaveLength(0)
  })
})

describe('inboxes', () => {
  it('are created (the creator a member), renamed, and deleted: refused while they hold conversations unless told where they go', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const { call } = recordingWorker()
    const created = await call('/settings/inboxes', { method: 'POST', cookie: admin, body: form({ name: 'Billing' }) })
    expect(created.status).toBe(303)
    const [billing] = await db()
      .select()
      .from(inboxes)
      .where(and(eq(inboxes.accountId, ws.accountId), eq(inboxes.name, 'Billing')))
    expect(created.headers.get('Location')).toBe(`/inbox/${billing!.id}/settings`)
    const duplicate = await call('/settings/inboxes', { method: 'POST', cookie: admin, body: form({ name: 'billing' }) })
    expect(duplicate.status).toBe(422)
    expect(await duplicate.text()).toContain('Another inbox already has this name.')
    const empty = await call('/settings/inboxes', { method: 'POST', cookie: admin, body: form({ name: '   ' }) })
    expect(empty.status).toBe(422)

    const renamed = await call(`/inbox/${billing!.id}/settings`, {
      method: 'POST',
      cookie: admin,
      body: form({ name: 'Invoices', members: ws.users.admin.id, defaultAssignment: 'none' }),
    })
    expect(renamed.status).toBe(200)
    const [after] = await db().select().from(inboxes).where(eq(inboxes.id, billing!.id))
    expect(after!.name).toBe('Invoices')

    // The workspace's first inbox holds conversations (the test workspace has some, or gets one).
    await db()
      .insert(conversations)
      .values({
        id: `c-${ws.tag}`,
        accountId: ws.accountId,
        inboxId: ws.inboxId,
        channelId: ws.channels.email.id,
        pluginId: 'email',
        subject: 'Keep me',
        status: 'open',
        lastMessageAt: Date.now(),
        createdAt: Date.now(),
      } as typeof conversations.$inferInsert)
    const refused = await call(`/settings/inboxes/${ws.inboxId}/delete`, { method: 'POST', cookie: admin, body: form({}) })
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('choose the inbox they move to')
    const moved = await call(`/settings/inboxes/${ws.inboxId}/delete`, { method: 'POST', cookie: admin, body: form({ moveTo: billing!.id }) })
    expect(moved.status).toBe(303)
    const [conversation] = await db()
      .select()
      .from(conversations)
      .where(eq(conversations.id, `c-${ws.tag}`))
    expect(conversation!.inboxId).toBe(billing!.id)
    // The last inbox stays.
    const last = await call(`/settings/inboxes/${billing!.id}/delete`, { method: 'POST', cookie: admin, body: form({ moveTo: billing!.id }) })
    expect(last.status).toBe(422)
    expect(await last.text()).toContain('at least one inbox')
    // Agents cannot.
    expect((await call('/settings/inboxes', { method: 'POST', cookie: await login(ws.users.agent.email), body: form({ name: 'Nope' }) })).status).toBe(403)
  })
})

describe('daily housekeeping', () => {
  it('forgets invitation and reset links that can no longer be used, and keeps live ones', async () => {
    const ws = await workspace()
    const now = Date.now()
    const day = 24 * 60 * 60 * 1000
    const link = (id: string, expiresAt: number) => ({ id: `${id}-${ws.tag}`, secretHash: '0'.repeat(64), createdAt: expiresAt - day, expiresAt })
    await db()
      .insert(invitations)
      .values([
        { ...link('old-inv', now - 40 * day), accountId: ws.accountId, email: `old.${ws.tag}@example.test` },
        { ...link('live-inv', now + 6 * day), accountId: ws.accountId, email: `live.${ws.tag}@example.test` },
      ])
    await db()
      .insert(passwordResets)
      .values([
        { ...link('old-reset', now - 2 * day), userId: ws.users.agent.id },
        { ...link('live-reset', now + 30 * 60 * 1000), userId: ws.users.agent.id },
      ])
    await deleteSpentLinks(db(), now)
    expect((await db().select({ id: invitations.id }).from(invitations).where(eq(invitations.accountId, ws.accountId))).map((row) => row.id)).toEqual([
      `live-inv-${ws.tag}`,
    ])
    expect(
      (await db().select({ id: passwordResets.id }).from(passwordResets).where(eq(passwordResets.userId, ws.users.agent.id))).map((row) => row.id),
    ).toEqual([`live-reset-${ws.tag}`])
  })
})
