import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@libsql/client'
import { describe, expect, it } from 'vitest'
import { createDb, roundTripsOf } from '../../src/db/client'
import { accounts } from '../../src/db/schema'
import { directoryBlobStore } from '../../src/host/self/blobs'
import { withClientAddress } from '../../src/host/self/client-address'
import { openAiCompatible } from '../../src/host/self/openai'
import { providerFor } from '../../src/services/ai/provider'
import type { Host } from '../../src/host/ports'
import { crons } from '../../src/host/self/crons'
import { applyMigrations, openDatabase } from '../../src/host/self/database'
import { maxRetries, openJobs } from '../../src/host/self/jobs'
import { memoryLimiter } from '../../src/host/self/limiter'
import { staticFile } from '../../src/host/self/static'
import { inboundWebhook } from '../../src/host/self/webhook'
import { drain, track } from '../../src/host/self/wait-until'
// @ts-expect-error: a plain .mjs script without type declarations
import { cronsOf } from '../../scripts/lib/local-cron.mjs'

const root = join(import.meta.dirname, '..', '..')
const temp = () => mkdtempSync(join(tmpdir(), 'switchboard-self-'))

describe('self-host database', () => {
  it('applies the committed migrations once, and createDb then runs on that libSQL file', async () => {
    const client = await openDatabase(`file:${join(temp(), 'app.db')}`)
    const first = await applyMigrations(client, join(root, 'migrations'))
    expect(first.length).toBeGreaterThan(10)
    expect(await applyMigrations(client, join(root, 'migrations'))).toEqual([])
    const db = createDb({ DB: undefined as never, HOST: { database: client as never } })
    expect(await db.select().from(accounts)).toEqual([])
    expect(roundTripsOf(db)).toBe(1)
    expect((await client.execute('PRAGMA foreign_keys')).rows[0]?.[0]).toBe(1)
  })

  it('takes over a D1 database file without applying its migrations again', async () => {
    const client = await openDatabase(`file:${join(temp(), 'd1.db')}`)
    // As wrangler leaves it: the schema of the first two migrations, listed in d1_migrations.
    await client.execute(
      'CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)',
    )
    const files = readdirSync(join(root, 'migrations'))
      .filter((name) => name.endsWith('.sql'))
      .sort()
    const migrationsDir = temp()
    for (const file of files.slice(0, 2)) writeFileSync(join(migrationsDir, file), readFileSync(join(root, 'migrations', file)))
    await applyMigrations(client, migrationsDir)
    await client.execute('DELETE FROM host_migrations')
    await client.execute('DROP TABLE host_migrations')
    for (const file of files.slice(0, 2)) await client.execute({ sql: 'INSERT INTO d1_migrations (name) VALUES (?)', args: [file] })
    expect(await applyMigrations(client, join(root, 'migrations'))).toEqual(files.slice(2))
  })
})

describe('self-host jobs', () => {
  const message = (batch: MessageBatch<unknown>) => batch.messages[0]!
  /** A consumer that acknowledges every message, keeping their bodies in `into`. */
  const ackAll = (into: unknown[]) => async (batch: MessageBatch<unknown>) => {
    for (const m of batch.messages) {
      into.push(m.body)
      m.ack()
    }
  }

  it('runs a job once it is due, deletes it when acknowledged, and survives a restart while waiting', async () => {
    const url = `file:${join(temp(), 'jobs.db')}`
    const jobs = await openJobs(createClient({ url }))
    await jobs.queue.send({ n: 1 }, { delaySeconds: 0 })
    await jobs.queue.send({ n: 2 }, { delaySeconds: 60 })
    const seen: unknown[] = []
    expect(await jobs.runDue(ackAll(seen))).toBe(1)
    expect(seen).toEqual([{ n: 1 }])
    // A new process on the same file (a restart): the delayed job is still there, not yet due.
    const client = createClient({ url })
    const again = await openJobs(client)
    expect(await again.runDue(async () => {})).toBe(0)
    expect((await client.execute('SELECT body, state FROM host_jobs')).rows.map((row) => [row.body, row.state])).toEqual([['{"n":2}', 'queued']])
  })

  it('retries with the delay the handler asks for, counts attempts, and keeps a job failed after the last retry', async () => {
    const client = createClient({ url: `file:${join(temp(), 'jobs.db')}` })
    const jobs = await openJobs(client)
    await jobs.queue.send({ mail: 'x' })
    const attempts: number[] = []
    for (let index = 0; index <= maxRetries; index++) {
      await client.execute('UPDATE host_jobs SET run_at = 0')
      const ran = await jobs.runDue(async (batch) => {
        attempts.push(message(batch).attempts)
        message(batch).retry({ delaySeconds: 40 })
      })
      expect(ran).toBe(1)
    }
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6])
    const [row] = (await client.execute('SELECT state, attempts FROM host_jobs')).rows
    expect([row?.state, row?.attempts]).toEqual(['failed', maxRetries + 1])
    await client.execute('UPDATE host_jobs SET run_at = 0')
    expect(await jobs.runDue(async () => {})).toBe(0)
  })

  it('a handler that throws has the batch retried later, and a job claimed by a stopped process runs at the next start', async () => {
    const url = `file:${join(temp(), 'jobs.db')}`
    const client = createClient({ url })
    const jobs = await openJobs(client)
    await jobs.queue.sendBatch([{ body: 'a' }, { body: 'b' }])
    await jobs.runDue(async () => {
      throw new Error('relay down')
    })
    const rows = (await client.execute('SELECT state, attempts, run_at, last_error FROM host_jobs ORDER BY id')).rows
    expect(rows.map((row) => [row.state, row.attempts, row.last_error])).toEqual([
      ['queued', 1, 'relay down'],
      ['queued', 1, 'relay down'],
    ])
    expect(Number(rows[0]?.run_at)).toBeGreaterThan(Date.now())
    // Claimed, then the process died before finishing.
    await client.execute("UPDATE host_jobs SET state = 'running', run_at = 0")
    const restarted = await openJobs(createClient({ url }))
    const bodies: unknown[] = []
    expect(await restarted.runDue(ackAll(bodies))).toBe(2)
    expect(bodies).toEqual(['a', 'b'])
  })
})

