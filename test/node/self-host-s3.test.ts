import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppHost, createAppHost } from '../../src/host/self/app-host'
import { applyMigrations, openDatabase } from '../../src/host/self/database'
import { deliverRaw } from '../../src/host/self/mail'
import { drain } from '../../src/host/self/wait-until'
import { type S3StandIn, startS3StandIn } from './s3-standin'
// @ts-expect-error: a plain .mjs script without type declarations
import { buildSelfHost } from '../../scripts/build-self.mjs'
// @ts-expect-error: a plain .mjs script without type declarations
import { freePort } from '../../scripts/lib/free-port.mjs'

const root = join(import.meta.dirname, '..', '..')
const base = 'http://localhost:8787'

/**
 * The whole self-hosted app (the worker's handlers with the self-host's ports, as main.ts wires
 * them) with its blobs on S3: a mail with an attachment arrives through the email handler, and
 * its bytes are in the stand-in's bucket, nowhere on disk, and come back through the app.
 */
describe('self-host with blobs on S3-compatible storage', () => {
  let standIn: S3StandIn
  let app: AppHost
  let dataDir: string
  let client: Awaited<ReturnType<typeof openDatabase>>

  beforeAll(async () => {
    standIn = await startS3StandIn({ bucket: 'switchboard-mail', region: 'eu-west-1' })
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-self-s3-'))
    client = await openDatabase(`file:${join(dataDir, 'switchboard.db')}`)
    await applyMigrations(client, join(root, 'migrations'))
    app = await createAppHost(client, {
      kind: 'node',
      dataDir,
      staticDir: join(root, 'static'),
      vars: { DEMO_SEED: 'true', APP_URL: base },
      s3: {
        endpoint: standIn.endpoint,
        bucket: standIn.bucket,
        region: standIn.region,
        accessKeyId: standIn.accessKeyId,
        secretAccessKey: standIn.secretAccessKey,
        forcePathStyle: true,
      },
    })
    const seeded = await app.fetch(new Request(`${base}/dev/seed`, { method: 'POST', headers: { Origin: base } }))
    expect(seeded.status).toBe(200)
  })
  afterAll(async () => {
    await drain(10_000)
    client?.close()
    await standIn?.close()
  })

  it('a mail with an attachment lands in the bucket, raw and attachment, and the attachment downloads with the same bytes', async () => {
    const pdf = new Uint8Array(70_000)
    for (let index = 0; index < pdf.length; index++) pdf[index] = (index * 31 + 7) % 256
    const subject = `Invoice on S3 ${Date.now()}`
    const raw = new TextEncoder().encode(
      [
        'From: Mia Gardner <mia@example.org>',
        'To: support@demo.switchboard.test',
        `Subject: ${subject}`,
        `Message-ID: <${Date.now()}@example.org>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'The invoice is attached.',
        '--b1',
        'Content-Type: application/pdf; name="invoice 2026 & co.pdf"',
        'Content-Disposition: attachment; filename="invoice 2026 & co.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        ...(Buffer.from(pdf)
          .toString('base64')
          .match(/.{1,76}/g) ?? []),
        '--b1--',
        '',
      ].join('\r\n'),
    )
    const rejection = await deliverRaw(app.email, 'mia@example.org', 'support@demo.switchboard.test', raw)
    expect(rejection).toBeNull()
    await drain(10_000)

    const [row] = (
      await client.execute({
        sql: 'SELECT a.id, a.r2_key, m.raw_key FROM attachments a JOIN messages m ON m.id = a.message_id JOIN conversations c ON c.id = m.conversation_id WHERE c.subject = ?',
        args: [subject],
      })
    ).rows
    expect(row).toBeDefined()
    const rawObject = standIn.objects.get(String(row!.raw_key))
    expect(rawObject?.contentType).toBe('message/rfc822')
    expect(rawObject?.body.equals(Buffer.from(raw))).toBe(true)
    const attachmentObject = standIn.objects.get(String(row!.r2_key))
    expect(attachmentObject?.contentType).toBe('application/pdf')
    expect(attachmentObject?.body.equals(Buffer.from(pdf))).toBe(true)
    // Nothing went to the data directory's blob store.
    expect(existsSync(join(dataDir, 'blobs'))).toBe(false)

    const login = await app.fetch(
      new Request(`${base}/login`, {
        method: 'POST',
        headers: { Origin: base, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: 'ada@demo.switchboard.test', password: 'switchboard-demo' }),
      }),
    )
    expect(login.status).toBe(303)
    const cookie = login.headers
      .getSetCookie()
      .map((header) => header.split(';')[0])
      .join('; ')
    const download = await app.fetch(new Request(`${base}/attachments/${row!.id}`, { headers: { Cookie: cookie } }))
    expect(download.status).toBe(200)
    expect(download.headers.get('Content-Type')).toBe('application/octet-stream')
    expect(download.headers.get('Content-Length')).toBe(String(pdf.length))
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(pdf))).toBe(true)
  })
})

/** The built server (dist/self/server.mjs) run with `env` until it prints its banner or exits. */
async function startServer(env: Record<string, string>) {
  const port = await freePort()
  const server = join(root, 'dist', 'self', 'server.mjs')
  // The runtime this suite runs on (npm run test:node, test:bun, test:deno) runs the server too.
  const args = 'Deno' in globalThis ? ['run', '--allow-all', '--quiet', server] : [server]
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, LISTEN_HOST: '127.0.0.1', PORT: String(port), SMTP_PORT: String(await freePort()), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const deadline = Date.now() + 30_000
  while (child.exitCode === null && !output.includes('is running at') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    /** SIGTERM (when still running), then the exit code. */
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      return exited
    },
  }
}

// The process itself: main.ts reading S3_*.
describe('self-host start-up with S3_* variables', () => {
  let standIn: S3StandIn
  beforeAll(async () => {
    standIn = await startS3StandIn()
    await buildSelfHost()
  }, 60_000)
  afterAll(() => standIn?.close())

  it('stops before opening anything when S3_BUCKET is set without the rest, naming what is missing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-self-s3-'))
    const server = await startServer({ DATA_DIR: dataDir, S3_BUCKET: 'mail' })
    expect(await server.stop()).toBe(1)
    expect(server.output()).toContain('Blobs on S3 need S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY')
    expect(existsSync(join(dataDir, 'switchboard.db'))).toBe(false)
  })

  it('says in its banner that blobs go to the bucket, and reads them from there', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-self-s3-'))
    const server = await startServer({
      DATA_DIR: dataDir,
      DEV_OUTBOX: 'true',
      S3_ENDPOINT: standIn.endpoint,
      S3_BUCKET: standIn.bucket,
      S3_ACCESS_KEY_ID: standIn.accessKeyId,
      S3_SECRET_ACCESS_KEY: standIn.secretAccessKey,
    })
    try {
      expect(server.output()).toContain(`blobs in the bucket ${standIn.bucket} at ${standIn.endpoint}`)
      // The local outbox page lists its prefix in the bucket: a signed ListObjectsV2 the stand-in accepted.
      const outbox = await fetch(`${server.url}/dev/outbox`)
      expect(outbox.status).toBe(200)
      expect(standIn.requests.some((request) => request.startsWith(`GET /${standIn.bucket}?list-type=2`))).toBe(true)
    } finally {
      await server.stop()
    }
  })
})
