import { and, eq, ne } from 'drizzle-orm'
import type { z } from 'zod'
import type { Db } from '../db/client'
import { channels, inboxes } from '../db/schema'
import { findPlugin } from '../channels/registry'
import type { ChannelPlugin } from '../channels/types'
import { InputError } from '../lib/errors'
import { newId } from '../lib/ids'
import { t } from '../i18n'
import { forgetCachedChannels, type Channel } from './inboxes'
import { recordAudit, type User } from './users'

export type ChannelStatus = Channel['status']

/** What an admin typed for a channel: its name, its settings as the form gave them, and secrets (blank keeps the stored one). */
export interface ChannelInput {
  name: string
  settings: Record<string, unknown>
  secrets: Record<string, string>
  /**
   * This deployment's origin (https://support.example.com): an exclusive value equal to it is never
   * a clash, since every channel may name the deployment itself (its preview pages live there).
   */
  appOrigin?: string | null
}

/** Problems by form field: settings keys, `name`, or `secret.<key>`. */
export type FieldErrors = Record<string, string>
export type SettingsResult = { ok: true; channelId: string } | { ok: false; errors: FieldErrors }

/** A zod issue as the admin should read it: which value of a list, in the UI language where we know the kind. */
function issueMessage(issue: z.core.$ZodIssue, settings: Record<string, unknown>): string {
  const [key, index] = issue.path
  const list = typeof key === 'string' ? settings[key] : undefined
  const value = typeof index === 'number' && Array.isArray(list) ? String(list[index] ?? '') : null
  if (issue.code === 'invalid_format' && (issue.format === 'email' || issue.format === 'url')) {
    const message = issue.format === 'email' ? 'channelsetup.invalid_email' : 'channelsetup.invalid_url'
    return value === null ? t(`${message}_one`) : t(message, { value })
  }
  if (issue.code === 'too_small' && issue.origin === 'array') return t('channelsetup.at_least_one')
  if (issue.code === 'invalid_type' && issue.input === undefined) return t('channelsetup.required')
  return value === null ? issue.message : `${value}: ${issue.message}`
}

/**
 * The plugin's exclusive values (addresses, origins) this channel would claim that another channel
 * already holds, or that it lists twice: one problem per field, naming the other channel's inbox
 * when it is in this workspace (another workspace's is never named).
 */
async function exclusiveProblems(
  db: Db,
  accountId: string,
  plugin: ChannelPlugin,
  settings: unknown,
  selfId: string | null,
  appOrigin: string | null,
): Promise<FieldErrors> {
  const errors: FieldErrors = {}
  if (!plugin.exclusive?.length) return errors
  // One read for every spec: the plugin's other live channels (removed ones free their values).
  const others = await db
    .select({ id: channels.id, accountId: channels.accountId, settings: channels.settings, inboxName: inboxes.name })
    .from(channels)
    .innerJoin(inboxes, eq(inboxes.id, channels.inboxId))
    .where(and(eq(channels.pluginId, plugin.id), ne(channels.status, 'removed'), selfId ? ne(channels.id, selfId) : undefined))
  for (const spec of plugin.exclusive) {
    const mine = spec.values(settings).filter((value) => value !== appOrigin)
    const twice = mine.find((value, index) => mine.indexOf(value) !== index)
    if (twice) {
      errors[spec.field] = t('channelsetup.listed_twice', { value: twice })
      continue
    }
    for (const other of others) {
      if (!spec.acrossAccounts && other.accountId !== accountId) continue
      const taken = new Set(spec.values(other.settings))
      const clash = mine.find((value) => taken.has(value))
      if (!clash) continue
      errors[spec.field] =
        other.accountId === accountId ? t('channelsetup.taken', { value: clash, inbox: other.inboxName }) : t('channelsetup.taken_elsewhere', { value: clash })
      break
    }
  }
  return errors
}

/** Checks a channel's name and settings against its plugin: the settings as the schema makes them, or the problems by field. */
async function checkInput(
  db: Db,
  accountId: string,
  plugin: ChannelPlugin,
  input: ChannelInput,
  selfId: string | null,
): Promise<{ ok: true; name: string; settings: Record<string, unknown> } | { ok: false; errors: FieldErrors }> {
  const errors: FieldErrors = {}
  const name = input.name.trim()
  if (!name || name.length > 120) errors.name = t('channelsetup.name_length')
  const parsed = plugin.settings.safeParse(input.settings)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? 'settings')
      errors[key] ??= issueMessage(issue, input.settings)
    }
  } else {
    Object.assign(errors, { ...(await exclusiveProblems(db, accountId, plugin, parsed.data, selfId, input.appOrigin?.toLowerCase() ?? null)), ...errors })
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors }
  return { ok: true, name, settings: parsed.data as Record<string, unknown> }
}

