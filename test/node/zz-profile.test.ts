import { it } from 'vitest'
import { createLibsqlDb } from './libsql'
import { createTestWorkspace, memoryBlobs, recordingNotifier } from '../shared/workspace'
import { findPlugin } from '../../src/channels/registry'
import { ingestInbound } from '../../src/channels/pipeline'
import { channelContextOf } from '../../src/channels/context'

const paragraph =
  'Thanks for getting back to us so quickly. We checked the delivery note against the invoice and found that two of the items are listed twice, ' +
  'while the spare batteries we ordered in October are missing altogether. Could you look into it and send a corrected invoice? '
function typicalMail(index: number, runId: string, to: string) {
  const messageId = `bench-${runId}-${index}@customer.example`
  const reply = index % 2 === 1 ? `In-Reply-To: <bench-${runId}-${index - 1}@customer.example>\r\n` : ''
  const text = paragraph.repeat(33)
  const html = `<div style="font-family: Arial">${`<p>${paragraph}</p>`.repeat(42)}</div>`
  return (
    `From: Customer ${index} <customer${index % 50}@customer.example>\r\nTo: ${to}\r\n` +
    `Subject: ${reply ? 'Re: ' : ''}Invoice question ${Math.floor(index / 2)}\r\nDate: ${new Date().toUTCString()}\r\n` +
    `Message-ID: <${messageId}>\r\n${reply}MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n` +
    `--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n--alt--\r\n`
  )
}

it('profile', async () => {
  const db = await createLibsqlDb()
  const ws = await createTestWorkspace(db)
  const channel = { ...ws.channels.email, settings: { addresses: [`support.${ws.tag}@example.test`] }, secrets: {} } as any
  const plugin = findPlugin('email')!
  const ctx = channelContextOf(channel, {} as any)
  const deps = { db, notifier: recordingNotifier().notifier, blobs: memoryBlobs().blobs }
  const to = (channel.settings.addresses as string[])[0]!
  let parseMs = 0, ingestMs = 0
  const n = 300
  for (let i = 0; i < n + 20; i++) {
    const raw = new TextEncoder().encode(typicalMail(i, 'r', to))
    const t0 = performance.now()
    const inbound = await plugin.parse({ type: 'email', raw, envelopeFrom: 'x@customer.example', envelopeTo: to, rawKey: 'k' } as any, ctx)
    const t1 = performance.now()
    for (const item of inbound) await ingestInbound(deps, ctx.channel, item)
    const t2 = performance.now()
    if (i >= 20) { parseMs += t1 - t0; ingestMs += t2 - t1 }
  }
  console.log(`parse ${(parseMs / n).toFixed(2)} ms/mail, ingest ${(ingestMs / n).toFixed(2)} ms/mail`)
}, 120000)
