import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { attachments, auditLog, contacts, conversations, messages, tickets, users } from '../../src/db/schema'
import { ingestInbound } from '../../src/channels/pipeline'
import { purgeTrash } from '../../src/services/conversation-actions'
import { getConversation } from '../../src/services/conversations'
import { newId } from '../../src/lib/ids'
import { recordingNotifier } from '../shared/workspace'
import { db, form, login, openSocket, request, workspace } from './helpers'

type Workspace = Awaited<ReturnType<typeof workspace>>

async function seeded() {
  const ws = await workspace()
  const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
  const day = 24 * 60 * 60 * 1000
  const at = (isoDate: string) => Date.parse(`${isoDate}T12:00:00Z`)
  const tent = await ingestInbound(
    deps,
    ws.channels.email,
    { externalId: `t-${ws.tag}`, from: { email: 'maja@fjord.no', name: 'Maja Nilsen' }, subject: 'Damaged tent', text: 'The rain fly of my tent is torn.' },
    at('2026-10-01'),
  )
  const boots = await ingestInbound(
    deps,
    ws.channels.forms,
    {
      externalId: `b-${ws.tag}`,
      from: { email: 'alicia@correo.es', name: 'Alicia Gómez' },
      subject: 'Boots warranty',
      text: 'The sole of my boots came loose.',
    },
    at('2026-10-15'),
  )
  const chat = await ingestInbound(
    deps,
    ws.channels.chat,
    { externalId: `c-${ws.tag}`, from: { externalId: 'v1', name: 'Tom' }, text: 'Do you sell tent pegs?', thread: { key: 'k1' } },
    at('2026-11-01'),
  )
  const bot = await ingestInbound(
    deps,
    ws.channels.chat,
    { externalId: `d-${ws.tag}`, from: { externalId: 'v2' }, text: 'where is my order', thread: { key: 'k2' } },
    at('2026-11-02'),
  )
  await db().update(conversations).set({ assigneeBot: 'Welcome bot' }).where(eq(conversations.id, bot.conversationId))
  await db().update(conversations).set({ assigneeId: ws.users.agent.id }).where(eq(conversations.id, boots.conversationId))
  return { ws, deps, tent, boots, chat, bot, day, cookie: await login(ws.users.agent.email) }
}

