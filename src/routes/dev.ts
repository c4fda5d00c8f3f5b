import { Hono } from 'hono'
import type { AppEnv } from '../env'
import type { Notifier } from '../channels/pipeline'
import { demoLogins, demoPassword, seedDemoWorkspace } from '../services/demo'
import { handleInboundEmail } from '../channels/email-inbound'

/**
 * Local development only: `npm start` runs wrangler dev with DEMO_SEED=true and calls this once.
 * Without that variable the route does not exist (404), so a deployed worker never exposes it.
 */
export const devRoutes = new Hono<AppEnv>()

// Nobody is connected while the workspace is being created, so there is no one to tell.
const nobodyListening: Notifier = { async messageAdded() {}, async conversationChanged() {} }

devRoutes.post('/dev/seed', async (c) => {
  if (c.env.DEMO_SEED !== 'true') return c.notFound()
  const result = await seedDemoWorkspace({ db: c.var.db, notifier: nobodyListening, blobs: c.env.ATTACHMENTS })
  return c.json({ ...result, logins: demoLogins, password: demoPassword })
})

/**
 * Local development only (same switch as /dev/seed): hands a raw message to the Email Worker
 * handler the way Cloudflare Email Routing does, without wrangler's local email endpoint, which
 * parses every message in its own simulator before calling the worker. `npm run bench -- ingest`
 * measures both ways.
 */
devRoutes.post('/dev/email', async (c) => {
  if (c.env.DEMO_SEED !== 'true') return c.notFound()
  const from = c.req.query('from') ?? ''
  const to = c.req.query('to') ?? ''
  if (!from || !to) return c.json({ error: 'from and to are required' }, 400)
  const raw = new Uint8Array(await c.req.arrayBuffer())
  let rejected: string | null = null
  const headerBlock = new TextDecoder().decode(raw.subarray(0, Math.min(raw.byteLength, 64 * 1024))).split(/\r?\n\r?\n/)[0] ?? ''
  const headers = new Headers()
  for (const line of headerBlock.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) {
      try {
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
      } catch {
        // A header Headers refuses (odd characters) is still in the raw message the handler reads.
      }
    }
  }
  const message: ForwardableEmailMessage = {
    from,
    to,
    raw: new Response(raw).body!,
    rawSize: raw.byteLength,
    headers,
    canBeForwarded: false,
    setReject(reason: string) {
      rejected = reason
    },
    async forward() {
      throw new Error('forwarding is not simulated locally')
    },
    async reply() {
      throw new Error('replying is not simulated locally')
    },
  } as unknown as ForwardableEmailMessage
  await handleInboundEmail(message, c.env, c.executionCtx)
  return rejected ? c.json({ rejected }, 422) : c.json({ accepted: true })
})
