import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, waitOnExecutionContext } from 'cloudflare:test'
import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { messages } from '../../src/db/schema'
import { ingestInbound } from '../../src/channels/pipeline'
const staleDeliveryAfterMs = 15 * 60 * 1000
import { newId } from '../../src/lib/ids'
import { recordingNotifier } from '../shared/workspace'
import { db, login, origin, request, workspace } from './helpers'

async function emailConversation() {
  const ws = await workspace()
  const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
  const { conversationId } = await ingestInbound(deps, ws.channels.email, {
    externalId: `in-${newId()}@example.no`,
    from: { email: `ola.${ws.tag}@example.no`, name: 'Ola Nordmann' },
    subject: 'Where is my order?',
    text: 'It has not arrived.',
  })
  return { ws, conversationId, cookie: await login(ws.users.agent.email) }
}

/** Posts a reply through the worker with a queue that refuses every job (a Queues outage). */
async function replyWhileQueueIsDown(conversationId: string, cookie: string, text: string) {
  const body = new FormData()
  body.set('kind', 'message')
  body.set('text', text)
  const headers = new Headers({ Cookie: cookie, Origin: origin, 'HX-Request': 'true', 'HX-Target': 'composer' })
  const refusing = { ...env, OUTBOUND: { ...env.OUTBOUND, send: async () => Promise.reject(new Error('Queue send failed: internal error')) } }
  const ctx = createExecutionContext()
  const response = await worker.fetch!(
    new Request(`${origin}/conversations/${conversationId}/messages`, { method: 'POST', headers, body }) as Request<unknown, IncomingRequestCfProperties>,
    refusing as Cloudflare.Env,
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return response
}

async function outOf(conversationId: string) {
  const [row] = await db()
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'out'), eq(messages.kind, 'message')))
  if (!row) throw new Error('no outbound message')
  return row
}

/** Makes a pending message look as if it had been waiting since `ageMs` ago. */
async function age(messageId: number, ageMs: number) {
  const then = Date.now() - ageMs
  await db().update(messages).set({ createdAt: then, deliveryUpdatedAt: then }).where(eq(messages.id, messageId))
}

async function runCron(cron = '*/5 * * * *') {
  const ctx = createExecutionContext()
  await worker.scheduled!(createScheduledController({ cron, scheduledTime: Date.now() }), env, ctx)
  await waitOnExecutionContext(ctx)
}

/** Waits for the OUTBOUND queue's consumer (the worker's own queue() in workerd) to finish a message. */
async function delivered(messageId: number, timeoutMs = 10_000) {
  const started = Date.now()
  for (;;) {
    const [row] = await db().select().from(messages).where(eq(messages.id, messageId))
    if (row && (row.deliveryStatus === 'sent' || row.deliveryStatus === 'failed')) return row
    if (Date.now() - started > timeoutMs) throw new Error(`message ${messageId} still ${row?.deliveryStatus} (${row?.deliveryError ?? ''})`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('a send stuck in "Sending…"', () => {
  it('a reply whose queueing failed stays pending; the cron leaves it while fresh, then queues it again and it is sent', async () => {
    const { ws, conversationId, cookie } = await emailConversation()
    const response = await replyWhileQueueIsDown(conversationId, cookie, 'Your order left the warehouse today.')
    expect(response.status).toBe(201)
    expect(await response.text()).toContain('Sending…')
    const stored = await outOf(conversationId)
    expect(stored).toMatchObject({ deliveryStatus: 'pending', deliveryAttempts: 0 })

    // Fresh: not swept, and the thread does not offer "Send again" yet.
    await runCron()
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await outOf(conversationId)).toMatchObject({ deliveryStatus: 'pending', deliveryAttempts: 0 })
    const freshThread = await (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()
    expect(freshThread).not.toContain('Send again')

    await age(stored.id, staleDeliveryAfterMs + 60_000)
    await runCron()
    const sent = await delivered(stored.id)
    expect(sent).toMatchObject({ deliveryStatus: 'sent', deliveryAttempts: 1 })
    expect(sent.rawKey).toBeTruthy()
  })

  it('shows "Send again" on a send stuck past the deadline, which sends it; a fresh pending one cannot be re-sent by hand', async () => {
    const { ws, conversationId, cookie } = await emailConversation()
    await replyWhileQueueIsDown(conversationId, cookie, 'Stuck reply')
    const stored = await outOf(conversationId)
    const retryPath = `/conversations/${conversationId}/messages/${stored.id}/retry`
    const early = await request(retryPath, { method: 'POST', cookie, hx: `msg-${stored.id}` })
    expect(early.status).toBe(409)

    await age(stored.id, staleDeliveryAfterMs + 60_000)
    const thread = await (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()
    expect(thread).toContain('Not sent yet: still waiting after 15 minutes.')
    expect(thread).toContain('Send again')
    expect(thread).toContain(`hx-post="${retryPath}"`)

    const again = await request(retryPath, { method: 'POST', cookie, hx: `msg-${stored.id}` })
    expect(again.status).toBe(200)
    const fragment = await again.text()
    expect(fragment).toContain('Sending…')
    expect(fragment).not.toContain('Send again')
    expect((await delivered(stored.id)).deliveryStatus).toBe('sent')
  })

  it('two jobs for one message at the same moment send it once', async () => {
    const { conversationId, cookie } = await emailConversation()
    await replyWhileQueueIsDown(conversationId, cookie, 'Only once, please')
    const stored = await outOf(conversationId)
    let sends = 0
    const slow = {
      ...env,
      SEND_EMAIL: {
        async send() {
          sends++
          await new Promise((resolve) => setTimeout(resolve, 200))
        },
      },
    } as unknown as Cloudflare.Env
    const run = async (id: string) => {
      const batch = createMessageBatch('switchboard-outbound', [
        { id, timestamp: new Date(), attempts: 1, body: { accountId: stored.accountId, messageId: stored.id } },
      ])
      const ctx = createExecutionContext()
      await worker.queue!(batch, slow)
      return getQueueResult(batch, ctx)
    }
    const results = await Promise.all([run('first'), run('second')])
    expect(sends).toBe(1)
    expect(results.flatMap((result) => result.retryMessages)).toEqual([])
    expect((await outOf(conversationId)).deliveryStatus).toBe('sent')
    // A late duplicate after the send is skipped as well.
    await run('late')
    expect(sends).toBe(1)
  })
})
