import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { raw } from 'hono/html'
import { and, asc, eq, inArray, isNull } from 'drizzle-orm'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { channelPlugins, findPlugin } from '../channels/registry'
import { attachments, channels, messages } from '../db/schema'
import { getChannelById } from '../services/inboxes'
import { channelRefusal } from './channels'
import { teamAvailability } from '../services/availability'
import { originAllowed, resumeVisit, verifyVisitorToken, type VisitorIdentity } from '../services/visitors'
import { visitorHeader, type VisitorIdentityHeader } from '../rooms/visitor-protocol'
import { localeFromAcceptLanguage, locales, t, widgetStrings, withLocale, type Locale } from '../i18n'
import { hostOf } from '../host'

/**
 * The visitor side of live chat: the widget's session and socket endpoints, and a demo page.
 * No cookies here: a visitor is who their signed token says, and the page embedding the widget
 * must be on one of the channel's allowed origins.
 */
export const widgetRoutes = new Hono<AppEnv>()

/** The plugins whose channels are the visitor widget (they declare `widget`). */
const widgetPluginIds = () => channelPlugins.filter((plugin) => plugin.widget).map((plugin) => plugin.id)

/** The visitor's language: the channel's choice, else their browser's. */
const widgetLocale = (c: Context<AppEnv>, settings: { language: string }): Locale =>
  (locales as readonly string[]).includes(settings.language) ? (settings.language as Locale) : localeFromAcceptLanguage(c.req.header('Accept-Language'))

/** The channel the path names, when its plugin is a widget, with what the widget needs from its settings. */
async function widgetChannelFor(c: Context<AppEnv>) {
  const channel = await getChannelById(c.var.db, c.req.param('channelId') ?? '')
  const plugin = channel && findPlugin(channel.pluginId)
  if (!channel || !plugin?.widget) throw new HTTPException(404, { message: 'No such chat channel.' })
  if (channel.status !== 'active') throw new HTTPException(410, { message: channelRefusal(channel.status) })
  const parsed = plugin.settings.safeParse(channel.settings)
  if (!parsed.success) throw new HTTPException(409, { message: 'This chat channel is not configured correctly.' })
  return { channel, settings: plugin.widget(parsed.data) }
}

/** Checks the embedding page's origin and answers CORS for it (never `*`: tokens are per site). */
function allowOrigin(c: Context<AppEnv>, allowedOrigins: string[]) {
  const origin = c.req.header('Origin')
  if (!originAllowed(origin, allowedOrigins)) {
    throw new HTTPException(403, { message: 'This site may not use this chat widget.' })
  }
  c.header('Access-Control-Allow-Origin', origin!)
  c.header('Vary', 'Origin')
}

// CORS preflight for the widget's POSTs (session, upload), for allowed origins only.
widgetRoutes.options('/widget/:channelId/:endpoint{session|upload}', async (c) => {
  const { settings } = await widgetChannelFor(c)
  allowOrigin(c, settings.allowedOrigins)
  c.header('Access-Control-Allow-Methods', 'POST')
  c.header('Access-Control-Allow-Headers', 'Content-Type')
  c.header('Access-Control-Max-Age', '600')
  return c.body(null, 204)
})

/** The period of VISITOR_SESSION_LIMITER (wrangler.toml): a refused client may try again after it. */
export const newVisitorWindowSeconds = 60

const sessionBody = z.object({ token: z.string().max(600).optional() })

widgetRoutes.post('/widget/:channelId/session', async (c) => {
  const { channel, settings } = await widgetChannelFor(c)
  allowOrigin(c, settings.allowedOrigins)
  const body = sessionBody.safeParse(await c.req.json().catch(() => ({})))
  const locale = widgetLocale(c, settings)
  // Each new visitor costs rows and a token: a client address may start only so many a minute.
  // Cloudflare always sends CF-Connecting-IP; without it (no address known) nothing is counted,
  // as for login throttling.
  const ip = c.req.header('CF-Connecting-IP')
  const visit = await resumeVisit(c.var.db, channel, body.success ? body.data.token : undefined, {
    mayStartNew: async () => !ip || (await hostOf(c.env).limiters.visitorSession.limit({ key: `ip:${ip}` })).success,
  })
  if (!visit) {
    c.header('Retry-After', String(newVisitorWindowSeconds))
    return c.json({ error: t('widget.try_again', undefined, locale) }, 429)
  }
  // "Back on Monday 09:00" is written in the visitor's language.
  const availability = await withLocale(locale, () =>
    teamAvailability(c.var.db, channel.accountId, channel.inboxId, { conversationId: visit.started ? visit.conversationId : undefined }),
  )
  return c.json({
    token: visit.token,
    visitorId: visit.visitorId,
    conversationId: visit.conversationId,
    returning: visit.returning,
    greeting: settings.greeting,
    awayMessage: settings.awayMessage ?? null,
    teamName: channel.name,
    availability,
    locale,
    strings: widgetStrings(locale),
  })
})

async function visitorFromRequest(c: Context<AppEnv>) {
  const { channel, settings } = await widgetChannelFor(c)
  allowOrigin(c, settings.allowedOrigins)
  const identity = await verifyVisitorToken(c.var.db, channel, c.req.query('token') ?? '')
  if (!identity) throw new HTTPException(401, { message: 'Start a new chat session.' })
  return { channel, settings, identity }
}

