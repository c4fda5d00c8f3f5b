import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { and, eq } from 'drizzle-orm'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { requireRole } from '../auth/middleware'
import { findPlugin } from '../channels/registry'
import { channelContextOf } from '../channels/context'
import { deliverRawEmail } from '../channels/email-delivery'
import type { ChannelPlugin, ChannelSetupProps, SetupCheck } from '../channels/types'
import { secretText } from '../channels/texts'
import { conversations, inboxes, messages } from '../db/schema'
import { hostOf } from '../host'
import { currentLocale, t } from '../i18n'
import { InputError } from '../lib/errors'
import { newId } from '../lib/ids'
import { getInbox, toChannelRecord, type Channel } from '../services/inboxes'
import { channelOfAccount, createChannel, setChannelStatus, updateChannelSettings, type ChannelInput } from '../services/channel-setup'
import { ChannelForm, ChannelPage, ConnectPage, NewChannelPage, PreviewPage, TestEmailResult } from '../../templates/channel-setup'
import { conversationUrl } from '../../templates/inbox'
import { formToSettings, schemaFields } from '../../templates/schema-form'

/** "Connect a channel" under an inbox's settings (/inbox/:inboxId/settings/connect…): admins only. */
export const channelConnectRoutes = new Hono<AppEnv>()
channelConnectRoutes.use('/:inboxId/settings/connect', requireRole('admin', 'super_admin'))
channelConnectRoutes.use('/:inboxId/settings/connect/*', requireRole('admin', 'super_admin'))

/** A channel's own page, its settings, status, test and preview (/channels-settings/:channelId…): admins only. */
export const channelSettingsRoutes = new Hono<AppEnv>()
channelSettingsRoutes.use('*', requireRole('admin', 'super_admin'))

const appName = (c: Context<AppEnv>) => c.env.APP_NAME ?? 'Switchboard'

async function inboxOf(c: Context<AppEnv>) {
  const inbox = await getInbox(c.var.db, c.var.accountId, c.req.param('inboxId') ?? '')
  if (!inbox) throw new HTTPException(404, { message: t('errors.no_such_inbox') })
  return inbox
}

function pluginOf(pluginId: string | undefined): ChannelPlugin {
  const plugin = pluginId ? findPlugin(pluginId) : undefined
  if (!plugin) throw new HTTPException(404, { message: t('errors.no_such_channel') })
  return plugin
}

/** The posted form as strings and string lists (files are nobody's settings). */
function textsOf(body: Record<string, unknown>): Record<string, string | string[]> {
  const texts: Record<string, string | string[]> = {}
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') texts[key] = value.slice(0, 20_000)
    else if (Array.isArray(value)) texts[key] = value.filter((item): item is string => typeof item === 'string').map((item) => item.slice(0, 20_000))
  }
  return texts
}

/** What the admin typed, as the plugin's settings, the name and the secrets; and where this deployment answers. */
function inputOf(c: Context<AppEnv>, plugin: ChannelPlugin, body: Record<string, string | string[]>): ChannelInput {
  const single = Object.fromEntries(Object.entries(body).map(([key, value]) => [key, Array.isArray(value) ? (value[0] ?? '') : value]))
  const settings = { ...formToSettings(schemaFields(plugin.settings), single), ...(plugin.settingsFromForm?.(body) ?? {}) }
  const secrets = Object.fromEntries((plugin.secrets ?? []).map(({ key }) => [key, single[`secret.${key}`] ?? '']))
  const appOrigin = new URL(c.env.APP_URL || c.req.url).origin
  return { name: single.name ?? '', settings, secrets, appOrigin }
}

channelConnectRoutes.get('/:inboxId/settings/connect', async (c) => c.html(<ConnectPage appName={appName(c)} inbox={await inboxOf(c)} />))

channelConnectRoutes.get('/:inboxId/settings/connect/:pluginId', async (c) => {
  const inbox = await inboxOf(c)
  return c.html(<NewChannelPage appName={appName(c)} inbox={inbox} plugin={pluginOf(c.req.param('pluginId'))} />)
})

