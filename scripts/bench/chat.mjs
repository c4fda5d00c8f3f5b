// `npm run bench -- chat [--conversations 100] [--messages 10] [--interval 1250] [--ramp ms]`
// Drives 2 visitor sockets per conversation (the same visitor in two tabs: 200 visitors across
// 100 conversations by default) over real WebSockets against wrangler dev, and prints messages
// sent, received, lost, duplicated, and delivery latency (send → the other tab receives it).
// Each socket sends as the widget does: one message in flight, the next after its ack, a refused
// one again after the room's stated delay.
// Target: p99 ≤ 50 ms on this machine, nothing lost, nothing duplicated.
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import { applyMigrations, root, seedDemo, serverCpuMs, startDevServer } from '../lib/dev-server.mjs'
import { selfHostRuntimes, startSelfHost } from '../lib/self-host.mjs'
import { buildSelfHost } from '../build-self.mjs'
import { startProfile } from '../lib/profile.mjs'
import { freePort } from '../lib/free-port.mjs'

const settleMs = 3000

function percentile(sorted, fraction) {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]
}

async function chatChannelId(url) {
  const response = await fetch(`${url}/widget/demo`)
  const html = await response.text()
  const match = /data-channel="([a-z0-9]+)"/.exec(html)
  if (!match) throw new Error('no chat channel on the demo page')
  return match[1]
}

/**
 * Each simulated visitor has an address of their own, as real ones do: new widget sessions are
 * limited per client address (20 a minute), and wrangler dev takes CF-Connecting-IP from the
 * request. The addresses are from 198.18.0.0/15, the range set aside for benchmarks (RFC 2544);
 * they only label requests to this local server.
 */
let visitorCount = 0
async function newSession(url, channelId) {
  const index = visitorCount++
  const response = await fetch(`${url}/widget/${channelId}/session`, {
    method: 'POST',
    headers: { Origin: url, 'Content-Type': 'application/json', 'CF-Connecting-IP': `198.18.${(index >> 8) & 255}.${index & 255}` },
    body: '{}',
  })
  if (!response.ok) throw new Error(`session ${response.status}: ${await response.text()}`)
  return response.json()
}

/**
 * Sends like the widget: one message in flight per socket, the next only after its ack; a message
 * the room refuses as too fast goes again after the delay the room names (counted in `resends`).
 */
function sender(socket) {
  const waiting = new Map() // clientId → { resolve, text }
  let resends = 0
  const onFrame = (frame) => {
    const clientId = frame.clientId
    if (!clientId || !waiting.has(clientId)) return
    if (frame.type === 'ack') {
      waiting.get(clientId).resolve()
      waiting.delete(clientId)
    } else if (frame.type === 'error' && frame.code === 'rate_limited') {
      resends++
      setTimeout(() => socket.send(JSON.stringify({ type: 'message', clientId, text: waiting.get(clientId).text })), frame.retryAfterMs || 1000)
    }
  }
  const send = (clientId, text) =>
    new Promise((resolve) => {
      waiting.set(clientId, { resolve, text })
      socket.send(JSON.stringify({ type: 'message', clientId, text }))
    })
  return { onFrame, send, resends: () => resends }
}

function openVisitor(url, channelId, token, onFrame) {
  return new Promise((resolve, reject) => {
    const wsUrl = new URL(`${url}/widget/${channelId}/ws`)
    wsUrl.protocol = 'ws:'
    wsUrl.searchParams.set('token', token)
    wsUrl.searchParams.set('after', '0')
    // A browser sends its page's Origin; the demo page is on the server's own origin.
    const socket = new WebSocket(wsUrl, { headers: { Origin: url } })
    socket.addEventListener('open', () => resolve(socket), { once: true })
    socket.addEventListener('error', (error) => reject(error), { once: true })
    socket.addEventListener('message', (event) => onFrame(JSON.parse(String(event.data))))
  })
}

/**
 * A few throwaway conversations first, outside every figure: the worker's first chats compile its
 * code paths and prepare its statements once per isolate, a cost no later message pays.
 */
async function warmUp(url, channelId, conversations = 5, messages = 4) {
  await Promise.all(
    Array.from({ length: conversations }, async (_, index) => {
      const session = await newSession(url, channelId)
      let out
      const socket = await openVisitor(url, channelId, session.token, (frame) => out.onFrame(frame))
      out = sender(socket)
      for (let n = 0; n < messages; n++) await out.send(`warm-${index}-${n}`, `warm-up ${n}`)
      socket.close()
    }),
  )
}

