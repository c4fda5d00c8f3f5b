import type { FC } from 'hono/jsx'
import { findPlugin } from '../src/channels/registry'
import { channelName, channelTexts, secretText } from '../src/channels/texts'
import type { Channel, Inbox } from '../src/services/inboxes'
import type { User } from '../src/services/users'
import { FormNotices, Layout } from './layout'
import { schemaFields, SchemaFields } from './schema-form'
import { ChannelIcon, viewUrl } from './inbox'
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

export const ChannelForm: FC<{ channel: Channel; values?: Record<string, unknown>; name?: string; errors?: Record<string, string>; saved?: boolean }> = ({
  channel,
  values,
  name,
  errors,
  saved,
}) => {
  const plugin = findPlugin(channel.pluginId)
  if (!plugin) return <p class="muted">{t('inboxsettings.unknown_channel', { plugin: channel.pluginId })}</p>
  const fields = schemaFields(plugin.settings, plugin)
  const problems = errors ?? {}
  // The plugin's own steps for connecting its provider, with this channel's addresses filled in.
  const setup = (channelTexts(plugin)?.setup ?? []).map((step) =>
    step.replaceAll('{webhookUrl}', `/channels/${channel.id}/inbound`).replaceAll('{routesUrl}', `/channels/${plugin.id}/${channel.id}`),
  )
  return (
    <form id={`channel-${channel.id}`} class="card stack" hx-post={`/channels-settings/${channel.id}`} hx-target="this" hx-swap="outerHTML">
      <h3 class="channel-title">
        <ChannelIcon pluginId={channel.pluginId} /> {channelName(plugin)}
      </h3>
      {setup.length > 0 && (
        <details class="channel-setup">
          <summary>{t('inboxsettings.setup')}</summary>
          <ol>
            {setup.map((step) => (
              <li>{step}</li>
            ))}
          </ol>
        </details>
      )}
      {saved && (
        <p class="form-success" role="status">
          {t('common.saved')}
        </p>
      )}
      {Object.keys(problems).length > 0 && (
        <p class="form-error" role="alert">
          {t('inboxsettings.needs_fixing')}
        </p>
      )}
      <label>
        {t('inboxsettings.channel_name')}
        <input name="name" value={name ?? channel.name} required maxlength={120} />
        {problems.name && <span class="field-error">{problems.name}</span>}
      </label>
      <SchemaFields fields={fields} values={values ?? channel.settings} errors={problems} />
      {(plugin.secrets ?? []).map((secret) => {
        const text = secretText(plugin, secret)
        return (
          <label>
            {text.label}
            <input
              name={`secret.${secret.key}`}
              type="password"
              autocomplete="off"
              aria-describedby={text.help ? `help-secret-${channel.id}-${secret.key}` : undefined}
              placeholder={channel.secrets[secret.key] ? t('inboxsettings.secret_set') : t('inboxsettings.secret_unset')}
            />
            {text.help && (
              <span id={`help-secret-${channel.id}-${secret.key}`} class="field-help muted small">
                {text.help}
              </span>
            )}
          </label>
        )
      })}
      {plugin.capabilities.webhook && (
        <p class="muted small">
          {t('inboxsettings.webhook')} <code>POST /channels/{channel.id}/inbound</code>
        </p>
      )}
      <button type="submit" class="button primary">
        {t('inboxsettings.save_channel')}
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
      {channels.length === 0 && <p class="muted">{t('inboxsettings.no_channels')}</p>}
      {channels.map((channel) => (
        <ChannelForm channel={channel} />
      ))}
    </main>
  </Layout>
)
