import { createExecutionContext, createMessageBatch, env, getQueueResult, waitOnExecutionContext } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import worker from '../../../src/index'
import { messages } from '../../../src/db/schema'
import { appendMessage } from '../../../src/services/messages'
import type { DeliveryJob } from '../../../src/services/outbound'
import { buildMail, fixture } from '../../../test/shared/email-fixtures'
import { db, emailMessage, login, origin, request, workspace } from '../../../test/workers/helpers'
import { sendEmailStandIn } from './stand-in'

/** A conversation with Ola, and our reply to Ola with Kari and O'Neil & Co in Cc, waiting to be sent. */
async function replyToThree() {
  const ws = await workspace()
  const support = `support.${ws.tag}@example.test`
  const { message } = emailMessage(
    buildMail({ from: 'ola@example.no', to: support, subject: 'Order', messageId: `order.${ws.tag}@example.no` }),
    'ola@example.no',
    support,
  )
  await worker.email(message, env)
  const [first] = await db()
    .select()
    .from(messages)
    .where(eq(messages.externalId, `order.${ws.tag}@example.no`))
  const conversationId = first!.conversationId
  const reply = await appendMessage(db(), {
    accountId: ws.accountId,
    conversationId,
    channelId: ws.channels.email.id,
    direction: 'out',
    kind: 'message',
    authorUserId: ws.users.agent.id,
    text: 'It ships today.',
    deliveryStatus: 'pending',
    metadata: {
      replyOptions: { to: [{ address: 'ola@example.no' }], cc: [{ address: 'kari@example.no' }, { address: "o'neil&co@example.no" }], bcc: [] },
    },
    createdAt: Date.now(),
  })
  const mail = sendEmailStandIn()
  const queued: DeliveryJob[] = []
  // The worker's bindings with the stand-in for send_email and a queue that keeps what "Retry" puts on it.
  const standInEnv = {
    ...env,
    SEND_EMAIL: mail.binding,
    OUTBOUND: {
      async send(job: DeliveryJob) {
        queued.push(job)
      },
    },
  } as unknown as Cloudflare.Env
  const job = { accountId: ws.accountId, messageId: reply!.id }
  return { ws, conversationId, reply: reply!, mail, queued, standInEnv, job, cookie: await login(ws.users.agent.email) }
}

/** One try of the OUTBOUND queue's consumer (the worker's queue()), as the queue makes it. */
async function runQueue(job: DeliveryJob, attempt: number, queueEnv: Cloudflare.Env) {
  const batch = createMessageBatch('switchboard-outbound', [{ id: `try-${attempt}`, timestamp: new Date(), attempts: attempt, body: job }])
  const ctx = createExecutionContext()
  await worker.queue(batch, queueEnv)
  return getQueueResult(batch, ctx)
}

/** The thread's Retry button, against the worker with the stand-in bindings. */
async function pressRetry(conversationId: string, messageId: number, cookie: string, routeEnv: Cloudflare.Env) {
  const ctx = createExecutionContext()
  const response = await worker.fetch(
    new Request(`${origin}/conversations/${conversationId}/messages/${messageId}/retry`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: origin, 'HX-Request': 'true', 'HX-Target': `msg-${messageId}` },
    }),
    routeEnv,
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return response
}

