import { env } from 'cloudflare:test'
import { Parser } from 'htmlparser2'
import { describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { companies, contacts, documents, snippets, users } from '../../src/db/schema'
import { ingestInbound } from '../../src/channels/pipeline'
import { newId } from '../../src/lib/ids'
import { renderPlaceholdersHtml, renderPlaceholdersText, unknownPlaceholders } from '../../src/services/placeholders'
import { recordingNotifier } from '../shared/workspace'
import { db, form, login, origin, request, workspace } from './helpers'

type Workspace = Awaited<ReturnType<typeof workspace>>

async function conversationOf(ws: Workspace, from: { email?: string; name?: string }, subject = 'Damaged tent') {
  const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
  const result = await ingestInbound(deps, ws.channels.email, { externalId: `m-${newId()}`, from, subject, text: 'The rain fly of my tent is torn.' })
  return result.conversationId
}

async function seeded() {
  const ws = await workspace()
  const conversationId = await conversationOf(ws, { email: `maja.${ws.tag}@fjord.no`, name: 'Maja Nilsen' })
  const [agent, admin] = await Promise.all([login(ws.users.agent.email), login(ws.users.admin.email)])
  return { ws, conversationId, agent, admin }
}

const post = (path: string, cookie: string, values: Record<string, string>, hx = 'x') => request(path, { method: 'POST', cookie, hx, body: form(values) })
const get = (path: string, cookie?: string, hx?: string) => request(path, { cookie, hx })

/** The data-insert-html (and -subject) values of a picker, decoded as the browser's dataset would. */
function decodeAttribute(value: string) {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}
function pickerItems(html: string) {
  return [
    ...html.matchAll(
      /<button type="button" class="picker-item" data-insert-html="([^"]*)"(?: data-insert-subject="([^"]*)")?>\s*<span class="picker-label">([^<]*)<\/span>/g,
    ),
  ].map((match) => ({
    html: decodeAttribute(match[1]!),
    subject: match[2] === undefined ? undefined : decodeAttribute(match[2]),
    label: decodeAttribute(match[3]!),
  }))
}

/** Markup no page may ever carry from content: active elements, event handlers, script URLs (checked on the parsed tree). */
function expectInert(html: string) {
  const problems: string[] = []
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const ourScript =
          name === 'script' && /^\/[a-z/.-]+\.js$/.test(attributes.src ?? '') && Object.keys(attributes).every((key) => ['src', 'defer', 'type'].includes(key))
        if (
          ['script', 'img', 'svg', 'iframe', 'object', 'embed', 'style', 'math', 'base', 'meta'].includes(name) &&
          !ourScript &&
          !(name === 'meta' && !attributes['http-equiv'])
        )
          problems.push(`<${name}>`)
        for (const [key, value] of Object.entries(attributes)) {
          if (key.startsWith('on')) problems.push(`${name}[${key}]`)
          if (['href', 'src', 'action', 'formaction'].includes(key) && /^\s*(javascript|data|vbscript):/i.test(value.replace(/[\u0000-\u0020]/g, '')))
            problems.push(`${name}[${key}=${value}]`)
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  )
  parser.write(html)
  parser.end()
  expect(problems).toEqual([])
}

const xssPayloads = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="  jav&#x09;ascript:alert(1)">tab</a>',
  '<a href="data:text/html,<script>alert(1)</script>">data</a>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '<p onclick="alert(1)" style="x">styled</p>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<div class="link-card" onmouseover="alert(1)"><a class="link-card-link" href="javascript:alert(1)">x</a></div>',
  '{{contact.name}}<img src=x onerror=alert(1)>',
]

