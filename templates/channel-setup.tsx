import type { FC } from 'hono/jsx'
import { raw } from 'hono/html'
import { channelPlugins, findPlugin } from '../src/channels/registry'
import { channelName, channelTexts, secretText } from '../src/channels/texts'
import type { ChannelPlugin, ChannelSetupProps, SetupCheck } from '../src/channels/types'
import type { Channel, Inbox } from '../src/services/inboxes'
import { currentLocale, t } from '../src/i18n'
import { Layout } from './layout'
import { schemaFields, SchemaFields } from './schema-form'
import { ChannelIcon } from './inbox'

const StatusBadge: FC<{ status: Channel['status'] }> = ({ status }) => (
  <span class={`channel-status status-${status}`}>{t(`channelsetup.status.${status}`)}</span>
)

/** A channel's fields, for a new channel and an existing one: name, the plugin's settings, write-only secrets. */
const ChannelFields: FC<{
  plugin: ChannelPlugin
  idPrefix: string
  name: string
  values: Record<string, unknown>
  errors: Record<string, string>
  /** Keys of the secrets already stored (their values are never sent to the browser). */
  secretsSet: string[]
}> = ({ plugin, idPrefix, name, values, errors, secretsSet }) => {
  const OwnFields = plugin.ui.SettingsFields
  return (
    <>
      <label for={`${idPrefix}name`}>
        {t('inboxsettings.channel_name')}
        <input id={`${idPrefix}name`} name="name" value={name} required maxlength={120} aria-describedby={errors.name ? `${idPrefix}error-name` : undefined} />
        {errors.name && (
          <span id={`${idPrefix}error-name`} class="field-error">
            {errors.name}
          </span>
        )}
      </label>
      <SchemaFields fields={schemaFields(plugin.settings, plugin)} values={values} errors={errors} idPrefix={idPrefix} />
      {OwnFields && <OwnFields values={values} errors={errors} locale={currentLocale()} />}
      {(plugin.secrets ?? []).map((secret) => {
        const text = secretText(plugin, secret)
        const helpId = `${idPrefix}help-secret-${secret.key}`
        return (
          <label>
            {text.label}
            <input
              name={`secret.${secret.key}`}
              type="password"
              autocomplete="new-password"
              aria-describedby={text.help ? helpId : undefined}
              placeholder={secretsSet.includes(secret.key) ? t('channelsetup.secret_set') : t('channelsetup.secret_unset')}
            />
            {text.help && (
              <span id={helpId} class="field-help muted small">
                {text.help}
              </span>
            )}
          </label>
        )
      })}
    </>
  )
}

/** An existing channel's settings form (inbox settings and the channel's own page). */
export const ChannelForm: FC<{
  channel: Channel
  values?: Record<string, unknown>
  name?: string
  errors?: Record<string, string>
  saved?: boolean
  /** On the channel's own page: no link to it. */
  ownPage?: boolean
}> = ({ channel, values, name, errors, saved, ownPage }) => {
  const plugin = findPlugin(channel.pluginId)
  if (!plugin) return <p class="muted">{t('inboxsettings.unknown_channel', { plugin: channel.pluginId })}</p>
  const problems = errors ?? {}
  if (channel.status === 'removed') {
    return (
      <section id={`channel-${channel.id}`} class="card stack">
        <h3 class="channel-title">
          <ChannelIcon pluginId={channel.pluginId} /> {channel.name} <StatusBadge status="removed" />
        </h3>
        <p class="muted">{t('channelsetup.removed_note')}</p>
      </section>
    )
  }
  return (
    <form id={`channel-${channel.id}`} class="card stack" hx-post={`/channels-settings/${channel.id}`} hx-target="this" hx-swap="outerHTML">
      <h3 class="channel-title">
        <ChannelIcon pluginId={channel.pluginId} /> {channelName(plugin)} {channel.status !== 'active' && <StatusBadge status={channel.status} />}
      </h3>
      {!ownPage && <a href={`/channels-settings/${channel.id}`}>{t('channelsetup.open')}</a>}
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
      <ChannelFields
        plugin={plugin}
        idPrefix={`c-${channel.id}-`}
        name={name ?? channel.name}
        values={values ?? channel.settings}
        errors={problems}
        secretsSet={Object.keys(channel.secrets)}
      />
      <button type="submit" class="button primary">
        {t('inboxsettings.save_channel')}
      </button>
    </form>
  )
}