const stored = async (messageId: number) => (await db().select().from(messages).where(eq(messages.id, messageId)))[0]!
const threadHtml = async (ws: { inboxId: string }, conversationId: string, cookie: string) =>
  (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()

describe('an email reply to several recipients', () => {
  it('when the relay refuses the second recipient for good, the first keeps its one copy, the thread names who did not get it, and Retry sends only to them', async () => {
    const { ws, conversationId, reply, mail, queued, standInEnv, job, cookie } = await replyToThree()
    mail.refusePermanently('kari@example.no')
    expect((await runQueue(job, 1, standInEnv)).explicitAcks).toEqual(['try-1'])
    expect(mail.accepted).toEqual(['ola@example.no'])
    expect(await stored(reply.id)).toMatchObject({ deliveryStatus: 'failed', deliveryError: 'kari@example.no: Recipient is on the suppression list' })
    const failed = await threadHtml(ws, conversationId, cookie)
    expect(failed).toContain('Failed: kari@example.no: Recipient is on the suppression list')
    // Addresses are the recipients' own text: escaped like any other.
    expect(failed).toContain('Not delivered to kari@example.no, o&#39;neil&amp;co@example.no; delivered to ola@example.no.')

    mail.accept('kari@example.no')
    const retried = await pressRetry(conversationId, reply.id, cookie, standInEnv)
    expect(retried.status).toBe(200)
    expect(await retried.text()).toContain('Sending…')
    expect(queued).toEqual([job])
    expect((await runQueue(job, 1, standInEnv)).explicitAcks).toEqual(['try-1'])
    // Nobody twice: Ola from the first try, Kari and O'Neil & Co from the retry.
    expect(mail.accepted).toEqual(['ola@example.no', 'kari@example.no', "o'neil&co@example.no"])
    expect(await stored(reply.id)).toMatchObject({ deliveryStatus: 'sent', deliveryError: null })
    const sent = await threadHtml(ws, conversationId, cookie)
    expect(sent).not.toContain('Not delivered to')
  })

  it('the queue’s own retries of a temporary refusal midway never send a copy twice, and a last failure names who is still waiting', async () => {
    const { ws, conversationId, reply, mail, standInEnv, job, cookie } = await replyToThree()
    mail.refuseForNow('kari@example.no')
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect((await runQueue(job, attempt, standInEnv)).retryMessages).toHaveLength(1)
      expect(await stored(reply.id)).toMatchObject({ deliveryStatus: 'pending', deliveryError: 'Rate limit exceeded' })
    }
    // While the queue retries, the thread says who has it already.
    expect(await threadHtml(ws, conversationId, cookie)).toContain(
      'Not delivered to kari@example.no, o&#39;neil&amp;co@example.no; delivered to ola@example.no.',
    )
    expect((await runQueue(job, 5, standInEnv)).explicitAcks).toEqual(['try-5'])
    expect(mail.accepted).toEqual(['ola@example.no'])
    expect(await stored(reply.id)).toMatchObject({ deliveryStatus: 'failed', deliveryError: 'Rate limit exceeded' })
    expect(await threadHtml(ws, conversationId, cookie)).toContain(
      'Not delivered to kari@example.no, o&#39;neil&amp;co@example.no; delivered to ola@example.no.',
    )

    mail.accept('kari@example.no')
    expect((await pressRetry(conversationId, reply.id, cookie, standInEnv)).status).toBe(200)
    expect((await runQueue(job, 1, standInEnv)).explicitAcks).toEqual(['try-1'])
    expect(mail.accepted).toEqual(['ola@example.no', 'kari@example.no', "o'neil&co@example.no"])
    expect(await stored(reply.id)).toMatchObject({ deliveryStatus: 'sent' })
  })

  it('when one of several recipients’ servers bounces the reply later, the thread names who did not get it and Retry sends only to them', async () => {
    const { ws, conversationId, reply, mail, standInEnv, job, cookie } = await replyToThree()
    await runQueue(job, 1, standInEnv)
    const sent = await stored(reply.id)
    expect(sent.deliveryStatus).toBe('sent')
    const support = `support.${ws.tag}@example.test`
    const dsn = fixture('dsnBounce', { TO: support, ID: `kari.${ws.tag}`, BOUNCED: 'kari@example.no', ORIGINAL_ID: sent.externalId! })
    await worker.email(emailMessage(dsn, 'MAILER-DAEMON@mx.example.test', support).message, env)
    expect(await stored(reply.id)).toMatchObject({ deliveryStatus: 'failed', deliveryError: '550 5.1.1 User unknown' })
    const failed = await threadHtml(ws, conversationId, cookie)
    expect(failed).toContain('Failed: 550 5.1.1 User unknown')
    expect(failed).toContain('Not delivered to kari@example.no; delivered to ola@example.no, o&#39;neil&amp;co@example.no.')

    expect((await pressRetry(conversationId, reply.id, cookie, standInEnv)).status).toBe(200)
    await runQueue(job, 1, standInEnv)
    expect(mail.accepted).toEqual(['ola@example.no', 'kari@example.no', "o'neil&co@example.no", 'kari@example.no'])
    expect(await stored(reply.id)).toMatchObject({ deliveryStatus: 'sent' })
  })

  it('a failed reply that every recipient took by our records goes to all of them on Retry, not to nobody', async () => {
    const { conversationId, reply, mail, standInEnv, job, cookie } = await replyToThree()
    await runQueue(job, 1, standInEnv)
    // As a failure report that names no recipient leaves it: failed, with everyone in deliveredTo.
    await db().update(messages).set({ deliveryStatus: 'failed', deliveryError: 'Returned' }).where(eq(messages.id, reply.id))
    expect((await pressRetry(conversationId, reply.id, cookie, standInEnv)).status).toBe(200)
    await runQueue(job, 1, standInEnv)
    expect(mail.accepted).toEqual(['ola@example.no', 'kari@example.no', "o'neil&co@example.no", 'ola@example.no', 'kari@example.no', "o'neil&co@example.no"])
    expect(await stored(reply.id)).toMatchObject({ deliveryStatus: 'sent' })
  })

  it('a reply every recipient accepted is sent once, even when the copy we keep of it cannot be stored', async () => {
    const { reply, mail, standInEnv, job } = await replyToThree()
    const storageDown = {
      ...standInEnv,
      ATTACHMENTS: {
        async put() {
          throw new Error('R2 is unavailable')
        },
      },
    } as unknown as Cloudflare.Env
    expect((await runQueue(job, 1, storageDown)).explicitAcks).toEqual(['try-1'])
    expect(mail.accepted).toEqual(['ola@example.no', 'kari@example.no', "o'neil&co@example.no"])
    // Sent, without the "Original (.eml)" link it would have had.
    expect(await stored(reply.id)).toMatchObject({ deliveryStatus: 'sent', rawKey: null })
  })

  it('a single recipient refused for good is failed with the reason alone, and Retry sends it again', async () => {
    const { ws, conversationId, reply, mail, standInEnv, job, cookie } = await replyToThree()
    await db()
      .update(messages)
      .set({ metadata: { replyOptions: { to: [{ address: 'ola@example.no' }], cc: [], bcc: [] } } })
      .where(eq(messages.id, reply.id))
    mail.refusePermanently('ola@example.no')
    await runQueue(job, 1, standInEnv)
    const html = await threadHtml(ws, conversationId, cookie)
    expect(html).toContain('Failed: ola@example.no: Recipient is on the suppression list')
    expect(html).not.toContain('Not delivered to')
    mail.accept('ola@example.no')
    await pressRetry(conversationId, reply.id, cookie, standInEnv)
    await runQueue(job, 1, standInEnv)
    expect(mail.accepted).toEqual(['ola@example.no'])
    expect(await stored(reply.id)).toMatchObject({ deliveryStatus: 'sent' })
  })
})
