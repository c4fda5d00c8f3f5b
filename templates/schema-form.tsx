import type { FC } from 'hono/jsx'
import type { z } from 'zod'
import { t } from '../src/i18n'
import { fieldText } from '../src/channels/texts'
import type { ChannelPlugin } from '../src/channels/types'

/** One settings field as read off a plugin's zod schema. */
export interface SchemaField {
  key: string
  label: string
  /** What the field is for, in the plugin's words (shown under it). */
  help?: string
  kind: 'text' | 'email' | 'url' | 'number' | 'boolean' | 'enum' | 'list'
  required: boolean
  options: string[]
}

interface ZodLike {
  def: { type: string; innerType?: ZodLike; element?: ZodLike }
  format?: string | null
  options?: unknown[]
  shape?: Record<string, ZodLike>
}

/** The field's label, in the current locale when its plugin gave one (see `fieldText`). */
export const fieldLabel = (field: Pick<SchemaField, 'key' | 'label'>) => field.label

/**
 * Reads the fields of a plugin's settings schema (a zod object of strings, numbers, booleans,
 * enums and string lists), so a channel's settings page needs no code of its own. Labels and help
 * come from the plugin's own texts in the current locale.
 */
export function schemaFields(schema: z.ZodTypeAny, plugin?: Pick<ChannelPlugin, 'texts'>): SchemaField[] {
  const shape = (schema as unknown as ZodLike).shape ?? {}
  const fields: SchemaField[] = []
  for (const [key, field] of Object.entries(shape)) {
    let inner = field
    let required = true
    // `catch` too: a stored value the schema no longer knows reads as the fallback, so the field is not required.
    while (inner.def.type === 'optional' || inner.def.type === 'default' || inner.def.type === 'catch') {
      required = false
      inner = inner.def.innerType!
    }
    const type = inner.def.type
    // A list of objects (a form's fields) is the plugin's to draw (ui.SettingsFields) and read (settingsFromForm).
    if (type === 'array' && inner.def.element?.def.type === 'object') continue
    const kind: SchemaField['kind'] =
      type === 'array'
        ? 'list'
        : type === 'boolean'
          ? 'boolean'
          : type === 'number'
            ? 'number'
            : type === 'enum'
              ? 'enum'
              : inner.format === 'email'
                ? 'email'
                : inner.format === 'url'
                  ? 'url'
                  : 'text'
    const text = fieldText(plugin, key)
    fields.push({ key, label: text.label, help: text.help, kind, required, options: (inner.options ?? []).map(String) })
  }
  return fields
}

/** Turns a submitted form back into the object the schema validates. */
export function formToSettings(fields: SchemaField[], body: Record<string, unknown>): Record<string, unknown> {
  const settings: Record<string, unknown> = {}
  for (const field of fields) {
    const raw = typeof body[field.key] === 'string' ? (body[field.key] as string) : ''
    if (field.kind === 'boolean') settings[field.key] = raw === 'on' || raw === '1'
    else if (field.kind === 'list')
      settings[field.key] = raw
        .split(/[\n,]+/)
        .map((item) => item.trim())
        .filter(Boolean)
    else if (field.kind === 'number') settings[field.key] = raw.trim() === '' ? undefined : Number(raw)
    else settings[field.key] = raw.trim() === '' ? undefined : raw.trim()
  }
  return settings
}

/** `idPrefix` keeps ids unique when a page shows several channels' forms. */
export const SchemaFields: FC<{ fields: SchemaField[]; values: Record<string, unknown>; errors: Record<string, string>; idPrefix?: string }> = ({
  fields,
  values,
  errors,
  idPrefix = '',
}) => (
  <div class="form-grid">
    {fields.map((field) => {
      const value = values[field.key]
      const error = errors[field.key]
      const describedBy =
        [error ? `${idPrefix}error-${field.key}` : '', field.help ? `${idPrefix}help-${field.key}` : ''].filter(Boolean).join(' ') || undefined
      // Named by id as well as by nesting: the control is chosen by kind below.
      const id = `${idPrefix}field-${field.key}`
      return (
        <label class={field.kind === 'boolean' ? 'check' : field.kind === 'list' ? 'wide' : undefined} for={id}>
          {field.kind !== 'boolean' && fieldLabel(field)}
          {field.kind === 'boolean' ? (
            <>
              <input type="checkbox" id={id} name={field.key} value="1" checked={value === true} /> {fieldLabel(field)}
            </>
          ) : field.kind === 'enum' ? (
            <select id={id} name={field.key} aria-describedby={describedBy}>
              {field.options.map((option) => (
                <option value={option} selected={value === option}>
                  {option}
                </option>
              ))}
            </select>
          ) : field.kind === 'list' ? (
            <textarea id={id} name={field.key} rows={3} aria-describedby={describedBy} placeholder={t('field.one_per_line')}>
              {Array.isArray(value) ? value.join('\n') : ''}
            </textarea>
          ) : (
            <input
              id={id}
              name={field.key}
              type={field.kind === 'number' ? 'number' : field.kind === 'email' ? 'email' : field.kind === 'url' ? 'url' : 'text'}
              value={value === undefined || value === null ? '' : String(value)}
              required={field.required}
              aria-describedby={describedBy}
            />
          )}
          {field.help && (
            <span id={`${idPrefix}help-${field.key}`} class="field-help muted small">
              {field.help}
            </span>
          )}
          {error && (
            <span id={`${idPrefix}error-${field.key}`} class="field-error">
              {error}
            </span>
          )}
        </label>
      )
    })}
  </div>
)