describe('self-host blobs', () => {
  it('keeps objects with their content type and metadata, lists by prefix, deletes', async () => {
    const blobs = directoryBlobStore(temp())
    await blobs.put('acct/raw/2026/a.eml', 'raw mail', { httpMetadata: { contentType: 'message/rfc822' }, customMetadata: { to: 'x@y.z' } })
    await blobs.put('acct/files/b.txt', new Uint8Array([104, 105]))
    const object = await blobs.get('acct/raw/2026/a.eml')
    expect(await object?.text()).toBe('raw mail')
    expect(object?.size).toBe(8)
    expect(object?.httpMetadata?.contentType).toBe('message/rfc822')
    expect(await new Response(object?.body).text()).toBe('raw mail')
    expect((await blobs.head('acct/files/b.txt'))?.size).toBe(2)
    const listed = await blobs.list({ prefix: 'acct/raw/' })
    expect(listed.objects.map((o) => [o.key, o.customMetadata])).toEqual([['acct/raw/2026/a.eml', { to: 'x@y.z' }]])
    await blobs.delete('acct/raw/2026/a.eml')
    expect(await blobs.get('acct/raw/2026/a.eml')).toBeNull()
  })

  it('refuses a key that would climb out of its directory', async () => {
    const directory = temp()
    const blobs = directoryBlobStore(join(directory, 'blobs'))
    writeFileSync(join(directory, 'secret.txt'), 'not a blob')
    await expect(blobs.put('../outside', 'x')).rejects.toThrow(/Invalid object key/)
    expect(await blobs.get('../../secret.txt')).toBeNull()
    await expect(blobs.delete('../../secret.txt')).rejects.toThrow(/Invalid object key/)
    expect(readFileSync(join(directory, 'secret.txt'), 'utf8')).toBe('not a blob')
  })
})