/** Secrets as stored after a save: a blank field keeps the stored value (they are never shown again). */
function mergedSecrets(plugin: ChannelPlugin, stored: Record<string, string>, given: Record<string, string>): Record<string, string> {
  const secrets = { ...stored }
  for (const { key } of plugin.secrets ?? []) {
    const value = given[key]?.trim()
    if (value) secrets[key] = value.slice(0, 4000)
  }
  return secrets
}

const changedSecrets = (given: Record<string, string>) => Object.keys(given).filter((key) => given[key]?.trim())

/** Connects a new channel of `pluginId` to an inbox of the actor's workspace. */
export async function createChannel(db: Db, actor: User, inboxId: string, pluginId: string, input: ChannelInput): Promise<SettingsResult> {
  const plugin = findPlugin(pluginId)
  if (!plugin) throw new InputError(t('errors.no_such_channel'))
  const [inbox] = await db
    .select({ id: inboxes.id })
    .from(inboxes)
    .where(and(eq(inboxes.accountId, actor.accountId), eq(inboxes.id, inboxId)))
    .limit(1)
  if (!inbox) throw new InputError(t('errors.no_such_inbox'))
  const checked = await checkInput(db, actor.accountId, plugin, input, null)
  if (!checked.ok) return checked
  const id = newId()
  await db.insert(channels).values({
    id,
    accountId: actor.accountId,
    inboxId,
    pluginId,
    name: checked.name,
    settings: checked.settings,
    secrets: mergedSecrets(plugin, {}, input.secrets),
    createdAt: Date.now(),
  })
  forgetCachedChannels()
  await recordAudit(db, actor.accountId, actor.id, 'channel:create', id, { pluginId, inboxId, secretsSet: changedSecrets(input.secrets) })
  return { ok: true, channelId: id }
}

/** A channel of the actor's workspace, or an InputError. */
export async function channelOfAccount(db: Db, accountId: string, channelId: string): Promise<Channel> {
  const [channel] = await db
    .select()
    .from(channels)
    .where(and(eq(channels.accountId, accountId), eq(channels.id, channelId)))
    .limit(1)
  if (!channel) throw new InputError(t('errors.no_such_channel'))
  return channel
}

/** Validates a channel's settings with its plugin's schema and stores them; secrets left blank are kept. */
export async function updateChannelSettings(db: Db, actor: User, channelId: string, input: ChannelInput): Promise<SettingsResult> {
  const channel = await channelOfAccount(db, actor.accountId, channelId)
  const plugin = findPlugin(channel.pluginId)
  if (!plugin) throw new InputError(t('errors.no_such_channel'))
  if (channel.status === 'removed') throw new InputError(t('channelsetup.removed_readonly'))
  const checked = await checkInput(db, actor.accountId, plugin, input, channel.id)
  if (!checked.ok) return checked
  await db
    .update(channels)
    .set({ name: checked.name, settings: checked.settings, secrets: mergedSecrets(plugin, channel.secrets, input.secrets) })
    .where(eq(channels.id, channel.id))
  forgetCachedChannels()
  await recordAudit(db, actor.accountId, actor.id, 'channel:update', channel.id, { secretsChanged: changedSecrets(input.secrets) })
  return { ok: true, channelId: channel.id }
}

/**
 * Disables, enables or removes a channel. Removal is final: the channel keeps its conversations
 * (readable as before) but takes nothing in, sends nothing, and frees its addresses.
 */
export async function setChannelStatus(db: Db, actor: User, channelId: string, status: ChannelStatus): Promise<Channel> {
  const channel = await channelOfAccount(db, actor.accountId, channelId)
  if (channel.status === 'removed') throw new InputError(t('channelsetup.removed_readonly'))
  if (channel.status === status) return channel
  await db.update(channels).set({ status }).where(eq(channels.id, channel.id))
  forgetCachedChannels()
  await recordAudit(db, actor.accountId, actor.id, `channel:${status === 'active' ? 'enable' : status === 'disabled' ? 'disable' : 'remove'}`, channel.id, {
    from: channel.status,
  })
  return { ...channel, status }
}