/** Every registered channel plugin, to pick the kind of channel to connect. */
export const ConnectPage: FC<{ appName: string; inbox: Inbox }> = ({ appName, inbox }) => (
  <Layout title={t('channelsetup.connect_title', { inbox: inbox.name, app: appName })} bodyClass="settings-page">
    <main class="settings">
      <a href={`/inbox/${inbox.id}/settings`} class="back-link">
        {t('channelsetup.back_to_inbox', { inbox: inbox.name })}
      </a>
      <h1>{t('channelsetup.connect_heading', { inbox: inbox.name })}</h1>
      <p class="muted">{t('channelsetup.connect_intro')}</p>
      <ul class="channel-choices">
        {channelPlugins.map((plugin) => (
          <li class="card">
            <a href={`/inbox/${inbox.id}/settings/connect/${plugin.id}`} class="channel-choice">
              <ChannelIcon pluginId={plugin.id} /> <strong>{channelName(plugin)}</strong>
            </a>
            {channelTexts(plugin)?.description && <p class="muted small">{channelTexts(plugin)?.description}</p>}
          </li>
        ))}
      </ul>
    </main>
  </Layout>
)

/** The form for a new channel of one plugin; it comes back with everything typed and the problems by field. */
export const NewChannelPage: FC<{
  appName: string
  inbox: Inbox
  plugin: ChannelPlugin
  name?: string
  values?: Record<string, unknown>
  errors?: Record<string, string>
}> = ({ appName, inbox, plugin, name, values, errors }) => {
  const problems = errors ?? {}
  return (
    <Layout title={t('channelsetup.new_title', { channel: channelName(plugin), app: appName })} bodyClass="settings-page">
      <main class="settings">
        <a href={`/inbox/${inbox.id}/settings/connect`} class="back-link">
          {t('channelsetup.back_to_list')}
        </a>
        <h1 class="channel-title">
          <ChannelIcon pluginId={plugin.id} /> {t('channelsetup.new_heading', { channel: channelName(plugin), inbox: inbox.name })}
        </h1>
        {channelTexts(plugin)?.description && <p class="muted">{channelTexts(plugin)?.description}</p>}
        <form id="new-channel" class="card stack" method="post" action={`/inbox/${inbox.id}/settings/connect/${plugin.id}`}>
          {Object.keys(problems).length > 0 && (
            <p class="form-error" role="alert">
              {t('inboxsettings.needs_fixing')}
            </p>
          )}
          <ChannelFields
            plugin={plugin}
            idPrefix="new-"
            name={name ?? channelName(plugin)}
            values={values ?? defaultsOf(plugin)}
            errors={problems}
            secretsSet={[]}
          />
          <button type="submit" class="button primary">
            {t('channelsetup.create')}
          </button>
        </form>
      </main>
    </Layout>
  )
}

/** Each setting's default from the plugin's schema, for a new channel's form (the others start empty). */
function defaultsOf(plugin: ChannelPlugin): Record<string, unknown> {
  const shape = (plugin.settings as unknown as { shape?: Record<string, { safeParse(value: unknown): { success: boolean; data?: unknown } }> }).shape ?? {}
  const values: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(shape)) {
    const parsed = field.safeParse(undefined)
    if (parsed.success && parsed.data !== undefined) values[key] = parsed.data
  }
  return values
}

const checkMark = { ok: '✓', problem: '!', unknown: '?' }

