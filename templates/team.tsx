import type { FC } from 'hono/jsx'
import type { Invitation } from '../src/services/invitations'
import type { Inbox } from '../src/services/inboxes'
import type { UserRole } from '../src/db/schema'
import { FieldMessage, type FieldErrors } from './onboarding'
import { currentLocale, t } from '../src/i18n'
import { LocaleOptions } from './layout'

const roleLabel = (role: string) => t(`users.role.${role}`)

/** Invite by email: the teammate sets their own name and password from the link. */
export const InviteForm: FC<{
  actorRole: UserRole
  inboxes: Inbox[]
  values?: { email?: string; role?: string; inboxIds?: string[]; locale?: string }
  errors?: FieldErrors
}> = ({ actorRole, inboxes, values, errors }) => (
  <form id="invite" method="post" action="/settings/users/invite" class="card stack">
    <h2>{t('invite.heading')}</h2>
    <p class="muted small">{t('invite.intro')}</p>
    <FieldMessage errors={errors} field="form" />
    <div class="form-grid">
      <label>
        {t('users.add.email')}
        <input name="email" type="email" required maxlength={254} value={values?.email ?? ''} aria-invalid={errors?.email ? 'true' : undefined} />
        <FieldMessage errors={errors} field="email" />
      </label>
      <label>
        {t('users.add.role')}
        <select name="role">
          {(['agent', 'admin', 'super_admin'] as const)
            .filter((role) => role !== 'super_admin' || actorRole === 'super_admin')
            .map((role) => (
              <option value={role} selected={(values?.role ?? 'agent') === role}>
                {roleLabel(role)}
              </option>
            ))}
        </select>
        <FieldMessage errors={errors} field="role" />
      </label>
      <label>
        {t('invite.language')}
        <select name="locale">
          <LocaleOptions selected={values?.locale ?? currentLocale()} />
        </select>
      </label>
    </div>
    <fieldset>
      <legend>{t('invite.inboxes')}</legend>
      {inboxes.map((inbox) => (
        <label class="check">
          <input type="checkbox" name="inboxes" value={inbox.id} checked={values?.inboxIds ? values.inboxIds.includes(inbox.id) : true} /> {inbox.name}
        </label>
      ))}
      <FieldMessage errors={errors} field="inboxes" />
    </fieldset>
    <button type="submit" class="button primary">
      {t('invite.submit')}
    </button>
  </form>
)

/** An invitation's link right after it was made (or made anew): the only time it exists in clear. */
export interface IssuedLink {
  invitationId: string
  link: string
}

export const InvitationList: FC<{ invitations: Invitation[]; nowMs: number; issued?: IssuedLink }> = ({ invitations, nowMs, issued }) =>
  invitations.length === 0 ? null : (
    <section class="card stack" id="invitations">
      <h2>{t('invite.pending')}</h2>
      <table class="table">
        <tbody>
          {invitations.map((invitation) => (
            <tr id={`invitation-${invitation.id}`}>
              <td>
                <strong>{invitation.email}</strong>
                <div class="muted small">
                  {roleLabel(invitation.role)} ·{' '}
                  {invitation.expiresAt <= nowMs
                    ? t('invite.expired')
                    : t('invite.expires', { date: new Date(invitation.expiresAt).toISOString().slice(0, 10) })}
                </div>
                {issued?.invitationId === invitation.id && invitation.expiresAt > nowMs && (
                  <div class="stack invite-link">
                    <span class="muted small">{t('invite.link_once')}</span>
                    <code id="invite-link">{issued.link}</code>
                    <p>
                      <button type="button" class="button small" data-copy-text="invite-link">
                        {t('invite.copy_link')}
                      </button>
                    </p>
                  </div>
                )}
              </td>
              <td class="actions">
                <form method="post" action={`/settings/users/invitations/${invitation.id}/resend`} class="inline-form">
                  <button type="submit" class="button small">
                    {t('invite.resend')}
                  </button>
                </form>
                <form method="post" action={`/settings/users/invitations/${invitation.id}/revoke`} class="inline-form">
                  <button type="submit" class="button small danger">
                    {t('invite.revoke')}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )

/** The line at the top of the page after an action that sent a mail. */
export const TeamNotice: FC<{ notice?: string }> = ({ notice }) =>
  notice ? (
    <p class="form-success" role="status">
      {notice}
    </p>
  ) : null
