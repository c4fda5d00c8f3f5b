import type { Db } from '../../src/db/client'
import { accounts, channels, inboxes, users } from '../../src/db/schema'
import type { UserRole } from '../../src/db/schema'
import type { BlobStore, LiveEvent, Notifier } from '../../src/channels/pipeline'
import type { ChannelRecord } from '../../src/channels/types'
import { hashPassword } from '../../src/auth/password'
import { newId } from '../../src/lib/ids'

export const testPassword = 'correct horse battery staple'

/** Records what the pipeline told the live layer, so tests can assert it was told. */
export function recordingNotifier() {
  const events: { type: 'messageAdded' | 'conversationChanged'; event: LiveEvent }[] = []
  const notifier: Notifier = {
    async messageAdded(event) {
      events.push({ type: 'messageAdded', event })
    },
    async conversationChanged(event) {
      events.push({ type: 'conversationChanged', event })
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
  const channelSettings: Record<string, Record<string, unknown>> = {
    email: { addresses: [`support.${tag}@example.test`] },
    chat: { allowedOrigins: [] },
    messenger: { pageId: `page-${tag}`, verifyToken: `verify-${tag}` },
    forms: { formName: 'Contact form' },
    calls: { phoneNumber: '+4780012345' },
  }
  const channelRecords: Record<string, ChannelRecord> = {}
  for (const [pluginId, settings] of Object.entries(channelSettings)) {
    const channel = { id: newId(), accountId, inboxId, pluginId, name: `${pluginId} channel` }
    const secrets: Record<string, string> = pluginId === 'messenger' ? { appSecret: `secret-${tag}` } : pluginId === 'calls' ? { webhookToken: `token-${tag}` } : {}
    await db.insert(channels).values({ ...channel, settings, secrets, createdAt: nowMs })
    channelRecords[pluginId] = channel
  }
  return {
    accountId,
    tag,
    inboxId,
    channels: channelRecords as Record<'email' | 'chat' | 'messenger' | 'forms' | 'calls', ChannelRecord>,
    users: { superAdmin, admin, agent },
  }
}
