import { env, SELF } from 'cloudflare:test'
import { and, eq } from 'drizzle-orm'
import { Parser } from 'htmlparser2'
import { simpleParser } from 'mailparser'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { channels, drafts, messages } from '../../src/db/schema'
import { buildMail } from '../shared/email-fixtures'
import { db, emailMessage, form, login, origin, request, workspace } from './helpers'

type Workspace = Awaited<ReturnType<typeof workspace>>

async function emailThread() {
  const ws = await workspace()
  const support = `support.${ws.tag}@example.test`
  const raw = buildMail({ from: 'Ola Nordmann <ola@example.no>', to: support, subject: 'Order 1042', messageId: `first.${ws.tag}@example.no` })
  const { message, state } = emailMessage(raw, 'ola@example.no', support)
  await worker.email(message, env)
  if (state.rejected) throw new Error(`rejected: ${state.rejected}`)
  const [first] = await db()
    .select()
    .from(messages)
    .where(eq(messages.externalId, `first.${ws.tag}@example.no`))
  return { ws, conversationId: first!.conversationId, cookie: await login(ws.users.agent.email) }
}

async function newestOut(conversationId: string, kind: 'message' | 'comment' = 'message') {
  const rows = await db()
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'out'), eq(messages.kind, kind)))
  return rows.sort((a, b) => b.seq - a.seq)[0]!
}

