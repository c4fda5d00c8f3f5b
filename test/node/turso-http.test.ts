import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from '../../src/db/client'
import { accounts, conversations } from '../../src/db/schema'
import { applyMigrations, openDatabase } from '../../src/host/self/database'
import { seedDemoWorkspace } from '../../src/services/demo'
import { listConversations } from '../../src/services/conversations'
import { findView } from '../../src/services/views'
import { startHranaStandIn } from './hrana-standin'
import { memoryBlobs, recordingNotifier } from '../shared/workspace'

/**
 * Turso's road: the self-host given an http(s)/libsql URL opens `@libsql/client/web` (the client
 * the Worker uses for TURSO_DATABASE_URL), here against a Hrana-over-HTTP stand-in (no libSQL
 * server is available offline): migrations, the demo seed's batches and a list read go over it.
 */
describe('self-host on a Turso (HTTP) database', () => {
  let standIn: Awaited<ReturnType<typeof startHranaStandIn>>
  beforeAll(async () => {
    standIn = await startHranaStandIn(join(mkdtempSync(join(tmpdir(), 'switchboard-hrana-')), 'turso.db'))
  })
  afterAll(async () => {
    await standIn?.close()
  })

  it('migrates, seeds and lists over HTTP', async () => {
    const client = await openDatabase(standIn.url, 'token')
    expect(client.protocol).toBe('http')
    const applied = await applyMigrations(client, join(import.meta.dirname, '..', '..', 'migrations'))
    expect(applied.length).toBeGreaterThan(10)
    const db = createDb({ DB: undefined as never, HOST: { database: client as never } })
    const { accountId } = await seedDemoWorkspace({ db, notifier: recordingNotifier().notifier, blobs: memoryBlobs().blobs })
    const [account] = await db.select().from(accounts).where(eq(accounts.id, accountId))
    expect(account?.id).toBe(accountId)
    const [row] = await db.select({ inboxId: conversations.inboxId }).from(conversations).where(eq(conversations.accountId, accountId)).limit(1)
    const page = await listConversations(db, { accountId, inboxId: row!.inboxId, userId: 'nobody', view: findView('open')! })
    expect(page.rows.length).toBeGreaterThan(0)
    expect(standIn.requests).toContain('batch')
    client.close()
  })
})