channelConnectRoutes.post('/:inboxId/settings/connect/:pluginId', async (c) => {
  const inbox = await inboxOf(c)
  const plugin = pluginOf(c.req.param('pluginId'))
  const input = inputOf(c, plugin, textsOf(await c.req.parseBody({ all: true })))
  const result = await createChannel(c.var.db, c.var.user, inbox.id, plugin.id, input)
  if (!result.ok) {
    return c.html(<NewChannelPage appName={appName(c)} inbox={inbox} plugin={plugin} name={input.name} values={input.settings} errors={result.errors} />, 422)
  }
  // Next: the instructions, with this deployment's addresses filled in.
  return c.redirect(`/channels-settings/${result.channelId}?connected=1`, 303)
})

async function ownChannel(c: Context<AppEnv>): Promise<Channel> {
  const channelId = c.req.param('channelId') ?? ''
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(channelId)) throw new HTTPException(404, { message: t('errors.no_such_channel') })
  try {
    return await channelOfAccount(c.var.db, c.var.accountId, channelId)
  } catch (error) {
    if (error instanceof InputError) throw new HTTPException(404, { message: error.message })
    throw error
  }
}

/** The channel as its plugin's instructions see it: this deployment's absolute addresses for it. */
function setupPropsOf(c: Context<AppEnv>, channel: Channel): ChannelSetupProps {
  const context = channelContextOf(channel, c.env, c.req.url)
  const base = context.baseUrl ?? new URL(c.req.url).origin
  return {
    channel: toChannelRecord(channel),
    locale: currentLocale(),
    settings: context.settings,
    host: { kind: hostOf(c.env).kind, smtp: hostOf(c.env).smtp },
    urls: {
      base,
      webhook: `${base}/channels/${channel.id}/inbound`,
      routes: `${base}/channels/${channel.pluginId}/${channel.id}`,
      preview: `${base}/channels-settings/${channel.id}/preview`,
    },
  }
}

/** The plugin's checks, and the secrets it declares that are still empty. */
function checksOf(c: Context<AppEnv>, plugin: ChannelPlugin, channel: Channel): SetupCheck[] {
  const missing: SetupCheck[] = (plugin.secrets ?? [])
    .filter((secret) => !channel.secrets[secret.key])
    .map((secret) => ({ status: 'problem', text: t('channelsetup.check.secret_missing', { secret: secretText(plugin, secret).label }) }))
  const valid = plugin.settings.safeParse(channel.settings).success
  return [...missing, ...(valid && plugin.checks ? plugin.checks(channelContextOf(channel, c.env, c.req.url), currentLocale()) : [])]
}

/** The plugin's embed code as text (to copy) — the same HTML the preview page puts live. */
async function embedOf(plugin: ChannelPlugin, props: ChannelSetupProps): Promise<string | null> {
  const Embed = plugin.ui.Embed
  if (!Embed) return null
  return String(await (<Embed {...props} />).toString())
}

channelSettingsRoutes.get('/:channelId', async (c) => {
  const channel = await ownChannel(c)
  const plugin = pluginOf(channel.pluginId)
  const inbox = (await getInbox(c.var.db, c.var.accountId, channel.inboxId))!
  const setup = setupPropsOf(c, channel)
  return c.html(
    <ChannelPage
      appName={appName(c)}
      inbox={inbox}
      channel={channel}
      setup={setup}
      checks={checksOf(c, plugin, channel)}
      embed={await embedOf(plugin, setup)}
      testAddress={plugin.emailRouting ? (plugin.emailRouting.fromAddress(channel.settings) ?? null) : null}
      connected={c.req.query('connected') === '1'}
    />,
  )
})

