import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { articles, companies, contacts, documents, emailTemplates, snippets } from '../../src/db/schema'
import { ingestInbound } from '../../src/channels/pipeline'
import { newId } from '../../src/lib/ids'
import { likePattern, maxLikePatternBytes } from '../../src/lib/like'
import { recordingNotifier } from '../shared/workspace'
import { db, login, request, workspace } from './helpers'

/** What agents can type into a search box or filter; none of it may ever answer 500. */
const hostileQueries = [
  'é'.repeat(60),
  'x'.repeat(200),
  `${'ø'.repeat(100)} ${'å'.repeat(100)}`,
  '😀'.repeat(30),
  '%',
  '_',
  '\\',
  '%%__\\\\',
  'a\u0000b',
  '\u0000',
  '"',
  "'",
  `"'; drop table users; --`,
  '*',
  'tent*',
  'NEAR(tent rain)',
  'tent AND rain',
  'tent OR',
  'NOT tent',
  '-tent',
  '^tent',
  'subject:tent',
  '(',
  ')',
  '{}',
  '"unterminated',
  '\u0001\u001f\u007f',
]

async function seeded() {
  const ws = await workspace()
  const nowMs = Date.now()
  const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
  const { conversationId } = await ingestInbound(deps, ws.channels.email, {
    externalId: `m-${newId()}`,
    from: { email: `maja.${ws.tag}@fjord.no`, name: 'Maja Nilsen' },
    subject: 'Damaged tent',
    text: 'The rain fly of my tent is torn.',
  })
  const content = (name: string) => ({ id: newId(), accountId: ws.accountId, createdAt: nowMs, updatedAt: nowMs, name })
  await db().batch([
    db()
      .insert(snippets)
      .values([
        { ...content('Discount 100% off'), shortcut: 'discount', body: 'x' },
        { ...content('Discount 1000 off'), shortcut: 'discount-big', body: 'x' },
        { ...content('Order a_b'), shortcut: 'order-ab', body: 'x' },
        { ...content('Order axb'), shortcut: 'order-axb', body: 'x' },
      ]),
    db()
      .insert(emailTemplates)
      .values([
        { ...content('Template 100% off'), subject: 'x', body: 'x' },
        { ...content('Template 1000 off'), subject: 'x', body: 'x' },
      ]),
    db()
      .insert(articles)
      .values([
        { id: newId(), accountId: ws.accountId, createdAt: nowMs, updatedAt: nowMs, title: 'Article 100% off', slug: 'a1', body: 'x' },
        { id: newId(), accountId: ws.accountId, createdAt: nowMs, updatedAt: nowMs, title: 'Article 1000 off', slug: 'a2', body: 'x' },
      ]),
    db()
      .insert(documents)
      .values([
        {
          id: newId(),
          accountId: ws.accountId,
          createdAt: nowMs,
          name: 'price_list.pdf',
          r2Key: 'k1',
          contentType: 'application/pdf',
          sizeBytes: 1,
          shareToken: newId(),
        },
        {
          id: newId(),
          accountId: ws.accountId,
          createdAt: nowMs,
          name: 'priceXlist.pdf',
          r2Key: 'k2',
          contentType: 'application/pdf',
          sizeBytes: 1,
          shareToken: newId(),
        },
      ]),
    db()
      .insert(contacts)
      .values([
        { id: newId(), accountId: ws.accountId, name: '100% Organic', email: `organic.${ws.tag}@example.test`, createdAt: nowMs },
        { id: newId(), accountId: ws.accountId, name: '1000 Organic', email: `organic2.${ws.tag}@example.test`, createdAt: nowMs },
      ]),
    db()
      .insert(companies)
      .values([
        { id: newId(), accountId: ws.accountId, name: 'a_b Corp', createdAt: nowMs },
        { id: newId(), accountId: ws.accountId, name: 'axb Corp', createdAt: nowMs },
      ]),
  ])
  const agent = await login(ws.users.agent.email)
  return { ws, conversationId, agent }
}

