import { env } from 'cloudflare:test'
import { desc, eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { attachments, messages, notifications, users } from '../../src/db/schema'
import { newId } from '../../src/lib/ids'
import { ingestInbound } from '../../src/channels/pipeline'
import { draftsOf, saveDraft } from '../../src/services/drafts'
import { recordingNotifier } from '../shared/workspace'
import { db, form, login, request, workspace } from './helpers'

/** A workspace with an email conversation, the agent Kim and the admin Alex logged in. */
async function seeded() {
  const ws = await workspace()
  const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
  const tent = await ingestInbound(deps, ws.channels.email, {
    externalId: `t-${ws.tag}`,
    from: { email: 'maja@fjord.no', name: 'Maja Nilsen' },
    subject: 'Damaged tent',
    text: 'The rain fly of my tent is torn.',
  })
  return { ws, conversationId: tent.conversationId, kim: await login(ws.users.agent.email), alex: await login(ws.users.admin.email) }
}

const post = (conversationId: string, cookie: string, body: URLSearchParams | FormData) =>
  request(`/conversations/${conversationId}/messages`, { method: 'POST', cookie, hx: 'composer', body })

const thread = (conversationId: string) => db().select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(desc(messages.seq))

/**
 * A database that refuses one write, as a full disk or a broken constraint would: a trigger that
 * aborts the statement (and so the transaction it runs in) when the row carries this text.
 */
async function refuseInsertsInto(table: 'messages' | 'notifications', column: 'text' | 'excerpt', marker: string) {
  const name = `refuse_${table}_${marker.replace(/[^a-z0-9]/g, '')}`
  await db().run(
    sql.raw(`create trigger ${name} before insert on ${table} when new.${column} like '%${marker}%' begin select raise(abort, 'refused for the test'); end`),
  )
}

describe('posting a reply or comment', () => {
  it('a reply that cannot be stored leaves no file in storage, keeps the draft, and the thread as it was', async () => {
    const { ws, conversationId, kim } = await seeded()
    await saveDraft(db(), { userId: ws.users.agent.id, conversationId, kind: 'reply', html: '<p>The receipt boom</p>', fields: {} })
    await refuseInsertsInto('messages', 'text', `boom${ws.tag}`)
    const body = new FormData()
    for (const [key, value] of Object.entries({ kind: 'message', text: `The receipt boom${ws.tag}`, to: 'maja@fjord.no' })) body.set(key, value)
    body.set('attachments', new File(['order 42'], 'receipt.txt', { type: 'text/plain' }))
    const response = await post(conversationId, kim, body)
    expect(response.status).toBe(500)
    await response.body?.cancel()
    expect((await thread(conversationId)).map((message) => message.text)).toEqual(['The rain fly of my tent is torn.'])
    const files = await env.ATTACHMENTS.list({ prefix: `${ws.accountId}/${conversationId}/attachments/` })
    expect(files.objects).toEqual([])
    expect((await draftsOf(db(), ws.users.agent.id, conversationId)).reply?.html).toBe('<p>The receipt boom</p>')
  })

  it('a comment whose mentions cannot be recorded is not stored either: the agent is told, and sends it again', async () => {
    const { ws, conversationId, kim } = await seeded()
    await refuseInsertsInto('notifications', 'excerpt', `boom${ws.tag}`)
    const response = await post(conversationId, kim, form({ kind: 'comment', text: `@Alex boom${ws.tag}` }))
    expect(response.status).toBe(500)
    await response.body?.cancel()
    expect(await thread(conversationId)).toHaveLength(1)
    expect(await db().select().from(notifications).where(eq(notifications.userId, ws.users.admin.id))).toEqual([])
  })

  it('stores a reply with its file, marked for sending, and the composer comes back without the sent draft but with the other', async () => {
    const { ws, conversationId, kim } = await seeded()
    await saveDraft(db(), { userId: ws.users.agent.id, conversationId, kind: 'reply', html: '<p>Here it is</p>', fields: {} })
    await saveDraft(db(), { userId: ws.users.agent.id, conversationId, kind: 'comment', html: '<p>Note for Alex</p>', fields: {} })
    const body = new FormData()
    for (const [key, value] of Object.entries({ kind: 'message', text: 'Here it is', to: 'maja@fjord.no', seenSeq: '1' })) body.set(key, value)
    body.set('attachments', new File(['order 42'], 'receipt.txt', { type: 'text/plain' }))
    const response = await post(conversationId, kim, body)
    expect(response.status).toBe(201)
    const html = await response.text()
    expect(html).toContain('receipt.txt')
    // The fresh composer's drafts: the sent reply's is gone, the comment's stays.
    expect(html).toContain('data-drafts="{&quot;reply&quot;:&quot;&quot;,&quot;comment&quot;:&quot;&lt;p&gt;Note for Alex&lt;/p&gt;&quot;}"')
    const [reply] = await thread(conversationId)
    expect(reply).toMatchObject({ seq: 2, kind: 'message', text: 'Here it is', authorUserId: ws.users.agent.id })
    expect(['pending', 'sent']).toContain(reply!.deliveryStatus)
    expect(html).toContain('name="seenSeq" value="2"')
    const rows = await db().select().from(attachments).where(eq(attachments.messageId, reply!.id))
    expect(rows.map((row) => row.filename)).toEqual(['receipt.txt'])
    expect(reply!.metadata.attachments).toEqual([expect.objectContaining({ id: rows[0]!.id, filename: 'receipt.txt' })])
    expect(await env.ATTACHMENTS.get(rows[0]!.r2Key)).not.toBeNull()
    const drafts = await draftsOf(db(), ws.users.agent.id, conversationId)
    expect(drafts.reply).toBeUndefined()
    expect(drafts.comment?.html).toBe('<p>Note for Alex</p>')
  })

  it('a comment mentioning 15 teammates notifies all 15, each pointing at the comment (more rows than one insert may bind)', async () => {
    const { ws, conversationId, kim } = await seeded()
    const team = Array.from({ length: 15 }, (_, index) => ({
      id: newId(),
      accountId: ws.accountId,
      name: `Teammate ${String.fromCharCode(97 + index)}`,
      email: `mate${index}.${ws.tag}@example.test`,
      passwordHash: 'x',
      createdAt: Date.now(),
    }))
    for (const user of team) await db().insert(users).values(user)
    const html = `<p>${team.map((user) => `<span class="mention" data-user-id="${user.id}">@${user.name}</span>`).join(' ')}</p>`
    const response = await post(conversationId, kim, form({ kind: 'comment', html }))
    expect(response.status).toBe(201)
    await response.body?.cancel()
    const [stored] = await thread(conversationId)
    const rows = await db().select().from(notifications).where(eq(notifications.messageId, stored!.id))
    expect(rows.map((row) => row.userId).sort()).toEqual(team.map((user) => user.id).sort())
    expect(stored!.metadata.mentions).toHaveLength(15)
  })

  it('two agents commenting at once each get a seq of their own, their own message back, and their mentions point at it', async () => {
    const { ws, conversationId, kim, alex } = await seeded()
    const texts = Array.from({ length: 6 }, (_, index) => (index % 2 ? `@Kim look ${index}` : `@Alex look ${index}`))
    const responses = await Promise.all(texts.map((text, index) => post(conversationId, index % 2 ? alex : kim, form({ kind: 'comment', text }))))
    const bodies = await Promise.all(responses.map((response) => response.text()))
    expect(responses.map((response) => response.status)).toEqual(texts.map(() => 201))
    const stored = await thread(conversationId)
    expect(stored.map((message) => message.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7])
    for (const [index, text] of texts.entries()) {
      const message = stored.find((row) => row.text === text)!
      expect(bodies[index]).toContain(`id="msg-${message.id}"`)
      expect(bodies[index]).toContain(`name="seenSeq" value="${message.seq}"`)
      const [notification] = await db().select().from(notifications).where(eq(notifications.messageId, message.id))
      expect(notification).toMatchObject({ userId: index % 2 ? ws.users.agent.id : ws.users.admin.id, conversationId })
    }
  })
})
