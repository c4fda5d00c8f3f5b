import { Hono } from 'hono'
import type { AppEnv, Bindings } from '../env'
import type { Notifier } from '../channels/pipeline'
import { allowDemoOrigin, demoLogins, demoPassword, seedDemoWorkspace } from '../services/demo'
import { deliverRawEmail } from '../channels/email-delivery'
import { devOutboxEnabled, devOutboxPrefix } from '../services/system-email'
import { escapeHtml } from '../lib/sanitize-html'
import { hostOf } from '../host'

/**
 * Local development only: `npm start` runs wrangler dev with DEMO_SEED=true and calls this once.
 * Without that variable the route does not exist (404), so a deployed worker never exposes it.
 */
export const devRoutes = new Hono<AppEnv>()

// Nobody is connected while the workspace is being created, so there is no one to tell.
const nobodyListening: Notifier = { async messageAdded() {}, async conversationChanged() {}, async messageReplaced() {} }

devRoutes.post('/dev/seed', async (c) => {
  if (c.env.DEMO_SEED !== 'true') return c.notFound()
  const result = await seedDemoWorkspace({ db: c.var.db, notifier: nobodyListening, blobs: hostOf(c.env).blobs })
  // The demo page on this origin embeds the demo chat widgets (also for a workspace seeded before).
  await allowDemoOrigin(c.var.db, result.accountId, new URL(c.req.url).origin)
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
  const rejected = await deliverLocally(c.env, c.executionCtx, from, to, new Uint8Array(await c.req.arrayBuffer()))
  return rejected ? c.json({ rejected }, 422) : c.json({ accepted: true })
})

/**
 * Several messages in one request ([{ from, to, raw }] as JSON), each handed to the Email Worker
 * handler at once, as simultaneous deliveries would be. The benchmark uses it to measure email()
 * without paying the local HTTP chain's cost once per message.
 */
devRoutes.post('/dev/email/batch', async (c) => {
  if (c.env.DEMO_SEED !== 'true') return c.notFound()
  const body = (await c.req.json()) as unknown
  if (!Array.isArray(body) || body.length > 100) return c.json({ error: 'send an array of at most 100 { from, to, raw }' }, 400)
  const results = await Promise.all(
    body.map(async (item: { from?: unknown; to?: unknown; raw?: unknown }) => {
      if (typeof item?.from !== 'string' || typeof item.to !== 'string' || typeof item.raw !== 'string') return { error: 'from, to and raw are required' }
      const rejected = await deliverLocally(c.env, c.executionCtx, item.from, item.to, new TextEncoder().encode(item.raw))
      return rejected ? { rejected } : { accepted: true }
    }),
  )
  return c.json(results)
})

function deliverLocally(env: Bindings, ctx: Pick<ExecutionContext, 'waitUntil'>, from: string, to: string, raw: Uint8Array): Promise<string | null> {
  return deliverRawEmail(env, ctx, from, to, raw)
}

/**
 * The local outbox: system mails (invitations, password resets) as the queue sent them, newest
 * first, with their links, so a person (or the browser test) can follow an invitation offline.
 * Only with DEMO_SEED or DEV_OUTBOX (local tooling); a deployment answers 404 and stores no copy.
 */
devRoutes.get('/dev/outbox', async (c) => {
  if (!devOutboxEnabled(c.env)) return c.notFound()
  const listed = await hostOf(c.env).blobs.list({ prefix: devOutboxPrefix, limit: 50, include: ['customMetadata'] })
  const items = await Promise.all(
    listed.objects.map(async (object) => {
      const raw = (await (await hostOf(c.env).blobs.get(object.key))?.text()) ?? ''
      // The text part is quoted-printable or 8bit; links are on lines of their own.
      const plain = raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '=')
      const links = [...new Set(plain.match(/https?:\/\/[^\s"<>]+/g) ?? [])]
      return { key: object.key, to: object.customMetadata?.to ?? '', subject: object.customMetadata?.subject ?? '', links }
    }),
  )
  const rows = items
    .map(
      (item) =>
        `<li class="outbox-mail"><strong class="outbox-to">${escapeHtml(item.to)}</strong> — <span class="outbox-subject">${escapeHtml(item.subject)}</span> <a href="/dev/outbox/${encodeURIComponent(item.key.slice(devOutboxPrefix.length))}">.eml</a><ul>${item.links.map((link) => `<li><a class="outbox-link" href="${escapeHtml(link)}">${escapeHtml(link)}</a></li>`).join('')}</ul></li>`,
    )
    .join('')
  return c.html(
    `<!doctype html><html><head><meta charset="utf-8"><title>Local outbox</title><link rel="stylesheet" href="/app.css"></head><body><main class="settings"><h1>Local outbox</h1><p>System mails sent by this local worker (invitations, password resets), newest first.</p><ul>${rows || '<li>No mail yet.</li>'}</ul></main></body></html>`,
  )
})

devRoutes.get('/dev/outbox/:name', async (c) => {
  if (!devOutboxEnabled(c.env)) return c.notFound()
  const name = c.req.param('name')
  if (!/^[0-9]{13}-[a-z0-9]{1,32}\.eml$/.test(name)) return c.notFound()
  const object = await hostOf(c.env).blobs.get(`${devOutboxPrefix}${name}`)
  if (!object) return c.notFound()
  return c.body(await object.text(), 200, { 'Content-Type': 'text/plain; charset=utf-8' })
})
