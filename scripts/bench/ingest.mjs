// Email ingest throughput: typical ~20 KB mails posted to wrangler dev's local Email Worker
// endpoint (the real email() handler: R2, parse, thread, D1), then one 20 MB message.
//   npm run bench -- ingest [--count 400] [--concurrency 8] [--port 8797]
// Both through the dev-only /dev/email route (email() called directly) and wrangler's endpoint.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { applyMigrations, seedDemo, serverCpuMs, startDevServer } from '../lib/dev-server.mjs'
import { startProfile } from '../lib/profile.mjs'
import { selfHostRuntimes, startSelfHost } from '../lib/self-host.mjs'
import { buildSelfHost } from '../build-self.mjs'
import { freePort } from '../lib/free-port.mjs'

const recipient = 'support@demo.switchboard.test'
const paragraph =
  'Thanks for getting back to us so quickly. We checked the delivery note against the invoice and found that two of the items are listed twice, ' +
  'while the spare batteries we ordered in October are missing altogether. Could you look into it and send a corrected invoice? '

/** A multipart/alternative mail of about 20 KB; every second one answers the one before it. */
function typicalMail(index, runId) {
  const messageId = `bench-${runId}-${index}@customer.example`
  const reply = index % 2 === 1 ? `In-Reply-To: <bench-${runId}-${index - 1}@customer.example>\r\n` : ''
  const text = paragraph.repeat(33)
  const html = `<div style="font-family: Arial">${`<p>${paragraph}</p>`.repeat(42)}</div>`
  const raw =
    `From: Customer ${index} <customer${index % 50}@customer.example>\r\nTo: ${recipient}\r\n` +
    `Subject: ${reply ? 'Re: ' : ''}Invoice question ${Math.floor(index / 2)}\r\nDate: ${new Date().toUTCString()}\r\n` +
    `Message-ID: <${messageId}>\r\n${reply}MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n` +
    `--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n--alt--\r\n`
  return { raw, from: `customer${index % 50}@customer.example` }
}

function largeMail(runId) {
  const line = Buffer.alloc(57, 7).toString('base64')
  const lines = Array.from({ length: Math.ceil((15 * 1024 * 1024) / 57) }, () => line).join('\r\n')
  const raw =
    `From: Scanner <scanner@customer.example>\r\nTo: ${recipient}\r\nSubject: Large scan\r\nMessage-ID: <bench-large-${runId}@customer.example>\r\n` +
    `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nScan attached.\r\n` +
    `--b\r\nContent-Type: application/octet-stream; name="scan.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${lines}\r\n--b--\r\n`
  return { raw, from: 'scanner@customer.example' }
}

/**
 * `endpoint`: wrangler's local Email Routing simulation (it parses the mail itself first).
 * `direct`: the dev-only /dev/email route, which hands the raw bytes to the same email() handler
 * the way Email Routing does in production.
 */
async function post(url, mail, to = recipient, via = 'endpoint') {
  const path = via === 'direct' ? '/dev/email' : '/cdn-cgi/handler/email'
  const endpoint = `${url}${path}?from=${encodeURIComponent(mail.from)}&to=${encodeURIComponent(to)}`
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(endpoint, { method: 'POST', body: mail.raw, headers: { Origin: url } })
    const text = await response.text()
    if (response.ok || (to !== recipient && /rejected|no inbox/i.test(text))) return
    // wrangler dev restarts the worker when files change under it; a redelivery is idempotent.
    if (response.status === 503 && attempt < 3) continue
    throw new Error(`email endpoint answered ${response.status}: ${text.slice(0, 300)}`)
  }
}

async function postAll(url, mails, concurrency, to = recipient, via = 'endpoint') {
  let next = 0
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < mails.length) await post(url, mails[next++], to, via)
  })
  await Promise.all(workers)
}

let server
const cpuLog = []
/** Wall seconds for fn, and (logged) the server's CPU time per item by process name. */
/** The mails in requests of `size` to /dev/email/batch, `concurrency` requests at a time. */
async function postBatches(url, mails, size, concurrency) {
  const batches = []
  for (let index = 0; index < mails.length; index += size) batches.push(mails.slice(index, index + size))
  let next = 0
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < batches.length) {
      const batch = batches[next++]
      const response = await fetch(`${url}/dev/email/batch`, {
        method: 'POST',
        headers: { Origin: url, 'Content-Type': 'application/json' },
        body: JSON.stringify(batch.map((mail) => ({ from: mail.from, to: recipient, raw: mail.raw }))),
      })
      const results = await response.json()
      const failed = Array.isArray(results) ? results.filter((result) => !result.accepted) : [results]
      if (!response.ok || failed.length > 0) throw new Error(`batch answered ${response.status}: ${JSON.stringify(failed).slice(0, 300)}`)
    }
  })
  await Promise.all(workers)
}