describe('placeholder renderer', () => {
  const values = { 'contact.firstname': '<img src=x onerror=alert(1)>', 'contact.name': 'A & "B"', 'company.name': '', 'agent.name': 'Kim' }

  it('escapes hostile values, fills known placeholders and keeps unknown ones as written', () => {
    const html = renderPlaceholdersHtml(
      '<p>Hi {{contact.firstname}}, {{ contact.name }} at {{company.name}} — {{agent.name}} {{contact.shoe_size}}</p>',
      values,
      'there',
    )
    expect(html).toBe('<p>Hi &lt;img src=x onerror=alert(1)&gt;, A &amp; &quot;B&quot; at  — Kim {{contact.shoe_size}}</p>')
    expect(html).not.toContain('<img')
  })

  it('uses the fallback for a missing first name and empty text for other missing values', () => {
    expect(renderPlaceholdersHtml('<p>Hi {{contact.firstname}}! {{contact.lastname}}</p>', {}, 'there')).toBe('<p>Hi there! </p>')
    expect(renderPlaceholdersText('Re: {{conversation.subject}} for {{contact.email}}', { 'conversation.subject': 'Tent <b>' }, 'there')).toBe(
      'Re: Tent <b> for ',
    )
  })

  it('unwraps the editor’s placeholder span and cannot turn a link into another site or a script', () => {
    expect(renderPlaceholdersHtml('<p><span class="placeholder">{{agent.name}}</span></p>', { 'agent.name': 'Kim' }, 'there')).toBe('<p>Kim</p>')
    const link = renderPlaceholdersHtml(
      '<a href="/{{contact.email}}">x</a> <a href="https://x.test/?e={{contact.email}}">y</a>',
      { 'contact.email': '/evil.test" onclick="alert(1)' },
      'there',
    )
    expect(link).not.toContain('onclick="')
    expect(link).not.toContain('href="//evil.test')
    // The sanitiser drops whitespace from URLs, so the quote stays inside the attribute value.
    expect(link).toBe('<a>x</a> <a href="https://x.test/?e=/evil.test&quot;onclick=&quot;alert(1)" target="_blank" rel="noopener noreferrer nofollow">y</a>')
  })

  it('names the unknown placeholders', () => {
    expect(unknownPlaceholders('{{contact.firstname}} {{Contact.Email}} {{contact.first_name}} {{ foo }} {{not a placeholder}}')).toEqual([
      '{{contact.first_name}}',
      '{{ foo }}',
    ])
  })
})