const rowIds = (html: string) => [...html.matchAll(/id="conv-row-([a-z0-9]+)" class="conversation-row/g)].map((match) => match[1])

async function list(ws: Workspace, cookie: string, query: string, view = 'open') {
  const response = await request(`/inbox/${ws.inboxId}/${view}?${query}`, { cookie, hx: 'list' })
  return { status: response.status, html: await response.text() }
}

describe('search and filters', () => {
  it('finds conversations by text, ranks them, highlights the hit and keeps filters in the URL', async () => {
    const { ws, tent, chat, cookie } = await seeded()
    const result = await list(ws, cookie, 'q=tent')
    expect(result.status).toBe(200)
    expect(rowIds(result.html)).toEqual([tent.conversationId, chat.conversationId])
    expect(result.html).toContain('<mark>tent</mark>')
    expect(result.html).toContain('Search results')
    expect(result.html).toContain('Exit search')
    // Row links carry the filters, so reloading an opened conversation shows the same list.
    expect(result.html).toContain(`/c/${tent.conversationId}?q=tent`)
    const byContact = await list(ws, cookie, 'q=tent&contact=maja')
    expect(rowIds(byContact.html)).toEqual([tent.conversationId])
    const newest = await list(ws, cookie, 'q=tent&sort=newest')
    expect(rowIds(newest.html)).toEqual([chat.conversationId, tent.conversationId])
  })

  it('narrows a view by status, channel, assignee (people, nobody, bots) and date', async () => {
    const { ws, tent, boots, chat, bot, cookie } = await seeded()
    expect(rowIds((await list(ws, cookie, 'channel=chat')).html).sort()).toEqual([chat.conversationId, bot.conversationId].sort())
    expect(rowIds((await list(ws, cookie, `assignee=${ws.users.agent.id}`)).html)).toEqual([boots.conversationId])
    expect(rowIds((await list(ws, cookie, 'assignee=none')).html).sort()).toEqual([tent.conversationId, chat.conversationId].sort())
    expect(rowIds((await list(ws, cookie, 'assignee=bot%3AWelcome%20bot')).html)).toEqual([bot.conversationId])
    expect(rowIds((await list(ws, cookie, 'from=2026-10-10&to=2026-10-31')).html)).toEqual([boots.conversationId])
    expect(rowIds((await list(ws, cookie, 'sort=oldest')).html)[0]).toBe(tent.conversationId)
    expect(rowIds((await list(ws, cookie, 'status=closed')).html)).toEqual([])
  })

  it('lists deactivated and removed users in the assignee filter only when asked', async () => {
    const { ws, cookie } = await seeded()
    await db().update(users).set({ status: 'deactivated' }).where(eq(users.id, ws.users.superAdmin.id))
    const without = (await list(ws, cookie, '')).html
    expect(without).not.toContain(`value="${ws.users.superAdmin.id}"`)
    const withInactive = (await list(ws, cookie, 'inactive=1')).html
    expect(withInactive).toContain('Sam (deactivated)')
    // Without assignee filters the choices load when the filter panel opens.
    expect(without).toContain(`hx-get="/inbox/${ws.inboxId}/open/assignee-options"`)
    const lazy = await (await request(`/inbox/${ws.inboxId}/open/assignee-options`, { cookie, hx: 'x' })).text()
    expect(lazy).toContain(`<option value="${ws.users.agent.id}">Kim</option>`)
    expect(lazy).not.toContain('Sam')
    expect(await (await request(`/inbox/${ws.inboxId}/open/assignee-options?inactive=1`, { cookie, hx: 'x' })).text()).toContain('Sam (deactivated)')
  })

  it('hides Trash and Filtered from a search only when told to', async () => {
    const { ws, tent, cookie } = await seeded()
    await db().update(conversations).set({ folder: 'trash', trashedAt: Date.now() }).where(eq(conversations.id, tent.conversationId))
    expect(rowIds((await list(ws, cookie, 'q=torn')).html)).toEqual([tent.conversationId])
    expect(rowIds((await list(ws, cookie, 'q=torn&hideTrash=1')).html)).toEqual([])
  })

  it('answers bad filter values with a clear message, never a 500', async () => {
    const { ws, cookie } = await seeded()
    const cases: [string, string][] = [
      ['status=archived', 'status: Status is open or closed.'],
      ['from=2026-13-45', 'from: That date does not exist.'],
      ['from=yesterday', 'from: Dates look like 2026-11-26.'],
      ['from=2026-11-02&to=2026-11-01', 'from: the start date is after the end date.'],
      ['channel=fax', 'channel: Unknown channel.'],
      [`q=${'x'.repeat(500)}`, 'q: Search for at most 200 characters.'],
      ['sort=random', 'sort: Sort is newest, oldest or relevance.'],
    ]
    for (const [query, message] of cases) {
      const result = await list(ws, cookie, query)
      expect(result.status, query).toBe(400)
      expect(result.html, query).toContain(message)
    }
    for (const query of ['q=%22', 'q=*', 'q=NEAR(', 'q=%22tent%22%20OR%20*', 'q=a%20AND%20NOT', 'q=%5E%3A%28%29']) {
      const result = await list(ws, cookie, query)
      expect(result.status, query).toBe(200)
    }
    expect((await request(`/inbox/${ws.inboxId}/open/rows?cursor=garbage`, { cookie })).status).toBe(200)
  })

  it('pages search results by cursor without repeats', async () => {
    const { ws, deps, cookie } = await seeded()
    for (let i = 0; i < 60; i++) {
      await ingestInbound(deps, ws.channels.forms, { externalId: `p${i}-${ws.tag}`, from: { email: `p${i}@example.com` }, text: `lantern question ${i}` })
    }
    const first = await list(ws, cookie, 'q=lantern')
    const ids = rowIds(first.html)
    expect(ids).toHaveLength(50)
    const cursor = /cursor=([^"&]+)/.exec(first.html)?.[1]
    expect(cursor).toBeDefined()
    const next = await request(`/inbox/${ws.inboxId}/open/rows?q=lantern&cursor=${cursor}`, { cookie })
    const more = rowIds(await next.text())
    expect(more).toHaveLength(10)
    expect(new Set([...ids, ...more]).size).toBe(60)
  })
})

describe('owner and status', () => {
  it('assigns to any active user, records it, and refuses inactive ones', async () => {
    const { ws, tent, cookie } = await seeded()
    const response = await request(`/conversations/${tent.conversationId}/assign`, {
      method: 'POST',
      cookie,
      hx: 'thread',
      body: form({ assigneeId: ws.users.admin.id, view: 'open' }),
    })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toMatch(new RegExp(`<option value="${ws.users.admin.id}" selected`))
    expect(html).toContain('Kim assigned this to Alex')
    expect((await getConversation(db(), ws.accountId, tent.conversationId))?.conversation.assigneeId).toBe(ws.users.admin.id)
    expect(rowIds((await list(ws, await login(ws.users.admin.email), '', 'mine')).html)).toEqual([tent.conversationId])

    await db().update(users).set({ status: 'deactivated' }).where(eq(users.id, ws.users.superAdmin.id))
    const refused = await request(`/conversations/${tent.conversationId}/assign`, {
      method: 'POST',
      cookie,
      hx: 'thread',
      body: form({ assigneeId: ws.users.superAdmin.id }),
    })
    expect(refused.status).toBe(422)
    expect(refused.headers.get('HX-Reswap')).toBe('none')
    expect(refused.headers.get('HX-Trigger')).toContain('Only active users can own a conversation.')
    const unassigned = await request(`/conversations/${tent.conversationId}/assign`, { method: 'POST', cookie, hx: 'thread', body: form({ assigneeId: '' }) })
    expect(await unassigned.text()).toContain('Kim unassigned this')
  })

  it('closes and reopens, and tells agents on the list', async () => {
    const { ws, tent, cookie } = await seeded()
    const socket = await openSocket(`/inboxes/${ws.inboxId}/live?view=open`, cookie)
    const closed = await request(`/conversations/${tent.conversationId}/status`, {
      method: 'POST',
      cookie,
      hx: 'thread',
      body: form({ status: 'closed', view: 'open' }),
    })
    const html = await closed.text()
    expect(html).toContain('Reopen')
    // It left All open: the pane says so by removing its row.
    expect(html).toContain(`<div id="conv-row-${tent.conversationId}" hx-swap-oob="delete"></div>`)
    const frame = await socket.next((data) => data.includes(`conv-row-${tent.conversationId}`))
    expect(frame).not.toContain('afterbegin')
    expect(rowIds((await list(ws, cookie, '', 'closed')).html)).toEqual([tent.conversationId])
    await request(`/conversations/${tent.conversationId}/status`, { method: 'POST', cookie, hx: 'thread', body: form({ status: 'open' }) })
    expect((await getConversation(db(), ws.accountId, tent.conversationId))?.conversation.status).toBe('open')
    socket.socket.close(1000)
  })
})

describe('bulk actions', () => {
  it('closes or trashes many conversations in one request, ignoring ids from other accounts', async () => {
    const { ws, tent, boots, chat, cookie } = await seeded()
    const other = await workspace()
    const foreign = await ingestInbound({ db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }, other.channels.email, {
      externalId: `f-${other.tag}`,
      from: { email: 'x@example.com' },
      text: 'foreign',
    })
    const body = new URLSearchParams([
      ['action', 'close'],
      ['ids', tent.conversationId],
      ['ids', boots.conversationId],
      ['ids', foreign.conversationId],
    ])
    const response = await request(`/inbox/${ws.inboxId}/open/bulk`, { method: 'POST', cookie, hx: 'list', body })
    expect(response.status).toBe(200)
    expect(response.headers.get('HX-Trigger')).toContain('"count":2')
    const html = await response.text()
    expect(rowIds(html)).not.toContain(tent.conversationId)
    expect(rowIds(html)).toContain(chat.conversationId)
    expect((await getConversation(db(), other.accountId, foreign.conversationId))?.conversation.status).toBe('open')
    const trash = await request(`/inbox/${ws.inboxId}/closed/bulk`, {
      method: 'POST',
      cookie,
      hx: 'list',
      body: new URLSearchParams([
        ['action', 'trash'],
        ['ids', tent.conversationId],
      ]),
    })
    expect(trash.status).toBe(200)
    expect(rowIds((await list(ws, cookie, '', 'trash')).html)).toEqual([tent.conversationId])
    const empty = await request(`/inbox/${ws.inboxId}/open/bulk`, { method: 'POST', cookie, hx: 'list', body: form({ action: 'close' }) })
    expect(empty.status).toBe(422)
    expect(empty.headers.get('HX-Trigger')).toContain('Select at least one conversation.')
  })
})

describe('trash', () => {
  it('opens a trashed conversation read-only with Restore and Delete forever, and restores it', async () => {
    const { ws, tent, cookie } = await seeded()
    await request(`/conversations/${tent.conversationId}/trash`, { method: 'POST', cookie, hx: 'thread', body: form({ view: 'open' }) })
    const page = await (await request(`/inbox/${ws.inboxId}/trash/c/${tent.conversationId}`, { cookie })).text()
    expect(page).toContain('read-only')
    expect(page).not.toContain('id="composer"')
    expect(page).toContain('>Restore<')
    expect(page).toContain('>Delete forever<')
    const write = await request(`/conversations/${tent.conversationId}/messages`, { method: 'POST', cookie, body: form({ kind: 'comment', text: 'x' }) })
    expect(write.status).toBe(409)
    await request(`/conversations/${tent.conversationId}/restore`, { method: 'POST', cookie, hx: 'thread', body: form({ view: 'trash' }) })
    expect((await getConversation(db(), ws.accountId, tent.conversationId))?.conversation.folder).toBe('inbox')
  })

  it('deletes forever: messages, attachments in R2, the ticket and the search entries go; the audit log keeps a line', async () => {
    const { ws, deps, cookie } = await seeded()
    const withFile = await ingestInbound(deps, ws.channels.email, {
      externalId: `att-${ws.tag}`,
      from: { email: 'files@example.com' },
      text: 'quarterly figures attached',
      attachments: [{ filename: 'q3.pdf', contentType: 'application/pdf', content: new TextEncoder().encode('%PDF') }],
    })
    const ticketId = newId()
    await db().insert(tickets).values({ id: ticketId, accountId: ws.accountId, name: 'Figures', createdAt: Date.now() })
    await db().update(conversations).set({ ticketId }).where(eq(conversations.id, withFile.conversationId))
    const [file] = await db().select().from(attachments).where(eq(attachments.messageId, withFile.messageId))
    expect(await env.ATTACHMENTS.head(file!.r2Key)).not.toBeNull()
    const notTrashed = await request(`/conversations/${withFile.conversationId}/delete`, { method: 'POST', cookie, hx: 'thread' })
    expect(notTrashed.status).toBe(409)
    await request(`/conversations/${withFile.conversationId}/trash`, { method: 'POST', cookie, hx: 'thread' })
    const deleted = await request(`/conversations/${withFile.conversationId}/delete`, { method: 'POST', cookie, hx: 'thread', body: form({ view: 'trash' }) })
    expect(deleted.status).toBe(200)
    expect(deleted.headers.get('HX-Push-Url')).toBe(`/inbox/${ws.inboxId}/trash`)
    expect(await getConversation(db(), ws.accountId, withFile.conversationId)).toBeNull()
    expect(await db().select().from(messages).where(eq(messages.conversationId, withFile.conversationId))).toHaveLength(0)
    expect(await env.ATTACHMENTS.head(file!.r2Key)).toBeNull()
    expect(await db().select().from(tickets).where(eq(tickets.id, ticketId))).toHaveLength(0)
    expect(rowIds((await list(ws, cookie, 'q=quarterly')).html)).toEqual([])
    const audit = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.accountId, ws.accountId), eq(auditLog.action, 'conversation:delete_forever')))
    expect(audit.map((row) => row.targetId)).toEqual([withFile.conversationId])
  })

  it('purges trash older than 30 days on the cron, and nothing younger', async () => {
    const { ws, tent, boots, day } = await seeded()
    const now = Date.now()
    await db()
      .update(conversations)
      .set({ folder: 'trash', trashedAt: now - 31 * day })
      .where(eq(conversations.id, tent.conversationId))
    await db()
      .update(conversations)
      .set({ folder: 'trash', trashedAt: now - 29 * day })
      .where(eq(conversations.id, boots.conversationId))
    await purgeTrash(db(), env.ATTACHMENTS, now)
    expect(await getConversation(db(), ws.accountId, tent.conversationId)).toBeNull()
    expect(await getConversation(db(), ws.accountId, boots.conversationId)).not.toBeNull()
  })
})

describe('spam and blocking', () => {
  it('marks one thread as spam and back', async () => {
    const { ws, tent, cookie } = await seeded()
    await request(`/conversations/${tent.conversationId}/spam`, { method: 'POST', cookie, hx: 'thread' })
    expect(rowIds((await list(ws, cookie, '', 'spam')).html)).toEqual([tent.conversationId])
    await request(`/conversations/${tent.conversationId}/not-spam`, { method: 'POST', cookie, hx: 'thread' })
    expect(rowIds((await list(ws, cookie, '', 'spam')).html)).toEqual([])
  })

  it('blocks a sender: the thread moves to Filtered, later mail is filtered, their tickets are deleted; unblock undoes it', async () => {
    const { ws, deps, tent, cookie } = await seeded()
    const ticketId = newId()
    await db().insert(tickets).values({ id: ticketId, accountId: ws.accountId, name: 'Tent', createdAt: Date.now() })
    await db().update(conversations).set({ ticketId }).where(eq(conversations.id, tent.conversationId))
    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${tent.conversationId}`, { cookie })).text()
    expect(page).toContain('tickets linked to their conversations are deleted for good')
    await request(`/conversations/${tent.conversationId}/block`, { method: 'POST', cookie, hx: 'thread' })
    expect(rowIds((await list(ws, cookie, '', 'filtered')).html)).toEqual([tent.conversationId])
    expect(await db().select().from(tickets).where(eq(tickets.id, ticketId))).toHaveLength(0)
    const later = await ingestInbound(deps, ws.channels.email, {
      externalId: `l-${ws.tag}`,
      from: { email: 'maja@fjord.no' },
      subject: 'Another thing',
      text: 'hello again',
    })
    expect((await getConversation(db(), ws.accountId, later.conversationId))?.conversation.folder).toBe('filtered')
    await request(`/conversations/${tent.conversationId}/unblock`, { method: 'POST', cookie, hx: 'thread' })
    const [contact] = await db()
      .select()
      .from(contacts)
      .where(and(eq(contacts.accountId, ws.accountId), eq(contacts.email, 'maja@fjord.no')))
    expect(contact?.blocked).toBe(false)
    expect(rowIds((await list(ws, cookie, '', 'filtered')).html)).toEqual([])
  })
})

describe('links to messages', () => {
  it('a permalink opens the conversation at the message; another account gets 404', async () => {
    const { ws, tent, cookie } = await seeded()
    const response = await request(`/m/${tent.messageId}`, { cookie })
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe(`/inbox/${ws.inboxId}/open/c/${tent.conversationId}#msg-${tent.messageId}`)
    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${tent.conversationId}`, { cookie })).text()
    expect(page).toContain(`data-copy-link="/m/${tent.messageId}"`)
    const stranger = await workspace()
    expect((await request(`/m/${tent.messageId}`, { cookie: await login(stranger.users.agent.email), headers: { Accept: 'text/html' } })).status).toBe(404)
  })
})

describe('hiding a message', () => {
  it('replaces it everywhere, keeps it out of search, and lets only the hider or a super admin show it', async () => {
    const { ws, tent, cookie } = await seeded()
    const hide = await request(`/conversations/${tent.conversationId}/messages/${tent.messageId}/hide`, { method: 'POST', cookie, hx: `msg-${tent.messageId}` })
    expect(hide.status).toBe(200)
    const fragment = await hide.text()
    expect(fragment).toContain('Message is hidden')
    expect(fragment).not.toContain('rain fly')
    const thread = await (await request(`/inbox/${ws.inboxId}/open/c/${tent.conversationId}`, { cookie })).text()
    expect(thread).not.toContain('rain fly')
    expect(rowIds((await list(ws, cookie, 'q=rain')).html)).toEqual([])
    expect((await getConversation(db(), ws.accountId, tent.conversationId))?.conversation.preview).not.toContain('rain fly')

    const admin = await login(ws.users.admin.email)
    const refused = await request(`/conversations/${tent.conversationId}/messages/${tent.messageId}/unhide`, { method: 'POST', cookie: admin, hx: 'x' })
    expect(refused.status).toBe(422)
    expect(refused.headers.get('HX-Trigger')).toContain('Only a super admin or the person who hid it')
    const superAdmin = await login(ws.users.superAdmin.email)
    const shown = await request(`/conversations/${tent.conversationId}/messages/${tent.messageId}/unhide`, { method: 'POST', cookie: superAdmin, hx: 'x' })
    expect(await shown.text()).toContain('rain fly')
    expect(rowIds((await list(ws, cookie, 'q=rain')).html)).toEqual([tent.conversationId])
    const audit = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.accountId, ws.accountId), eq(auditLog.targetId, String(tent.messageId))))
    expect(audit.map((row) => [row.action, row.actorUserId])).toEqual([
      ['message:hide', ws.users.agent.id],
      ['message:unhide', ws.users.superAdmin.id],
    ])
  })

  it('pushes the hidden message to everyone on the thread', async () => {
    const { ws, tent, cookie } = await seeded()
    const watcher = await openSocket(`/conversations/${tent.conversationId}/live?after=1&inbox=${ws.inboxId}&view=open`, await login(ws.users.admin.email))
    await request(`/conversations/${tent.conversationId}/messages/${tent.messageId}/hide`, { method: 'POST', cookie, hx: 'x' })
    const frame = await watcher.next((data) => data.includes(`<li id="msg-${tent.messageId}"`) && data.includes('hx-swap-oob="true"'))
    expect(frame).toContain('Message is hidden')
    expect(frame).not.toContain('rain fly')
    watcher.socket.close(1000)
  })
})
