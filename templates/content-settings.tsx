import type { Child, FC } from 'hono/jsx'
import type { UserRole } from '../src/db/schema'
import { t } from '../src/i18n'
import { placeholderKeys } from '../src/services/placeholders'
import { FormNotices, Layout } from './layout'
import { SettingsNav } from './settings-nav'

/**
 * The content library's settings pages (snippets, templates, articles, meeting links, documents):
 * one shape for all five — a table of what exists, a form to add one, an edit page per item.
 * Fields are described by data so the five forms cannot drift apart.
 */
export type ContentKindId = 'snippets' | 'templates' | 'articles' | 'meetings' | 'documents'

export interface FieldSpec {
  name: string
  labelKey: string
  kind: 'text' | 'url' | 'textarea' | 'checkbox' | 'file'
  maxlength?: number
  required?: boolean
  hintKey?: string
  /** Shown before the input (the `#` of a shortcut). */
  prefix?: string
}

export interface ContentRowView {
  id: string
  title: string
  detail?: Child
  meta?: string
  canManage: boolean
  /** Where the item can be seen (a published article, a document's share link). */
  viewHref?: string
}

export const contentSettingsPath = (kind: ContentKindId) => `/settings/${kind}`

export const PlaceholderHelp: FC = () => (
  <details class="card placeholder-help">
    <summary>{t('content.placeholders.title')}</summary>
    <p class="muted small">{t('content.placeholders.intro')}</p>
    <ul class="placeholder-list">
      {placeholderKeys.map((key) => (
        <li>
          <code>{`{{${key}}}`}</code> — {t(`content.placeholders.${key}`)}
        </li>
      ))}
    </ul>
    <p class="muted small">{t('content.placeholders.rules')}</p>
  </details>
)

const Field: FC<{ field: FieldSpec; value: string }> = ({ field, value }) => {
  const label = t(field.labelKey)
  const hint = field.hintKey ? <span class="muted small">{t(field.hintKey)}</span> : null
  if (field.kind === 'checkbox') {
    return (
      <label class="check">
        <input type="checkbox" name={field.name} value="1" checked={value === '1'} /> {label} {hint}
      </label>
    )
  }
  if (field.kind === 'textarea') {
    return (
      <label class="content-body-field">
        {label}
        <textarea name={field.name} rows={8} maxlength={field.maxlength} required={field.required} class="rich-text-source">
          {value}
        </textarea>
        {hint}
      </label>
    )
  }
  return (
    <label>
      {label}
      <span class={field.prefix ? 'input-with-prefix' : undefined}>
        {field.prefix && <span class="input-prefix">{field.prefix}</span>}
        <input
          name={field.name}
          type={field.kind}
          value={field.kind === 'file' ? undefined : value}
          maxlength={field.kind === 'file' ? undefined : field.maxlength}
          required={field.required}
        />
      </span>
      {hint}
    </label>
  )
}

/** The add or edit form; a validation error comes back in it (422) with what was entered. */
export const ContentForm: FC<{
  kind: ContentKindId
  fields: FieldSpec[]
  /** The item being edited; none for the add form. */
  itemId?: string
  values?: Record<string, string>
  error?: string
  saved?: boolean
}> = ({ kind, fields, itemId, values = {}, error, saved }) => {
  const action = itemId ? `${contentSettingsPath(kind)}/${itemId}` : contentSettingsPath(kind)
  const upload = fields.some((field) => field.kind === 'file')
  return (
    <form
      id={`${kind}-form`}
      class="card stack content-form"
      method="post"
      action={action}
      enctype={upload ? 'multipart/form-data' : undefined}
      hx-post={action}
      hx-encoding={upload ? 'multipart/form-data' : undefined}
      hx-target="this"
      hx-swap="outerHTML"
    >
      <h2>{t(itemId ? `content.${kind}.edit` : `content.${kind}.new`)}</h2>
      <FormNotices error={error} saved={saved} />
      {fields.map((field) => (
        <Field field={field} value={values[field.name] ?? ''} />
      ))}
      <div class="form-actions">
        <button type="submit" class="button primary">
          {t(itemId ? 'common.save' : `content.${kind}.add`)}
        </button>
        {itemId && (
          <a class="button" href={contentSettingsPath(kind)}>
            {t('content.back_to_list')}
          </a>
        )}
      </div>
    </form>
  )
}