describe('snippets', () => {
  it('are created, listed, edited and deleted through the settings page', async () => {
    const { ws, agent } = await seeded()
    // Agents reach the content library from the inbox (their first settings page).
    expect(await (await get(`/inbox/${ws.inboxId}/open`, agent)).text()).toContain('href="/settings/snippets" class="icon-button"')
    const page = await get('/settings/snippets', agent)
    expect(page.status).toBe(200)
    const pageHtml = await page.text()
    expect(pageHtml).toContain('{{contact.firstname}}')
    expect(pageHtml).toContain('href="/settings/snippets" aria-current="page"')
    const created = await post('/settings/snippets', agent, { name: 'Thanks', shortcut: '#Thanks', body: '<p>Thanks, {{contact.firstname}}!</p>' })
    expect(created.status).toBe(201)
    const createdHtml = await created.text()
    expect(createdHtml).toContain('hx-swap-oob="afterbegin:#snippets-rows"')
    expect(createdHtml).toContain('#thanks · Thanks, {{contact.firstname}}!')
    const id = /id="snippets-row-([a-z0-9]+)"/.exec(createdHtml)![1]!
    expect(await (await get('/settings/snippets', agent)).text()).toContain(`snippets-row-${id}`)
    const edit = await get(`/settings/snippets/${id}`, agent)
    expect(edit.status).toBe(200)
    expect(await edit.text()).toContain('value="thanks"')
    const updated = await post(`/settings/snippets/${id}`, agent, { name: 'Thank you', shortcut: 'thanks', body: '<p>Thank you!</p>' })
    expect(updated.status).toBe(200)
    expect(await updated.text()).toContain('Saved.')
    const [row] = await db().select().from(snippets).where(eq(snippets.id, id))
    expect(row).toMatchObject({ name: 'Thank you', body: '<p>Thank you!</p>' })
    const deleted = await post(`/settings/snippets/${id}/delete`, agent, {})
    expect(deleted.status).toBe(200)
    expect(await db().select().from(snippets).where(eq(snippets.id, id))).toEqual([])
  })

  it('refuses bad input in the form (422) and keeps what was entered', async () => {
    const { agent } = await seeded()
    await post('/settings/snippets', agent, { name: 'Refund', shortcut: 'refund', body: 'Refunded.' })
    const cases: [Record<string, string>, string][] = [
      [{ name: 'Again', shortcut: 'refund', body: 'x' }, 'The shortcut #refund is already used by another snippet.'],
      [{ name: 'Bad', shortcut: 'no spaces!', body: 'x' }, 'A shortcut is 1–40 lower-case letters, digits, - or _.'],
      [{ name: '', shortcut: 'noname', body: 'x' }, 'Enter a name.'],
      [{ name: 'Empty', shortcut: 'empty', body: '<p> </p><script>x</script>' }, 'Write the text first.'],
      [{ name: 'Typo', shortcut: 'typo', body: 'Hi {{contact.first_name}}' }, 'Unknown placeholder: {{contact.first_name}}.'],
    ]
    for (const [values, message] of cases) {
      const response = await post('/settings/snippets', agent, values)
      expect(response.status, message).toBe(422)
      const html = await response.text()
      expect(html).toContain(message)
      expect(html).toContain(`value="${values.name}"`)
    }
    // Without HTMX the whole page comes back, with the error and the values.
    const plain = await request('/settings/snippets', { method: 'POST', cookie: agent, body: form({ name: 'Again', shortcut: 'refund', body: 'x' }) })
    expect(plain.status).toBe(422)
    const plainHtml = await plain.text()
    expect(plainHtml).toContain('<!doctype html>')
    expect(plainHtml).toContain('already used')
    // Shortcuts are unique per account, not globally.
    const other = await seeded()
    expect((await post('/settings/snippets', other.agent, { name: 'Refund', shortcut: 'refund', body: 'Ours.' })).status).toBe(201)
  })

  it('can be changed only by the person who added them and admins', async () => {
    const { admin, agent } = await seeded()
    const byAdmin = await (await post('/settings/snippets', admin, { name: 'Policy', shortcut: 'policy', body: 'Our policy.' })).text()
    const adminSnippet = /id="snippets-row-([a-z0-9]+)"/.exec(byAdmin)![1]!
    const byAgent = await (await post('/settings/snippets', agent, { name: 'Mine', shortcut: 'mine', body: 'Mine.' })).text()
    const agentSnippet = /id="snippets-row-([a-z0-9]+)"/.exec(byAgent)![1]!
    expect((await get(`/settings/snippets/${adminSnippet}`, agent)).status).toBe(403)
    expect((await post(`/settings/snippets/${adminSnippet}`, agent, { name: 'Hacked', shortcut: 'policy', body: 'x' })).status).toBe(403)
    expect((await post(`/settings/snippets/${adminSnippet}/delete`, agent, {})).status).toBe(403)
    expect((await db().select().from(snippets).where(eq(snippets.id, adminSnippet)))[0]?.name).toBe('Policy')
    // The agent's list shows no edit controls for the admin's snippet.
    const list = await (await get('/settings/snippets', agent)).text()
    expect(list).not.toContain(`/settings/snippets/${adminSnippet}/delete`)
    expect(list).toContain(`/settings/snippets/${agentSnippet}/delete`)
    expect((await post(`/settings/snippets/${agentSnippet}`, admin, { name: 'Edited by admin', shortcut: 'mine', body: 'Mine.' })).status).toBe(200)
    expect((await post(`/settings/snippets/${agentSnippet}/delete`, admin, {})).status).toBe(200)
  })

  it('are only reachable by the signed-in users of their account, and forms need our origin', async () => {
    const { agent, admin } = await seeded()
    const created = await (await post('/settings/snippets', admin, { name: 'Policy', shortcut: 'policy', body: 'Our policy.' })).text()
    const id = /id="snippets-row-([a-z0-9]+)"/.exec(created)![1]!
    const stranger = await seeded()
    expect((await get(`/settings/snippets/${id}`, stranger.admin)).status).toBe(404)
    expect((await post(`/settings/snippets/${id}`, stranger.admin, { name: 'x', shortcut: 'x', body: 'x' })).status).toBe(404)
    await post(`/settings/snippets/${id}/delete`, stranger.admin, {})
    expect(await db().select().from(snippets).where(eq(snippets.id, id))).toHaveLength(1)
    expect(await (await get('/settings/snippets', stranger.admin)).text()).not.toContain('Our policy')
    expect((await get('/settings/snippets')).status).toBe(302)
    const forged = await request('/settings/snippets', {
      method: 'POST',
      cookie: agent,
      headers: { Origin: 'https://evil.test' },
      body: form({ name: 'x', shortcut: 'x', body: 'x' }),
    })
    expect(forged.status).toBe(403)
  })
})

