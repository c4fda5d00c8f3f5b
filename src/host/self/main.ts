/**
 * The self-host: the same app, rooms and plugins as the Worker, on Node, Bun or Deno
 * (`npm run start:node|bun|deno`, built by scripts/build-self.mjs). Data lives in DATA_DIR
 * (./data): the libSQL file, blobs (or an S3-compatible bucket: S3_*), the local outbox. See docs/self-host.md.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Cron } from 'croner'
import type { Host } from '../ports'
import { createAppHost } from './app-host'
import { applyMigrations, openDatabase } from './database'
import { deliverRaw, startSmtpServer } from './mail'
import { serveBun, serveDeno, serveNode } from './serve'
import { publicOriginOf, withClientAddress } from './client-address'
import { drain } from './wait-until'
import { crons } from './crons'
import { inboundWebhook } from './webhook'
import { s3ConfigFromEnv } from './s3-blobs'

/** The variables the app reads (the Worker's [vars] and secrets), taken from the environment. */
const appVars = [
  'APP_NAME',
  'APP_URL',
  'NOTIFICATION_FROM',
  'AI_MODEL',
  'OPENAI_BASE_URL',
  'OPENAI_API_KEY',
  'OPENAI_MODEL',
  'SMTP_URL',
  'DEMO_SEED',
  'DEV_OUTBOX',
] as const

const kind: Host['kind'] = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node'
const environment = process.env
const dataDir = resolve(environment.DATA_DIR ?? 'data')
mkdirSync(dataDir, { recursive: true })
const port = Number(environment.PORT ?? 8787)
const smtpPort = Number(environment.SMTP_PORT ?? 2525)
const hostname = environment.LISTEN_HOST ?? '0.0.0.0'
let s3: ReturnType<typeof s3ConfigFromEnv>
try {
  s3 = s3ConfigFromEnv(environment)
} catch (error) {
  console.error(`Switchboard cannot start: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}

const client = await openDatabase(environment.TURSO_DATABASE_URL ?? `file:${join(dataDir, 'switchboard.db')}`, environment.TURSO_AUTH_TOKEN)
const applied = await applyMigrations(client, resolve(environment.MIGRATIONS_DIR ?? 'migrations'))
const app = await createAppHost(client, {
  kind,
  dataDir,
  smtpPort,
  staticDir: resolve(environment.STATIC_DIR ?? 'static'),
  vars: Object.fromEntries(appVars.map((name) => [name, environment[name]])),
  s3,
})
const webhook = inboundWebhook({ secret: environment.INBOUND_WEBHOOK_SECRET, deliver: (from, to, raw) => deliverRaw(app.email, from, to, raw) })
const serve = kind === 'bun' ? serveBun : kind === 'deno' ? serveDeno : serveNode
const clientIpHeader = environment.CLIENT_IP_HEADER
const publicOrigin = publicOriginOf(environment.APP_URL)
const http = await serve({
  port,
  hostname,
  fetch: async (request, peer) => {
    const withAddress = withClientAddress(request, clientIpHeader ? request.headers.get(clientIpHeader) : peer, publicOrigin)
    return (await webhook(withAddress)) ?? app.fetch(withAddress)
  },
})
const poller = app.jobs.start(app.queue)
const timers = crons.map((cron) => new Cron(cron, () => app.scheduled(cron).catch((error) => console.error(`cron "${cron}" failed`, String(error)))))
// SMTP_TLS_KEY / SMTP_TLS_CERT: PEM files (e.g. the certificate of the MX host name) for STARTTLS.
const smtpTls = smtpTlsOf(environment.SMTP_TLS_KEY, environment.SMTP_TLS_CERT)
const smtp = await startSmtpServer({ port: smtpPort, host: hostname, accepts: app.accepts, deliver: app.email, tls: smtpTls })

const base = `http://localhost:${port}`
// Where this process answers (LISTEN_HOST, or every interface as localhost), and APP_URL beside it.
const listening = `http://${hostname === '0.0.0.0' || hostname === '::' ? 'localhost' : hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`
let seeded = ''
if (environment.DEMO_SEED === 'true') {
  const response = await app.fetch(new Request(`${base}/dev/seed`, { method: 'POST', headers: { Origin: base } }))
  const seed = (await response.json()) as { created: boolean; logins: Record<string, string>; password: string }
  seeded = `
  ${seed.created ? 'Created the demo workspace.' : `Kept the existing workspace (${dataDir}).`}
  Log in as ${seed.logins.superAdmin} / ${seed.password}`
}
console.log(`
  Switchboard (${kind}) is running at ${listening}${publicOrigin ? `, public address ${publicOrigin}` : ''}${seeded}
  Mail in: SMTP on port ${smtpPort}${smtpTls ? ' (STARTTLS)' : ''}${environment.INBOUND_WEBHOOK_SECRET ? ', or POST raw MIME to /inbound/email' : ''}
  Mail out: ${environment.SMTP_URL ? 'SMTP relay (SMTP_URL)' : `files in ${join(dataDir, 'outbox')} (set SMTP_URL to send)`}
  Data: ${dataDir}${applied.length > 0 ? ` (${applied.length} migrations applied)` : ''}; blobs in ${s3 ? `the bucket ${s3.bucket} at ${s3.endpoint}` : join(dataDir, 'blobs')}
`)

function smtpTlsOf(keyFile: string | undefined, certFile: string | undefined) {
  if (!keyFile && !certFile) return undefined
  if (!keyFile || !certFile) throw new Error('STARTTLS needs both SMTP_TLS_KEY and SMTP_TLS_CERT (PEM files)')
  return { key: readFileSync(keyFile), cert: readFileSync(certFile) }
}

let stopping = false
async function shutdown() {
  if (stopping) return
  stopping = true
  for (const timer of timers) timer.stop()
  // 1012 first, before the server drops them: the live clients reconnect on 1012 (or 1006), not on
  // the 1000/1001 a runtime closes with, and then catch up with ?after= from the next process.
  for (const rooms of app.rooms) for (const socket of rooms.sockets()) socket.close(1012, 'restarting')
  // Deno's shutdown closes what is still open with its own 1001: let the close handshakes finish.
  const closingUntil = Date.now() + 2000
  while (app.rooms.some((rooms) => rooms.sockets().length > 0) && Date.now() < closingUntil) await new Promise((resolve) => setTimeout(resolve, 50))
  // A server waits for open connections; a client that never lets go must not hold the exit.
  await Promise.race([Promise.all([http.close(), smtp.close()]), new Promise((resolve) => setTimeout(resolve, 5000))])
  await poller.stop()
  const drained = await drain(10_000)
  if (!drained) console.error('shutdown: background work still running after 10 s')
  client.close()
  process.exit(0)
}
if (kind === 'deno') {
  const Deno = (globalThis as unknown as { Deno: { addSignalListener(signal: string, handler: () => void): void } }).Deno
  Deno.addSignalListener('SIGTERM', shutdown)
  Deno.addSignalListener('SIGINT', shutdown)
} else {
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}
