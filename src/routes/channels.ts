import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ZodError } from 'zod'
import type { AppEnv } from '../env'
import { channelPlugins, findPlugin } from '../channels/registry'
import { ingestInbound } from '../channels/pipeline'
import { channelContextOf } from '../channels/context'
import type { ChannelPlugin, PluginRouteKit } from '../channels/types'
import { durableObjectNotifier, notifyMessageReplaced } from '../rooms/notifier'
import { recordDeliveryReport } from '../services/outbound'
import { getChannelById } from '../services/inboxes'
import { hostOf } from '../host'

/** Lets a plugin's routes read their channel without importing core's services. */
function routeKitFor(plugin: ChannelPlugin): PluginRouteKit<unknown> {
  return {
    async channel(c, channelId) {
      // Ids come from the URL: anything that is not an id of ours is simply not found.
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(channelId)) return null
      const channel = await getChannelById(c.var.db, channelId)
      if (!channel || channel.pluginId !== plugin.id) return null
      return { ...channelContextOf(channel, c.env, c.req.url), valid: plugin.settings.safeParse(channel.settings).success }
    },
    async reportDelivery(c, ctx, report) {
      const externalId = String(report.externalId).slice(0, 200)
      if (!externalId || ctx.channel.pluginId !== plugin.id) return false
      const found = await recordDeliveryReport(c.var.db, ctx.channel, { ...report, externalId })
      if (found && report.status === 'failed') {
        c.executionCtx.waitUntil(
          notifyMessageReplaced(c.env, {
            accountId: ctx.channel.accountId,
            inboxId: ctx.channel.inboxId,
            conversationId: found.conversationId,
            messageId: found.messageId,
          }).catch(() => undefined),
        )
      }
      return found !== null
    },
  }
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
  let inbound: Awaited<ReturnType<typeof plugin.parse>>
  try {
    inbound = await plugin.parse({ type: 'http', request }, ctx)
  } catch (error) {
    if (error instanceof ZodError) {
      return c.json({ error: 'invalid payload', issues: error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`) }, 422)
    }
    if (error instanceof SyntaxError) return c.json({ error: 'invalid payload', issues: ['body: not valid JSON'] }, 422)
    throw error
  }
  const deps = { db: c.var.db, notifier: durableObjectNotifier(c.env), blobs: hostOf(c.env).blobs }
  const results = []
  for (const message of inbound) results.push(await ingestInbound(deps, ctx.channel, message))
  // The provider may expect an answer of its own (TwiML, an empty 200): the plugin shapes it.
  if (plugin.respond) return plugin.respond(results, ctx)
  return c.json({ received: results.length, results }, results.some((result) => result.status !== 'duplicate') ? 201 : 200)
})

// Each plugin's own routes (handshakes, callbacks) live under /channels/<plugin id>.
for (const plugin of channelPlugins) {
  if (!plugin.routes) continue
  const pluginApp = new Hono<AppEnv>()
  plugin.routes(pluginApp, routeKitFor(plugin))
  channelRoutes.route(`/channels/${plugin.id}`, pluginApp)
}