export async function run(args) {
  const { values } = parseArgs({
    args,
    options: {
      conversations: { type: 'string', default: '100' },
      messages: { type: 'string', default: '10' },
      interval: { type: 'string', default: '1250' },
      ramp: { type: 'string', default: '0' },
      // node|bun|deno: the self-host (docs/self-host.md) instead of wrangler dev.
      host: { type: 'string' },
    },
  })
  if (values.host && !selfHostRuntimes.includes(values.host)) throw new Error(`--host takes ${selfHostRuntimes.join(', ')}`)
  // Visitors arrive over the first `ramp` ms, at least one interval (each socket's first message
  // at a random moment in it): by default all 100 chats start within the first 1.25 s — a flash
  // crowd — then every socket keeps its pace. `--ramp 5000` spreads the starts over 5 s.
  const rampMs = Number(values.ramp)
  // Each socket sends one message per interval: at 1250 ms a visitor's two tabs together send 1.6
  // a second, just under the per-visitor limit of 2/s (a stress pace: 160 messages/s in all);
  // people chatting write far more slowly.
  const sendIntervalMs = Number(values.interval)
  const conversationCount = Number(values.conversations)
  const messagesPerVisitor = Number(values.messages)
  const widgetBytes = readFileSync(join(root, 'static', 'widget.js'))
  console.log(
    `widget.js: ${(widgetBytes.byteLength / 1024).toFixed(1)} KiB, ${(gzipSync(widgetBytes, { level: 9 }).byteLength / 1024).toFixed(1)} KiB gzipped (+ widget.css ${(statSync(join(root, 'static', 'widget.css')).size / 1024).toFixed(1)} KiB)`,
  )

  const persistTo = mkdtempSync(join(tmpdir(), 'switchboard-bench-chat-'))
  if (!values.host) applyMigrations(persistTo)
  // BENCH_PROFILE=<file>: a CPU profile of the worker while the messages flow.
  const profileFile = process.env.BENCH_PROFILE
  const inspectorPort = profileFile ? await freePort() : undefined
  if (values.host) await buildSelfHost()
  const server = values.host
    ? await startSelfHost(values.host, {
        DATA_DIR: persistTo,
        PORT: String(await freePort()),
        SMTP_PORT: String(await freePort()),
        DEMO_SEED: 'true',
        // No client address, as under wrangler dev: every bench visitor comes from 127.0.0.1.
        CLIENT_IP_HEADER: 'X-No-Client-Address',
      })
    : await startDevServer({ port: await freePort(), persistTo, demoSeed: true, inspectorPort })
  const sockets = []
  try {
    await seedDemo(server.url)
    const channelId = await chatChannelId(server.url)
    await warmUp(server.url, channelId)
    const sentAt = new Map() // clientId → ms
    const latenciesMs = []
    // Each tab's first message (one of the two starts the conversation), also counted in latenciesMs.
    const firstLatenciesMs = []
    // [second of the run the message was sent in, delivery latency]: shows whether the tail clusters.
    const slowBySecond = []
    let startedAt = 0
    const ackLatenciesMs = []
    const received = new Map() // socket index → Set of seq
    let duplicates = 0
    let errors = 0
    let sent = 0
    const visitors = []
    for (let index = 0; index < conversationCount; index++) {
      const session = await newSession(server.url, channelId)
      for (let tab = 0; tab < 2; tab++) {
        const socketIndex = sockets.length
        received.set(socketIndex, new Set())
        let out
        const socket = await openVisitor(server.url, channelId, session.token, (frame) => {
          out.onFrame(frame)
          const now = performance.now()
          if (frame.type === 'message') {
            const seen = received.get(socketIndex)
            if (seen.has(frame.message.seq)) duplicates++
            seen.add(frame.message.seq)
            const clientId = frame.message.clientId
            // Delivery latency: measured on the tab that did not send it.
            if (clientId && !clientId.startsWith(`${socketIndex}-`) && sentAt.has(clientId)) {
              latenciesMs.push(now - sentAt.get(clientId))
              if (clientId.endsWith('-0')) firstLatenciesMs.push(now - sentAt.get(clientId))
              slowBySecond.push([Math.floor((sentAt.get(clientId) - startedAt) / 1000), now - sentAt.get(clientId)])
            }
          } else if (frame.type === 'ack' && sentAt.has(frame.clientId)) {
            ackLatenciesMs.push(now - sentAt.get(frame.clientId))
          } else if (frame.type === 'error') {
            errors++
          }
        })
        out = sender(socket)
        sockets.push(socket)
        visitors.push({ socket, socketIndex, conversation: index, out })
      }
    }
    console.log(
      `${visitors.length} visitor sockets open across ${conversationCount} conversations; each starts within the first ${Math.max(rampMs, sendIntervalMs)} ms (--ramp) and sends ${messagesPerVisitor} messages, one every ${sendIntervalMs} ms`,
    )
    const profile = profileFile ? await startProfile(inspectorPort) : null
    const cpuBefore = serverCpuMs(server)
    startedAt = performance.now()
    await Promise.all(
      visitors.map(async ({ socketIndex, out }) => {
        // Spread the starts so the senders do not all fire in the same millisecond.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.max(rampMs, sendIntervalMs)))
        for (let n = 0; n < messagesPerVisitor; n++) {
          const clientId = `${socketIndex}-${n}`
          const startedSendingAt = performance.now()
          sentAt.set(clientId, startedSendingAt)
          sent++
          await out.send(clientId, `bench message ${n} from socket ${socketIndex}`)
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, sendIntervalMs - (performance.now() - startedSendingAt))))
        }
      }),
    )
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    const elapsedS = (performance.now() - startedAt) / 1000
    const cpuAfter = serverCpuMs(server)
    if (profile) for (const line of await profile.stop(profileFile)) console.log(line)
    const cpuPerMessage = Object.entries(cpuAfter)
      .map(([name, ms]) => `${name} ${((ms - (cpuBefore[name] ?? 0)) / Math.max(1, sent)).toFixed(2)} ms`)
      .join(', ')
    // Every message reaches both tabs of its conversation (the sender's own tab too).
    const expectedPerSocket = messagesPerVisitor * 2
    let receivedTotal = 0
    let lost = 0
    for (const seen of received.values()) {
      receivedTotal += seen.size
      lost += Math.max(0, expectedPerSocket - seen.size)
    }
    latenciesMs.sort((a, b) => a - b)
    ackLatenciesMs.sort((a, b) => a - b)
    const fmt = (ms) => `${ms.toFixed(1)} ms`
    console.log('')
    console.log('| figure | value |')
    console.log('|---|---|')
    console.log(`| messages sent | ${sent} |`)
    console.log(`| deliveries expected (each message to both tabs) | ${sent * 2} |`)
    console.log(`| deliveries received (distinct) | ${receivedTotal} |`)
    console.log(`| lost | ${lost} |`)
    console.log(`| duplicated | ${duplicates} |`)
    console.log(`| error frames (e.g. rate limited) | ${errors} |`)
    console.log(`| messages resent after a rate-limit refusal | ${visitors.reduce((sum, visitor) => sum + visitor.out.resends(), 0)} |`)
    console.log(`| delivery latency p50 / p99 (other tab) | ${fmt(percentile(latenciesMs, 0.5))} / ${fmt(percentile(latenciesMs, 0.99))} |`)
    firstLatenciesMs.sort((a, b) => a - b)
    console.log(
      `| of which each tab's first message (one per conversation starts it) p50 / p99 | ${fmt(percentile(firstLatenciesMs, 0.5))} / ${fmt(percentile(firstLatenciesMs, 0.99))} |`,
    )
    console.log(
      `| delivery latency p90 / p95 / max | ${fmt(percentile(latenciesMs, 0.9))} / ${fmt(percentile(latenciesMs, 0.95))} / ${fmt(latenciesMs.at(-1) ?? 0)} |`,
    )
    const over = new Map()
    for (const [second, ms] of slowBySecond) if (ms > 50) over.set(second, (over.get(second) ?? 0) + 1)
    const worst = [...over].sort((a, b) => b[1] - a[1]).slice(0, 5)
    console.log(`| deliveries over 50 ms, by second of the run (worst 5) | ${worst.map(([second, count]) => `s${second}: ${count}`).join(', ') || 'none'} |`)
    console.log(`| ack latency p50 / p99 (sender) | ${fmt(percentile(ackLatenciesMs, 0.5))} / ${fmt(percentile(ackLatenciesMs, 0.99))} |`)
    if (cpuPerMessage)
      console.log(
        `| server CPU per message (${values.host ? `the self-host's process on ${values.host}` : 'all processes of wrangler dev'}) | ${cpuPerMessage} |`,
      )
    console.log(`| throughput | ${(sent / elapsedS).toFixed(0)} messages/s over ${elapsedS.toFixed(1)} s |`)
    const p99 = percentile(latenciesMs, 0.99)
    console.log('')
    console.log(
      `pace: one message per ${sendIntervalMs} ms from each of ${visitors.length} sockets = ${((visitors.length * 1000) / sendIntervalMs).toFixed(0)} messages/s offered once all have arrived (--interval); arrivals over ${Math.max(rampMs, sendIntervalMs)} ms (--ramp)`,
    )
    console.log(
      `target p99 ≤ 50 ms: ${p99 <= 50 ? 'met' : 'MISSED'}; lost = 0: ${lost === 0 ? 'met' : 'MISSED'}; duplicated = 0: ${duplicates === 0 ? 'met' : 'MISSED'}`,
    )
  } finally {
    for (const socket of sockets) socket.close()
    await server.stop()
    rmSync(persistTo, { recursive: true, force: true })
  }
}