async function delivered(messageId: number, timeoutMs = 10_000) {
  const started = Date.now()
  for (;;) {
    const [row] = await db().select().from(messages).where(eq(messages.id, messageId))
    if (row && (row.deliveryStatus === 'sent' || row.deliveryStatus === 'failed')) return row
    if (Date.now() - started > timeoutMs) throw new Error(`message ${messageId} still ${row?.deliveryStatus}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const post = (conversationId: string, cookie: string, values: Record<string, string>) =>
  request(`/conversations/${conversationId}/messages`, { method: 'POST', cookie, hx: 'composer', body: form(values) })

const putDraft = (conversationId: string, cookie: string, values: Record<string, string>) =>
  request(`/conversations/${conversationId}/draft`, { method: 'PUT', cookie, body: form(values) })

const threadPage = async (ws: Workspace, conversationId: string, cookie: string) =>
  (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()

/** Every element and attribute in a fragment, parsed the way a browser tokenises it. */
function elementsOf(html: string) {
  const found: { tag: string; attributes: Record<string, string> }[] = []
  const parser = new Parser(
    { onopentag: (tag, attributes) => found.push({ tag, attributes }) },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  )
  parser.write(html)
  parser.end()
  return found
}

function elementsToHtml(elements: { tag: string; attributes: Record<string, string> }[]) {
  const quote = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')
  return elements
    .map(
      ({ tag, attributes }) =>
        `<${tag}${Object.entries(attributes)
          .map(([name, value]) => ` ${name}="${quote(value)}"`)
          .join('')}>`,
    )
    .join('')
}

/** What must never reach a page from agent-written HTML. */
function activeContentIn(html: string): string[] {
  const problems: string[] = []
  for (const { tag, attributes } of elementsOf(html)) {
    if (['script', 'iframe', 'object', 'embed', 'svg', 'math', 'img', 'style', 'link', 'meta', 'base', 'form', 'frame'].includes(tag)) problems.push(`<${tag}>`)
    for (const [name, value] of Object.entries(attributes)) {
      if (name.startsWith('on')) problems.push(`${tag}[${name}]`)
      if (name === 'style' || name === 'srcdoc' || name === 'formaction') problems.push(`${tag}[${name}]`)
      if (['href', 'src', 'action', 'xlink:href'].includes(name) && /^\s*(javascript|data|vbscript):/i.test(value.replace(/[\u0000-\u0020]/g, '')))
        problems.push(`${tag}[${name}=${value}]`)
    }
  }
  return problems
}

/** The agent-written blocks (`.message-rich`) of a page, each as the elements inside it. */
function richBlocksOf(html: string) {
  const blocks: { tag: string; attributes: Record<string, string> }[][] = []
  let depth = 0
  const parser = new Parser(
    {
      onopentag(tag, attributes) {
        if (depth > 0) {
          depth++
          blocks[blocks.length - 1]!.push({ tag, attributes })
        } else if ((attributes.class ?? '').split(' ').includes('message-rich')) {
          depth = 1
          blocks.push([])
        }
      },
      onclosetag() {
        // Void and implied ends come through here too, so the depth stays balanced.
        if (depth > 0) depth--
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  )
  parser.write(html)
  parser.end()
  return blocks
}

const allowedInRichText = new Set(['p', 'br', 'strong', 'em', 'u', 's', 'ul', 'ol', 'li', 'a', 'code', 'pre', 'blockquote', 'h2', 'h3', 'h4', 'span', 'div'])

/** The page as a whole: whatever else it shows (an inbound email's sandboxed frame), no handlers and no script URLs. */
function handlersIn(html: string): string[] {
  return activeContentIn(html).filter((problem) => !problem.startsWith('<'))
}

const xssPayloads = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=2">',
  '<svg onload="window.__xss=3"><circle r=1></circle></svg>',
  '<a href="javascript:window.__xss=4">click me</a>',
  '<a href="JaVaScRiPt&colon;window.__xss=5">encoded</a>',
  '<a href=" &#x6A;avascript:window.__xss=6">entity</a>',
  '<a href="java\tscript:window.__xss=7">tab</a>',
  '<iframe srcdoc="<script>parent.__xss=8</script>"></iframe>',
  '<p style="background:url(javascript:window.__xss=9); width: expression(window.__xss=10)">styled</p>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
  '<object data="data:text/html,<script>window.__xss=11</script>"></object>',
  '<embed src="javascript:window.__xss=12">',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=13">',
  '<p onclick="window.__xss=14" onmouseover="window.__xss=15">hover</p>',
  '<details open ontoggle="window.__xss=16"><summary>x</summary></details>',
  '<form action="javascript:window.__xss=17"><button>go</button></form>',
  '<span class="mention" data-user-id="x&quot; onmouseover=&quot;window.__xss=18">@Evil</span>',
  '<div class="link-card"><a class="link-card-link" href="javascript:window.__xss=19">card</a></div>',
  '<noscript><p title="</noscript><img src=x onerror=window.__xss=20>"></noscript>',
  '<base href="javascript:/">',
  '<!--<img src=x onerror=window.__xss=21>-->',
  '<style>@import "javascript:window.__xss=22"</style>',
  '<video><source onerror="window.__xss=23"></video>',
  '<a href="vbscript:msgbox(1)">vb</a>',
]

describe('rich-text replies', () => {
  it('an email reply written in the editor is stored sanitised, shown inline, and sent as HTML with a plain-text alternative', async () => {
    const { ws, conversationId, cookie } = await emailThread()
    const html =
      '<p>Hello <b>Ola</b>,</p><ul><li>blue one</li><li style="color:red" class="x">red one</li></ul><p>See <a href="https://example.no/orders/1042" onclick="x()">your order</a>.</p><script>bad()</script>'
    const response = await post(conversationId, cookie, { kind: 'message', html, text: 'ignored when html is sent', to: 'ola@example.no', seenSeq: '1' })
    expect(response.status).toBe(201)
    const body = await response.text()
    const stored = await newestOut(conversationId)
    expect(stored.html).toBe(
      '<p>Hello <strong>Ola</strong>,</p><ul><li>blue one</li><li>red one</li></ul><p>See <a href="https://example.no/orders/1042" target="_blank" rel="noopener noreferrer nofollow">your order</a>.</p>',
    )
    expect(stored.text).toBe('Hello Ola,\n\n- blue one\n- red one\n\nSee your order <https://example.no/orders/1042>.')
    expect(stored.metadata).toMatchObject({ richText: true })
    // Shown inline in the thread (no frame), formatting kept.
    expect(body).toContain('<div class="message-text message-rich"><p>Hello <strong>Ola</strong>,</p><ul><li>blue one</li>')
    expect(richBlocksOf(body)).toHaveLength(1)
    const page = await threadPage(ws, conversationId, cookie)
    expect(page).toContain('<div class="message-text message-rich"><p>Hello <strong>Ola</strong>,</p>')

    const sent = await delivered(stored.id)
    expect(sent.deliveryStatus).toBe('sent')
    const raw = await (await env.ATTACHMENTS.get(sent.rawKey!))!.text()
    expect(raw).toMatch(/multipart\/alternative/i)
    const mail = await simpleParser(raw)
    expect(mail.html).toContain('<p>Hello <strong>Ola</strong>,</p><ul><li>blue one</li><li>red one</li></ul>')
    expect(mail.html).not.toMatch(/<script|onclick|style=/i)
    expect(mail.text?.trim()).toBe('Hello Ola,\n\n- blue one\n- red one\n\nSee your order <https://example.no/orders/1042>.')
  })

  it('a chat visitor receives the plain-text form of a formatted reply', async () => {
    const ws = await workspace()
    const siteOrigin = 'https://shop.example'
    await db()
      .update(channels)
      .set({ settings: { allowedOrigins: [siteOrigin] } })
      .where(eq(channels.id, ws.channels.chat.id))
    const session = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/session`, {
      method: 'POST',
      headers: { Origin: siteOrigin, 'Content-Type': 'application/json' },
      body: '{}',
    })
    const visit = (await session.json()) as { token: string; conversationId: string }
    const socketResponse = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/ws?token=${encodeURIComponent(visit.token)}&after=0`, {
      headers: { Upgrade: 'websocket', Origin: siteOrigin },
    })
    const socket = socketResponse.webSocket!
    socket.accept()
    const frames: { type: string; message?: { from: string; text: string } }[] = []
    socket.addEventListener('message', (event) => frames.push(JSON.parse(event.data as string)))
    socket.send(JSON.stringify({ type: 'message', clientId: 'q1', text: 'Do you ship to Iceland?' }))
    const until = async (test: () => boolean) => {
      for (let i = 0; i < 100 && !test(); i++) await new Promise((resolve) => setTimeout(resolve, 50))
      expect(test()).toBe(true)
    }
    await until(() => frames.some((frame) => frame.type === 'ack'))
    const cookie = await login(ws.users.agent.email)
    const reply = await post(visit.conversationId, cookie, {
      kind: 'message',
      html: '<p>Yes, <strong>in 4–6 days</strong>.</p><ol><li>Order</li><li>Track</li></ol>',
      seenSeq: '1',
    })
    expect(reply.status).toBe(201)
    await until(() => frames.some((frame) => frame.message?.from === 'agent'))
    const agentFrame = frames.find((frame) => frame.message?.from === 'agent')!
    expect(agentFrame.message!.text).toBe('Yes, in 4–6 days.\n\n1. Order\n2. Track')
    expect(JSON.stringify(frames)).not.toContain('<strong>')
    socket.close(1000)
  })

  it('a comment keeps its sanitised HTML, mentions included', async () => {
    const { conversationId, cookie } = await emailThread()
    const response = await post(conversationId, cookie, {
      kind: 'comment',
      html: '<p>Ask <span class="mention" data-user-id="abc123" onclick="x()">@Alex</span> about <em>VAT</em> <code>NO 999</code></p><pre>line 1\nline 2</pre>',
    })
    expect(response.status).toBe(201)
    const comment = await newestOut(conversationId, 'comment')
    expect(comment.html).toBe(
      '<p>Ask <span class="mention" data-user-id="abc123">@Alex</span> about <em>VAT</em> <code>NO 999</code></p><pre>line 1\nline 2</pre>',
    )
    expect(comment.text).toBe('Ask @Alex about VAT NO 999\n\nline 1 line 2')
    expect(comment.deliveryStatus).toBe('none')
    expect(await response.text()).toContain('<span class="mention" data-user-id="abc123">@Alex</span>')
  })

  it('refuses HTML that is empty once sanitised, with the form and its message', async () => {
    const { conversationId, cookie } = await emailThread()
    for (const html of ['', '<p><br></p>', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>']) {
      const response = await post(conversationId, cookie, { kind: 'comment', html })
      expect(response.status).toBe(422)
      const body = await response.text()
      expect(body).toContain('Write something first.')
      expect(body).toContain('id="composer"')
      expect(handlersIn(body)).toEqual([])
      const kept = elementsOf(body).find((element) => 'data-editor-html' in element.attributes)!.attributes.value ?? ''
      expect(activeContentIn(kept)).toEqual([])
      expect(kept).not.toMatch(/script|onerror|alert/i)
    }
    const tooLong = await post(conversationId, cookie, { kind: 'comment', html: `<p>${'a'.repeat(20_001)}</p>` })
    expect(tooLong.status).toBe(422)
    expect(await tooLong.text()).toContain('That message is too long.')
  })

  it('XSS payloads posted as HTML never come back with scripts, handlers or javascript: URLs', async () => {
    const { ws, conversationId, cookie } = await emailThread()
    const html = xssPayloads.map((payload, index) => `<p>payload ${index}: ${payload}</p>`).join('')
    const reply = await post(conversationId, cookie, { kind: 'message', html, to: 'ola@example.no', seenSeq: '1' })
    expect(reply.status).toBe(201)
    const comment = await post(conversationId, cookie, { kind: 'comment', html })
    expect(comment.status).toBe(201)
    for (const kind of ['message', 'comment'] as const) {
      const stored = await newestOut(conversationId, kind)
      expect(activeContentIn(stored.html!)).toEqual([])
      expect(stored.html).not.toMatch(/javascript:|vbscript:|data:text|onerror|onload|onclick|srcdoc|expression\(/i)
      expect(stored.html).toContain('click me')
    }
    const rendered = [await reply.text(), await comment.text(), await threadPage(ws, conversationId, cookie)]
    for (const page of rendered) {
      const blocks = richBlocksOf(page)
      expect(blocks.length).toBeGreaterThan(0)
      for (const block of blocks) {
        expect(block.filter((element) => !allowedInRichText.has(element.tag))).toEqual([])
        expect(activeContentIn(elementsToHtml(block))).toEqual([])
      }
      expect(handlersIn(page)).toEqual([])
    }
    // A draft of the same is stored sanitised, and the composer shows it inert.
    expect((await putDraft(conversationId, cookie, { kind: 'comment', html })).status).toBe(200)
    const [draft] = await db().select().from(drafts).where(eq(drafts.conversationId, conversationId))
    expect(activeContentIn(draft!.html)).toEqual([])
    expect(draft!.html).not.toMatch(/javascript:|onerror|srcdoc/i)
  })
})

describe('drafts', () => {
  it('are saved per user, come back with the thread, and are cleared by sending', async () => {
    const { ws, conversationId, cookie } = await emailThread()
    const saved = await putDraft(conversationId, cookie, {
      kind: 'reply',
      html: '<p>Half-written <b>answer</b><img src=x onerror=alert(1)></p>',
      to: 'ola@example.no, kari@example.no',
      cc: '',
      seenSeq: '1',
    })
    expect(saved.status).toBe(200)
    expect(await saved.json()).toMatchObject({ saved: true })
    expect((await putDraft(conversationId, cookie, { kind: 'comment', html: '<p>Note to self</p>' })).status).toBe(200)

    const [row] = await db()
      .select()
      .from(drafts)
      .where(and(eq(drafts.conversationId, conversationId), eq(drafts.kind, 'reply')))
    expect(row!.html).toBe('<p>Half-written <strong>answer</strong></p>')
    expect(row!.fields).toEqual({ to: 'ola@example.no, kari@example.no', cc: '' })

    // A reload shows it: the editor's starting HTML, the plain fallback, the recipients.
    const page = await threadPage(ws, conversationId, cookie)
    expect(page).toContain('value="&lt;p&gt;Half-written &lt;strong&gt;answer&lt;/strong&gt;&lt;/p&gt;"')
    expect(page).toMatch(/<textarea name="text"[^>]*>Half-written answer<\/textarea>/)
    expect(page).toContain('value="ola@example.no, kari@example.no"')
    expect(page).toContain('Note to self')

    // Another agent sees none of it.
    const other = await threadPage(ws, conversationId, await login(ws.users.admin.email))
    expect(other).not.toContain('Half-written')
    expect(other).not.toContain('Note to self')
    expect(other).not.toContain('kari@example.no')

    // A form sent back with an error still knows the other draft (for the Comment tab).
    const refused = await post(conversationId, cookie, { kind: 'message', html: '<p> </p>', to: 'ola@example.no', seenSeq: '1' })
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('Note to self')

    // Sending the reply clears the reply draft; the comment draft stays.
    const sent = await post(conversationId, cookie, { kind: 'message', html: '<p>Final answer</p>', to: 'ola@example.no', seenSeq: '1' })
    expect(sent.status).toBe(201)
    const left = await db().select().from(drafts).where(eq(drafts.conversationId, conversationId))
    expect(left.map((draft) => draft.kind)).toEqual(['comment'])
    const after = await threadPage(ws, conversationId, cookie)
    expect(after).not.toContain('Half-written')
    expect(after).toContain('Note to self')
    // The fresh composer after a send carries the remaining draft for the Comment tab.
    expect(await sent.text()).toContain('Note to self')
  })

  it('an emptied editor deletes the draft; bad kinds, huge drafts and other accounts are refused', async () => {
    const { conversationId, cookie } = await emailThread()
    await putDraft(conversationId, cookie, { kind: 'comment', html: '<p>soon gone</p>' })
    const emptied = await putDraft(conversationId, cookie, { kind: 'comment', html: '<p><br></p>' })
    expect(await emptied.json()).toMatchObject({ saved: false })
    expect(await db().select().from(drafts).where(eq(drafts.conversationId, conversationId))).toEqual([])

    expect((await putDraft(conversationId, cookie, { kind: 'note', html: '<p>x</p>' })).status).toBe(422)
    expect((await putDraft(conversationId, cookie, { kind: 'reply', html: `<p>${'x'.repeat(200_001)}</p>` })).status).toBe(413)

    const stranger = await workspace()
    const strangerCookie = await login(stranger.users.agent.email)
    expect((await putDraft(conversationId, strangerCookie, { kind: 'reply', html: '<p>hi</p>' })).status).toBe(404)
    expect((await request(`/conversations/${conversationId}/draft`, { method: 'PUT', body: form({ kind: 'reply', html: 'x' }) })).status).not.toBe(200)
  })
})
