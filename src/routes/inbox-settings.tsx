import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { requireRole } from '../auth/middleware'
import { InputError } from '../lib/errors'
import { getInbox } from '../services/inboxes'
import { assertInboxNameFree } from '../services/inbox-admin'
import { listChannelsOfInbox, listMemberIds, updateInbox } from '../services/inbox-settings'
import { listAllUsers } from '../services/users'
import { InboxForm, InboxSettingsPage } from '../../templates/inbox-settings'
import { t } from '../i18n'

/** An inbox's settings (/inbox/:inboxId/settings): admins only. Its channels' pages are routes/channel-setup.tsx. */
export const inboxSettingsRoutes = new Hono<AppEnv>()
inboxSettingsRoutes.use('/:inboxId/settings', requireRole('admin', 'super_admin'))

const inboxForm = z.object({
  name: z.string().default(''),
  members: z.array(z.string().max(32)).default([]),
  defaultAssignment: z.enum(['none', 'round_robin', 'user'], { message: 'inboxsettings.assignment.invalid' }).default('none'),
  defaultAssigneeId: z.string().max(32).default(''),
})

inboxSettingsRoutes.get('/:inboxId/settings', async (c) => {
  const { db, accountId } = c.var
  const inbox = await getInbox(db, accountId, c.req.param('inboxId'))
  if (!inbox) throw new HTTPException(404, { message: t('errors.no_such_inbox') })
  const [users, memberIds, inboxChannels] = await Promise.all([
    listAllUsers(db, accountId),
    listMemberIds(db, inbox.id),
    listChannelsOfInbox(db, accountId, inbox.id),
  ])
  return c.html(<InboxSettingsPage appName={c.env.APP_NAME ?? 'Switchboard'} inbox={inbox} users={users} memberIds={memberIds} channels={inboxChannels} />)
})

inboxSettingsRoutes.post('/:inboxId/settings', async (c) => {
  const { db, accountId, user } = c.var
  const inbox = await getInbox(db, accountId, c.req.param('inboxId'))
  if (!inbox) throw new HTTPException(404, { message: t('errors.no_such_inbox') })
  const body = await c.req.parseBody({ all: true })
  const form = inboxForm.safeParse({ ...body, members: body.members === undefined ? [] : [body.members].flat() })
  const users = await listAllUsers(db, accountId)
  const render = async (status: 200 | 422, error?: string) =>
    c.html(
      <InboxForm
        inbox={(await getInbox(db, accountId, inbox.id)) ?? inbox}
        users={users}
        memberIds={await listMemberIds(db, inbox.id)}
        error={error}
        saved={status === 200}
      />,
      status,
    )
  if (!form.success) return render(422, t(form.error.issues[0]?.message ?? 'error.check_input'))
  try {
    await assertInboxNameFree(db, accountId, form.data.name, inbox.id)
    await updateInbox(db, user, inbox.id, {
      name: form.data.name,
      memberIds: form.data.members.filter((id): id is string => typeof id === 'string'),
      defaultAssignment: form.data.defaultAssignment,
      defaultAssigneeId: form.data.defaultAssigneeId || null,
    })
  } catch (error) {
    if (error instanceof InputError) return render(422, error.message)
    throw error
  }
  return render(200)
})
