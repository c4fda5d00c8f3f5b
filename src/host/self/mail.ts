import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { MailOut } from '../ports'
import { rawEmailMessage } from '../raw-email'

/**
 * Mail out off Workers: SMTP through nodemailer when SMTP_URL names a relay
 * (smtp://user:pass@host:587), else each message is written to `outbox` as an .eml file (the
 * local catcher, as wrangler dev writes send_email's mail to a file).
 */
export async function mailOut(options: { smtpUrl?: string; outbox: string }): Promise<MailOut> {
  if (options.smtpUrl) {
    const { createTransport } = await import('nodemailer')
    const transport = createTransport(options.smtpUrl)
    return {
      async send(mail) {
        const raw = typeof mail.raw === 'string' || mail.raw instanceof Uint8Array ? mail.raw : new Uint8Array(await new Response(mail.raw).arrayBuffer())
        await transport.sendMail({ envelope: { from: mail.from, to: [mail.to] }, raw: typeof raw === 'string' ? raw : Buffer.from(raw) })
        return undefined
      },
    }
  }
  await mkdir(options.outbox, { recursive: true })
  let sequence = 0
  return {
    async send(mail) {
      const raw = typeof mail.raw === 'string' ? mail.raw : new Uint8Array(await new Response(mail.raw).arrayBuffer())
      const file = join(options.outbox, `${Date.now()}-${++sequence}.eml`)
      await writeFile(file, raw)
      console.log(`mail to ${mail.to} written to ${file} (set SMTP_URL to send it)`)
      return undefined
    },
  }
}

export type InboundHandler = (message: ForwardableEmailMessage) => Promise<void>

/**
 * Mail in over SMTP: an smtp-server on `port` taking mail for the addresses the inboxes receive
 * (`accepts`, asked at RCPT time, so unknown recipients are refused before any data), each
 * message handed to the worker's own email() once per accepted recipient. With `tls` (a PEM key
 * and certificate) it offers STARTTLS, as senders such as Gmail expect of a mail exchanger; it
 * never offers AUTH: it only takes mail addressed to the inboxes, like any MX.
 */
export async function startSmtpServer(options: {
  port: number
  host?: string
  accepts: (recipient: string) => Promise<boolean>
  deliver: InboundHandler
  maxBytes?: number
  tls?: { key: string | Buffer; cert: string | Buffer }
}) {
  const { SMTPServer } = await import('smtp-server')
  const maxBytes = options.maxBytes ?? 25 * 1024 * 1024
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    size: maxBytes,
    logger: false,
    banner: 'Switchboard',
    onRcptTo(address, _session, callback) {
      options.accepts(address.address).then(
        (known) => (known ? callback() : callback(Object.assign(new Error(`No inbox receives mail for ${address.address}`), { responseCode: 550 }))),
        (error) => callback(Object.assign(new Error(`Try again later (${String(error)})`), { responseCode: 451 })),
      )
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', async () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded) return callback(Object.assign(new Error('Message too large'), { responseCode: 552 }))
        const raw = new Uint8Array(Buffer.concat(chunks))
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : ''
        try {
          const rejected: string[] = []
          for (const recipient of session.envelope.rcptTo) {
            const reason = await deliverRaw(options.deliver, from, recipient.address, raw)
            if (reason) rejected.push(reason)
          }
          if (rejected.length === session.envelope.rcptTo.length) callback(Object.assign(new Error(rejected[0]), { responseCode: 550 }))
          else callback()
        } catch (error) {
          console.error('inbound mail failed', String(error))
          callback(Object.assign(new Error('Try again later'), { responseCode: 451 }))
        }
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve())
  })
  server.on('error', (error) => console.error('smtp server', String(error)))
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Hands one raw message to the email handler; returns its reject reason, if it refused it. */
export async function deliverRaw(deliver: InboundHandler, from: string, to: string, raw: Uint8Array): Promise<string | null> {
  const { message, rejection } = rawEmailMessage(from, to, raw)
  await deliver(message)
  return rejection()
}