export const ContentRow: FC<{ kind: ContentKindId; row: ContentRowView }> = ({ kind, row }) => (
  <tr id={`${kind}-row-${row.id}`}>
    <td>
      <strong>{row.title}</strong>
      {row.detail && <div class="muted small content-detail">{row.detail}</div>}
    </td>
    <td class="muted small">{row.meta}</td>
    <td class="actions">
      {row.viewHref && (
        <a class="button small" href={row.viewHref} target="_blank" rel="noopener">
          {t('content.view')}
        </a>
      )}
      {row.canManage && (
        <>
          <a class="button small" href={`${contentSettingsPath(kind)}/${row.id}`}>
            {t('common.edit')}
          </a>
          <form
            class="inline-form"
            method="post"
            action={`${contentSettingsPath(kind)}/${row.id}/delete`}
            hx-post={`${contentSettingsPath(kind)}/${row.id}/delete`}
            hx-target="closest tr"
            hx-swap="outerHTML"
            hx-confirm={t('content.confirm_delete', { name: row.title })}
          >
            <button type="submit" class="button small danger">
              {t('common.delete')}
            </button>
          </form>
        </>
      )}
    </td>
  </tr>
)

export const ContentRows: FC<{ kind: ContentKindId; rows: ContentRowView[] }> = ({ kind, rows }) => (
  <>
    {rows.map((row) => (
      <ContentRow kind={kind} row={row} />
    ))}
  </>
)

const SettingsShell: FC<{ appName: string; role: UserRole; kind: ContentKindId; title: string; children?: Child }> = ({
  appName,
  role,
  kind,
  title,
  children,
}) => (
  <Layout title={`${title} · ${appName}`} bodyClass="settings-page">
    <div class="settings-with-nav">
      <SettingsNav role={role} current={contentSettingsPath(kind)} />
      <main class="settings">
        <a href="/" class="back-link">
          {t('common.back_to_inbox')}
        </a>
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  </Layout>
)

export const ContentListPage: FC<{
  appName: string
  role: UserRole
  kind: ContentKindId
  fields: FieldSpec[]
  rows: ContentRowView[]
  values?: Record<string, string>
  error?: string
}> = ({ appName, role, kind, fields, rows, values, error }) => (
  <SettingsShell appName={appName} role={role} kind={kind} title={t(`content.${kind}.title`)}>
    <p class="muted">{t(`content.${kind}.intro`)}</p>
    {(kind === 'snippets' || kind === 'templates') && <PlaceholderHelp />}
    <table class="table content-table">
      <thead>
        <tr>
          <th>{t('content.column.name')}</th>
          <th>{t('content.column.by')}</th>
          <th>
            <span class="visually-hidden">{t('common.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody id={`${kind}-rows`}>
        <ContentRows kind={kind} rows={rows} />
      </tbody>
    </table>
    {rows.length === 0 && <p class="muted content-empty">{t(`content.${kind}.empty`)}</p>}
    <ContentForm kind={kind} fields={fields} values={values} error={error} />
  </SettingsShell>
)

export const ContentEditPage: FC<{
  appName: string
  role: UserRole
  kind: ContentKindId
  fields: FieldSpec[]
  itemId: string
  values: Record<string, string>
  error?: string
  saved?: boolean
}> = ({ appName, role, kind, fields, itemId, values, error, saved }) => (
  <SettingsShell appName={appName} role={role} kind={kind} title={t(`content.${kind}.title`)}>
    {(kind === 'snippets' || kind === 'templates') && <PlaceholderHelp />}
    <ContentForm kind={kind} fields={fields} itemId={itemId} values={values} error={error} saved={saved} />
  </SettingsShell>
)
