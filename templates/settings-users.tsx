import { SettingsNav } from './settings-nav'
import type { FC } from 'hono/jsx'
import type { SessionUser } from '../src/auth/session'
import type { User } from '../src/services/users'
import { userRoles } from '../src/db/schema'
import { Layout } from './layout'
import { t } from '../src/i18n'
import type { Inbox } from '../src/services/inboxes'
import type { Invitation } from '../src/services/invitations'
import type { FieldErrors } from './onboarding'
import { InvitationList, InviteForm, TeamNotice, type IssuedLink } from './team'

const roleLabel = (role: string) => t(`users.role.${role}`)

export const UserRow: FC<{ user: User; actor: SessionUser; error?: string }> = ({ user, actor, error }) => {
  const self = user.id === actor.id
  const locked = self || (actor.role !== 'super_admin' && user.role === 'super_admin')
  return (
    <tr id={`user-${user.id}`} class={user.status === 'active' ? '' : 'inactive'}>
      <td>
        <strong>{user.name}</strong>
        <div class="muted small">{user.email}</div>
        {error && (
          <div class="form-error small" role="alert">
            {error}
          </div>
        )}
      </td>
      <td>
        {locked ? (
          roleLabel(user.role)
        ) : (
          <select
            name="role"
            aria-label={t('users.role_of', { name: user.name })}
            hx-post={`/settings/users/${user.id}/role`}
            hx-target="closest tr"
            hx-swap="outerHTML"
          >
            {userRoles
              .filter((role) => actor.role === 'super_admin' || role !== 'super_admin')
              .map((role) => (
                <option value={role} selected={role === user.role}>
                  {roleLabel(role)}
                </option>
              ))}
          </select>
        )}
      </td>
      <td>
        <span class={`chip ${user.status === 'active' ? '' : 'chip-muted'}`}>{t(`users.status.${user.status}`)}</span>
      </td>
      <td class="actions">
        {!locked && user.status === 'active' && (
          <button
            type="button"
            class="button small"
            hx-post={`/settings/users/${user.id}/status`}
            hx-vals='{"status":"deactivated"}'
            hx-target="closest tr"
            hx-swap="outerHTML"
            hx-confirm={t('users.deactivate_confirm', { name: user.name })}
          >
            {t('users.deactivate')}
          </button>
        )}
        {!locked && user.status === 'active' && (
          <form method="post" action={`/settings/users/${user.id}/reset-password`} class="inline-form">
            <button type="submit" class="button small">
              {t('users.reset_password')}
            </button>
          </form>
        )}
        {!locked && user.status === 'deactivated' && (
          <button
            type="button"
            class="button small"
            hx-post={`/settings/users/${user.id}/status`}
            hx-vals='{"status":"active"}'
            hx-target="closest tr"
            hx-swap="outerHTML"
          >
            {t('users.reactivate')}
          </button>
        )}
        {!locked && (
          <button
            type="button"
            class="button small danger"
            hx-post={`/settings/users/${user.id}/status`}
            hx-vals='{"status":"removed"}'
            hx-target="closest tr"
            hx-swap="outerHTML"
            hx-confirm={t('users.remove_confirm', { name: user.name })}
          >
            {t('users.remove')}
          </button>
        )}
      </td>
    </tr>
  )
}

export const AddUserForm: FC<{ error?: string; values?: Record<string, string> }> = ({ error, values }) => (
  <form id="add-user" class="card stack" hx-post="/settings/users" hx-target="this" hx-swap="outerHTML">
    <h2>{t('users.add.heading')}</h2>
    {error && (
      <p class="form-error" role="alert">
        {error}
      </p>
    )}
    <div class="form-grid">
      <label>
        {t('users.add.name')}
        <input name="name" required maxlength={120} value={values?.name ?? ''} />
      </label>
      <label>
        {t('users.add.email')}
        <input name="email" type="email" required maxlength={254} value={values?.email ?? ''} />
      </label>
      <label>
        {t('users.add.password')}
        <input name="password" type="password" required minlength={10} maxlength={256} autocomplete="new-password" />
      </label>
      <label>
        {t('users.add.role')}
        <select name="role">
          <option value="agent">{roleLabel('agent')}</option>
          <option value="admin">{roleLabel('admin')}</option>
        </select>
      </label>
    </div>
    <button type="submit" class="button primary">
      {t('users.add.submit')}
    </button>
  </form>
)

export interface TeamExtras {
  inboxes: Inbox[]
  invitations: Invitation[]
  notice?: string
  inviteValues?: { email?: string; role?: string; inboxIds?: string[]; locale?: string }
  inviteErrors?: FieldErrors
  /** Set only on the answer to an invite or resend: the link, shown once, to copy. */
  issued?: IssuedLink
}

export const UsersPage: FC<{ appName: string; actor: SessionUser; users: User[]; team: TeamExtras }> = ({ appName, actor, users, team }) => (
  <Layout title={t('users.title', { app: appName })} bodyClass="settings-page">
    <div class="settings-with-nav">
      <SettingsNav role={actor.role} current="/settings/users" />
      <main class="settings">
        <a href="/" class="back-link">
          {t('common.back_to_inbox')}
        </a>
        <h1>{t('users.heading')}</h1>
        {/* The answer to the invite's POST shows the link once; a reload asks for the plain page, without it. */}
        {team.issued && <span hidden data-replace-url="/settings/users" />}
        <TeamNotice notice={team.notice} />
        <table class="table">
          <thead>
            <tr>
              <th>{t('users.col.user')}</th>
              <th>{t('users.col.role')}</th>
              <th>{t('users.col.status')}</th>
              <th>
                <span class="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody id="user-rows">
            {users.map((user) => (
              <UserRow user={user} actor={actor} />
            ))}
          </tbody>
        </table>
        <InvitationList invitations={team.invitations} nowMs={Date.now()} issued={team.issued} />
        <InviteForm actorRole={actor.role} inboxes={team.inboxes} values={team.inviteValues} errors={team.inviteErrors} />
      </main>
    </div>
  </Layout>
)