describe('the snippet picker', () => {
  it('fills placeholders for the conversation, escaping a hostile contact', async () => {
    const ws = await workspace()
    const conversationId = await conversationOf(ws, { email: `evil.${ws.tag}@example.test`, name: '<img src=x onerror=alert(1)> Smith' }, 'Order <b>#1</b>')
    const companyId = newId()
    await db().insert(companies).values({ id: companyId, accountId: ws.accountId, name: 'Fjord & <Co>', createdAt: Date.now() })
    await db()
      .update(contacts)
      .set({ companyId })
      .where(eq(contacts.email, `evil.${ws.tag}@example.test`))
    const agent = await login(ws.users.agent.email)
    await post('/settings/snippets', agent, {
      name: 'Thanks',
      shortcut: 'thanks',
      body: '<p>Hi {{contact.firstname}} {{contact.lastname}} of {{company.name}} ({{contact.email}}), re {{conversation.subject}}. — {{agent.firstname}} / {{agent.name}} / {{contact.name}}</p>',
    })
    const response = await get(`/conversations/${conversationId}/insert/snippets?q=thanks`, agent, 'popover')
    expect(response.status).toBe(200)
    const html = await response.text()
    expectInert(html)
    const [item] = pickerItems(html)
    expect(item!.label).toBe('Thanks')
    expect(item!.html).toBe(
      `<p>Hi &lt;img src=x onerror=alert(1)&gt; Smith of Fjord &amp; &lt;Co&gt; (evil.${ws.tag}@example.test), re Order &lt;b&gt;#1&lt;/b&gt;. — Kim / Kim / &lt;img src=x onerror=alert(1)&gt; Smith</p>`,
    )
    expect(html).toContain('<span class="picker-detail">#thanks</span>')
  })

  it('speaks the agent’s language: Norwegian pages, errors and first-name fallback', async () => {
    const ws = await workspace()
    const conversationId = await conversationOf(ws, { email: `navnlos.${ws.tag}@example.test` })
    await db().update(users).set({ locale: 'nb' }).where(eq(users.id, ws.users.agent.id))
    const agent = await login(ws.users.agent.email)
    expect(await (await get('/settings/snippets', agent)).text()).toContain('<h1>Tekstbiter</h1>')
    expect(await (await post('/settings/snippets', agent, { name: 'Feil', shortcut: 'Ikke gyldig', body: 'x' })).text()).toContain(
      'En snarvei er 1–40 små bokstaver',
    )
    await post('/settings/snippets', agent, { name: 'Hei', shortcut: 'hei', body: '<p>Hei {{contact.firstname}},</p>' })
    expect(pickerItems(await (await get(`/conversations/${conversationId}/insert/snippets?q=hei`, agent, 'x')).text())[0]!.html).toBe('<p>Hei der,</p>')
  })

  it('says "there" for a contact without a name', async () => {
    const ws = await workspace()
    const conversationId = await conversationOf(ws, { email: `nameless.${ws.tag}@example.test` })
    const agent = await login(ws.users.agent.email)
    await post('/settings/snippets', agent, { name: 'Hi', shortcut: 'hi', body: '<p>Hi {{contact.firstname}},</p>' })
    const [item] = pickerItems(await (await get(`/conversations/${conversationId}/insert/snippets?q=hi`, agent, 'x')).text())
    expect(item!.html).toBe('<p>Hi there,</p>')
  })

  it('finds by shortcut prefix first, then by words in name and body, ten at most, with a search box', async () => {
    const { ws, conversationId, agent } = await seeded()
    await post('/settings/snippets', agent, { name: 'Refund policy', shortcut: 'refund', body: 'Refunds take 5 days.' })
    await post('/settings/snippets', agent, { name: 'Returns', shortcut: 'returns', body: 'Send it back for a refund.' })
    await post('/settings/snippets', agent, { name: 'Shipping', shortcut: 'ship', body: 'Ships in 2 days.' })
    const labels = async (q: string) =>
      pickerItems(await (await get(`/conversations/${conversationId}/insert/snippets?list=1&q=${encodeURIComponent(q)}`, agent, 'x')).text()).map(
        (item) => item.label,
      )
    expect(await labels('#ref')).toEqual(['Refund policy', 'Returns'])
    expect(await labels('re')).toEqual(['Refund policy', 'Returns'])
    expect(await labels('ship')).toEqual(['Shipping'])
    expect(await labels('back refund')).toEqual(['Returns'])
    expect(await labels('100%_')).toEqual([])
    const none = await (await get(`/conversations/${conversationId}/insert/snippets?list=1&q=zzz`, agent, 'x')).text()
    expect(none).toContain('<p class="picker-empty">')
    const full = await (await get(`/conversations/${conversationId}/insert/snippets`, agent, 'x')).text()
    expect(full).toContain(`hx-get="/conversations/${conversationId}/insert/snippets?list=1"`)
    expect(full).toContain('hx-trigger="input changed delay:150ms, search"')
    // The editor's `#` trigger always sends q (empty right after the #) and gets the list alone.
    const trigger = await (await get(`/conversations/${conversationId}/insert/snippets?q=`, agent, 'x')).text()
    expect(trigger).toMatch(/^<ul class="picker-list">/)
    expect(trigger).not.toContain('picker-search')
    for (let i = 0; i < 12; i++)
      await db()
        .insert(snippets)
        .values({ id: newId(), accountId: ws.accountId, name: `Bulk ${i}`, shortcut: `bulk-${i}`, body: 'x', createdAt: 1, updatedAt: 1 })
    expect(await labels('bulk')).toHaveLength(10)
  })

  it('is a 404 for another account’s conversation and never shows another account’s snippets', async () => {
    const { conversationId, agent } = await seeded()
    const other = await seeded()
    await post('/settings/snippets', other.agent, { name: 'Secret', shortcut: 'secret', body: 'Their text.' })
    for (const kind of ['snippets', 'templates', 'articles', 'meetings', 'documents', 'link']) {
      expect((await get(`/conversations/${other.conversationId}/insert/${kind}`, agent, 'x')).status, kind).toBe(404)
    }
    expect(await (await get(`/conversations/${conversationId}/insert/snippets?q=secret`, agent, 'x')).text()).not.toContain('Secret')
    expect((await get(`/conversations/${conversationId}/insert/snippets`, undefined, 'x')).status).toBe(401)
  })
})

