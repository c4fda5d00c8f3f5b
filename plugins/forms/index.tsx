import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import {
  constantTimeEqualText,
  defineChannel,
  escapeHtml,
  hostOf,
  ingestAnswer,
  type InboundAttachment,
  type IngestResultSummary,
} from '../../src/channels/types'
import { FormsBuilder, FormsEmbed, formFields, formFieldsOf, formsSettingsFromForm, honeypotField } from './builder'
import { embedScript } from './embed'
import { english, formsTexts, say } from './texts'

export { honeypotField }

/** Caps on what one submission may carry: the body, its fields and its files. */
export const formLimits = { maxBytes: 5 * 1024 * 1024, maxFields: 50, maxFiles: 5, maxFileBytes: 4 * 1024 * 1024 }

const settings = z.object({
  formName: z.string().min(1).max(120),
  /** The form's fields as the builder keeps them (standard ones by name, custom ones with a label). */
  fields: formFields,
  /** What a person reads after sending the form. */
  thankYou: z.string().max(500).default('Thank you! We will get back to you soon.'),
  /** Where the browser goes after a plain HTML form post; JSON posts get JSON back. */
  redirectUrl: z.string().url().optional(),
  /** The sites whose pages may post the form (`https://shop.example`); a browser sends its page's origin with every post. */
  allowedOrigins: z.array(z.string().url().max(200)).max(20).default([]),
})

const originOf = (value: string) => {
  try {
    return new URL(value).origin
  } catch {
    return null
  }
}

/**
 * A public form has no signature: a browser post is taken from the pages the channel lists (the
 * Origin header, which scripts cannot forge in a browser), a post from the site's own server by
 * the channel's server token (`Authorization: Bearer …`). (A filled honeypot is dropped by parse.)
 */
async function verifySubmission(request: Request, ctx: { settings: z.infer<typeof settings>; secrets: Record<string, string> }): Promise<boolean> {
  const origin = request.headers.get('Origin')
  const token = ctx.secrets.serverToken
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get('Authorization') ?? '')?.[1]?.trim()
  const fromServer = Boolean(token && bearer && constantTimeEqualText(bearer, token))
  const allowed = new Set((ctx.settings.allowedOrigins ?? []).map(originOf).filter(Boolean))
  const fromListedPage = origin !== null && allowed.has(originOf(origin))
  return fromServer || fromListedPage
}

/**
 * A browser that posted the plain HTML form navigates to the answer: the site's own page
 * (`redirectUrl`) or the thank-you text, never JSON. A script or a server gets JSON as from any
 * webhook. A bot's post dropped by the honeypot gets the same page (it learns nothing).
 */
function answerSubmission(results: IngestResultSummary[], form: z.infer<typeof settings>, request: Request): Response {
  const fromBrowserForm = (request.headers.get('Accept') ?? '').includes('text/html')
  if (!fromBrowserForm) {
    // The embed script posts from the customer's page: it may read the answer when that page is listed.
    const origin = request.headers.get('Origin')
    const listed = origin !== null && form.allowedOrigins.some((allowed) => originOf(allowed) === originOf(origin))
    const headers: Record<string, string> = listed ? { 'Access-Control-Allow-Origin': originOf(origin) ?? '', Vary: 'Origin' } : {}
    return ingestAnswer(results, headers)
  }
  if (form.redirectUrl) return new Response(null, { status: 303, headers: { Location: form.redirectUrl } })
  const referer = request.headers.get('Referer') ?? ''
  const back = /^https?:\/\//i.test(referer) ? `<p><a href="${escapeHtml(referer)}">←</a></p>` : ''
  const page = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(form.formName)}</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem"><main><h1 style="font-size:1.25rem">${escapeHtml(form.formName)}</h1><p>${escapeHtml(form.thankYou)}</p>${back}</main></body></html>`
  return new Response(page, { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' } })
}

/** A form submission: an email to answer (when given), an optional name and subject, and the fields. */
const submission = z.object({
  email: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .trim()
      .email({ error: () => say('submit.invalid_email') })
      .max(254)
      .optional(),
  ),
  name: z.string().trim().max(120).optional(),
  subject: z.string().trim().max(200).optional(),
  message: z.string().trim().max(20_000).optional(),
  submissionId: z.string().max(100).optional(),
})

function FormsIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" class="icon">
      <rect x="5" y="3" width="14" height="18" rx="2" fill="none" stroke="currentColor" stroke-width="1.8" />
      <path d="M8.5 8h7M8.5 12h7M8.5 16h4" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
    </svg>
  )
}

interface Submitted {
  fields: Record<string, string>
  files: InboundAttachment[]
}

