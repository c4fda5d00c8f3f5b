import { z } from 'zod'
import type { ChannelSetupProps, SettingsFieldsProps } from '../../src/channels/types'

/**
 * The form builder: which fields the form has, in order, with a label and a required flag. The
 * standard ones (email, name, subject, message) keep their names, which the plugin's parse reads;
 * custom ones are kept as "label: value" lines of the conversation's first message.
 */
/**
 * A field people never see (moved off screen, skipped by Tab, hidden from screen readers): a bot
 * that fills every field fills it, and its submission is dropped without a word.
 */
export const honeypotField = 'hp_website'

export const standardFields = ['email', 'name', 'subject', 'message'] as const
const fieldName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/)
  .refine((name) => name !== 'submissionId')

export const formField = z.object({
  name: fieldName,
  label: z.string().trim().min(1).max(120),
  type: z.enum(['text', 'email', 'textarea', 'file']),
  required: z.boolean().default(false),
})
export type FormField = z.infer<typeof formField>

export const defaultFields: FormField[] = [
  { name: 'name', label: 'Name', type: 'text', required: false },
  { name: 'email', label: 'Email', type: 'email', required: true },
  { name: 'subject', label: 'Subject', type: 'text', required: false },
  { name: 'message', label: 'Message', type: 'textarea', required: true },
]

/** The fields as the builder stores them: every name once, and always an email (replies go to it). */
export const formFields = z
  .array(formField)
  .max(30)
  .default(defaultFields)
  .refine((fields) => new Set(fields.map((field) => field.name)).size === fields.length, 'Two fields have the same name.')
  .refine((fields) => fields.some((field) => field.name === 'email'), 'The form needs its email field: replies go to it.')

const standardType: Record<(typeof standardFields)[number], FormField['type']> = { email: 'email', name: 'text', subject: 'text', message: 'textarea' }

const words = {
  en: {
    legend: 'Form fields',
    include: 'Include',
    required: 'Required',
    label: 'Label',
    type: 'Type',
    field: 'Field',
    custom: 'Custom field',
    customHelp: 'Leave a custom field’s label empty to drop it.',
    types: { text: 'Text', email: 'Email', textarea: 'Long text', file: 'Files' },
    std: { email: 'Email (always included: replies go to it)', name: 'Name', subject: 'Subject', message: 'Message' },
    send: 'Send',
  },
  nb: {
    legend: 'Skjemafelt',
    include: 'Ta med',
    required: 'Påkrevd',
    label: 'Ledetekst',
    type: 'Type',
    field: 'Felt',
    custom: 'Eget felt',
    customHelp: 'La ledeteksten til et eget felt stå tom for å fjerne det.',
    types: { text: 'Tekst', email: 'E-post', textarea: 'Lang tekst', file: 'Filer' },
    std: { email: 'E-post (alltid med: svar går dit)', name: 'Navn', subject: 'Emne', message: 'Melding' },
    send: 'Send',
  },
}

const customRows = 3

const storedFields = (values: Record<string, unknown>): FormField[] => {
  const parsed = z.array(formField).safeParse(values.fields)
  return parsed.success ? parsed.data : defaultFields
}

/** A custom field's name from its label: lower case letters, digits and underscores, never a standard name. */
function nameFromLabel(label: string, taken: Set<string>): string {
  const slug =
    label
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .replace(/^(\d)/, 'f_$1')
      .slice(0, 32) || 'field'
  let name = (standardFields as readonly string[]).includes(slug) ? `${slug}_2` : slug
  for (let n = 2; taken.has(name); n++) name = `${slug}_${n}`
  return name
}

/** Reads the builder back from the posted form (values are hostile strings). */
export function formsSettingsFromForm(body: Record<string, string | string[]>): Record<string, unknown> {
  const one = (key: string) => {
    const value = body[key]
    return (Array.isArray(value) ? value[0] : value)?.trim() ?? ''
  }
  const fields: FormField[] = []
  for (const name of standardFields) {
    if (name !== 'email' && !one(`std.${name}.include`)) continue
    fields.push({
      name,
      label: one(`std.${name}.label`).slice(0, 120) || name,
      type: standardType[name],
      required: name === 'email' || !!one(`std.${name}.required`),
    })
  }
  const taken = new Set<string>(standardFields)
  for (let index = 0; index < 30; index++) {
    const label = one(`custom.${index}.label`).slice(0, 120)
    if (!label) continue
    const kept = one(`custom.${index}.name`)
    const name = fieldName.safeParse(kept).success && !taken.has(kept) ? kept : nameFromLabel(label, taken)
    taken.add(name)
    const type = one(`custom.${index}.type`)
    fields.push({ name, label, type: type === 'textarea' || type === 'email' ? type : 'text', required: !!one(`custom.${index}.required`) })
  }
  return { fields }
}