/** What a channel's own page shows: the steps with this deployment's addresses, checks, embed code, a test, status actions and the settings. */
export const ChannelPage: FC<{
  appName: string
  inbox: Inbox
  channel: Channel
  setup: ChannelSetupProps
  checks: SetupCheck[]
  embed: string | null
  testAddress: string | null
  connected?: boolean
}> = ({ appName, inbox, channel, setup, checks, embed, testAddress, connected }) => {
  const plugin = findPlugin(channel.pluginId)!
  const fill = (step: string) =>
    step.replaceAll('{webhookUrl}', setup.urls.webhook).replaceAll('{routesUrl}', setup.urls.routes).replaceAll('{baseUrl}', setup.urls.base)
  const steps = (channelTexts(plugin)?.setup ?? []).map(fill)
  const Setup = plugin.ui.Setup
  const live = channel.status !== 'removed'
  return (
    <Layout title={t('channelsetup.page_title', { channel: channel.name, app: appName })} bodyClass="settings-page">
      <main class="settings channel-page">
        <a href={`/inbox/${inbox.id}/settings`} class="back-link">
          {t('channelsetup.back_to_inbox', { inbox: inbox.name })}
        </a>
        <h1 class="channel-title">
          <ChannelIcon pluginId={plugin.id} /> {channel.name} <StatusBadge status={channel.status} />
        </h1>
        {connected && (
          <p class="form-success" role="status">
            {t('channelsetup.connected')}
          </p>
        )}
        {channel.status === 'disabled' && <p class="notice">{t('channelsetup.disabled_note')}</p>}
        {live && (
          <section class="card stack channel-instructions" aria-labelledby="instructions-heading">
            <h2 id="instructions-heading">{t('channelsetup.instructions')}</h2>
            {steps.length > 0 && (
              <ol>
                {steps.map((step) => (
                  <li>{step}</li>
                ))}
              </ol>
            )}
            {Setup && <Setup {...setup} />}
            {embed !== null && (
              <div class="stack">
                <h3>{t('channelsetup.embed')}</h3>
                <pre class="snippet">
                  <code id="embed-snippet">{embed}</code>
                </pre>
                <p class="row">
                  <button type="button" class="button" data-copy-text="embed-snippet">
                    {t('channelsetup.copy')}
                  </button>
                  <a href={setup.urls.preview} target="_blank" rel="noopener">
                    {t('channelsetup.preview')}
                  </a>
                </p>
              </div>
            )}
          </section>
        )}
        {live && checks.length > 0 && (
          <section class="card stack" aria-labelledby="checks-heading">
            <h2 id="checks-heading">{t('channelsetup.checks')}</h2>
            <ul class="setup-checks">
              {checks.map((check) => (
                <li class={`check-${check.status}`}>
                  <span class="check-mark" aria-hidden="true">
                    {checkMark[check.status]}
                  </span>{' '}
                  <span class="visually-hidden">{t(`channelsetup.check.${check.status}`)}: </span>
                  {check.text}
                </li>
              ))}
            </ul>
          </section>
        )}
        {live && testAddress !== null && (
          <form class="card stack" hx-post={`/channels-settings/${channel.id}/test-email`} hx-target="#test-email-result" hx-swap="innerHTML">
            <h2>{t('channelsetup.test_email')}</h2>
            <p class="muted small">
              {t(setup.host.kind === 'workers' ? 'channelsetup.test_email_help' : 'channelsetup.test_email_help_smtp', { address: testAddress })}
            </p>
            <p>
              <button type="submit" class="button" disabled={channel.status !== 'active'}>
                {t('channelsetup.test_email')}
              </button>
            </p>
            <div id="test-email-result" aria-live="polite"></div>
          </form>
        )}
        <h2>{t('channelsetup.settings')}</h2>
        <ChannelForm channel={channel} ownPage />
        {live && (
          <section class="card stack channel-status-actions">
            <form method="post" action={`/channels-settings/${channel.id}/status`} class="row">
              <input type="hidden" name="status" value={channel.status === 'active' ? 'disabled' : 'active'} />
              <button type="submit" class="button">
                {channel.status === 'active' ? t('channelsetup.disable') : t('channelsetup.enable')}
              </button>
              <span class="muted small">{t('channelsetup.disable_help')}</span>
            </form>
            <form
              method="post"
              action={`/channels-settings/${channel.id}/status`}
              hx-post={`/channels-settings/${channel.id}/status`}
              hx-confirm={t('channelsetup.remove_confirm', { channel: channel.name })}
            >
              <input type="hidden" name="status" value="removed" />
              <button type="submit" class="button danger">
                {t('channelsetup.remove')}
              </button>
            </form>
          </section>
        )}
      </main>
    </Layout>
  )
}

/** Where the test email went: the conversation it landed in, or why it was refused. */
export const TestEmailResult: FC<{ landed?: { inboxName: string; conversationUrl: string }; rejected?: string }> = ({ landed, rejected }) =>
  landed ? (
    <p class="form-success" role="status">
      {t('channelsetup.test_landed', { inbox: landed.inboxName })} <a href={landed.conversationUrl}>{t('channelsetup.test_open')}</a>
    </p>
  ) : (
    <p class="form-error" role="alert">
      {t('channelsetup.test_rejected', { reason: rejected ?? '' })}
    </p>
  )

/** A page of this deployment standing in for a customer's site: the channel's embed code, live. */
export const PreviewPage: FC<{ channel: Channel; embed: string; origin: string }> = ({ channel, embed, origin }) => (
  <Layout title={t('channelsetup.preview_title', { channel: channel.name })} bodyClass="settings-page">
    <main class="settings">
      <h1>{t('channelsetup.preview_title', { channel: channel.name })}</h1>
      <p>{t('channelsetup.preview_intro')}</p>
      <p class="muted small">{t('channelsetup.preview_origin', { origin })}</p>
      <div class="preview-embed">{raw(embed)}</div>
    </main>
  </Layout>
)
