import type { FC } from 'hono/jsx'
import type { SessionUser } from '../src/auth/session'
import type { User } from '../src/services/users'
import { userRoles } from '../src/db/schema'
import { Layout } from './layout'

const roleLabel = (role: string) => role.replace('_', ' ')

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
          <select name="role" aria-label={`Role of ${user.name}`} hx-post={`/settings/users/${user.id}/role`} hx-target="closest tr" hx-swap="outerHTML">
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
        <span class={`chip ${user.status === 'active' ? '' : 'chip-muted'}`}>{user.status}</span>
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
            hx-confirm={`Deactivate ${user.name}? They are logged out and their open conversations become unassigned.`}
          >
            Deactivate
          </button>
        )}
        {!locked && user.status === 'deactivated' && (
          <button type="button" class="button small" hx-post={`/settings/users/${user.id}/status`} hx-vals='{"status":"active"}' hx-target="closest tr" hx-swap="outerHTML">
            Reactivate
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
            hx-confirm={`Remove ${user.name} from the workspace? Their open conversations become unassigned.`}
          >
            Remove
          </button>
        )}
      </td>
    </tr>
  )
}

export const AddUserForm: FC<{ error?: string; values?: Record<string, string> }> = ({ error, values }) => (
  <form id="add-user" class="card stack" hx-post="/settings/users" hx-target="this" hx-swap="outerHTML">
    <h2>Add a user</h2>
    {error && (
      <p class="form-error" role="alert">
        {error}
      </p>
    )}
    <div class="form-grid">
      <label>
        Name
        <input name="name" required maxlength={120} value={values?.name ?? ''} />
      </label>
      <label>
        Email
        <input name="email" type="email" required maxlength={254} value={values?.email ?? ''} />
      </label>
      <label>
        Initial password
        <input name="password" type="password" required minlength={10} maxlength={256} autocomplete="new-password" />
      </label>
      <label>
        Role
        <select name="role">
          <option value="agent">agent</option>
          <option value="admin">admin</option>
        </select>
      </label>
    </div>
    <button type="submit" class="button primary">
      Add user
    </button>
  </form>
)

export const UsersPage: FC<{ appName: string; actor: SessionUser; users: User[] }> = ({ appName, actor, users }) => (
  <Layout title={`Users · ${appName}`} bodyClass="settings-page">
    <main class="settings">
      <a href="/" class="back-link">
        ← Back to the inbox
      </a>
      <h1>Users and roles</h1>
      <table class="table">
        <thead>
          <tr>
            <th>User</th>
            <th>Role</th>
            <th>Status</th>
            <th></th>
          </tr>
        </thead>
        <tbody id="user-rows">
          {users.map((user) => (
            <UserRow user={user} actor={actor} />
          ))}
        </tbody>
      </table>
      <AddUserForm />
    </main>
  </Layout>
)
