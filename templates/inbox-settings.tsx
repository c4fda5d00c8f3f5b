import type { FC } from 'hono/jsx'
import type { Channel, Inbox } from '../src/services/inboxes'
import type { User } from '../src/services/users'
import { FormNotices, Layout } from './layout'
import { viewUrl } from './inbox'
import { ChannelForm } from './channel-setup'
import { t } from '../src/i18n'

export const InboxForm: FC<{ inbox: Inbox; users: Pick<User, 'id' | 'name' | 'status'>[]; memberIds: string[]; error?: string; saved?: boolean }> = ({
  inbox,
  users,
  memberIds,
  error,
  saved,
}) => {
  const active = users.filter((user) => user.status === 'active')
  return (
    <form id="inbox-form" class="card stack" hx-post={`/inbox/${inbox.id}/settings`} hx-target="this" hx-swap="outerHTML">
      <h2>{t('inboxsettings.inbox')}</h2>
      <FormNotices error={error} saved={saved} />
      <label>
        {t('inboxsettings.name')}
        <input name="name" value={inbox.name} required maxlength={80} />
      </label>
      <fieldset>
        <legend>{t('inboxsettings.members')}</legend>
        <div class="member-grid">
          {active.map((user) => (
            <label class="check">
              <input type="checkbox" name="members" value={user.id} checked={memberIds.includes(user.id)} /> {user.name}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('inboxsettings.assignment')}</legend>
        <label class="check">
          <input type="radio" name="defaultAssignment" value="none" checked={inbox.defaultAssignment === 'none'} /> {t('inboxsettings.assignment.none')}
        </label>
        <label class="check">
          <input type="radio" name="defaultAssignment" value="round_robin" checked={inbox.defaultAssignment === 'round_robin'} />{' '}
          {t('inboxsettings.assignment.round_robin')}
        </label>
        <label class="check">
          <input type="radio" name="defaultAssignment" value="user" checked={inbox.defaultAssignment === 'user'} /> {t('inboxsettings.assignment.user')}
          <select name="defaultAssigneeId" aria-label={t('inboxsettings.assignment.user_label')}>
            <option value="">{t('inboxsettings.assignment.choose')}</option>
            {active.map((user) => (
              <option value={user.id} selected={inbox.defaultAssigneeId === user.id}>
                {user.name}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <button type="submit" class="button primary">
        {t('inboxsettings.save_inbox')}
      </button>
    </form>
  )
}

export const InboxSettingsPage: FC<{
  appName: string
  inbox: Inbox
  users: Pick<User, 'id' | 'name' | 'status'>[]
  memberIds: string[]
  channels: Channel[]
}> = ({ appName, inbox, users, memberIds, channels }) => (
  <Layout title={t('inboxsettings.title', { inbox: inbox.name, app: appName })} bodyClass="settings-page">
    <main class="settings">
      <a href={viewUrl(inbox.id, 'open')} class="back-link">
        {t('inboxsettings.back', { inbox: inbox.name })}
      </a>
      <h1>{t('inboxsettings.heading', { inbox: inbox.name })}</h1>
      <InboxForm inbox={inbox} users={users} memberIds={memberIds} />
      <h2>{t('inboxsettings.channels')}</h2>
      <p>
        <a href={`/inbox/${inbox.id}/settings/connect`} class="button primary">
          {t('channelsetup.connect')}
        </a>
      </p>
      {channels.length === 0 && <p class="muted">{t('inboxsettings.no_channels')}</p>}
      {channels.map((channel) => (
        <ChannelForm channel={channel} />
      ))}
    </main>
  </Layout>
)