describe('templates', () => {
  it('are managed in settings and insert a rendered subject and body', async () => {
    const { conversationId, agent, admin } = await seeded()
    const created = await post('/settings/templates', agent, {
      name: 'Replacement',
      subject: 'Your replacement, {{contact.firstname}}',
      body: '<p>Dear {{contact.name}},</p><ul><li>ships tomorrow</li></ul>',
    })
    expect(created.status).toBe(201)
    const id = /id="templates-row-([a-z0-9]+)"/.exec(await created.text())![1]!
    expect((await post('/settings/templates', agent, { name: 'Bad', subject: 'Hi {{contact.nickname}}', body: 'x' })).status).toBe(422)
    expect((await post('/settings/templates', agent, { name: '', subject: '', body: 'x' })).status).toBe(422)
    const [item] = pickerItems(await (await get(`/conversations/${conversationId}/insert/templates?q=replace`, agent, 'x')).text())
    expect(item).toEqual({ label: 'Replacement', subject: 'Your replacement, Maja', html: '<p>Dear Maja Nilsen,</p><ul><li>ships tomorrow</li></ul>' })
    expect((await post(`/settings/templates/${id}`, admin, { name: 'Replacement', subject: 'New subject', body: '<p>New</p>' })).status).toBe(200)
    expect(pickerItems(await (await get(`/conversations/${conversationId}/insert/templates`, agent, 'x')).text())[0]!.subject).toBe('New subject')
    expect((await post(`/settings/templates/${id}/delete`, agent, {})).status).toBe(200)
    expect(await (await get(`/conversations/${conversationId}/insert/templates`, agent, 'x')).text()).toContain('picker-empty')
  })
})

