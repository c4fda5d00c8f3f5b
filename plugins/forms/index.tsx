import { z } from 'zod'
import { defineChannel } from '../../src/channels/types'
import { FormsBuilder, FormsEmbed, formFields, formsSettingsFromForm } from './builder'

const settings = z.object({
  formName: z.string().min(1).max(120),
  /** The form's fields as the builder keeps them (standard ones by name, custom ones with a label). */
  fields: formFields,
  /** What a person reads after sending the form. */
  thankYou: z.string().max(500).default('Thank you! We will get back to you soon.'),
  /** Where the browser goes after a plain HTML form post; JSON posts get JSON back. */
  redirectUrl: z.string().url().optional(),
})

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
  capabilities: { outbound: false, webhook: true },
  texts: {
    en: {
      name: 'Forms',
      description: 'A contact form on your website: each submission becomes a conversation you answer by email.',
      fields: {
        formName: { label: 'Form name', help: 'Names new conversations: “New <form name> submission”.' },
        thankYou: { label: 'Thank-you text', help: 'What a person reads after sending the form.' },
        redirectUrl: { label: 'Redirect url', help: 'Where a browser goes after posting a plain HTML form.' },
      },
      setup: [
        'Paste the form below into your page (it needs no script), or point your own form’s action (or a POST from your server, as JSON or form data) at {webhookUrl}.',
        'Send at least an email field; name, subject, message and any other fields are kept.',
      ],
    },
    nb: {
      name: 'Skjemaer',
      description: 'Et kontaktskjema på nettstedet ditt: hver innsending blir en samtale du svarer på med e-post.',
      fields: {
        formName: { label: 'Skjemanavn', help: 'Gir navn til nye samtaler: «Ny innsending fra <skjemanavn>».' },
        thankYou: { label: 'Takketekst', help: 'Det en person leser etter å ha sendt skjemaet.' },
        redirectUrl: { label: 'Videresendings-URL', help: 'Hvor nettleseren går etter et vanlig HTML-skjema.' },
      },
      setup: [
        'Lim inn skjemaet under på siden din (det trenger ikke skript), eller la ditt eget skjemas action (eller en POST fra serveren din, som JSON eller skjemadata) gå til {webhookUrl}.',
        'Send minst et e-postfelt; navn, emne, melding og andre felt tas vare på.',
      ],
    },
  },
  async parse(input, ctx) {
    if (input.type !== 'http') return []
    const fields = await readFields(input.request)
    const known = submission.parse(fields)
    const extra = Object.entries(fields)
      .filter(([key]) => !(key in submission.shape))
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
  settingsFromForm: formsSettingsFromForm,
  ui: { Icon: FormsIcon, SettingsFields: FormsBuilder, Embed: FormsEmbed },
})
