import type { Db } from '../db/client'
import type { Bindings } from '../env'
import { findPlugin } from '../channels/registry'
import { channelContextOf } from '../channels/context'
import type { ChannelContext, ChannelPlugin } from '../channels/types'
import { listChannelsOfInbox } from './inbox-settings'

/**
 * The channel that places a click-to-call for a conversation: its own channel when its plugin
 * dials and is set up, else the first of the inbox's channels that is. Null: no provider, so the
 * UI offers a plain tel: link instead.
 */
export async function dialChannelFor(
  db: Db,
  env: Bindings,
  conversation: { accountId: string; inboxId: string; channelId: string },
  requestUrl?: string,
): Promise<{ plugin: ChannelPlugin; ctx: ChannelContext<unknown> } | null> {
  const candidates = await listChannelsOfInbox(db, conversation.accountId, conversation.inboxId)
  const ordered = [
    ...candidates.filter((channel) => channel.id === conversation.channelId),
    ...candidates.filter((channel) => channel.id !== conversation.channelId),
  ]
  for (const channel of ordered) {
    const plugin = findPlugin(channel.pluginId)
    if (!plugin?.dial || !plugin.settings.safeParse(channel.settings).success) continue
    const ctx = channelContextOf(channel, env, requestUrl)
    if (plugin.dial.ready(ctx as never)) return { plugin, ctx }
  }
  return null
}
