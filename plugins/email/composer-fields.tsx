import type { FC } from 'hono/jsx'
import type { ComposerFieldsProps } from '../../src/channels/types'
import { t } from '../../src/channels/types'
import { formatAddressList } from './send'

/** Where the composer fetches the fields with their defaults (the contact, or everyone for reply all). */
export const replyFieldsUrl = (conversationId: string, all = false) => `/conversations/${conversationId}/reply-fields${all ? '?all=1' : ''}`

/**
 * The email part of the composer: editable To/Cc/Bcc and attachments. The body comes from the
 * rich-text editor and goes out as HTML with a plain-text alternative derived from it. A fresh
 * reply composer loads its defaults from the server (who is on the thread is not known here); a
 * composer sent back after an error keeps what the agent typed. A new email needs a To; a forward
 * asks only for To.
 */
export const EmailComposerFields: FC<ComposerFieldsProps> = ({ conversationId, purpose = 'reply', values: given, defaults, errors = {} }) => {
  const values = given ?? (defaults ? { to: formatAddressList(defaults.to), cc: formatAddressList(defaults.cc), bcc: '' } : undefined)
  if (purpose === 'forward') return <AddressField name="to" label={t('email.to')} value={given?.to} error={errors.to} required />
  if (!values && purpose === 'reply' && conversationId) {
    // hx-target is set here because the composer's own `hx-target="this"` would otherwise be inherited.
    return <div class="composer-fields" hx-get={replyFieldsUrl(conversationId)} hx-trigger="load" hx-target="this" hx-swap="outerHTML"></div>
  }
  return (
    <div class="composer-fields">
      <AddressField name="to" label={t('email.to')} value={values?.to} error={errors.to} required={purpose === 'new'} />
      <details class="composer-copies" open={Boolean(values?.cc || values?.bcc || errors.cc || errors.bcc)}>
        <summary class="muted small">{t('email.cc_bcc')}</summary>
        <AddressField name="cc" label={t('email.cc')} value={values?.cc} error={errors.cc} />
        <AddressField name="bcc" label={t('email.bcc')} value={values?.bcc} error={errors.bcc} />
      </details>
      <div class="composer-field-row">
        {purpose === 'reply' && conversationId && (
          <button type="button" class="link-button" hx-get={replyFieldsUrl(conversationId, true)} hx-target="closest .composer-fields" hx-swap="outerHTML">
            {t('email.reply_all')}
          </button>
        )}
        {/* A button to look at; the input inside stays the control (static/attach.js adds drop and paste). */}
        <label class="attach-button">
          <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
            <path
              d="M16.5 6.5 8.7 14.3a1.5 1.5 0 0 0 2.1 2.1l7.4-7.4a3 3 0 0 0-4.2-4.2l-7.6 7.6a4.5 4.5 0 0 0 6.4 6.4l6.7-6.7"
              fill="none"
              stroke="currentColor"
              stroke-width="1.8"
              stroke-linecap="round"
            />
          </svg>{' '}
          {t('email.compose.attach')}
          <input type="file" name="attachments" multiple class="attach-input" />
        </label>
      </div>
    </div>
  )
}

/** An address list field (To, Cc, Bcc): "Name <a@b>, c@d", parsed on the server; a problem with it is shown beside it. */
function AddressField({ name, label, value, required, error }: { name: string; label: string; value?: string; required?: boolean; error?: string }) {
  return (
    <label class="composer-field">
      <span>{label}</span>
      <input
        type="text"
        name={name}
        value={value ?? ''}
        required={required}
        maxlength={10000}
        autocomplete="off"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `composer-error-${name}` : undefined}
      />
      {error && (
        <span class="field-error" id={`composer-error-${name}`} data-field={name}>
          {error}
        </span>
      )}
    </label>
  )
}