/** Who the room is talking to, as the worker proved it (token, origin, channel). */
function visitorHeaderFor(
  c: Context<AppEnv>,
  channel: Awaited<ReturnType<typeof widgetChannelFor>>['channel'],
  settings: Awaited<ReturnType<typeof widgetChannelFor>>['settings'],
  identity: VisitorIdentity,
): VisitorIdentityHeader {
  return {
    accountId: channel.accountId,
    inboxId: channel.inboxId,
    channelId: channel.id,
    pluginId: channel.pluginId,
    channelName: channel.name,
    visitorId: identity.visitorId,
    conversationId: identity.conversationId,
    chatflow: settings.chatflow,
    locale: widgetLocale(c, settings),
  }
}

widgetRoutes.get('/widget/:channelId/ws', async (c) => {
  if (c.req.header('Upgrade') !== 'websocket') throw new HTTPException(426, { message: 'Expected a WebSocket.' })
  const { channel, settings, identity } = await visitorFromRequest(c)
  const header = visitorHeaderFor(c, channel, settings, identity)
  const room = hostOf(c.env).rooms.conversation(identity.conversationId)
  const url = new URL('https://live.internal/visitor')
  const after = Number(c.req.query('after') ?? '')
  if (Number.isInteger(after) && after >= 0) url.searchParams.set('after', String(after))
  return room.fetch(new Request(url, { headers: { Upgrade: 'websocket', [visitorHeader]: JSON.stringify(header) } }))
})

export const maxVisitorFileBytes = 10 * 1024 * 1024

/** Filenames from outside: no paths, no control characters, a sane length. */
function safeFilename(name: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f/\\]/g, '_')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 200)
  return cleaned || 'file'
}

/** A visitor's file: stored through the conversation's room, like a message. */
widgetRoutes.post('/widget/:channelId/upload', async (c) => {
  const { channel, settings, identity } = await visitorFromRequest(c)
  const locale = widgetLocale(c, settings)
  const length = Number(c.req.header('Content-Length') ?? '0')
  if (length > maxVisitorFileBytes + 64 * 1024) throw new HTTPException(413, { message: t('widget.file_too_big', undefined, locale) })
  const form = await c.req.parseBody()
  const file = form.file
  const clientId = typeof form.clientId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(form.clientId) ? form.clientId : null
  if (!(file instanceof File) || !clientId) throw new HTTPException(422, { message: t('widget.choose_file', undefined, locale) })
  if (file.size > maxVisitorFileBytes) throw new HTTPException(413, { message: t('widget.file_too_big', undefined, locale) })
  if (!(await hostOf(c.env).limiters.chatChannel.limit({ key: channel.id })).success)
    throw new HTTPException(429, { message: t('widget.try_again', undefined, locale) })
  const room = hostOf(c.env).rooms.conversation(identity.conversationId)
  const stored = await room.visitorUpload({
    visitor: visitorHeaderFor(c, channel, settings, identity),
    clientId,
    text: typeof form.text === 'string' ? form.text.slice(0, 4000) : '',
    file: { filename: safeFilename(file.name), contentType: file.type || 'application/octet-stream', bytes: await file.arrayBuffer() },
  })
  if ('rateLimited' in stored) {
    c.header('Retry-After', String(Math.ceil(stored.retryAfterMs / 1000)))
    throw new HTTPException(429, { message: t('widget.too_fast', undefined, locale) })
  }
  return c.json({ type: 'ack', clientId, ...stored })
})

/** A file in the visitor's own conversation, for the widget (token, not cookie). */
widgetRoutes.get('/widget/:channelId/files/:attachmentId', async (c) => {
  const { identity } = await visitorFromRequest(c)
  const [row] = await c.var.db
    .select({ r2Key: attachments.r2Key, filename: attachments.filename })
    .from(attachments)
    .innerJoin(messages, eq(messages.id, attachments.messageId))
    .where(and(eq(attachments.id, c.req.param('attachmentId')), eq(messages.conversationId, identity.conversationId), isNull(messages.hiddenAt)))
    .limit(1)
  const object = row && (await hostOf(c.env).blobs.get(row.r2Key))
  if (!row || !object) throw new HTTPException(404, { message: 'No such file.' })
  c.header('Content-Type', 'application/octet-stream')
  c.header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(row.filename)}`)
  c.header('X-Content-Type-Options', 'nosniff')
  return c.body(object.body)
})

/**
 * A page to try the widget locally (`npm start`): it embeds the script exactly as a customer's
 * site would, and the widget then needs this origin among the channel's allowed origins like any
 * site (the demo seed adds it). It exists only with DEMO_SEED, like /dev/seed: a deployed worker
 * shows no workspace's channel to strangers.
 */
widgetRoutes.get('/widget/demo', async (c) => {
  if (c.env.DEMO_SEED !== 'true') return c.notFound()
  const requested = c.req.query('channel')
  const [channel] = requested
    ? [await getChannelById(c.var.db, requested)]
    : await c.var.db.select().from(channels).where(inArray(channels.pluginId, widgetPluginIds())).orderBy(asc(channels.createdAt)).limit(1)
  if (!channel || !findPlugin(channel.pluginId)?.widget)
    throw new HTTPException(404, { message: 'No chat channel to demo. Run npm start to create the demo workspace.' })
  return c.html(
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>Widget demo · {channel.name}</title>
          <link rel="stylesheet" href="/widget-demo.css" />
        </head>
        <body>
          <main class="demo-site">
            <h1>Northwind Outfitters</h1>
            <p>This page stands in for a customer's website. The chat button in the corner is the Switchboard widget for “{channel.name}”.</p>
            <p>Messages you send appear in the inbox live; replies from an agent appear here.</p>
          </main>
          <script src="/widget.js" data-channel={channel.id} async></script>
        </body>
      </html>
    </>,
  )
})
