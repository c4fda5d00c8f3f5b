import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendEmail } from '../../plugins/email/send'
import type { ChannelContext, OutboundMessage } from '../../src/channels/types'
import type { Bindings } from '../../src/env'
import type { Host } from '../../src/host/ports'
import { mailOut } from '../../src/host/self/mail'
// @ts-expect-error: a plain .mjs script without type declarations
import { freePort } from '../../scripts/lib/free-port.mjs'

/** A relay as the outside world runs one: it refuses some recipients at RCPT, for good (550) or for now (451). */
const relay = { accepted: [] as string[], refuse: new Map<string, number>(), port: 0, server: null as SMTPServer | null }

beforeAll(async () => {
  relay.port = await freePort()
  relay.server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = relay.refuse.get(address.address)
      if (code) return callback(Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code }))
      callback()
    },
    onData(stream, session, callback) {
      stream.resume()
      stream.on('end', () => {
        relay.accepted.push(...session.envelope.rcptTo.map((rcpt) => rcpt.address))
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => relay.server!.listen(relay.port, '127.0.0.1', resolve))
})
afterAll(() => new Promise<void>((resolve) => relay.server!.close(() => resolve())))

async function sendToThree() {
  const host = { mail: await mailOut({ smtpUrl: `smtp://127.0.0.1:${relay.port}`, outbox: '' }) } as unknown as Host
  const ctx = {
    channel: { id: 'c', accountId: 'a', inboxId: 'i', pluginId: 'email', name: 'Support' },
    settings: { addresses: ['support@example.test'] },
    secrets: {},
    env: { HOST: host } as unknown as Bindings,
    baseUrl: null,
  } as unknown as ChannelContext<unknown>
  const message: OutboundMessage = {
    conversationId: 'conv1',
    messageId: 7,
    to: { email: 'ola@example.no' },
    subject: 'Order',
    text: 'It ships today.',
    html: null,
    references: [],
    options: { to: [{ address: 'ola@example.no' }], cc: [{ address: 'kari@example.no' }, { address: 'per@example.no' }], bcc: [] },
    metadata: {},
  } as unknown as OutboundMessage
  return sendEmail(message, ctx)
}

describe('the self-host sending email through an SMTP relay', () => {
  it('a relay that refuses a recipient for good (5xx) fails the message at once, naming who has it and who does not', async () => {
    relay.accepted.length = 0
    relay.refuse = new Map([['kari@example.no', 550]])
    expect(await sendToThree()).toEqual({
      status: 'failed',
      reason: expect.stringContaining('kari@example.no: '),
      deliveredTo: ['ola@example.no'],
      notDeliveredTo: ['kari@example.no', 'per@example.no'],
    })
    expect(relay.accepted).toEqual(['ola@example.no'])
  })

  it('a relay that turns a recipient away for now (4xx) is retried later, and the retry knows who has it', async () => {
    relay.accepted.length = 0
    relay.refuse = new Map([['kari@example.no', 451]])
    const error = await sendToThree().then(
      () => null,
      (thrown: unknown) => thrown,
    )
    expect(error).toMatchObject({ deliveredTo: ['ola@example.no'], notDeliveredTo: ['kari@example.no', 'per@example.no'] })
    expect(relay.accepted).toEqual(['ola@example.no'])
  })
})
