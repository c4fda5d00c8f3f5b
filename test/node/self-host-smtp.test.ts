import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createTransport } from 'nodemailer'
import { afterEach, describe, expect, it } from 'vitest'
import { startSmtpServer } from '../../src/host/self/mail'
// @ts-expect-error: a plain .mjs script without type declarations
import { freePort } from '../../scripts/lib/free-port.mjs'

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'tls')
const key = readFileSync(join(fixtures, 'mx.key'))
const cert = readFileSync(join(fixtures, 'mx.crt'))

const raw =
  'From: Priya <priya@customer.example>\r\nTo: support@acme.test\r\nSubject: Invoice\r\nMessage-ID: <tls-1@customer.example>\r\n\r\nHello over SMTP.\r\n'

let close: (() => Promise<void>) | undefined
afterEach(async () => {
  await close?.()
  close = undefined
})

/** The self-host's SMTP server on a free port, filing what it takes in `delivered`. */
async function server(tls?: { key: Buffer; cert: Buffer }) {
  const port = await freePort()
  const delivered: { from: string; to: string; text: string }[] = []
  const smtp = await startSmtpServer({
    port,
    host: '127.0.0.1',
    accepts: async (recipient) => recipient === 'support@acme.test',
    deliver: async (message) => {
      delivered.push({ from: message.from, to: message.to, text: await new Response(message.raw).text() })
    },
    tls,
  })
  close = smtp.close
  return { port, delivered }
}

const send = (port: number, to: string, options: Record<string, unknown> = {}) =>
  createTransport({ host: '127.0.0.1', port, secure: false, ...options }).sendMail({ envelope: { from: 'priya@customer.example', to: [to] }, raw })

describe('self-host SMTP server', () => {
  it('files mail for an inbox address and refuses an unknown recipient before the data', async () => {
    const { port, delivered } = await server()
    await send(port, 'support@acme.test', { ignoreTLS: true })
    expect(delivered).toEqual([{ from: 'priya@customer.example', to: 'support@acme.test', text: raw }])
    await expect(send(port, 'nobody@acme.test', { ignoreTLS: true })).rejects.toMatchObject({ responseCode: 550 })
    expect(delivered).toHaveLength(1)
  })

  it('offers no STARTTLS without a certificate, so a sender that requires TLS is told so', async () => {
    const { port, delivered } = await server()
    await expect(send(port, 'support@acme.test', { requireTLS: true })).rejects.toThrow(/STARTTLS/)
    expect(delivered).toEqual([])
  })

  it('with SMTP_TLS_KEY/SMTP_TLS_CERT takes mail over STARTTLS, verified against that certificate', async () => {
    const { port, delivered } = await server({ key, cert })
    await send(port, 'support@acme.test', { requireTLS: true, tls: { ca: cert, servername: 'mx.switchboard.test' } })
    expect(delivered.map((mail) => mail.text)).toEqual([raw])
    // A sender that checks certificates against the public roots refuses our self-signed one:
    // the session really is TLS with this certificate.
    await expect(send(port, 'support@acme.test', { requireTLS: true, tls: { servername: 'mx.switchboard.test' } })).rejects.toThrow(/certificate/i)
    expect(delivered).toHaveLength(1)
  })
})
