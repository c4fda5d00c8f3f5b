import { type Context, Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ZodError } from 'zod'
import type { AppEnv } from '../env'
import { channelPlugins, findPlugin } from '../channels/registry'
import { ingestInbound } from '../channels/pipeline'
import { channelContextOf } from '../channels/context'
import { ingestAnswer, type ChannelContext, type ChannelPlugin, type DeliveryReport, type PluginRouteKit } from '../channels/types'
import { durableObjectNotifier, notifyMessageReplaced } from '../rooms/notifier'
import { recordDeliveryReport } from '../services/delivery-reports'
import { keepProfiles, lookUpProfiles } from '../services/contact-profile'
import { getChannelById } from '../services/inboxes'
import { hostOf } from '../host'

/** What a provider (or a widget) hears from a channel that takes nothing in. */
export const channelRefusal = (status: string) => (status === 'removed' ? 'This channel has been removed.' : 'This channel is disabled.')

/** Lets a plugin's routes read their channel without importing core's services. */
function routeKitFor(plugin: ChannelPlugin): PluginRouteKit<unknown> {
  return {
    async channel(c, channelId) {
      // Ids come from the URL: anything that is not an id of ours is simply not found.
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(channelId)) return null
      const channel = await getChannelById(c.var.db, channelId)
      if (!channel || channel.pluginId !== plugin.id || channel.status !== 'active') return null
      return { ...channelContextOf(channel, c.env, c.req.url), valid: plugin.settings.safeParse(channel.settings).success }
    },
    async reportDelivery(c, ctx, report) {
      if (ctx.channel.pluginId !== plugin.id) return false
      return (await recordReports(c, ctx, [report])) > 0
    },
  }
}

/** Records a provider's delivery reports and redraws the replies they changed for whoever has the thread open. */
async function recordReports(c: Context<AppEnv>, ctx: ChannelContext<unknown>, reports: DeliveryReport[]): Promise<number> {
  let changed = 0
  for (const report of reports.slice(0, 100)) {
    const clean: DeliveryReport =
      'externalId' in report
        ? {
            ...report,
            externalId: String(report.externalId).slice(0, 200),
            reason: typeof report.reason === 'function' ? report.reason : report.reason?.slice(0, 500),
          }
        : { threadKey: String(report.threadKey).slice(0, 200), status: report.status, upTo: Number(report.upTo) || 0 }
    if ('externalId' in clean && !clean.externalId) continue
    const found = await recordDeliveryReport(c.var.db, ctx.channel, clean)
    changed += found.length
    for (const message of found.slice(0, 10)) {
      c.executionCtx.waitUntil(
        notifyMessageReplaced(c.env, { accountId: ctx.channel.accountId, inboxId: ctx.channel.inboxId, ...message }).catch(() => undefined),
      )
    }
  }
  return changed
}

/**
 * Public webhook endpoints: no session, no CSRF check (no cookies are read here); each plugin
 * verifies its own signature or token. A bad payload gets a 422 with the reason and writes nothing.
 */
export const channelRoutes = new Hono<AppEnv>()

const defaultMaxPayloadBytes = 1024 * 1024

channelRoutes.post('/channels/:channelId/inbound', async (c) => {
  const channel = await getChannelById(c.var.db, c.req.param('channelId'))
  const plugin = channel && findPlugin(channel.pluginId)
  if (!channel || !plugin) throw new HTTPException(404, { message: 'No such channel.' })
  // Disabled or removed: the provider hears a clear refusal (its history stays in the inbox).
  if (channel.status !== 'active') return c.json({ error: channelRefusal(channel.status) }, 410)
  const settings = plugin.settings.safeParse(channel.settings)
  if (!settings.success) throw new HTTPException(409, { message: 'This channel is not configured correctly.' })
  const ctx = channelContextOf(channel, c.env, c.req.url)
  // Too big to be one of the provider's events: refused before it is read or verified.
  const maxBytes = plugin.maxPayloadBytes ?? defaultMaxPayloadBytes
  const declared = Number(c.req.header('Content-Length') ?? '0')
  if (declared > maxBytes) throw new HTTPException(413, { message: 'The payload is too large.' })
  const body = await c.req.arrayBuffer()
  if (body.byteLength > maxBytes) throw new HTTPException(413, { message: 'The payload is too large.' })
  const request = new Request(c.req.url, { method: 'POST', headers: c.req.raw.headers, body })
  if (plugin.verify && !(await plugin.verify(request.clone(), ctx))) {
    throw new HTTPException(401, { message: 'Signature or token did not verify.' })
  }
  const forReceipts = plugin.receipts ? request.clone() : null
  let inbound: Awaited<ReturnType<typeof plugin.parse>>
  try {
    inbound = await plugin.parse({ type: 'http', request }, ctx)
  } catch (error) {
    if (error instanceof ZodError) {
      return c.json({ error: 'invalid payload', issues: error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`) }, 422)
    }
    // Bad JSON, or a form body that cannot be read (a plugin throws SyntaxError for both).
    if (error instanceof SyntaxError) return c.json({ error: 'invalid payload', issues: ['body: not a valid body of its content type'] }, 422)
    throw error
  }
  // Receipts for our replies can ride in the same body as messages (Messenger's do).
  const receipts = plugin.receipts && forReceipts ? await plugin.receipts({ type: 'http', request: forReceipts }, ctx).catch(() => []) : []
  // Who wrote: the provider's profile names a new or stale contact before their message is filed.
  const profile = plugin.profile
  const profiles = profile ? await lookUpProfiles(c.var.db, ctx.channel, inbound, (from) => profile(from, ctx)) : null
  const deps = { db: c.var.db, notifier: durableObjectNotifier(c.env), blobs: hostOf(c.env).blobs }
  const results = []
  for (const message of inbound) results.push(await ingestInbound(deps, ctx.channel, message))
  if (profiles && profiles.size > 0) await keepProfiles(c.var.db, ctx.channel, profiles)
  if (receipts.length > 0) await recordReports(c, ctx, receipts)
  // The provider may expect an answer of its own (TwiML, an empty 200): the plugin shapes it.
  if (plugin.respond) return plugin.respond(results, ctx, c.req.raw)
  return ingestAnswer(results)
})

// A provider that checks the callback URL with a GET before it posts events (Meta) gets the plugin's answer.
channelRoutes.get('/channels/:channelId/inbound', async (c) => {
  const channel = await getChannelById(c.var.db, c.req.param('channelId'))
  const plugin = channel && findPlugin(channel.pluginId)
  if (!channel || !plugin) throw new HTTPException(404, { message: 'No such channel.' })
  if (channel.status !== 'active') return c.json({ error: channelRefusal(channel.status) }, 410)
  if (!plugin.handshake) return c.json({ error: 'Events are posted to this address.' }, 405, { Allow: 'POST' })
  return plugin.handshake(c.req.raw, channelContextOf(channel, c.env, c.req.url))
})

// Each plugin's own routes (handshakes, callbacks) live under /channels/<plugin id>.
for (const plugin of channelPlugins) {
  if (!plugin.routes) continue
  const pluginApp = new Hono<AppEnv>()
  plugin.routes(pluginApp, routeKitFor(plugin))
  channelRoutes.route(`/channels/${plugin.id}`, pluginApp)
}
