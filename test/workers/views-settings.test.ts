import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { channels, conversations } from '../../src/db/schema'
import { ingestInbound } from '../../src/channels/pipeline'
import { recordingNotifier } from '../shared/workspace'
import { db, form, login, request, workspace } from './helpers'

describe('saved views', () => {
  it('saves the current filters as a personal or team view, renames and deletes it', async () => {
    const ws = await workspace()
    const agent = await login(ws.users.agent.email)
    const saved = await request(`/inbox/${ws.inboxId}/views?channel=email&status=open`, {
      method: 'POST',
      cookie: agent,
      hx: 'views',
      body: form({ viewName: 'Open email', baseView: 'open' }),
    })
    expect(saved.status).toBe(201)
    const nav = await saved.text()
    expect(nav).toContain('Saved views')
    expect(nav).toContain(`href="/inbox/${ws.inboxId}/open?status=open&amp;channel=email"`)
    // The saved view is highlighted when its URL is the one on screen.
    const page = await (await request(`/inbox/${ws.inboxId}/open?status=open&channel=email`, { cookie: agent })).text()
    expect(page).toMatch(/class="view-link active" aria-current="page"><span>Open email<\/span>/)
    // Personal: another agent does not see it.
    const admin = await login(ws.users.admin.email)
    expect(await (await request(`/inbox/${ws.inboxId}/open`, { cookie: admin })).text()).not.toContain('Open email')
    const team = await request(`/inbox/${ws.inboxId}/views?assignee=none`, {
      method: 'POST',
      cookie: admin,
      hx: 'views',
      body: form({ viewName: 'Team unowned', baseView: 'open', shared: '1' }),
    })
    expect(team.status).toBe(201)
    expect(await (await request(`/inbox/${ws.inboxId}/open`, { cookie: agent })).text()).toContain('Team unowned')
    const viewId = /\/views\/([a-z0-9]+)\/rename/.exec(nav)![1]!
    const renamed = await request(`/views/${viewId}/rename`, {
      method: 'POST',
      cookie: agent,
      hx: 'views',
      body: form({ name: 'Email to answer', inbox: ws.inboxId, view: 'open' }),
    })
    expect(await renamed.text()).toContain('Email to answer')
    const refused = await request(`/views/${viewId}/delete`, { method: 'POST', cookie: admin, hx: 'views', body: form({ inbox: ws.inboxId, view: 'open' }) })
    expect(refused.status).toBe(422)
    expect(refused.headers.get('HX-Trigger')).toContain('someone else\\u2019s view')
    const deleted = await request(`/views/${viewId}/delete`, { method: 'POST', cookie: agent, hx: 'views', body: form({ inbox: ws.inboxId, view: 'open' }) })
    expect(await deleted.text()).not.toContain('Email to answer')
    const nameless = await request(`/inbox/${ws.inboxId}/views?channel=chat`, {
      method: 'POST',
      cookie: agent,
      hx: 'views',
      body: form({ viewName: '  ', baseView: 'open' }),
    })
    expect(nameless.status).toBe(422)
    expect(nameless.headers.get('HX-Trigger')).toContain('Give the view a name.')
  })
})

describe('inbox settings', () => {
  it('renames the inbox, sets members and default assignment; agents cannot get in', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    expect((await request(`/inbox/${ws.inboxId}/settings`, { cookie: await login(ws.users.agent.email), headers: { Accept: 'text/html' } })).status).toBe(403)
    const page = await (await request(`/inbox/${ws.inboxId}/settings`, { cookie: admin })).text()
    expect(page).toContain('Members')
    const bad = await request(`/inbox/${ws.inboxId}/settings`, {
      method: 'POST',
      cookie: admin,
      body: new URLSearchParams([
        ['name', 'Help desk'],
        ['defaultAssignment', 'round_robin'],
      ]),
    })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Round robin needs at least one member.')
    const ok = await request(`/inbox/${ws.inboxId}/settings`, {
      method: 'POST',
      cookie: admin,
      body: new URLSearchParams([
        ['name', 'Help desk'],
        ['members', ws.users.agent.id],
        ['members', ws.users.admin.id],
        ['defaultAssignment', 'round_robin'],
      ]),
    })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('Saved.')
    // Round robin hands new conversations to the members in turn, as they arrive.
    const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
    const owners = []
    for (let i = 0; i < 4; i++) {
      const result = await ingestInbound(deps, ws.channels.forms, { externalId: `rr${i}`, from: { email: `rr${i}@example.com` }, text: 'hi' })
      const [row] = await db().select({ assigneeId: conversations.assigneeId }).from(conversations).where(eq(conversations.id, result.conversationId))
      owners.push(row?.assigneeId)
    }
    expect(new Set(owners)).toEqual(new Set([ws.users.agent.id, ws.users.admin.id]))
    expect(owners[0]).not.toBe(owners[1])
    expect(owners[0]).toBe(owners[2])
  })

  it('renders each channel’s settings from its plugin schema and validates them with it', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const page = await (await request(`/inbox/${ws.inboxId}/settings`, { cookie: admin })).text()
    expect(page).toContain('name="addresses"')
    expect(page).toContain('name="verifyToken"')
    expect(page).toContain('name="secret.appSecret"')
    expect(page).not.toContain(`secret-${ws.tag}`)
    const bad = await request(`/channels-settings/${ws.channels.email.id}`, {
      method: 'POST',
      cookie: admin,
      body: form({ name: 'Support mail', addresses: 'not-an-address' }),
    })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Some settings need fixing.')
    const good = await request(`/channels-settings/${ws.channels.email.id}`, {
      method: 'POST',
      cookie: admin,
      body: form({ name: 'Support mail', addresses: `help.${ws.tag}@example.test\nsupport.${ws.tag}@example.test` }),
    })
    expect(good.status).toBe(200)
    const [stored] = await db().select().from(channels).where(eq(channels.id, ws.channels.email.id))
    expect(stored?.settings).toMatchObject({ addresses: [`help.${ws.tag}@example.test`, `support.${ws.tag}@example.test`] })
    // A blank secret keeps the stored one; a new one replaces it.
    await request(`/channels-settings/${ws.channels.messenger.id}`, {
      method: 'POST',
      cookie: admin,
      body: form({ name: 'FB', pageId: 'p1', verifyToken: 'long-enough-token', 'secret.appSecret': '' }),
    })
    expect((await db().select().from(channels).where(eq(channels.id, ws.channels.messenger.id)))[0]?.secrets.appSecret).toBe(`secret-${ws.tag}`)
    await request(`/channels-settings/${ws.channels.messenger.id}`, {
      method: 'POST',
      cookie: admin,
      body: form({ name: 'FB', pageId: 'p1', verifyToken: 'long-enough-token', 'secret.appSecret': 'rotated' }),
    })
    expect((await db().select().from(channels).where(eq(channels.id, ws.channels.messenger.id)))[0]?.secrets.appSecret).toBe('rotated')
    const other = await workspace()
    expect(
      (
        await request(`/channels-settings/${other.channels.email.id}`, {
          method: 'POST',
          cookie: admin,
          body: form({ name: 'x' }),
          headers: { Accept: 'text/html' },
        })
      ).status,
    ).toBe(404)
    expect(await db().select().from(conversations).where(eq(conversations.accountId, ws.accountId))).toHaveLength(0)
  })
})