describe('search boxes and pickers with hostile input', () => {
  it('never answer 500, whatever is typed (pickers, contact and company search, inbox search and contact filter)', async () => {
    const { ws, conversationId, agent } = await seeded()
    const paths = (q: string) => {
      const e = encodeURIComponent(q)
      return [
        `/conversations/${conversationId}/insert/snippets?list=1&q=${e}`,
        `/conversations/${conversationId}/insert/templates?list=1&q=${e}`,
        `/conversations/${conversationId}/insert/articles?list=1&q=${e}`,
        `/conversations/${conversationId}/insert/documents?list=1&q=${e}`,
        `/conversations/${conversationId}/contact/search?q=${e}`,
        `/conversations/${conversationId}/cards/company/search?q=${e}`,
        `/conversations/${conversationId}/insert/meetings?list=1&q=${e}`,
        `/conversations/${conversationId}/mentions?q=${e}`,
        `/inbox/${ws.inboxId}/open?q=${e}`,
        `/inbox/${ws.inboxId}/open?q=${e}&sort=relevance`,
        `/inbox/${ws.inboxId}/open?contact=${e}`,
        `/inbox/${ws.inboxId}/open?assignee=${e}`,
        `/inbox/${ws.inboxId}/open?from=${e}&to=${e}`,
        `/inbox/${ws.inboxId}/open?status=${e}&channel=${e}&sort=${e}&inactive=${e}`,
      ]
    }
    const failures: string[] = []
    for (const q of hostileQueries) {
      for (const path of paths(q)) {
        const response = await request(path, { cookie: agent, hx: 'list' })
        await response.arrayBuffer()
        if (response.status >= 500) failures.push(`${response.status} ${path}`)
      }
    }
    expect(failures).toEqual([])
  })

  it('match % and _ literally in every picker and in contact and company search', async () => {
    const { ws, conversationId, agent } = await seeded()
    const text = async (path: string) => {
      const response = await request(path, { cookie: agent, hx: 'list' })
      expect(response.status, path).toBe(200)
      return response.text()
    }
    const snippetsFound = await text(`/conversations/${conversationId}/insert/snippets?list=1&q=${encodeURIComponent('100%')}`)
    expect(snippetsFound).toContain('Discount 100% off')
    expect(snippetsFound).not.toContain('Discount 1000 off')
    const underscore = await text(`/conversations/${conversationId}/insert/snippets?list=1&q=a_b`)
    expect(underscore).toContain('Order a_b')
    expect(underscore).not.toContain('Order axb')
    const templatesFound = await text(`/conversations/${conversationId}/insert/templates?list=1&q=${encodeURIComponent('100%')}`)
    expect(templatesFound).toContain('Template 100% off')
    expect(templatesFound).not.toContain('Template 1000 off')
    const articlesFound = await text(`/conversations/${conversationId}/insert/articles?list=1&q=${encodeURIComponent('100%')}`)
    expect(articlesFound).toContain('Article 100% off')
    expect(articlesFound).not.toContain('Article 1000 off')
    const documentsFound = await text(`/conversations/${conversationId}/insert/documents?list=1&q=e_l`)
    expect(documentsFound).toContain('price_list.pdf')
    expect(documentsFound).not.toContain('priceXlist.pdf')
    const contactsFound = await text(`/conversations/${conversationId}/contact/search?q=${encodeURIComponent('100%')}`)
    expect(contactsFound).toContain('100% Organic')
    expect(contactsFound).not.toContain('1000 Organic')
    const companiesFound = await text(`/conversations/${conversationId}/cards/company/search?q=a_b`)
    expect(companiesFound).toContain('a_b Corp')
    expect(companiesFound).not.toContain('axb Corp')
    void ws
  })

  it('still find by a long accented prefix (the pattern is cut to D1’s limit on a character boundary)', async () => {
    const { ws, conversationId, agent } = await seeded()
    const name = `ærlig ${'å'.repeat(40)} Østby`
    await db()
      .insert(contacts)
      .values({ id: newId(), accountId: ws.accountId, name, email: `aerlig.${ws.tag}@example.test`, createdAt: Date.now() })
    const response = await request(`/conversations/${conversationId}/contact/search?q=${encodeURIComponent(name)}`, { cookie: agent, hx: 'x' })
    expect(response.status).toBe(200)
    expect(await response.text()).toContain(name)
  })
})

describe('likePattern', () => {
  it('escapes the metacharacters and stays within D1’s pattern limit without splitting a character', () => {
    expect(likePattern('50%_\\x', 'contains')).toBe('%50\\%\\_\\\\x%')
    expect(likePattern('ab', 'startsWith')).toBe('ab%')
    expect(likePattern('ab', 'wordStartsWith')).toBe('% ab%')
    for (const shape of ['contains', 'startsWith', 'wordStartsWith'] as const) {
      for (const term of ['é'.repeat(60), '%'.repeat(60), '😀'.repeat(30), 'a'.repeat(200)]) {
        const pattern = likePattern(term, shape)
        const bytes = new TextEncoder().encode(pattern)
        expect(bytes.length).toBeLessThanOrEqual(maxLikePatternBytes)
        expect(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)).toBe(pattern)
        expect(pattern).not.toMatch(/[^\\]\\%$/)
      }
    }
  })
})
