// Posts a raw email to wrangler dev's local Email Worker endpoint, as Email Routing would deliver it:
//   npm run mail:send -- file.eml [--to support@demo.switchboard.test] [--from you@example.com] [--url http://127.0.0.1:8787]
// Envelope sender and recipient default to the message's From and To headers.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    to: { type: 'string' },
    from: { type: 'string' },
    url: { type: 'string', default: 'http://127.0.0.1:8787' },
  },
})
if (positionals.length !== 1) {
  console.error('usage: npm run mail:send -- file.eml [--to address] [--from address] [--url http://127.0.0.1:8787]')
  process.exit(2)
}

let raw = readFileSync(positionals[0])
// Only the header block matters here; decode it as latin1 so 8-bit bytes cannot break the search.
const headerText = raw
  .subarray(0, 64 * 1024)
  .toString('latin1')
  .split(/\r?\n\r?\n/)[0]
const header = (name) => {
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(headerText)
  return match?.[1]
}
const addressIn = (value) => /<([^<>\s]+@[^<>\s]+)>/.exec(value ?? '')?.[1] ?? /([^\s<>,;"]+@[^\s<>,;"]+)/.exec(value ?? '')?.[1]

const from = values.from ?? addressIn(header('From'))
const to = values.to ?? addressIn(header('To')) ?? 'support@demo.switchboard.test'
if (!from) {
  console.error('The message has no From address: pass --from.')
  process.exit(2)
}
if (!header('Message-ID')) {
  // wrangler's local endpoint refuses messages without one.
  const messageId = `<mail-send.${Date.now()}.${Math.random().toString(36).slice(2)}@localhost>`
  raw = Buffer.concat([Buffer.from(`Message-ID: ${messageId}\r\n`), raw])
  console.log(`(added Message-ID ${messageId})`)
}

const endpoint = new URL('/cdn-cgi/handler/email', values.url)
endpoint.searchParams.set('from', from)
endpoint.searchParams.set('to', to)
let response
try {
  response = await fetch(endpoint, { method: 'POST', body: raw })
} catch (error) {
  console.error(`Could not reach ${values.url} (${error.cause?.code ?? error.message}). Is \`npm start\` running?`)
  process.exit(1)
}
const text = (await response.text()).trim()
console.log(`${response.status} ${from} → ${to}: ${text || response.statusText}`)
process.exit(response.ok ? 0 : 1)
