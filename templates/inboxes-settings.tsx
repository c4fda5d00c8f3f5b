import type { FC } from 'hono/jsx'
import type { SessionUser } from '../src/auth/session'
import type { Inbox } from '../src/services/inboxes'
import { Layout } from './layout'
import { SettingsNav } from './settings-nav'
import { FieldMessage, type FieldErrors } from './onboarding'
import { t } from '../src/i18n'

export interface InboxSummary extends Inbox {
  conversations: number
  channels: number
}

/** An inbox's row: its settings (members, channels, rename) and a delete that asks where its conversations go. */
const InboxRow: FC<{ inbox: InboxSummary; others: Inbox[]; errors?: FieldErrors }> = ({ inbox, others, errors }) => {
  const holds = inbox.conversations > 0 || inbox.channels > 0
  return (
    <tr id={`inbox-${inbox.id}`}>
      <td>
        <a href={`/inbox/${inbox.id}/settings`}>
          <strong>{inbox.name}</strong>
        </a>
        <div class="muted small">{t('inboxes.holds', { conversations: inbox.conversations, channels: inbox.channels })}</div>
      </td>
      <td class="actions">
        {others.length > 0 && (
          <form method="post" action={`/settings/inboxes/${inbox.id}/delete`} class="inline-form">
            {holds && (
              <label>
                {t('inboxes.move_to')}{' '}
                <select name="moveTo" required>
                  <option value="">{t('inboxes.move_choose')}</option>
                  {others.map((other) => (
                    <option value={other.id}>{other.name}</option>
                  ))}
                </select>
              </label>
            )}{' '}
            <button type="submit" class="button small danger">
              {t('inboxes.delete')}
            </button>
            <FieldMessage errors={errors} field="moveTo" />
          </form>
        )}
        <FieldMessage errors={errors} field="form" />
      </td>
    </tr>
  )
}

export const InboxesPage: FC<{
  appName: string
  actor: SessionUser
  inboxes: InboxSummary[]
  values?: { name?: string }
  errors?: FieldErrors
  rowErrors?: { inboxId: string; errors: FieldErrors }
  notice?: string
}> = ({ appName, actor, inboxes, values, errors, rowErrors, notice }) => (
  <Layout title={t('inboxes.title', { app: appName })} bodyClass="settings-page">
    <div class="settings-with-nav">
      <SettingsNav role={actor.role} current="/settings/inboxes" />
      <main class="settings">
        <a href="/" class="back-link">
          {t('common.back_to_inbox')}
        </a>
        <h1>{t('inboxes.heading')}</h1>
        {notice && (
          <p class="form-success" role="status">
            {notice}
          </p>
        )}
        <table class="table">
          <tbody>
            {inboxes.map((inbox) => (
              <InboxRow
                inbox={inbox}
                others={inboxes.filter((other) => other.id !== inbox.id)}
                errors={rowErrors?.inboxId === inbox.id ? rowErrors.errors : undefined}
              />
            ))}
          </tbody>
        </table>
        <form method="post" action="/settings/inboxes" class="card stack" id="new-inbox">
          <h2>{t('inboxes.create')}</h2>
          <label>
            {t('inboxsettings.name')}
            <input name="name" required maxlength={80} value={values?.name ?? ''} aria-invalid={errors?.name ? 'true' : undefined} />
            <FieldMessage errors={errors} field="name" />
          </label>
          <button type="submit" class="button primary">
            {t('inboxes.create_submit')}
          </button>
        </form>
      </main>
    </div>
  </Layout>
)
