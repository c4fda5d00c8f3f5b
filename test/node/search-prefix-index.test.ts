import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { ingestInbound } from '../../src/channels/pipeline'
import { messages } from '../../src/db/schema'
import { listConversations } from '../../src/services/conversations'
import { findView } from '../../src/services/views'
import { createTestWorkspace, memoryBlobs, recordingNotifier } from '../shared/workspace'
import { applyMigration, createLibsqlClient } from './libsql'

const migration = '0017_fts_prefix_indexes.sql'

// Words that share beginnings, so a prefix expands to several terms with different counts per
// message: what the index's prefix lists must answer exactly as the merged term lists did.
const texts = [
  'Where is my order? The order number is 1234',
  'I ordered two tents and only one arrived',
  'Orders placed on Sunday ship on Monday',
  'An ordinary question about the sun shade',
  'The shade is sold out, so is the orange one',
  'Refund the order please, it is an ordeal',
  'Ørsted asked about öre and orders in Ørland',
  'Nothing to see here',
]
const queries = ['o', 'or', 'ord', 'orde', 'order', 'ordere', 'ordered', 'ordinary', 's', 'su', 'sh', 'the o', 'is ord', 'ø', 'ore', 'refund']

describe('prefix indexes of the search index (migration 0017)', () => {
  it('gives every search the same rows, order, snippets and scores as before, and keeps indexing new messages', async () => {
    // Every other migration is in place (today's code reads their columns); only this one comes later.
    const { client, db } = await createLibsqlClient({ skip: migration })
    const workspace = await createTestWorkspace(db)
    const deps = { db, notifier: recordingNotifier().notifier, blobs: memoryBlobs().blobs }
    for (const [index, text] of texts.entries()) {
      await ingestInbound(deps, workspace.channels.email, {
        externalId: `p${index}`,
        from: { email: `c${index}@example.com`, name: `Customer ${index}` },
        subject: `Case ${index}`,
        text,
      })
    }
    const view = findView('open')!
    // Pages of two rows, so the cursors (which carry the bm25 rank for a relevance sort) are compared too.
    const everySearch = async () => {
      const results: Record<string, unknown> = {}
      for (const q of queries) {
        for (const sort of ['relevance', 'newest', 'oldest'] as const) {
          const pages = []
          let cursor: string | undefined
          do {
            const page = await listConversations(db, {
              accountId: workspace.accountId,
              inboxId: workspace.inboxId,
              userId: workspace.users.agent.id,
              view,
              filters: { q, sort },
              limit: 2,
              cursor,
            })
            pages.push(page)
            cursor = page.nextCursor ?? undefined
          } while (cursor)
          results[`${q} / ${sort}`] = pages
        }
      }
      return results
    }
    const before = await everySearch()
    expect((before['or / relevance'] as { rows: unknown[] }[]).flatMap((page) => page.rows)).toHaveLength(7)

    await applyMigration(client, migration)
    const { rows } = await client.execute("select sql from sqlite_master where name = 'messages_fts'")
    expect(String(rows[0]?.sql)).toContain("prefix = '1 2 3 4 5 6'")
    expect(await everySearch()).toEqual(before)

    // The triggers of 0008 feed the table made again: new messages are found, hidden ones leave.
    const added = await ingestInbound(deps, workspace.channels.email, {
      externalId: 'p-new',
      from: { email: 'new@example.com' },
      text: 'Zebu sightings near the depot',
    })
    const find = async (q: string) =>
      (
        await listConversations(db, { accountId: workspace.accountId, inboxId: workspace.inboxId, userId: workspace.users.agent.id, view, filters: { q } })
      ).rows.map((row) => row.id)
    expect(await find('z')).toEqual([added.conversationId])
    expect(await find('zeb')).toEqual([added.conversationId])
    await db.update(messages).set({ hiddenAt: Date.now(), hiddenBy: workspace.users.admin.id }).where(eq(messages.id, added.messageId))
    expect(await find('zeb')).toEqual([])
  })
})