describe('knowledge-base articles', () => {
  it('publish to a public page without login; drafts and other accounts’ slugs are 404', async () => {
    const { ws, conversationId, agent } = await seeded()
    const created = await post('/settings/articles', agent, {
      title: 'Returns & refunds (EU)',
      slug: '',
      body: '<h1>Returns</h1><p>Within <strong>30 days</strong>.</p>',
      published: '1',
    })
    expect(created.status).toBe(201)
    expect(await created.text()).toContain(`/kb/${ws.accountId}/returns-refunds-eu`)
    const page = await get(`/kb/${ws.accountId}/returns-refunds-eu`)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('<h2>Returns</h2><p>Within <strong>30 days</strong>.</p>')
    expect(html).toContain(`Returns &amp; refunds (EU) · Test ${ws.tag}`)
    expect(html).not.toContain('<script')
    await post('/settings/articles', agent, { title: 'Internal draft', slug: 'draft-one', body: 'Not yet.' })
    expect((await get(`/kb/${ws.accountId}/draft-one`, undefined)).status).toBe(404)
    const other = await workspace()
    expect((await get(`/kb/${other.accountId}/returns-refunds-eu`)).status).toBe(404)
    // The picker offers published articles only, as a link card to the public address.
    const items = pickerItems(await (await get(`/conversations/${conversationId}/insert/articles`, agent, 'x')).text())
    expect(items.map((item) => item.label)).toEqual(['Returns & refunds (EU)'])
    expect(items[0]!.html).toBe(
      `<div class="link-card"><div class="link-card-kind">Article</div><a href="${origin}/kb/${ws.accountId}/returns-refunds-eu" target="_blank" rel="noopener noreferrer nofollow" class="link-card-link"><div class="link-card-title">Returns &amp; refunds (EU)</div></a><div class="link-card-url">switchboard.test</div></div>`,
    )
  })

  it('refuse a taken or malformed slug in the form', async () => {
    const { agent } = await seeded()
    await post('/settings/articles', agent, { title: 'Sizes', slug: 'sizes', body: 'x', published: '1' })
    const taken = await post('/settings/articles', agent, { title: 'Sizes 2', slug: 'sizes', body: 'y' })
    expect(taken.status).toBe(422)
    expect(await taken.text()).toContain('already uses the address')
    const bad = await post('/settings/articles', agent, { title: 'Bad', slug: '../etc', body: 'y' })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('value="../etc"')
    const withPlaceholder = await post('/settings/articles', agent, { title: 'Hello', slug: 'hello', body: 'Hi {{contact.firstname}}' })
    expect(withPlaceholder.status).toBe(422)
    expect(await withPlaceholder.text()).toContain('placeholders ({{contact.firstname}}) do not work')
  })
})

describe('meeting links', () => {
  it('are each user’s own, and the team’s are managed by admins', async () => {
    const { conversationId, agent, admin } = await seeded()
    const own = await post('/settings/meetings', agent, { name: 'Book me', url: 'https://cal.example.test/kim' })
    expect(own.status).toBe(201)
    const ownId = /id="meetings-row-([a-z0-9]+)"/.exec(await own.text())![1]!
    expect((await post('/settings/meetings', agent, { name: 'Team', url: 'https://cal.example.test/team', team: '1' })).status).toBe(403)
    expect((await post('/settings/meetings', agent, { name: 'Plain', url: 'http://cal.example.test/kim' })).status).toBe(422)
    expect((await post('/settings/meetings', agent, { name: 'Script', url: 'javascript:alert(1)' })).status).toBe(422)
    const team = await post('/settings/meetings', admin, { name: 'Sales demo', url: 'https://cal.example.test/sales', team: '1' })
    const teamId = /id="meetings-row-([a-z0-9]+)"/.exec(await team.text())![1]!
    expect((await post(`/settings/meetings/${teamId}`, agent, { name: 'Mine now', url: 'https://evil.test' })).status).toBe(403)
    expect((await post(`/settings/meetings/${ownId}`, admin, { name: 'Taken', url: 'https://evil.test' })).status).toBe(404)
    const agentItems = pickerItems(await (await get(`/conversations/${conversationId}/insert/meetings`, agent, 'x')).text())
    expect(agentItems.map((item) => item.label)).toEqual(['Book me', 'Sales demo'])
    expect(agentItems[0]!.html).toBe('<a href="https://cal.example.test/kim" target="_blank" rel="noopener noreferrer nofollow">Book me</a>')
    const adminItems = pickerItems(await (await get(`/conversations/${conversationId}/insert/meetings`, admin, 'x')).text())
    expect(adminItems.map((item) => item.label)).toEqual(['Sales demo'])
    expect((await post(`/settings/meetings/${ownId}/delete`, agent, {})).status).toBe(200)
  })
})

