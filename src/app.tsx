import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ZodError } from 'zod'
import { secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from './env'
import { csrfProtection } from './auth/csrf'
import { requireSession } from './auth/middleware'
import { createDb, roundTripsOf } from './db/client'
import { InputError } from './lib/errors'
import { runWithRequestLocale, t } from './i18n'
import { headerJson } from './lib/headers'
import { authRoutes } from './routes/auth'
import { onboardingRoutes } from './routes/onboarding'
import { teamRoutes } from './routes/team'
import { inboxAdminRoutes } from './routes/inbox-admin'
import { channelRoutes } from './routes/channels'
import { bulkRoutes, conversationRoutes, messageLinkRoutes } from './routes/conversations'
import { dialRoutes } from './routes/dial'
import { draftRoutes } from './routes/drafts'
import { devRoutes } from './routes/dev'
import { attachmentRoutes, emailRoutes } from './routes/email'
import { composeRoutes, emailOutboundRoutes } from './routes/email-outbound'
import { homeRoutes, inboxLiveRoutes, inboxRoutes, savedViewRoutes } from './routes/inbox'
import { settingsRoutes } from './routes/settings'
import { profileRoutes } from './routes/profile'
import { widgetRoutes } from './routes/widget'
import { feedbackCardRoutes, feedbackRoutes, feedbackSettingsRoutes } from './routes/feedback'
import { aiRoutes } from './routes/ai'
import { inboxSettingsRoutes } from './routes/inbox-settings'
import { channelConnectRoutes, channelSettingsRoutes } from './routes/channel-setup'
import { mentionRoutes, notificationRoutes } from './routes/notifications'
import { contentSettingsRoutes } from './routes/content-settings'
import { insertRoutes } from './routes/insert'
import { kbRoutes } from './routes/kb'
import { cardRoutes } from './routes/cards'
import { contactRoutes } from './routes/contacts'
import { ticketRoutes } from './routes/tickets'
import { propertiesSettingsRoutes } from './routes/properties-settings'
import { ErrorNotice, Layout } from '../templates/layout'

export const app = new Hono<AppEnv>()

const pageSecurityHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    // Email HTML renders in a sandboxed srcdoc frame, which inherits this policy: mail keeps its
    // inline styles, and remote images (blocked by the sanitiser until the agent asks) can load.
    // Scripts stay 'self' only, everywhere.
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'https:'],
    connectSrc: ["'self'"],
    frameSrc: ["'self'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
  referrerPolicy: 'same-origin',
})

// A WebSocket upgrade's 101 response has immutable headers; every other response gets them.
app.use('*', async (c, next) => (c.req.header('Upgrade') === 'websocket' ? next() : pageSecurityHeaders(c, next)))

// How long the worker spent on the request and how many database round trips it made, for
// browsers' devtools, the tests and `npm run bench`. Workers advance the clock only across I/O,
// which every handler here does (the database). The round trips ride in `dur`, the one number
// a Server-Timing metric carries.
app.use('*', async (c, next) => {
  const startedAt = performance.now()
  await next()
  if (c.res.status === 101) return
  try {
    c.res.headers.append('Server-Timing', `app;dur=${(performance.now() - startedAt).toFixed(1)}`)
    c.res.headers.append('Server-Timing', `db;desc="round trips";dur=${roundTripsOf(c.var.db)}`)
  } catch {
    // A response passed through from elsewhere (a Durable Object) can have immutable headers.
  }
})

// The request's UI language: Accept-Language first; requireSession switches to the user's choice.
// Pages differ by that header, so caches are told (a signed-in page is private anyway). They differ
// by HX-Request too: the same URL answers htmx with a fragment and a navigation with the page, and
// without Vary the browser's Back can show the cached fragment as the page (no scripts, no styles).
app.use('*', async (c, next) => {
  await runWithRequestLocale(c.req.header('Accept-Language'), next)
  if (c.res.status === 101) return
  try {
    c.res.headers.append('Vary', 'Accept-Language, HX-Request')
  } catch {
    // A response passed through from elsewhere (a Durable Object) can have immutable headers.
  }
})

// One database handle per request; bindings exist only inside a request.
app.use('*', async (c, next) => {
  c.set('db', createDb(c.env))
  await next()
})