/** The posted fields and files. A body that is not the form it claims to be is refused (4xx), never a 500. */
async function readSubmission(request: Request): Promise<Submitted> {
  const type = request.headers.get('Content-Type') ?? ''
  if (type.includes('application/json')) {
    const body: unknown = await request.json()
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new SyntaxError('The body is not a JSON object.')
    const entries = Object.entries(body).slice(0, formLimits.maxFields + 10)
    return { fields: Object.fromEntries(entries.map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value ?? '')])), files: [] }
  }
  if (!type.includes('multipart/form-data') && !type.includes('application/x-www-form-urlencoded')) {
    throw new HTTPException(415, { message: say('submit.unsupported_type') })
  }
  let form: FormData
  try {
    form = await request.formData()
  } catch {
    // A truncated body, a wrong boundary: the browser or the script sent something we cannot read.
    throw new SyntaxError('The form body could not be read.')
  }
  const fields: Record<string, string> = {}
  const files: InboundAttachment[] = []
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') {
      if (!(key in fields) && Object.keys(fields).length < formLimits.maxFields + 10) fields[key] = value
      continue
    }
    // A file input left empty posts a nameless, empty file.
    if (!value.name && value.size === 0) continue
    if (files.length >= formLimits.maxFiles) throw new HTTPException(413, { message: say('submit.too_many_files', { max: formLimits.maxFiles }) })
    if (value.size > formLimits.maxFileBytes)
      throw new HTTPException(413, { message: say('submit.file_too_large', { max: formLimits.maxFileBytes / 1024 / 1024 }) })
    files.push({
      filename: value.name.replace(/[\\/\r\n]+/g, '_').slice(0, 150) || `${key.slice(0, 40)}.bin`,
      contentType: (value.type || 'application/octet-stream').slice(0, 100),
      content: new Uint8Array(await value.arrayBuffer()),
    })
  }
  return { fields, files }
}

/** The client's address as Cloudflare reports it; none (a local test) counts nothing. */
const clientAddress = (request: Request) => request.headers.get('CF-Connecting-IP')

export const formsChannel = defineChannel({
  id: 'forms',
  name: 'Forms',
  view: 'Forms',
  settings,
  secrets: [{ key: 'serverToken', label: 'Server token' }],
  // A form has no way back of its own: agents answer by email, through the inbox's email channel.
  capabilities: { outbound: false, webhook: true, replyByEmail: true },
  maxPayloadBytes: formLimits.maxBytes,
  texts: formsTexts,
  verify: (request, ctx) => verifySubmission(request, ctx),
  respond: (results, ctx, request) => answerSubmission(results, ctx.settings, request),
  async parse(input, ctx) {
    if (input.type !== 'http') return []
    // Anyone can post a form: one address may send only so many a minute (per form).
    const ip = clientAddress(input.request)
    if (ip && !(await hostOf(ctx.env).limiters.visitorSession.limit({ key: `form:${ctx.channel.id}:${ip}` })).success) {
      // The public route has no signed-in reader: the visitor's browser language (Accept-Language) is current.
      throw new HTTPException(429, { message: say('submit.too_often') })
    }
    const { fields, files } = await readSubmission(input.request)
    // The honeypot was filled in: a bot. Accepted (so it learns nothing), stored nowhere.
    if ((fields[honeypotField] ?? '').trim() !== '') return []
    delete fields[honeypotField]
    const known = submission.parse(fields)
    const extra = Object.entries(fields)
      .filter(([key]) => !(key in submission.shape))
      .slice(0, formLimits.maxFields)
      .map(([key, value]) => `${key.slice(0, 60)}: ${value.slice(0, 2000)}`)
    const text = [known.message, ...extra].filter(Boolean).join('\n')
    return [
      {
        externalId: known.submissionId ? `form:${known.submissionId}` : undefined,
        from: { email: known.email, name: known.name },
        subject: known.subject || `New ${ctx.settings.formName} submission`,
        // English for everyone (search, previews, the AI); the thread says "(empty submission)" in the reader's language (`messageText`).
        text: text || (files.length > 0 ? files.map((file) => file.filename).join(', ') : english('inbound.empty')),
        attachments: files,
        ...(text || files.length > 0 ? {} : { metadata: { form: { empty: true } } }),
      },
    ]
  },
  // A submission with nothing in it: our words for that, in the reader's language; anything else is the sender's own.
  messageText: (message) => ((message.metadata as { form?: { empty?: unknown } } | null)?.form?.empty === true ? say('inbound.empty') : null),
  settingsFromForm: formsSettingsFromForm,
  routes(app, kit) {
    // The embed script, drawn from this form's builder fields (a disabled or removed form serves none).
    app.get('/:channelId/embed.js', async (c) => {
      const channel = await kit.channel(c, c.req.param('channelId'))
      const headers = { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }
      if (!channel?.valid || !channel.baseUrl) return c.body('/* No such form. */', 404, headers)
      const locale = (c.req.query('lang') ?? '').startsWith('nb') ? 'nb' : 'en'
      const action = `${channel.baseUrl}/channels/${channel.channel.id}/inbound`
      const fields = formFieldsOf(channel.settings)
      return c.body(embedScript({ channelId: channel.channel.id, action, fields, thankYou: channel.settings.thankYou, locale }), 200, headers)
    })
  },
  ui: { Icon: FormsIcon, SettingsFields: FormsBuilder, Embed: FormsEmbed },
})