async function timed(fn, label, items) {
  const cpuBefore = serverCpuMs(server)
  const startedMs = performance.now()
  await fn()
  const seconds = (performance.now() - startedMs) / 1000
  const cpuAfter = serverCpuMs(server)
  const perItem = Object.entries(cpuAfter)
    .map(([name, ms]) => `${name} ${((ms - (cpuBefore[name] ?? 0)) / items).toFixed(1)} ms`)
    .join(', ')
  if (label && perItem) cpuLog.push(`ingest: server CPU per mail, ${label}: ${perItem}`)
  return seconds
}

export async function run(args) {
  const { values } = parseArgs({
    args,
    options: {
      count: { type: 'string', default: '400' },
      concurrency: { type: 'string', default: '8' },
      port: { type: 'string', default: '8797' },
      // node|bun|deno: mails over SMTP to the self-host's SMTP server instead (docs/self-host.md).
      host: { type: 'string' },
    },
  })
  const count = Number(values.count)
  const concurrency = Number(values.concurrency)
  if (values.host) return ingestOverSmtp(values.host, count, concurrency)
  const persistTo = mkdtempSync(join(tmpdir(), 'switchboard-bench-'))
  applyMigrations(persistTo)
  const profileFile = process.env.BENCH_PROFILE
  const inspectorPort = Number(values.port) + 1000
  server = await startDevServer({ port: Number(values.port), persistTo, demoSeed: true, ...(profileFile ? { inspectorPort } : {}) })
  try {
    await seedDemo(server.url)
    const runId = Date.now().toString(36)
    // Warm-up: first requests compile modules and open the database.
    for (const via of ['direct', 'endpoint']) {
      await postAll(
        server.url,
        Array.from({ length: 20 }, (_, index) => typicalMail(100_000 + index + (via === 'direct' ? 0 : 50), runId)),
        concurrency,
        recipient,
        via,
      )
    }
    const direct = Array.from({ length: count }, (_, index) => typicalMail(index, `${runId}d`))
    const batched = Array.from({ length: count }, (_, index) => typicalMail(index, `${runId}b`))
    const viaEndpoint = Array.from({ length: count }, (_, index) => typicalMail(index, `${runId}e`))
    const sizeKb = Math.round(direct.reduce((sum, mail) => sum + mail.raw.length, 0) / direct.length / 1024)
    const directSeconds = await timed(() => postAll(server.url, direct, concurrency, recipient, 'direct'), 'email(), one request per mail', count)
    // BENCH_PROFILE=<file>: a CPU profile of the worker while the batched mails go in.
    const profile = profileFile ? await startProfile(inspectorPort) : null
    const batchedSeconds = await timed(() => postBatches(server.url, batched, 8, Number(process.env.BR ?? 2)), 'email(), 8 calls per request', count)
    if (profile) for (const line of await profile.stop(profileFile)) console.log(line)
    const endpointSeconds = await timed(() => postAll(server.url, viaEndpoint, concurrency, recipient, 'endpoint'), 'endpoint', count)
    // The floors: the same mails to an unknown recipient, rejected after the lookup.
    const directFloor = await timed(
      () => postAll(server.url, direct.slice(0, 200), concurrency, 'nobody@nowhere.example', 'direct'),
      'one request per mail, rejected',
      200,
    )
    const endpointFloor = await timed(
      () => postAll(server.url, direct.slice(0, 200), concurrency, 'nobody@nowhere.example', 'endpoint'),
      'endpoint, rejected',
      200,
    )
    const large = largeMail(runId)
    const largeSeconds = await timed(() => post(server.url, large, recipient, 'direct'))
    const rate = (n, seconds) => (n / seconds).toFixed(0)
    const handlerRate = count / batchedSeconds
    // Email Routing calls email() once per message with no HTTP in front of it. Locally each call
    // needs a request to reach the worker, so the handler's own throughput is measured with 8
    // calls per request (each its own email(), concurrently); one request per mail adds wrangler's
    // local HTTP chain to every mail (its CPU is printed below, by process).
    console.log(
      `ingest: ${count} mails of ~${sizeKb} KB through email(), 8 calls per request (2 requests at a time): ${batchedSeconds.toFixed(2)} s = ${handlerRate.toFixed(0)} emails/s — target >= 100/s: ${handlerRate >= 100 ? 'met' : 'MISSED'}`,
    )
    console.log(
      `ingest: ${count} mails of ~${sizeKb} KB through email(), one request per mail (${concurrency} at a time): ${directSeconds.toFixed(2)} s = ${rate(count, directSeconds)} emails/s (each mail also pays a local HTTP request)`,
    )
    console.log(
      `ingest: ${count} mails of ~${sizeKb} KB through wrangler's email endpoint (its simulator parses each mail first): ${endpointSeconds.toFixed(2)} s = ${rate(count, endpointSeconds)} emails/s`,
    )
    console.log(
      `ingest: floors (rejected after the recipient lookup): one request per mail ${rate(200, directFloor)} emails/s, endpoint ${rate(200, endpointFloor)} emails/s`,
    )
    for (const line of cpuLog) console.log(line)
    console.log(`ingest: one ${(large.raw.length / 1024 / 1024).toFixed(1)} MB message through email() in ${largeSeconds.toFixed(2)} s`)
  } finally {
    server.stop()
    rmSync(persistTo, { recursive: true, force: true })
  }
}

