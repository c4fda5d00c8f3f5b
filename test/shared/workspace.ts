import type { Db } from '../../src/db/client'
import { accounts, channels, inboxes, users } from '../../src/db/schema'
import type { UserRole } from '../../src/db/schema'
import type { BlobStore, LiveEvent, Notifier } from '../../src/channels/pipeline'
import type { ChannelRecord } from '../../src/channels/types'
import { hashPassword } from '../../src/auth/password'
import { newId } from '../../src/lib/ids'
import { registeredPlugins } from './plugin-fixtures'

export const testPassword = 'correct horse battery staple'

/** Records what the pipeline told the live layer, so tests can assert it was told. */
export function recordingNotifier() {
  const events: { type: 'messageAdded' | 'conversationChanged' | 'messageReplaced'; event: LiveEvent }[] = []
  const notifier: Notifier = {
    async messageAdded(event) {
      events.push({ type: 'messageAdded', event })
    },
    async conversationChanged(event) {
      events.push({ type: 'conversationChanged', event })
    },
    async messageReplaced(event) {
      events.push({ type: 'messageReplaced', event })
    },
  }
  return { notifier, events }
}

/** An in-memory blob store with R2's `put` shape, for the Node suite (workerd uses real R2). */
export function memoryBlobs() {
  const objects = new Map<string, { value: Uint8Array; contentType?: string }>()
  const blobs: BlobStore = {
    async put(key, value, options) {
      objects.set(key, { value, contentType: options?.httpMetadata?.contentType })
    },
    async delete(keys) {
      for (const key of keys) objects.delete(key)
    },
  }
  return { blobs, objects }
}

/**
 * A fresh workspace with its own account, so tests never see each other's rows.
 * Passwords are hashed with few iterations unless `realPasswords` is set: only the auth tests
 * need the production cost, and it would otherwise dominate the suite's time.
 */
export async function createTestWorkspace(db: Db, options: { realPasswords?: boolean } = {}) {
  const nowMs = Date.now()
  const accountId = newId()
  const tag = accountId.slice(0, 8)
  await db.insert(accounts).values({ id: accountId, name: `Test ${tag}`, createdAt: nowMs })
  const passwordHash = await hashPassword(testPassword, options.realPasswords ? undefined : 1_000)
  const makeUser = async (name: string, role: UserRole) => {
    const [user] = await db
      .insert(users)
      .values({ id: newId(), accountId, name, email: `${name.toLowerCase()}.${tag}@example.test`, passwordHash, role, createdAt: nowMs })
      .returning()
    return user!
  }
  const superAdmin = await makeUser('Sam', 'super_admin')
  const admin = await makeUser('Alex', 'admin')
  const agent = await makeUser('Kim', 'agent')
  const inboxId = newId()
  await db.insert(inboxes).values({ id: inboxId, accountId, name: 'Support', createdAt: nowMs })
  // One channel per registered plugin, configured by the plugin's own test fixtures.
  const channelRecords: Record<string, ChannelRecord> = {}
  for (const { plugin, contract } of registeredPlugins()) {
    if (!contract) continue
    const channel = { id: newId(), accountId, inboxId, pluginId: plugin.id, name: `${plugin.id} channel` }
    await db.insert(channels).values({ ...channel, settings: contract.settings(tag), secrets: contract.secrets?.(tag) ?? {}, createdAt: nowMs })
    channelRecords[plugin.id] = channel
  }
  return {
    accountId,
    tag,
    inboxId,
    // The five channels older tests name; any other registered plugin's is there under its id.
    channels: channelRecords as Record<'email' | 'chat' | 'messenger' | 'forms' | 'calls', ChannelRecord> & Record<string, ChannelRecord | undefined>,
    users: { superAdmin, admin, agent },
  }
}
