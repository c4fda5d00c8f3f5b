import { z } from 'zod'
import { constantTimeEqualText, defineChannel } from '../../src/channels/types'

const settings = z.object({
  formName: z.string().min(1).max(120),
  /** Where the browser goes after a plain HTML form post; JSON posts get JSON back. */
  redirectUrl: z.string().url().optional(),
  /** The sites whose pages may post the form (`https://shop.example`); a browser sends its page's origin with every post. */
  allowedOrigins: z.array(z.string().url().max(200)).max(20).default([]),
})

/**
 * The field a form keeps hidden from people (CSS, `tabindex=-1`, `autocomplete=off`): a bot that
 * fills every field it finds fills it too, and its post is refused.
 */
export const honeypotField = '_gotcha'

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
 * the channel's server token (`Authorization: Bearer …`). Either way a filled honeypot is a bot.
 */
async function verifySubmission(request: Request, ctx: { settings: z.infer<typeof settings>; secrets: Record<string, string> }): Promise<boolean> {
  const origin = request.headers.get('Origin')
  const token = ctx.secrets.serverToken
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get('Authorization') ?? '')?.[1]?.trim()
  const fromServer = Boolean(token && bearer && constantTimeEqualText(bearer, token))
  const allowed = new Set((ctx.settings.allowedOrigins ?? []).map(originOf).filter(Boolean))
  const fromListedPage = origin !== null && allowed.has(originOf(origin))
  if (!fromServer && !fromListedPage) return false
  try {
    const fields = await readFields(request)
    return !fields[honeypotField]
  } catch {
    // Unreadable: parse refuses it with a 422 of its own.
    return true
  }
}

/** A form submission: an email to answer, an optional name and subject, and the fields. */
const submission = z.object({
  email: z.string().trim().email('Enter a valid email address').max(254),
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

async function readFields(request: Request): Promise<Record<string, string>> {
  const type = request.headers.get('Content-Type') ?? ''
  if (type.includes('application/json')) {
    const body: unknown = await request.json()
    if (!body || typeof body !== 'object') return {}
    return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, String(value ?? '')]))
  }
  const form = await request.formData()
  const fields: Record<string, string> = {}
  form.forEach((value, key) => {
    if (typeof value === 'string') fields[key] = value
  })
  return fields
}

export const formsChannel = defineChannel({
  id: 'forms',
  name: 'Forms',
  view: 'Forms',
  settings,
  secrets: [{ key: 'serverToken', label: 'Server token' }],
  capabilities: { outbound: false, webhook: true },
  texts: {
    en: {
      name: 'Forms',
      fields: {
        formName: { label: 'Form name', help: 'Names new conversations: “New <form name> submission”.' },
        redirectUrl: { label: 'Redirect url', help: 'Where a browser goes after posting a plain HTML form.' },
        allowedOrigins: { label: 'Allowed origins', help: 'The sites whose pages may post this form, one per line (https://shop.example).' },
      },
      secrets: { serverToken: { label: 'Server token', help: 'Your server posts with the header Authorization: Bearer <token>.' } },
      setup: [
        'Point your form’s action at {webhookUrl} and list the site it is on under Allowed origins (or post from your server with the server token).',
        'Send at least an email field; name, subject, message and any other fields are kept.',
        'Add a hidden, empty field named _gotcha: bots fill it, and their posts are refused.',
      ],
    },
    nb: {
      name: 'Skjemaer',
      fields: {
        formName: { label: 'Skjemanavn', help: 'Gir navn til nye samtaler: «Ny innsending fra <skjemanavn>».' },
        redirectUrl: { label: 'Videresendings-URL', help: 'Hvor nettleseren går etter et vanlig HTML-skjema.' },
        allowedOrigins: { label: 'Tillatte opphav', help: 'Nettstedene som kan sende dette skjemaet, ett per linje (https://butikk.example).' },
      },
      secrets: { serverToken: { label: 'Servernøkkel', help: 'Serveren din sender med headeren Authorization: Bearer <nøkkel>.' } },
      setup: [
        'La skjemaets action gå til {webhookUrl} og før opp nettstedet det ligger på under Tillatte opphav (eller send fra serveren din med servernøkkelen).',
        'Send minst et e-postfelt; navn, emne, melding og andre felt tas vare på.',
        'Legg til et skjult, tomt felt med navnet _gotcha: roboter fyller det ut, og innsendingene deres avvises.',
      ],
    },
  },
  verify: (request, ctx) => verifySubmission(request, ctx),
  async parse(input, ctx) {
    if (input.type !== 'http') return []
    const fields = await readFields(input.request)
    const known = submission.parse(fields)
    const extra = Object.entries(fields)
      .filter(([key]) => !(key in submission.shape) && key !== honeypotField)
      .slice(0, 50)
      .map(([key, value]) => `${key.slice(0, 60)}: ${value.slice(0, 2000)}`)
    const text = [known.message, ...extra].filter(Boolean).join('\n')
    return [
      {
        externalId: known.submissionId ? `form:${known.submissionId}` : undefined,
        from: { email: known.email, name: known.name },
        subject: known.subject || `New ${ctx.settings.formName} submission`,
        text: text || '(empty submission)',
      },
    ]
  },
  ui: { Icon: FormsIcon },
})