channelSettingsRoutes.post('/:channelId', async (c) => {
  const channel = await ownChannel(c)
  const plugin = pluginOf(channel.pluginId)
  const input = inputOf(c, plugin, textsOf(await c.req.parseBody({ all: true })))
  const result = await updateChannelSettings(c.var.db, c.var.user, channel.id, input)
  // The form is on the inbox's settings or on the channel's own page (then without a link to it).
  const ownPage = URL.parse(c.req.header('HX-Current-URL') ?? '')?.pathname === `/channels-settings/${channel.id}`
  if (!result.ok) return c.html(<ChannelForm channel={channel} values={input.settings} name={input.name} errors={result.errors} ownPage={ownPage} />, 422)
  return c.html(<ChannelForm channel={await channelOfAccount(c.var.db, c.var.accountId, channel.id)} saved ownPage={ownPage} />)
})

const statusForm = z.object({ status: z.enum(['active', 'disabled', 'removed']) })

channelSettingsRoutes.post('/:channelId/status', async (c) => {
  const channel = await ownChannel(c)
  const form = statusForm.safeParse(await c.req.parseBody())
  if (!form.success) throw new InputError(t('error.check_input'))
  await setChannelStatus(c.var.db, c.var.user, channel.id, form.data.status)
  // A removed channel's page is a note; its inbox's settings are where the admin goes on.
  const next = form.data.status === 'removed' ? `/inbox/${channel.inboxId}/settings` : `/channels-settings/${channel.id}`
  if (c.req.header('HX-Request')) {
    c.header('HX-Redirect', next)
    return c.body(null, 204)
  }
  return c.redirect(next, 303)
})

/**
 * "Send a test email": a generated message to the channel's address, handed to the very handler
 * the Worker's email() runs (routing by recipient, R2, parse, the pipeline), then looked up by its
 * Message-ID to say where it landed. Offered for any plugin that takes mail from Email Routing (or the self-host's SMTP port).
 */
channelSettingsRoutes.post('/:channelId/test-email', async (c) => {
  const channel = await ownChannel(c)
  const plugin = pluginOf(channel.pluginId)
  const address = plugin.emailRouting?.fromAddress(channel.settings)
  if (!address) return c.html(<TestEmailResult rejected={t('channelsetup.test_no_address')} />, 422)
  const messageId = `setup-test.${newId()}@switchboard.invalid`
  const raw = [
    'From: Switchboard setup test <setup-test@example.com>',
    `To: <${address}>`,
    `Subject: Test email for ${channel.name.replace(/[\r\n]+/g, ' ')}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `This test email was sent from the channel's settings page to ${address}, through the same path as mail from outside.`,
    '',
  ].join('\r\n')
  const rejected = await deliverRawEmail(c.env, c.executionCtx, 'setup-test@example.com', address, new TextEncoder().encode(raw))
  if (rejected) return c.html(<TestEmailResult rejected={rejected} />, 422)
  const [landed] = await c.var.db
    .select({ conversationId: messages.conversationId, inboxId: conversations.inboxId, inboxName: inboxes.name })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .where(and(eq(messages.accountId, c.var.accountId), eq(messages.externalId, messageId)))
    .limit(1)
  if (!landed) return c.html(<TestEmailResult rejected={t('channelsetup.test_not_found')} />, 422)
  return c.html(<TestEmailResult landed={{ inboxName: landed.inboxName, conversationUrl: conversationUrl(landed.inboxId, 'open', landed.conversationId) }} />)
})

/** A page of this deployment that embeds the channel's code as a customer's site would (admins only: it shows the channel to nobody else). */
channelSettingsRoutes.get('/:channelId/preview', async (c) => {
  const channel = await ownChannel(c)
  const plugin = pluginOf(channel.pluginId)
  const setup = setupPropsOf(c, channel)
  const embed = await embedOf(plugin, setup)
  if (embed === null) throw new HTTPException(404, { message: t('errors.no_such_channel') })
  return c.html(<PreviewPage channel={channel} embed={embed} origin={new URL(c.req.url).origin} />)
})