/**
 * The self-host's SMTP server: `count` typical mails over `concurrency` pooled SMTP connections
 * (as a relay delivers), each taken only after it is filed (the server answers DATA then).
 */
async function ingestOverSmtp(runtime, count, concurrency) {
  if (!selfHostRuntimes.includes(runtime)) throw new Error(`--host takes ${selfHostRuntimes.join(', ')}`)
  const { createTransport } = await import('nodemailer')
  const persistTo = mkdtempSync(join(tmpdir(), 'switchboard-bench-smtp-'))
  await buildSelfHost()
  const smtpPort = await freePort()
  // BENCH_PROFILE=<file> with --host node: a CPU profile of the server while the mails go in.
  const profileFile = runtime === 'node' ? process.env.BENCH_PROFILE : undefined
  const inspectPort = profileFile ? String(await freePort()) : undefined
  const host = await startSelfHost(runtime, {
    DATA_DIR: persistTo,
    PORT: String(await freePort()),
    SMTP_PORT: String(smtpPort),
    DEMO_SEED: 'true',
    ...(inspectPort ? { INSPECT_PORT: inspectPort } : {}),
  })
  const transport = createTransport({
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: concurrency,
    maxMessages: Infinity,
  })
  const send = (mail) => transport.sendMail({ envelope: { from: mail.from, to: [recipient] }, raw: mail.raw })
  try {
    const runId = Date.now().toString(36)
    await Promise.all(Array.from({ length: 20 }, (_, index) => send(typicalMail(100_000 + index, runId))))
    const mails = Array.from({ length: count }, (_, index) => typicalMail(index, `${runId}s`))
    const sizeKb = Math.round(mails.reduce((sum, mail) => sum + mail.raw.length, 0) / mails.length / 1024)
    const profile = inspectPort ? await startProfile(Number(inspectPort)) : null
    const cpuBefore = serverCpuMs(host)
    const clientBefore = process.cpuUsage()
    const startedAt = performance.now()
    await Promise.all(mails.map(send))
    const clientCpu = process.cpuUsage(clientBefore)
    const seconds = (performance.now() - startedAt) / 1000
    const cpuAfter = serverCpuMs(host)
    if (profile) for (const line of await profile.stop(profileFile)) console.log(line)
    const cpu = Object.entries(cpuAfter)
      .map(([name, ms]) => `${name} ${((ms - (cpuBefore[name] ?? 0)) / count).toFixed(2)} ms`)
      .join(', ')
    const rate = count / seconds
    console.log(
      `ingest over SMTP (self-host on ${runtime}): ${count} mails of ~${sizeKb} KB, ${concurrency} connections: ${seconds.toFixed(2)} s = ${rate.toFixed(0)} emails/s — target >= 150/s: ${rate >= 150 ? 'met' : 'MISSED'}`,
    )
    if (cpu)
      console.log(`ingest over SMTP: server CPU per mail: ${cpu}; the sending client's: ${((clientCpu.user + clientCpu.system) / 1000 / count).toFixed(2)} ms`)
  } finally {
    transport.close()
    await host.stop()
    rmSync(persistTo, { recursive: true, force: true })
  }
}