describe('self-host rate limits, static files, webhook, cron, waitUntil', () => {
  it('limits each key to its budget per period, as the binding does', async () => {
    const limiter = memoryLimiter({ limit: 2, period: 60 })
    const results = [await limiter.limit({ key: 'a' }), await limiter.limit({ key: 'a' }), await limiter.limit({ key: 'a' }), await limiter.limit({ key: 'b' })]
    expect(results.map((r) => r.success)).toEqual([true, true, false, true])
  })

  it('serves files of the static directory with a type and ETag, and nothing outside it', async () => {
    const directory = temp()
    writeFileSync(join(directory, 'app.css'), 'body{}')
    const request = (path: string, headers?: HeadersInit) => new Request(`http://x${path}`, { headers })
    const response = await staticFile(directory, '/app.css', request('/app.css'))
    expect(response?.headers.get('Content-Type')).toBe('text/css; charset=utf-8')
    expect(await response?.text()).toBe('body{}')
    const etag = response?.headers.get('ETag') ?? ''
    expect((await staticFile(directory, '/app.css', request('/app.css', { 'If-None-Match': etag })))?.status).toBe(304)
    expect(await staticFile(directory, '/../etc/passwd', request('/x'))).toBeNull()
    expect(await staticFile(directory, '/%2e%2e/%2e%2e/etc/passwd', request('/x'))).toBeNull()
    expect(await staticFile(directory, '/missing.js', request('/x'))).toBeNull()
  })

  it('takes posted raw mail only with the shared secret, and says when no inbox takes the recipient', async () => {
    const delivered: string[] = []
    const webhook = inboundWebhook({
      secret: 's3cret',
      deliver: async (_from, to, raw) => {
        if (to !== 'support@x.test') return `No inbox receives mail for ${to}`
        delivered.push(new TextDecoder().decode(raw))
        return null
      },
    })
    const post = (query: string, secret?: string) =>
      webhook(
        new Request(`http://x/inbound/email?${query}`, {
          method: 'POST',
          body: 'Subject: hi\r\n\r\nbody',
          headers: secret ? { 'X-Inbound-Secret': secret } : {},
        }),
      )
    expect((await post('to=support@x.test'))?.status).toBe(401)
    expect((await post('to=support@x.test', 'wrong'))?.status).toBe(401)
    expect((await post('from=a@b.c', 's3cret'))?.status).toBe(400)
    expect((await post('to=nobody@x.test', 's3cret'))?.status).toBe(422)
    expect((await post('to=support@x.test&from=a@b.c', 's3cret'))?.status).toBe(202)
    expect(delivered).toEqual(['Subject: hi\r\n\r\nbody'])
    expect(await webhook(new Request('http://x/login'))).toBeNull()
    expect((await inboundWebhook({ deliver: async () => null })(new Request('http://x/inbound/email', { method: 'POST' })))?.status).toBe(404)
  })

  it('the app sees the peer address as CF-Connecting-IP, never one the client sent', async () => {
    const forged = new Request('http://x/login', { method: 'POST', body: 'email=a', headers: { 'CF-Connecting-IP': '1.2.3.4' } })
    const request = withClientAddress(forged, '::ffff:10.0.0.7')
    expect(request.headers.get('CF-Connecting-IP')).toBe('10.0.0.7')
    expect(await request.text()).toBe('email=a')
    expect(withClientAddress(new Request('http://x/', { headers: { 'CF-Connecting-IP': '1.2.3.4' } }), null).headers.has('CF-Connecting-IP')).toBe(false)
    // Behind a TLS proxy (which passes Host on) the app sees APP_URL's origin, the path and query kept;
    // a request straight to the process's own address stays as it is.
    expect(withClientAddress(new Request('http://support.example.test/inbox/x?view=open'), null, 'https://support.example.test').url).toBe(
      'https://support.example.test/inbox/x?view=open',
    )
    expect(withClientAddress(new Request('http://127.0.0.1:8787/login'), null, 'https://support.example.test').url).toBe('http://127.0.0.1:8787/login')
  })

  it('AI assist runs on an OpenAI-compatible endpoint when the host has one', async () => {
    const { createServer } = await import('node:http')
    const seen: { auth?: string; body?: { model: string; messages: unknown[] } } = {}
    const server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk) => (body += chunk))
      request.on('end', () => {
        seen.auth = request.headers.authorization
        seen.body = JSON.parse(body)
        response.setHeader('Content-Type', 'application/json')
        response.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Priya asks for the VAT number.' } }] }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    try {
      const ai = openAiCompatible({ baseUrl: `http://127.0.0.1:${port}/v1/`, apiKey: 'k-1' })
      expect(await ai.run('small-model', { messages: [{ role: 'user', content: 'hi' }] })).toEqual({ response: 'Priya asks for the VAT number.' })
      expect(seen.auth).toBe('Bearer k-1')
      expect(seen.body?.model).toBe('small-model')
      const provider = providerFor({ HOST: { ai } as Host, AI_MODEL: 'small-model' })
      expect(provider.kind).toBe('model')
      // The panel names the service that wrote the text, not Workers AI.
      expect(provider.label).toBe('OpenAI-compatible (small-model)')
      expect(providerFor({ HOST: { ai: null } as Host }).kind).toBe('offline')
    } finally {
      server.close()
    }
  })

  it("fires the same crons as wrangler.toml's triggers", () => {
    expect(crons).toEqual(cronsOf(readFileSync(join(root, 'wrangler.toml'), 'utf8')))
  })

  it('shutdown waits for background work handed to waitUntil', async () => {
    let done = false
    track(new Promise((resolve) => setTimeout(resolve, 50)).then(() => (done = true)))
    expect(await drain(2000)).toBe(true)
    expect(done).toBe(true)
  })
})