// Webhooks and the visitor widget carry no session cookie and verify themselves.
app.use('*', async (c, next) => {
  const path = c.req.path
  if (path.startsWith('/channels/') || path.startsWith('/widget/')) return next()
  return csrfProtection(c, next)
})

// Public: no session. Each checks its caller itself (the widget's token, a webhook's signature,
// the feedback link's token) or serves what anyone may read (the login page, published articles).
// They carry no middleware, so mounting them at / adds nothing to other requests.
app.route('/', widgetRoutes)
app.route('/', feedbackRoutes)
app.route('/', authRoutes)
// Public too: first-run setup, invitation and reset links (each checks its own token).
app.route('/', onboardingRoutes)
app.route('/', channelRoutes)
app.route('/', devRoutes)
app.route('/', kbRoutes)

/**
 * A signed-in area: its sub-apps mounted under one prefix behind one requireSession, so a request
 * reads its session exactly once, and only under the prefixes listed here. Sub-apps keep their
 * order: a route may fall through (`next()`) to one mounted after it.
 */
function signedIn(...parts: Hono<AppEnv>[]) {
  const area = new Hono<AppEnv>()
  area.use('*', requireSession)
  for (const part of parts) area.route('/', part)
  return area
}

app.use('/', requireSession)
app.route('/', homeRoutes)
app.route('/inbox', signedIn(inboxSettingsRoutes, channelConnectRoutes, bulkRoutes, composeRoutes, inboxRoutes))
app.route('/inboxes', signedIn(inboxLiveRoutes))
app.route('/views', signedIn(savedViewRoutes))
app.route(
  '/conversations',
  signedIn(
    aiRoutes,
    feedbackCardRoutes,
    mentionRoutes,
    insertRoutes,
    cardRoutes,
    conversationRoutes,
    dialRoutes,
    draftRoutes,
    emailRoutes,
    emailOutboundRoutes,
  ),
)
app.route('/m', signedIn(messageLinkRoutes))
app.route('/attachments', signedIn(attachmentRoutes))
app.route('/contacts', signedIn(contactRoutes))
app.route('/tickets', signedIn(ticketRoutes))
app.route('/notifications', signedIn(notificationRoutes))
app.route('/me', signedIn(profileRoutes))
app.route('/settings', signedIn(contentSettingsRoutes, settingsRoutes, teamRoutes, inboxAdminRoutes, feedbackSettingsRoutes, propertiesSettingsRoutes))
app.route('/channels-settings', signedIn(channelSettingsRoutes))

app.notFound((c) => {
  if (c.req.header('HX-Request')) return c.html(<ErrorNotice message={t('error.not_found')} />, 404)
  return c.html(
    <Layout title={t('error.not_found_title')}>
      <main class="auth-card">
        <h1>{t('error.not_found_title')}</h1>
        <p>
          <a href="/">{t('common.back_to_inbox_link')}</a>
        </p>
      </main>
    </Layout>,
    404,
  )
})

app.onError((error, c) => {
  const status = error instanceof HTTPException ? error.status : error instanceof InputError || error instanceof ZodError ? 422 : 500
  const message = status === 500 ? t('error.generic') : error instanceof ZodError ? (error.issues[0]?.message ?? t('error.check_input')) : error.message
  if (status === 500) console.error('unhandled error', c.req.method, c.req.path, error)
  if (error instanceof HTTPException && error.res) return error.res
  if (c.req.header('HX-Request')) {
    // Leave the page as it is and say what went wrong in a notice (static/app.js shows it).
    c.header('HX-Reswap', 'none')
    c.header('HX-Trigger', headerJson({ 'notice:show': { message } }))
    return c.html(<ErrorNotice message={message} />, status)
  }
  const accept = c.req.header('Accept') ?? ''
  if (!accept.includes('text/html')) return c.json({ error: message }, status)
  return c.html(
    <Layout title={t('error.page_title')}>
      <main class="auth-card">
        <h1>{status === 403 ? t('error.not_allowed') : status === 404 ? t('error.not_found') : t('error.title')}</h1>
        <p>{message}</p>
        <p>
          <a href="/">{t('common.back_to_inbox_link')}</a>
        </p>
      </main>
    </Layout>,
    status,
  )
})
