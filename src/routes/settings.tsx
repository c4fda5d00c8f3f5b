import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { requireRole } from '../auth/middleware'
import { passwordMaxLength, passwordMinLength } from '../auth/password'
import { userRoles, userStatuses } from '../db/schema'
import { InputError } from '../lib/errors'
import { durableObjectNotifier } from '../rooms/notifier'
import { changeRole, createUser, getUser, setUserStatus } from '../services/users'
import { AddUserForm, UserRow } from '../../templates/settings-users'
import { renderUsersPage } from './team'
import { t } from '../i18n'

export const settingsRoutes = new Hono<AppEnv>()
// Only the users pages are admin-only; other areas' settings pages (content library …) check their own roles.
settingsRoutes.use('/users/*', requireRole('admin', 'super_admin'))

const newUserForm = z.object({
  name: z.string().trim().min(1, 'users.add.name_missing').max(120),
  email: z.string().trim().email('users.add.email_invalid').max(254),
  password: z.string().min(passwordMinLength, 'users.add.password_short').max(passwordMaxLength),
  role: z.enum(['agent', 'admin', 'super_admin']),
})

settingsRoutes.get('/users', (c) => renderUsersPage(c))

settingsRoutes.post('/users', async (c) => {
  const body = await c.req.parseBody()
  const values = { name: String(body.name ?? ''), email: String(body.email ?? '') }
  const form = newUserForm.safeParse(body)
  if (!form.success)
    return c.html(<AddUserForm error={t(form.error.issues[0]?.message ?? 'error.check_input', { min: passwordMinLength })} values={values} />, 422)
  if (form.data.role === 'super_admin' && c.var.user.role !== 'super_admin') {
    return c.html(<AddUserForm error={t('users.add.super_admin_only')} values={values} />, 403)
  }
  try {
    const user = await createUser(c.var.db, { ...form.data, accountId: c.var.accountId, actorUserId: c.var.user.id })
    return c.html(
      <>
        <AddUserForm />
        {/* A <tbody> after a <form> would be dropped by the HTML parser; inside a template it parses. */}
        <template>
          <tbody hx-swap-oob="beforeend:#user-rows">
            <UserRow user={user} actor={c.var.user} />
          </tbody>
        </template>
      </>,
      201,
    )
  } catch (error) {
    if (error instanceof InputError) return c.html(<AddUserForm error={error.message} values={values} />, 422)
    throw error
  }
})

/** Runs a change to one user and answers with that user's row, or the row with the error. */
async function userRowAfter(c: Context<AppEnv>, userId: string, action: () => Promise<unknown>) {
  try {
    await action()
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    const user = await getUser(c.var.db, c.var.accountId, userId)
    return user ? c.html(<UserRow user={user} actor={c.var.user} error={error.message} />, 422) : c.body(null, 404)
  }
  const user = await getUser(c.var.db, c.var.accountId, userId)
  if (!user || user.status === 'removed') return c.html('')
  return c.html(<UserRow user={user} actor={c.var.user} />)
}

settingsRoutes.post('/users/:id/role', async (c) => {
  const role = z.enum(userRoles).safeParse((await c.req.parseBody()).role)
  return userRowAfter(c, c.req.param('id'), async () => {
    if (!role.success) throw new InputError(t('errors.choose_role'))
    await changeRole(c.var.db, c.var.user, c.req.param('id'), role.data)
  })
})

settingsRoutes.post('/users/:id/status', async (c) => {
  const status = z.enum(userStatuses).safeParse((await c.req.parseBody()).status)
  return userRowAfter(c, c.req.param('id'), async () => {
    if (!status.success) throw new InputError(t('errors.choose_status'))
    const { released } = await setUserStatus(c.var.db, c.var.user, c.req.param('id'), status.data)
    const notifier = durableObjectNotifier(c.env)
    c.executionCtx.waitUntil(
      Promise.allSettled(
        released.map((conversation) =>
          notifier.conversationChanged({ accountId: c.var.accountId, inboxId: conversation.inboxId, conversationId: conversation.id }),
        ),
      ),
    )
  })
})
