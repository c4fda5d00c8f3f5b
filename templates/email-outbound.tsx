import { mailPlugin } from '../src/channels/mail'
import { RichEditor } from './composer'
import type { FC } from 'hono/jsx'
import type { ComposerFieldsProps } from '../src/channels/types'
import { Layout } from './layout'
import { t } from '../src/i18n'

/** The mail plugin's own recipient fields (its `ui.ComposerFields`): core never draws a channel's fields itself. */
const MailFields: FC<ComposerFieldsProps> = (props) => {
  const Fields = mailPlugin()?.ui.ComposerFields
  return Fields ? <Fields {...props} /> : null
}

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
        <MailFields purpose="new" values={{ to: values.to ?? '', cc: values.cc ?? '', bcc: values.bcc ?? '' }} />
        <label class="composer-field">
          <span>{t('email.compose.subject')}</span>
          <input type="text" name="subject" value={values.subject ?? ''} required maxlength={500} />
        </label>
        <RichEditor html={values.html ?? ''} text={values.text ?? ''} kind="message" rows={10} />
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
    <MailFields purpose="forward" conversationId={conversationId} values={{ to: values.to ?? '' }} />
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