/** The builder, inside the channel's settings form: the standard fields to include, and custom ones. */
export function FormsBuilder({ values, errors, locale }: SettingsFieldsProps) {
  const say = words[locale]
  const fields = storedFields(values)
  const custom = fields.filter((field) => !(standardFields as readonly string[]).includes(field.name))
  const rows = [...custom, ...Array.from({ length: customRows }, () => null)]
  return (
    <fieldset class="form-builder wide">
      <legend>{say.legend}</legend>
      {errors.fields && (
        <p class="field-error" role="alert">
          {errors.fields}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">{say.field}</th>
            <th scope="col">{say.label}</th>
            <th scope="col">{say.include}</th>
            <th scope="col">{say.required}</th>
          </tr>
        </thead>
        <tbody>
          {standardFields.map((name) => {
            const field = fields.find((candidate) => candidate.name === name)
            return (
              <tr>
                <th scope="row">{say.std[name]}</th>
                <td>
                  <input
                    name={`std.${name}.label`}
                    value={field?.label ?? defaultFields.find((f) => f.name === name)?.label}
                    aria-label={`${say.label}: ${name}`}
                  />
                </td>
                <td>
                  {name === 'email' ? (
                    '✓'
                  ) : (
                    <input type="checkbox" name={`std.${name}.include`} value="1" checked={!!field} aria-label={`${say.include}: ${name}`} />
                  )}
                </td>
                <td>
                  {name === 'email' ? (
                    '✓'
                  ) : (
                    <input type="checkbox" name={`std.${name}.required`} value="1" checked={!!field?.required} aria-label={`${say.required}: ${name}`} />
                  )}
                </td>
              </tr>
            )
          })}
          {rows.map((field, index) => (
            <tr>
              <th scope="row">
                {say.custom} {index + 1}
                {field && <input type="hidden" name={`custom.${index}.name`} value={field.name} />}
              </th>
              <td>
                <input name={`custom.${index}.label`} value={field?.label ?? ''} aria-label={`${say.custom} ${index + 1}: ${say.label}`} />
                <select name={`custom.${index}.type`} aria-label={`${say.custom} ${index + 1}: ${say.type}`}>
                  {(['text', 'textarea', 'email', 'file'] as const).map((type) => (
                    <option value={type} selected={field?.type === type}>
                      {say.types[type]}
                    </option>
                  ))}
                </select>
              </td>
              <td>✓</td>
              <td>
                <input
                  type="checkbox"
                  name={`custom.${index}.required`}
                  value="1"
                  checked={!!field?.required}
                  aria-label={`${say.custom} ${index + 1}: ${say.required}`}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="field-help muted small">{say.customHelp}</p>
    </fieldset>
  )
}

/** The plain HTML form: the builder's fields, posting to this channel's inbound address (no script needed). */
function PlainForm({ fields, action, channelId, locale }: { fields: FormField[]; action: string; channelId: string; locale: 'en' | 'nb' }) {
  const withFiles = fields.some((field) => field.type === 'file')
  return (
    <form
      action={action}
      method="post"
      accept-charset="utf-8"
      enctype={withFiles ? 'multipart/form-data' : undefined}
      class="switchboard-form"
      data-channel={channelId}
    >
      {fields.map((field) => {
        const id = `sb-${channelId}-${field.name}`
        return (
          <p>
            <label for={id}>{field.label}</label>
            <br />
            {field.type === 'textarea' ? (
              <textarea id={id} name={field.name} rows={5} required={field.required} maxlength={20000}></textarea>
            ) : field.type === 'file' ? (
              <input id={id} name={field.name} type="file" multiple required={field.required} />
            ) : (
              <input id={id} name={field.name} type={field.type} required={field.required} maxlength={field.type === 'email' ? 254 : 2000} />
            )}
          </p>
        )
      })}
      <p style="position:absolute;left:-10000px" aria-hidden="true">
        <input name={honeypotField} tabindex={-1} autocomplete="off" value="" />
      </p>
      <p>
        <button type="submit">{words[locale].send}</button>
      </p>
    </form>
  )
}

/**
 * What a site pastes: the script (plugins/forms/embed.ts, served by this plugin's routes) draws the
 * form where the tag is and sends it without leaving the page; the same form as plain HTML inside
 * `<noscript>` works where scripts do not run.
 */
export function FormsEmbed({ settings, urls, channel, locale }: ChannelSetupProps) {
  const fields = storedFields((settings ?? {}) as Record<string, unknown>)
  return (
    <>
      <script src={`${urls.routes}/embed.js`} data-switchboard-form={channel.id} async></script>
      <noscript>
        <PlainForm fields={fields} action={urls.webhook} channelId={channel.id} locale={locale} />
      </noscript>
    </>
  )
}

/** The builder's fields as stored (defaults when none are), for the embed script. */
export const formFieldsOf = (settings: unknown) => storedFields((settings ?? {}) as Record<string, unknown>)