describe('documents', () => {
  async function upload(cookie: string, file: File, path = '/settings/documents', name = '') {
    const body = new FormData()
    body.set('file', file)
    if (name) body.set('name', name)
    return request(path, { method: 'POST', cookie, hx: 'x', body })
  }

  it('upload to R2, download by share link with the same bytes, and vanish from R2 on delete', async () => {
    const { ws, conversationId, agent } = await seeded()
    const bytes = new Uint8Array(3000).map((_, i) => (i * 7) % 256)
    const response = await upload(agent, new File([bytes], 'Prisliste 2026; blå.pdf', { type: 'application/pdf' }))
    expect(response.status).toBe(201)
    const html = await response.text()
    const share = /href="(\/d\/[a-z0-9]+)"/.exec(html)![1]!
    const id = /id="documents-row-([a-z0-9]+)"/.exec(html)![1]!
    const [row] = await db().select().from(documents).where(eq(documents.id, id))
    expect(row).toMatchObject({
      accountId: ws.accountId,
      name: 'Prisliste 2026; blå.pdf',
      contentType: 'application/pdf',
      sizeBytes: 3000,
      r2Key: `documents/${ws.accountId}/${id}`,
    })
    const download = await get(share)
    expect(download.status).toBe(200)
    expect(download.headers.get('Content-Type')).toBe('application/pdf')
    expect(download.headers.get('Content-Disposition')).toBe(
      `attachment; filename="Prisliste 2026_ bl_.pdf"; filename*=UTF-8''Prisliste%202026%3B%20bl%C3%A5.pdf`,
    )
    expect(download.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(download.headers.get('Content-Security-Policy')).toContain("script-src 'self'")
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes)
    // The picker inserts a link card to the share link.
    const [item] = pickerItems(await (await get(`/conversations/${conversationId}/insert/documents?q=prisliste`, agent, 'x')).text())
    expect(item!.html).toContain(`<a href="${origin}${share}"`)
    expect(item!.html).toContain('<div class="link-card-kind">Document</div>')
    expect(await env.ATTACHMENTS.head(row!.r2Key)).not.toBeNull()
    expect((await post(`/settings/documents/${id}/delete`, agent, {})).status).toBe(200)
    expect(await env.ATTACHMENTS.head(row!.r2Key)).toBeNull()
    expect((await get(share)).status).toBe(404)
  })

  it('are sent as bytes, never as a page, whatever type was declared', async () => {
    const { agent } = await seeded()
    for (const type of ['text/html', 'image/svg+xml', 'application/xhtml+xml', 'text/xml', 'application/javascript', 'bogus type']) {
      const html = await (await upload(agent, new File(['<script>alert(1)</script>'], 'x.html', { type }))).text()
      const share = /href="(\/d\/[a-z0-9]+)"/.exec(html)![1]!
      const download = await get(share)
      expect(download.headers.get('Content-Type'), type).toBe('application/octet-stream')
      expect(download.headers.get('Content-Disposition')).toMatch(/^attachment;/)
    }
  })

  it('are refused when missing, empty or over 25 MiB, and can be uploaded from the picker', async () => {
    const { conversationId, agent } = await seeded()
    const empty = await upload(agent, new File([], 'empty.txt'))
    expect(empty.status).toBe(422)
    const big = await upload(agent, new File([new Uint8Array(25 * 1024 * 1024 + 1)], 'big.bin'))
    expect(big.status).toBe(422)
    expect(await big.text()).toContain('at most 25 MB')
    const fromPicker = await upload(agent, new File(['hello'], 'hello.txt', { type: 'text/plain' }), `/conversations/${conversationId}/insert/documents`)
    expect(fromPicker.status).toBe(201)
    const html = await fromPicker.text()
    expect(html).toContain('Uploaded hello.txt.')
    expect(pickerItems(html)[0]!.label).toBe('hello.txt')
    expect((await upload(agent, new File([], 'e.txt'), `/conversations/${conversationId}/insert/documents`)).status).toBe(422)
  })
})

