import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { roundTripsOf, type Db } from '../../src/db/client'
import { inOneRoundTrip, reads, together } from '../../src/db/round-trip'
import { attachments, contacts, notifications, users } from '../../src/db/schema'
import type { BlobStore } from '../../src/channels/pipeline'
import { ingestInbound } from '../../src/channels/pipeline'
import {
  conversationDetailReads,
  countReads,
  countViews,
  getConversation,
  listConversations,
  listReads,
  markReadToNewestReads,
  snippetReads,
} from '../../src/services/conversations'
import { getMessage, listMessages, messageReads } from '../../src/services/messages'
import { beforeAgentMessageReads, storeAgentMessage } from '../../src/services/agent-reply'
import { saveDraft } from '../../src/services/drafts'
import { mentionsAmong } from '../../src/services/mentions'
import type { PutAttachment } from '../../src/services/outbound-attachments'
import { newId } from '../../src/lib/ids'
import { findView } from '../../src/services/views'
import { createTestWorkspace, recordingNotifier } from './workspace'

/** Batched reads and the round-trip count, on whichever driver `getDb` gives (D1 in workerd, libSQL under Node). */
export function roundTripSuite(getDb: () => Db, getBlobs: () => BlobStore) {
  const setup = async () => {
    const db = getDb()
    const workspace = await createTestWorkspace(db)
    const deps = { db, notifier: recordingNotifier().notifier, blobs: getBlobs() }
    const first = await ingestInbound(deps, workspace.channels.email, {
      externalId: `rt-${workspace.tag}`,
      from: { email: 'maja@example.com', name: 'Maja' },
      subject: 'Torn tent',
      text: 'The tent arrived torn.',
    })
    await ingestInbound(deps, workspace.channels.email, {
      externalId: `rt2-${workspace.tag}`,
      from: { email: 'maja@example.com' },
      text: 'Any news on the tent?',
      thread: { conversationId: first.conversationId },
    })
    return { db, workspace, conversationId: first.conversationId }
  }

  describe('round trips', () => {
    it('runs a statement built on one database in another database’s batch, counted by the batch’s', async () => {
      const { db, workspace } = await setup()
      const other = getDb()
      const before = roundTripsOf(db)
      const [found] = await db.batch([other.select({ id: users.id }).from(users).where(eq(users.accountId, workspace.accountId))])
      expect(found.length).toBeGreaterThan(0)
      expect(roundTripsOf(db) - before).toBe(1)
    })

    it('counts every statement and every batch as one round trip', async () => {
      const { db, workspace } = await setup()
      const before = roundTripsOf(db)
      await db.select().from(users).where(eq(users.accountId, workspace.accountId))
      expect(roundTripsOf(db) - before).toBe(1)
      await db.batch([
        db.select().from(users).where(eq(users.accountId, workspace.accountId)),
        db.select().from(contacts).where(eq(contacts.accountId, workspace.accountId)),
      ])
      expect(roundTripsOf(db) - before).toBe(2)
    })

    it('reads a thread and its list row in one round trip, with the same results as one by one', async () => {
      const { db, workspace, conversationId } = await setup()
      const accountId = workspace.accountId
      const userId = workspace.users.agent.id
      const query = { accountId, inboxId: workspace.inboxId, userId, view: findView('open')! }
      const alone = {
        detail: await getConversation(db, accountId, conversationId),
        messages: await listMessages(db, accountId, conversationId),
        page: await listConversations(db, query),
        counts: await countViews(db, query),
      }
      expect(alone.detail?.contact?.email).toBe('maja@example.com')
      expect(alone.detail?.ticket).toBeNull()
      expect(alone.detail?.botSession).toBeNull()
      expect(alone.page.rows[0]?.unread).toBe(true)

      const before = roundTripsOf(db)
      const [detail, messages, , row, counts] = await inOneRoundTrip(
        db,
        together(
          conversationDetailReads(db, accountId, conversationId),
          messageReads(db, accountId, conversationId),
          markReadToNewestReads(db, { accountId, userId, conversationId }),
          listReads(db, { ...query, inboxId: undefined, conversationIds: [conversationId] }),
          countReads(db, query),
        ),
      )
      expect(roundTripsOf(db) - before).toBe(1)
      expect(detail).toEqual(alone.detail)
      expect(messages).toEqual(alone.messages)
      expect(counts).toEqual(alone.counts)
      // The read marker, written earlier in the batch, is what the row shows; a list that is no search needs no snippet query.
      const page = await inOneRoundTrip(db, snippetReads(db, row))
      expect(page.rows).toEqual([{ ...alone.page.rows[0], unread: false }])
      expect(roundTripsOf(db) - before).toBe(1)
    })

    it('reads what a post checks in one round trip and stores it with its mentions, files and draft in one more; concurrent posts each get their own', async () => {
      const { db, workspace, conversationId } = await setup()
      const { accountId, users: team } = workspace
      const before = roundTripsOf(db)
      const checks = await inOneRoundTrip(
        db,
        beforeAgentMessageReads(db, { accountId, userId: team.agent.id, conversationId, isReply: false, seenSeq: 0, confirmed: false, mayMention: true }),
      )
      expect(roundTripsOf(db) - before).toBe(1)
      expect(checks.detail?.conversation.id).toBe(conversationId)
      expect(checks.teammates.map((user) => user.name)).toContain('Alex')
      await saveDraft(db, { userId: team.agent.id, conversationId, kind: 'comment', html: '<p>@Alex look</p>', fields: {} })
      const files: PutAttachment[] = [{ id: newId(), r2Key: 'k', filename: 'a.txt', contentType: 'text/plain', sizeBytes: 1, contentId: null }]
      const post = (index: number) =>
        storeAgentMessage(db, {
          accountId,
          conversationId,
          channelId: workspace.channels.email.id,
          kind: 'comment',
          author: { id: team.agent.id, name: team.agent.name },
          text: `@Alex look ${index}`,
          html: null,
          metadata: {},
          queued: false,
          mentions: mentionsAmong(checks.teammates, { authorUserId: team.agent.id, html: null, text: `@Alex look ${index}` }),
          attachments: index === 0 ? files : [],
          createdAt: Date.now(),
        })
      const counted = roundTripsOf(db)
      const first = await post(0)
      expect(roundTripsOf(db) - counted).toBe(1)
      expect(first.message).toMatchObject({ seq: 3, text: '@Alex look 0', authorUserName: team.agent.name, channelPluginId: 'email' })
      expect(first.message.metadata).toMatchObject({ mentions: [{ id: team.admin.id, name: 'Alex' }], attachments: [{ id: files[0]!.id, filename: 'a.txt' }] })
      expect(first.message).toEqual(await getMessage(db, accountId, first.message.id))
      expect(first.drafts).toEqual({})
      expect(await db.select({ messageId: attachments.messageId }).from(attachments).where(eq(attachments.id, files[0]!.id))).toEqual([
        { messageId: first.message.id },
      ])
      const rest = await Promise.all([1, 2, 3, 4, 5].map(post))
      expect(rest.map((stored) => stored.message.seq).sort()).toEqual([4, 5, 6, 7, 8])
      for (const [index, stored] of [first, ...rest].entries()) {
        expect(stored.message.text).toBe(`@Alex look ${index}`)
        const [notification] = await db.select().from(notifications).where(eq(notifications.id, stored.notifications[0]!.id))
        expect(notification).toMatchObject({ userId: team.admin.id, messageId: stored.message.id })
      }
      // One transaction: a mention of nobody the database knows rolls back the comment with it.
      const refused = storeAgentMessage(db, {
        accountId,
        conversationId,
        channelId: workspace.channels.email.id,
        kind: 'comment',
        author: { id: team.agent.id, name: team.agent.name },
        text: 'to nobody',
        html: null,
        metadata: {},
        queued: false,
        mentions: [{ id: 'nobody', name: 'Nobody' }],
        attachments: [],
        createdAt: Date.now(),
      })
      await expect(refused).rejects.toThrow()
      expect((await listMessages(db, accountId, conversationId)).map((message) => message.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    })

    it('refuses a batched select whose columns share a name (D1 would hand back one of them)', async () => {
      const db = getDb()
      const twoNames = db.select({ contactName: contacts.name, userName: users.name }).from(contacts).innerJoin(users, eq(users.accountId, contacts.accountId))
      expect(() => reads(twoNames)).toThrow(/one plain name per column/)
    })
  })
}
