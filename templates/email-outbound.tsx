import { AddressField } from '../plugins/email/composer-fields'
import { RichEditor } from './composer'
import type { FC } from 'hono/jsx'
import { Layout } from './layout'
import { t } from '../src/i18n'

export interface ComposeValues {
  channelId?: string
  to?: string
  cc?: string
  bcc?: string
  subject?: string
  text?: string
  /** The editor's body, already sanitised (a form sent back after an error). */
  html?: string
}

/** A new email from the inbox: recipients, subject, body (the rich-text editor; sent as HTML with a text alternative) and attachments. */
export const ComposeForm: FC<{ inboxId: string; channels: { id: string; name: string; address: string }[]; values?: ComposeValues; error?: string }> = ({
  inboxId,
  channels,
  values = {},
  error,
}) => (
  <form
    id="compose-email"
    class="compose-email"
    method="post"
    action={`/inbox/${inboxId}/compose`}
    enctype="multipart/form-data"
    hx-post={`/inbox/${inboxId}/compose`}
    hx-encoding="multipart/form-data"
    hx-target="this"
    hx-swap="outerHTML"
  >
    <header class="pane-header">
      <h2>{t('email.compose.heading')}</h2>
    </header>
    {error && (
      <p class="form-error" role="alert">
        {error}
      </p>
    )}
    {channels.length === 0 ? (
      <p class="empty-state">{t('email.compose.no_channel')}</p>
    ) : (
      <>
        {channels.length > 1 ? (
          <label class="composer-field">
            <span>{t('email.compose.from')}</span>
            <select name="channelId">
              {channels.map((channel) => (
                <option value={channel.id} selected={channel.id === values.channelId}>
                  {channel.name} &lt;{channel.address}&gt;
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p class="muted small">{t('email.compose.from_line', { name: channels[0]!.name, address: channels[0]!.address })}</p>
        )}
        <AddressField name="to" label={t('email.to')} value={values.to} required />
        <AddressField name="cc" label={t('email.cc')} value={values.cc} />
        <AddressField name="bcc" label={t('email.bcc')} value={values.bcc} />
        <label class="composer-field">
          <span>{t('email.compose.subject')}</span>
          <input type="text" name="subject" value={values.subject ?? ''} required maxlength={500} />
        </label>
        <RichEditor html={values.html ?? ''} text={values.text ?? ''} kind="message" rows={10} />
        <div class="composer-field-row">
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
        <div class="composer-actions">
          <button type="submit" class="button primary">
            {t('email.compose.send')}
          </button>
        </div>
      </>
    )}
  </form>
)

export const ComposePage: FC<{ appName: string; userId: string; inboxId: string; channels: { id: string; name: string; address: string }[] }> = ({
  appName,
  userId,
  inboxId,
  channels,
}) => (
  <Layout title={t('email.compose.title', { app: appName })} bodyClass="compose-page" userId={userId}>
    <main class="compose-page-main">
      <p>
        <a href={`/inbox/${inboxId}/open`}>{t('email.compose.back')}</a>
      </p>
      <ComposeForm inboxId={inboxId} channels={channels} />
    </main>
  </Layout>
)

/** Takes the composer's place: forward the conversation to an outside address, with a note. */
export const ForwardForm: FC<{ conversationId: string; values?: { to?: string; note?: string }; error?: string }> = ({
  conversationId,
  values = {},
  error,
}) => (
  <form id="composer" class="composer composer-forward" hx-post={`/conversations/${conversationId}/forward`} hx-target="this" hx-swap="outerHTML">
    <p>
      <strong>{t('email.forward.heading')}</strong> <span class="muted small">{t('email.forward.hint')}</span>
    </p>
    {error && (
      <p class="form-error" role="alert">
        {error}
      </p>
    )}
    <label class="composer-field">
      <span>{t('email.to')}</span>
      <input type="text" name="to" value={values.to ?? ''} required maxlength={10000} autocomplete="off" />
    </label>
    <textarea name="note" rows={3} maxlength={20000} placeholder={t('email.forward.note')}>
      {values.note ?? ''}
    </textarea>
    <div class="composer-actions">
      <button type="button" class="button" hx-get={`/conversations/${conversationId}/composer`} hx-target="#composer" hx-swap="outerHTML">
        {t('common.cancel')}
      </button>
      <button type="submit" class="button primary">
        {t('email.forward.submit')}
      </button>
    </div>
  </form>
)