describe('link cards', () => {
  it('make a card from an http(s) URL and refuse javascript: and data: URLs', async () => {
    const { conversationId, agent } = await seeded()
    const base = `/conversations/${conversationId}/insert/link`
    const form = await (await get(base, agent, 'x')).text()
    expect(form).toContain(`hx-get="${base}"`)
    expect(pickerItems(form)).toEqual([])
    const video = await get(
      `${base}?kind=video&url=${encodeURIComponent('https://video.example.test/watch?v=1&t=2')}&title=${encodeURIComponent('Setting up <your> tent')}`,
      agent,
      'x',
    )
    expect(video.status).toBe(200)
    const [item] = pickerItems(await video.text())
    expect(item!.html).toBe(
      '<div class="link-card"><div class="link-card-kind">Video</div><a href="https://video.example.test/watch?v=1&amp;t=2" target="_blank" rel="noopener noreferrer nofollow" class="link-card-link"><div class="link-card-title">Setting up &lt;your&gt; tent</div></a><div class="link-card-url">video.example.test</div></div>',
    )
    const quote = pickerItems(await (await get(`${base}?kind=quote&url=${encodeURIComponent('http://quotes.example.test/q/1')}&title=`, agent, 'x')).text())[0]!
    expect(quote.html).toContain('<div class="link-card-kind">Quote</div>')
    expect(quote.label).toBe('quotes.example.test')
    for (const bad of [
      'javascript:alert(1)',
      ' JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:x',
      '//evil.test',
      '/relative',
      'https://user:pw@evil.test',
    ]) {
      const response = await get(`${base}?kind=video&url=${encodeURIComponent(bad)}&title=x`, agent, 'x')
      expect(response.status, bad).toBe(422)
      const html = await response.text()
      expect(pickerItems(html), bad).toEqual([])
      expect(html).toContain('starts with https:// or http://')
    }
  })
})

describe('hostile content', () => {
  it('never comes back raw from settings pages, pickers or public pages', async () => {
    const { ws, conversationId, agent } = await seeded()
    for (const [index, payload] of xssPayloads.entries()) {
      const plain = payload.replace(/\{\{.*?\}\}/g, '')
      const saved = [
        await post('/settings/snippets', agent, { name: payload, shortcut: `x${index}`, body: `<p>Hi</p>${payload}` }),
        await post('/settings/templates', agent, { name: payload, subject: plain, body: `<p>x</p>${payload}` }),
        await post('/settings/articles', agent, { title: plain, slug: `a${index}`, body: `<p>x</p>${plain}`, published: '1' }),
        await post('/settings/meetings', agent, { name: payload, url: 'https://cal.example.test/x' }),
      ]
      const body = new FormData()
      body.set('file', new File(['x'], `${payload}.txt`, { type: 'text/plain' }))
      saved.push(await request('/settings/documents', { method: 'POST', cookie: agent, hx: 'x', body }))
      expect(
        saved.map((response) => response.status),
        payload,
      ).toEqual([201, 201, 201, 201, 201])
    }
    const pages = [
      '/settings/snippets',
      '/settings/templates',
      '/settings/articles',
      '/settings/meetings',
      '/settings/documents',
      ...xssPayloads.map((_, index) => `/kb/${ws.accountId}/a${index}`),
    ]
    for (const path of pages) {
      const response = await get(path, agent)
      expect(response.status, path).toBe(200)
      expectInert(await response.text())
    }
    for (const kind of ['snippets', 'templates', 'articles', 'meetings', 'documents']) {
      const html = await (await get(`/conversations/${conversationId}/insert/${kind}`, agent, 'x')).text()
      expectInert(html)
      const items = pickerItems(html)
      // The snippet picker shows ten at most (it runs on every keystroke).
      expect(items.length, kind).toBeGreaterThanOrEqual(kind === 'snippets' ? 10 : xssPayloads.length)
      // What the editor will insert is itself inert once the attribute is decoded.
      for (const item of items) expectInert(item.html)
    }
    // The edit form shows the stored, sanitised body: a textarea holds it as text.
    const [stored] = await db()
      .select()
      .from(snippets)
      .where(and(eq(snippets.accountId, ws.accountId), eq(snippets.shortcut, 'x1')))
    const id = stored!.id
    const edit = await (await get(`/settings/snippets/${id}`, agent)).text()
    expectInert(edit)
    expect(stored!.body).toBe('<p>Hi</p>')
  })
})
