import type { Child, FC } from 'hono/jsx'
import { t } from '../src/i18n'

/**
 * The editor's Insert pickers (the shared picker contract): a search box that re-renders the
 * list, the list of `.picker-item` buttons whose `data-insert-html` the editor inserts at the
 * caret, and for documents and link cards a small form. The HTML in `data-insert-html` is already
 * sanitised and has its placeholders filled; hono/jsx escapes it as an attribute value.
 */
export interface PickerItem {
  label: string
  detail?: string
  html: string
  subject?: string
}

export const PickerList: FC<{ items: PickerItem[]; empty: string }> = ({ items, empty }) =>
  items.length === 0 ? (
    <p class="picker-empty">{empty}</p>
  ) : (
    // A plain list of buttons: each item is itself the focusable control (arrow keys move between
    // them, static/editor.js); the one a typed trigger would pick is marked aria-current.
    <ul class="picker-list">
      {items.map((item) => (
        <li>
          <button type="button" class="picker-item" data-insert-html={item.html} data-insert-subject={item.subject}>
            <span class="picker-label">{item.label}</span> {item.detail && <span class="picker-detail">{item.detail}</span>}
          </button>
        </li>
      ))}
    </ul>
  )

/** A picker with a search box; `url` answers the list alone when asked with `list=1`. */
export const SearchPicker: FC<{ kind: string; url: string; q: string; items: PickerItem[]; empty: string; children?: Child }> = ({
  kind,
  url,
  q,
  items,
  empty,
  children,
}) => (
  <div class={`picker picker-${kind}`} data-picker={kind}>
    <input
      type="search"
      name="q"
      value={q}
      class="picker-search"
      autocomplete="off"
      placeholder={t('content.picker.search')}
      aria-label={t(`content.picker.search_${kind}`)}
      hx-get={`${url}?list=1`}
      hx-trigger="input changed delay:150ms, search"
      hx-target="next .picker-results"
      hx-swap="innerHTML"
    />
    <div class="picker-results" aria-live="polite">
      <PickerList items={items} empty={empty} />
    </div>
    {children}
  </div>
)

export const DocumentUploadForm: FC<{ url: string; error?: string; uploaded?: string }> = ({ url, error, uploaded }) => (
  <form class="picker-form" hx-post={url} hx-encoding="multipart/form-data" hx-target="closest .picker" hx-swap="outerHTML">
    {error && (
      <p class="form-error" role="alert">
        {error}
      </p>
    )}
    {uploaded && (
      <p class="form-success" role="status">
        {t('content.picker.uploaded', { name: uploaded })}
      </p>
    )}
    <label>
      {t('content.picker.upload')}
      <input type="file" name="file" required />
    </label>
    <button type="submit" class="button small">
      {t('content.picker.upload_button')}
    </button>
  </form>
)

export const LinkCardPicker: FC<{ url: string; values?: { kind?: string; url?: string; title?: string }; error?: string; item?: PickerItem }> = ({
  url,
  values = {},
  error,
  item,
}) => (
  <div class="picker picker-link" data-picker="link">
    <form class="picker-form" hx-get={url} hx-target="closest .picker" hx-swap="outerHTML">
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <label>
        {t('content.link.kind')}
        <select name="kind">
          <option value="video" selected={values.kind !== 'quote'}>
            {t('content.card.video')}
          </option>
          <option value="quote" selected={values.kind === 'quote'}>
            {t('content.card.quote')}
          </option>
        </select>
      </label>
      <label>
        {t('content.link.url')}
        <input type="url" name="url" value={values.url ?? ''} required maxlength={2000} placeholder="https://" />
      </label>
      <label>
        {t('content.link.title')}
        <input name="title" value={values.title ?? ''} maxlength={200} />
      </label>
      <button type="submit" class="button small">
        {t('content.link.make')}
      </button>
    </form>
    {item && <PickerList items={[item]} empty="" />}
  </div>
)
