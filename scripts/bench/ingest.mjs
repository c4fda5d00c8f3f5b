// Email ingest throughput: typical ~20 KB mails posted to wrangler dev's local Email Worker
// endpoint (the real email() handler: R2, parse, thread, D1), then one 20 MB message.
//   npm run bench -- ingest [--count 400] [--concurrency 8] [--port 8797]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { applyMigrations, seedDemo, startDevServer } from '../lib/dev-server.mjs'

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

async function post(url, mail, to = recipient) {
  const endpoint = `${url}/cdn-cgi/handler/email?from=${encodeURIComponent(mail.from)}&to=${encodeURIComponent(to)}`
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(endpoint, { method: 'POST', body: mail.raw })
    const text = await response.text()
    if (response.ok || (to !== recipient && /rejected/i.test(text))) return
    // wrangler dev restarts the worker when files change under it; a redelivery is idempotent.
    if (response.status === 503 && attempt < 3) continue
    throw new Error(`email endpoint answered ${response.status}: ${text.slice(0, 300)}`)
  }
}

async function postAll(url, mails, concurrency, to = recipient) {
  let next = 0
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < mails.length) await post(url, mails[next++], to)
  })
  await Promise.all(workers)
}

export async function run(args) {
  const { values } = parseArgs({
    args,
    options: { count: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '8' }, port: { type: 'string', default: '8797' } },
  })
  const count = Number(values.count)
  const concurrency = Number(values.concurrency)
  const persistTo = mkdtempSync(join(tmpdir(), 'switchboard-bench-'))
  applyMigrations(persistTo)
  const server = await startDevServer({ port: Number(values.port), persistTo, demoSeed: true })
  try {
    await seedDemo(server.url)
    const runId = Date.now().toString(36)
    // Warm-up: first requests compile modules and open the database.
    await postAll(server.url, Array.from({ length: 20 }, (_, index) => typicalMail(100_000 + index, runId)), concurrency)
    const mails = Array.from({ length: count }, (_, index) => typicalMail(index, runId))
    const sizeKb = Math.round(mails.reduce((sum, mail) => sum + mail.raw.length, 0) / mails.length / 1024)
    const startedMs = performance.now()
    await postAll(server.url, mails, concurrency)
    const seconds = (performance.now() - startedMs) / 1000
    // The floor: wrangler's local email endpoint and our recipient lookup alone, then a reject.
    const rejectedStartedMs = performance.now()
    await postAll(server.url, mails.slice(0, 200), concurrency, 'nobody@nowhere.example')
    const rejectedSeconds = (performance.now() - rejectedStartedMs) / 1000
    const large = largeMail(runId)
    const largeStartedMs = performance.now()
    await post(server.url, large)
    const largeSeconds = (performance.now() - largeStartedMs) / 1000
    console.log(`ingest: ${count} mails of ~${sizeKb} KB in ${seconds.toFixed(2)} s = ${(count / seconds).toFixed(0)} emails/s (concurrency ${concurrency})`)
    console.log(`ingest: floor (same mails to an unknown recipient, rejected after the lookup): ${(200 / rejectedSeconds).toFixed(0)} emails/s`)
    console.log(`ingest: one ${(large.raw.length / 1024 / 1024).toFixed(1)} MB message in ${largeSeconds.toFixed(2)} s`)
  } finally {
    server.stop()
    rmSync(persistTo, { recursive: true, force: true })
  }
}
