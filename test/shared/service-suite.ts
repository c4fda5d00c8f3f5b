import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/client'
import { attachments, blockedSenders, channels, contacts, conversations, inboxes, inboxMembers, loginAttempts, messages, sessions } from '../../src/db/schema'
import { ingestInbound, type BlobStore } from '../../src/channels/pipeline'
import { startLiveConversation } from '../../src/channels/live-conversation'
import { channelPlugins } from '../../src/channels/registry'
import { newId } from '../../src/lib/ids'
import { createSession, validateSessionToken, sessionExpiresInSeconds } from '../../src/auth/session'
import { addressPolicy, deleteQuietLoginAttempts, quietWindowSeconds, takeLoginAttempt, throttleKeys } from '../../src/auth/login-throttle'
import { countViews, getConversation, listConversations, markRead } from '../../src/services/conversations'
import { appendMessage, listMessages } from '../../src/services/messages'
import { searchMessages, toFtsQuery } from '../../src/services/search'
import { staleDeliveryAfterMs, sweepStaleDeliveries } from '../../src/services/outbound'
import { changeRole, listUsers, setUserStatus } from '../../src/services/users'
import { findView } from '../../src/services/views'
import { seedDemoWorkspace } from '../../src/services/demo'
import { findHandoffChannel } from '../../src/services/handoff'
import { createTestWorkspace, recordingNotifier } from './workspace'
import { compiledSuite } from './compiled-suite'

/**
 * The service and query tests. They run twice on every `npm test`: in workerd against D1 and
 * under Node against a libSQL file database, so both drivers are proven on the same assertions.
 */
export function serviceSuite(getDb: () => Db, getBlobs: () => BlobStore) {
  const setup = async () => {
    const db = getDb()
    const workspace = await createTestWorkspace(db)
    const live = recordingNotifier()
    const deps = { db, notifier: live.notifier, blobs: getBlobs() }
    return { db, workspace, live, deps }
  }
  const view = (id: string) => findView(id)!

  describe('inbound pipeline', () => {
    it('creates contact, conversation and message for a normalized inbound message', async () => {
      const { db, workspace, live, deps } = await setup()
      const result = await ingestInbound(deps, workspace.channels.forms, {
        externalId: 'form:1',
        from: { email: 'Jane.Doe@Example.com', name: 'Jane Doe' },
        subject: 'Pricing question',
        text: 'How much is the team plan?',
      })
      expect(result.status).toBe('created')
      const detail = await getConversation(db, workspace.accountId, result.conversationId)
      expect(detail?.contact?.email).toBe('jane.doe@example.com')
      expect(detail?.contact?.name).toBe('Jane Doe')
      expect(detail?.conversation).toMatchObject({ subject: 'Pricing question', status: 'open', folder: 'inbox', pluginId: 'forms', lastSeq: 1 })
      const thread = await listMessages(db, workspace.accountId, result.conversationId)
      expect(thread.map((m) => [m.seq, m.direction, m.text])).toEqual([[1, 'in', 'How much is the team plan?']])
      expect(live.events).toEqual([
        {
          type: 'messageAdded',
          event: {
            accountId: workspace.accountId,
            inboxId: workspace.inboxId,
            conversationId: result.conversationId,
            messageId: result.messageId,
            startedConversation: true,
          },
        },
      ])
    })

    it('stores a repeated delivery once', async () => {
      const { db, workspace, deps } = await setup()
      const message = { externalId: 'evt-42', from: { externalId: 'psid-1' }, text: 'hello', thread: { key: 'psid-1' } }
      const first = await ingestInbound(deps, workspace.channels.messenger, message)
      const second = await ingestInbound(deps, workspace.channels.messenger, message)
      const concurrent = await Promise.all([1, 2, 3].map(() => ingestInbound(deps, workspace.channels.messenger, { ...message, externalId: 'evt-43' })))
      expect(second).toEqual({ status: 'duplicate', conversationId: first.conversationId, messageId: first.messageId })
      expect(new Set(concurrent.map((r) => r.messageId)).size).toBe(1)
      const rows = await db.select().from(messages).where(eq(messages.conversationId, first.conversationId))
      expect(rows.map((r) => r.externalId).sort()).toEqual(['evt-42', 'evt-43'])
      const convs = await db.select().from(conversations).where(eq(conversations.accountId, workspace.accountId))
      expect(convs).toHaveLength(1)
    })

    it('joins a conversation by thread key or by any referenced external id, and starts a new one otherwise', async () => {
      const { db, workspace, deps } = await setup()
      const email = workspace.channels.email
      const first = await ingestInbound(deps, email, { externalId: 'a1@mail.test', from: { email: 'ola@example.com' }, subject: 'Help', text: 'one' })
      const reply = await ingestInbound(deps, email, {
        externalId: 'a2@mail.test',
        from: { email: 'ola@example.com' },
        subject: 'Re: Help',
        text: 'two',
        // The known id is not first: every reference counts.
        thread: { references: ['unknown@elsewhere', 'a1@mail.test'] },
      })
      const unrelated = await ingestInbound(deps, email, { externalId: 'b1@mail.test', from: { email: 'ola@example.com' }, subject: 'Help', text: 'new topic' })
      expect(reply).toMatchObject({ status: 'appended', conversationId: first.conversationId })
      expect(unrelated.status).toBe('created')
      expect(unrelated.conversationId).not.toBe(first.conversationId)

      const chat1 = await ingestInbound(deps, workspace.channels.chat, { externalId: 'v1:1', from: { externalId: 'v1' }, text: 'hi', thread: { key: 's1' } })
      const chat2 = await ingestInbound(deps, workspace.channels.chat, {
        externalId: 'v1:2',
        from: { externalId: 'v1' },
        text: 'still there?',
        thread: { key: 's1' },
      })
      expect(chat2.conversationId).toBe(chat1.conversationId)
      const thread = await listMessages(db, workspace.accountId, chat1.conversationId)
      expect(thread.map((m) => m.seq)).toEqual([1, 2])
    })

    it('does not thread into another account by a shared external id', async () => {
      const { workspace, deps } = await setup()
      const other = await createTestWorkspace(deps.db)
      const mine = await ingestInbound(deps, workspace.channels.email, { externalId: 'x1@mail.test', from: { email: 'a@example.com' }, text: 'mine' })
      const theirs = await ingestInbound(deps, other.channels.email, {
        externalId: 'x2@mail.test',
        from: { email: 'a@example.com' },
        text: 'theirs',
        thread: { references: ['x1@mail.test'] },
      })
      expect(theirs.status).toBe('created')
      expect(theirs.conversationId).not.toBe(mine.conversationId)
      expect(await getConversation(deps.db, other.accountId, mine.conversationId)).toBeNull()
    })

    it('reopens a closed conversation and moves a replied Sent conversation to the inbox', async () => {
      const { db, workspace, deps } = await setup()
      const first = await ingestInbound(deps, workspace.channels.email, { externalId: 'c1@mail.test', from: { email: 'b@example.com' }, text: 'hi' })
      await db.update(conversations).set({ status: 'closed', closedAt: Date.now(), folder: 'sent' }).where(eq(conversations.id, first.conversationId))
      await ingestInbound(deps, workspace.channels.email, {
        externalId: 'c2@mail.test',
        from: { email: 'b@example.com' },
        text: 'again',
        thread: { references: ['c1@mail.test'] },
      })
      const detail = await getConversation(db, workspace.accountId, first.conversationId)
      expect(detail?.conversation).toMatchObject({ status: 'open', folder: 'inbox', closedAt: null, preview: 'again' })
    })

    it('recognises a contact again by channel identity or address, and learns missing details', async () => {
      const { db, workspace, deps } = await setup()
      const a = await ingestInbound(deps, workspace.channels.chat, { externalId: 'v9:1', from: { externalId: 'v9' }, text: 'hi', thread: { key: 'k9' } })
      const b = await ingestInbound(deps, workspace.channels.chat, {
        externalId: 'v9:2',
        from: { externalId: 'v9', name: 'Nina', email: 'nina@example.com' },
        text: 'me again',
        thread: { key: 'k10' },
      })
      const c = await ingestInbound(deps, workspace.channels.email, {
        externalId: 'n1@mail.test',
        from: { email: 'NINA@example.com', name: 'Someone Else' },
        text: 'by mail',
      })
      const ids = await Promise.all([a, b, c].map(async (r) => (await getConversation(db, workspace.accountId, r.conversationId))?.contact))
      expect(new Set(ids.map((contact) => contact?.id)).size).toBe(1)
      expect(ids[2]).toMatchObject({ name: 'Nina', email: 'nina@example.com' })
    })

    it('files a blocked contact’s new conversation under Filtered', async () => {
      const { db, workspace, deps } = await setup()
      const first = await ingestInbound(deps, workspace.channels.email, { externalId: 'bl1@mail.test', from: { email: 'pest@example.com' }, text: 'x' })
      const detail = await getConversation(db, workspace.accountId, first.conversationId)
      await db.update(contacts).set({ blocked: true }).where(eq(contacts.id, detail!.contact!.id))
      const second = await ingestInbound(deps, workspace.channels.email, { externalId: 'bl2@mail.test', from: { email: 'pest@example.com' }, text: 'y' })
      expect((await getConversation(db, workspace.accountId, second.conversationId))?.conversation.folder).toBe('filtered')
    })

    it('stores attachments as blobs with their metadata', async () => {
      const { db, workspace, deps } = await setup()
      const content = new TextEncoder().encode('%PDF-1.4 fake but bytes')
      const result = await ingestInbound(deps, workspace.channels.email, {
        externalId: 'att@mail.test',
        from: { email: 'c@example.com' },
        text: 'see attached',
        attachments: [{ filename: 'invoice.pdf', contentType: 'application/pdf', content }],
      })
      const [row] = await db.select().from(attachments).where(eq(attachments.messageId, result.messageId))
      expect(row).toMatchObject({ filename: 'invoice.pdf', contentType: 'application/pdf', sizeBytes: content.byteLength })
      expect(row!.r2Key.startsWith(`${workspace.accountId}/${result.conversationId}/`)).toBe(true)
    })
  })

  describe('new conversations', () => {
    it('go to whoever the inbox’s default assignment picks, unless a bot goes first', async () => {
      const { db, workspace, deps } = await setup()
      await db.insert(inboxMembers).values({ inboxId: workspace.inboxId, userId: workspace.users.agent.id })
      await db.update(inboxes).set({ defaultAssignment: 'user', defaultAssigneeId: workspace.users.agent.id }).where(eq(inboxes.id, workspace.inboxId))
      const assigned = await ingestInbound(deps, workspace.channels.forms, { externalId: 'da1', from: { email: 'da@example.com' }, text: 'hi' })
      expect((await getConversation(db, workspace.accountId, assigned.conversationId))?.conversation.assigneeId).toBe(workspace.users.agent.id)
      const deferred = await ingestInbound(deps, workspace.channels.chat, {
        externalId: 'da2',
        from: { externalId: 'v-da' },
        text: 'hi',
        deferAssignment: true,
        thread: { key: 'v-da' },
      })
      expect((await getConversation(db, workspace.accountId, deferred.conversationId))?.conversation.assigneeId).toBeNull()
    })

    it('get their default owner in the same transaction as their first message, and a filtered one none', async () => {
      const { db, workspace, deps } = await setup()
      for (const user of [workspace.users.agent, workspace.users.admin]) await db.insert(inboxMembers).values({ inboxId: workspace.inboxId, userId: user.id })
      await db.update(inboxes).set({ defaultAssignment: 'round_robin' }).where(eq(inboxes.id, workspace.inboxId))
      const ownerOf = async (conversationId: string) => (await getConversation(db, workspace.accountId, conversationId))?.conversation.assigneeId
      const queue = async () =>
        (await db.select().from(inboxMembers).where(eq(inboxMembers.inboxId, workspace.inboxId))).map((row) => [row.userId, row.lastAssignedAt])
      const startChat = async (visitorId: string, nowMs: number) => {
        const conversationId = newId()
        const started = await startLiveConversation(
          db,
          workspace.channels.chat,
          { conversationId, senderId: visitorId, message: { externalId: `${visitorId}:1`, from: { externalId: visitorId }, text: 'hello' } },
          nowMs,
        )
        expect(started?.status).toBe('started')
        return conversationId
      }
      // Chats and mails take turns in one queue.
      const owners = [await ownerOf(await startChat('rr-1', 1_000))]
      owners.push(
        await ownerOf(
          (
            await ingestInbound(
              deps,
              workspace.channels.email,
              { externalId: 'rr-mail@x', from: { email: 'rr@example.com' }, subject: 'Hi', text: 'hi' },
              2_000,
            )
          ).conversationId,
        ),
      )
      owners.push(await ownerOf(await startChat('rr-2', 3_000)))
      expect(owners[0]).toBeTruthy()
      expect(owners[1]).toBeTruthy()
      expect(owners[0]).not.toBe(owners[1])
      expect(owners[2]).toBe(owners[0])
      // A blocked visitor's chat lands in Filtered, owned by nobody, and the queue does not move.
      await db.insert(blockedSenders).values({ accountId: workspace.accountId, identifier: 'chat:rr-blocked', createdAt: 1 })
      const before = await queue()
      const filtered = await startChat('rr-blocked', 4_000)
      expect((await getConversation(db, workspace.accountId, filtered))?.conversation).toMatchObject({ folder: 'filtered', assigneeId: null })
      expect(await queue()).toEqual(before)
      // One chosen member: they get it.
      await db.update(inboxes).set({ defaultAssignment: 'user', defaultAssigneeId: workspace.users.agent.id }).where(eq(inboxes.id, workspace.inboxId))
      expect(await ownerOf(await startChat('rr-3', 5_000))).toBe(workspace.users.agent.id)
    })

    it('start in one batch for a new chat visitor, and step aside for anything already known', async () => {
      const { db, workspace } = await setup()
      const conversationId = newId()
      const started = await startLiveConversation(db, workspace.channels.chat, {
        conversationId,
        senderId: 'v-fast',
        message: { externalId: 'v-fast:1', from: { externalId: 'v-fast', name: 'Fast', email: 'FAST@example.com' }, text: 'hello' },
      })
      expect(started).toMatchObject({ status: 'started', message: { seq: 1, conversationId, text: 'hello', direction: 'in' } })
      const detail = await getConversation(db, workspace.accountId, conversationId)
      expect(detail?.conversation).toMatchObject({ lastSeq: 1, preview: 'hello', folder: 'inbox', externalKey: 'v-fast' })
      expect(detail?.contact).toMatchObject({ name: 'Fast', email: 'fast@example.com' })
      expect(await searchMessages(db, { accountId: workspace.accountId, query: 'hello' })).toHaveLength(1)
      // The same conversation again (the visitor's other tab): not a start; their contact comes back.
      expect(
        await startLiveConversation(db, workspace.channels.chat, {
          conversationId,
          senderId: 'v-fast',
          message: { externalId: 'v-fast:2', from: { externalId: 'v-fast' }, text: 'again' },
        }),
      ).toEqual({
        status: 'known',
        contactId: started!.contactId,
      })
      // A new visitor giving a blocked contact's address starts in Filtered, under that contact.
      await db.update(contacts).set({ blocked: true }).where(eq(contacts.id, started!.contactId))
      const other = newId()
      const blocked = await startLiveConversation(db, workspace.channels.chat, {
        conversationId: other,
        senderId: 'v-new',
        message: { externalId: 'v-new:1', from: { externalId: 'v-new', email: 'fast@example.com' }, text: 'me again' },
      })
      expect(blocked?.contactId).toBe(started!.contactId)
      expect((await getConversation(db, workspace.accountId, other))?.conversation.folder).toBe('filtered')
    })
  })

  describe('messages', () => {
    it('numbers messages 1..n without gaps or repeats under concurrent writers', async () => {
      const { db, workspace, deps } = await setup()
      const first = await ingestInbound(deps, workspace.channels.chat, { externalId: 'cc:0', from: { externalId: 'cc' }, text: 'start', thread: { key: 'cc' } })
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          appendMessage(db, {
            accountId: workspace.accountId,
            conversationId: first.conversationId,
            channelId: workspace.channels.chat.id,
            direction: index % 2 ? 'in' : 'out',
            text: `message ${index}`,
            createdAt: Date.now(),
          }),
        ),
      )
      const thread = await listMessages(db, workspace.accountId, first.conversationId)
      expect(thread.map((m) => m.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1))
      expect((await getConversation(db, workspace.accountId, first.conversationId))?.conversation.lastSeq).toBe(21)
      const after = await listMessages(db, workspace.accountId, first.conversationId, { afterSeq: 18 })
      expect(after.map((m) => m.seq)).toEqual([19, 20, 21])
    })
  })

  describe('lists and views', () => {
    it('pages by cursor through every conversation exactly once, newest first', async () => {
      const { db, workspace, deps } = await setup()
      const base = Date.now() - 1_000_000
      for (let i = 0; i < 23; i++) {
        // Equal timestamps in pairs: the id breaks ties, so no row is skipped or repeated.
        await ingestInbound(
          deps,
          workspace.channels.forms,
          { externalId: `p${i}`, from: { email: `p${i}@example.com` }, text: `n${i}` },
          base + Math.floor(i / 2) * 1000,
        )
      }
      const seen: string[] = []
      let cursor: string | undefined
      let pages = 0
      do {
        const page = await listConversations(db, {
          accountId: workspace.accountId,
          inboxId: workspace.inboxId,
          userId: workspace.users.agent.id,
          view: view('open'),
          cursor,
          limit: 5,
        })
        seen.push(...page.rows.map((r) => r.id))
        cursor = page.nextCursor ?? undefined
        pages++
      } while (cursor)
      expect(pages).toBe(5)
      expect(new Set(seen).size).toBe(23)
      const all = await listConversations(db, {
        accountId: workspace.accountId,
        inboxId: workspace.inboxId,
        userId: workspace.users.agent.id,
        view: view('open'),
        limit: 100,
      })
      expect(all.rows.map((r) => r.id)).toEqual(seen)
      const times = all.rows.map((r) => r.lastMessageAt)
      expect([...times].sort((x, y) => y - x)).toEqual(times)
    })

    it('counts every view in one pass and agrees with the lists', async () => {
      const { db, workspace, deps } = await setup()
      const me = workspace.users.agent.id
      const mk = (key: string, channel: 'email' | 'chat' | 'calls') =>
        ingestInbound(deps, workspace.channels[channel], { externalId: key, from: { email: `${key}@example.com` }, text: key })
      const a = await mk('a', 'email')
      const b = await mk('b', 'chat')
      const c = await mk('c', 'calls')
      const d = await mk('d', 'email')
      const e = await mk('e', 'chat')
      await db.update(conversations).set({ assigneeId: me }).where(eq(conversations.id, a.conversationId))
      await db.update(conversations).set({ status: 'closed' }).where(eq(conversations.id, c.conversationId))
      await db.update(conversations).set({ folder: 'spam' }).where(eq(conversations.id, d.conversationId))
      await db.update(conversations).set({ assigneeBot: 'Welcome bot' }).where(eq(conversations.id, e.conversationId))
      const counts = await countViews(db, { accountId: workspace.accountId, inboxId: workspace.inboxId, userId: me })
      expect(counts).toMatchObject({ unassigned: 1, mine: 1, open: 3, chat: 2, email: 1, calls: 0, bots: 1, closed: 1, spam: 1, trash: 0 })
      for (const [viewId, count] of Object.entries(counts)) {
        const list = await listConversations(db, { accountId: workspace.accountId, inboxId: workspace.inboxId, userId: me, view: view(viewId), limit: 100 })
        expect(list.rows.length, `view ${viewId}`).toBe(count)
      }
      expect(b.status).toBe('created')
    })

    it('tracks unread per user', async () => {
      const { db, workspace, deps } = await setup()
      const r = await ingestInbound(deps, workspace.channels.email, { externalId: 'u1', from: { email: 'u@example.com' }, text: 'hi' })
      const rowFor = async (userId: string) =>
        (
          await listConversations(db, {
            accountId: workspace.accountId,
            inboxId: workspace.inboxId,
            userId,
            view: view('open'),
            conversationIds: [r.conversationId],
          })
        ).rows[0]
      await markRead(db, workspace.users.agent.id, r.conversationId, 1)
      expect((await rowFor(workspace.users.agent.id))?.unread).toBe(false)
      expect((await rowFor(workspace.users.admin.id))?.unread).toBe(true)
      await ingestInbound(deps, workspace.channels.email, { externalId: 'u2', from: { email: 'u@example.com' }, text: 'more', thread: { references: ['u1'] } })
      expect((await rowFor(workspace.users.agent.id))?.unread).toBe(true)
    })
  })

  describe('full-text index', () => {
    it('finds messages by text, subject and contact, ranked, and only in the searching account', async () => {
      const { db, workspace, deps } = await setup()
      const other = await createTestWorkspace(db)
      const hit = await ingestInbound(deps, workspace.channels.email, {
        externalId: 's1',
        from: { email: 'maja@fjord.no', name: 'Maja Nilsen' },
        subject: 'Damaged tent',
        text: 'The rain fly is torn',
      })
      await ingestInbound(deps, other.channels.email, {
        externalId: 's2',
        from: { email: 'x@example.com' },
        subject: 'Damaged tent',
        text: 'The rain fly is torn',
      })
      for (const query of ['torn', 'damaged', 'Nilsen', 'maja@fjord.no', 'rain fl', 'TÖRN']) {
        const hits = await searchMessages(db, { accountId: workspace.accountId, query })
        expect(
          hits.map((h) => h.conversationId),
          query,
        ).toEqual([hit.conversationId])
      }
      const [withSnippet] = await searchMessages(db, { accountId: workspace.accountId, query: 'torn' })
      expect(withSnippet?.snippet).toContain('«torn»')
      expect(await searchMessages(db, { accountId: workspace.accountId, query: '" OR * NEAR(' })).toEqual([])
    })

    it('follows edits: hidden messages and activity leave the index, contact renames enter it', async () => {
      const { db, workspace, deps } = await setup()
      const r = await ingestInbound(deps, workspace.channels.email, {
        externalId: 'h1',
        from: { email: 'h@example.com', name: 'Harald' },
        text: 'my card number is 4111',
      })
      const search = (query: string) => searchMessages(db, { accountId: workspace.accountId, query })
      expect(await search('4111')).toHaveLength(1)
      await db.update(messages).set({ hiddenAt: Date.now(), hiddenBy: workspace.users.admin.id }).where(eq(messages.id, r.messageId))
      expect(await search('4111')).toHaveLength(0)
      await db.update(messages).set({ hiddenAt: null, hiddenBy: null }).where(eq(messages.id, r.messageId))
      expect(await search('4111')).toHaveLength(1)
      await db.update(contacts).set({ name: 'Haraldsen Ruud' }).where(eq(contacts.email, 'h@example.com'))
      expect(await search('Ruud')).toHaveLength(1)
      await appendMessage(db, {
        accountId: workspace.accountId,
        conversationId: r.conversationId,
        channelId: workspace.channels.email.id,
        direction: 'out',
        kind: 'activity',
        text: 'zebra assigned',
        createdAt: Date.now(),
      })
      expect(await search('zebra')).toHaveLength(0)
      await db.delete(messages).where(eq(messages.id, r.messageId))
      expect(await search('4111')).toHaveLength(0)
    })

    it('shows each search row with its contact, assignee and unread state, paged once through in every sort', async () => {
      const { db, workspace, deps } = await setup()
      const created: Awaited<ReturnType<typeof ingestInbound>>[] = []
      for (let index = 0; index < 7; index++) {
        const text = index % 2 ? 'The lantern flickers' : 'Lantern lantern lantern, the lantern is broken'
        created.push(
          await ingestInbound(deps, workspace.channels.email, {
            externalId: `l${index}`,
            from: { email: `l${index}@example.com`, name: `Lena ${index}` },
            text,
          }),
        )
      }
      await ingestInbound(deps, workspace.channels.email, { externalId: 'l-other', from: { email: 'o@example.com' }, text: 'No match here' })
      const [first, second] = created
      await db.update(conversations).set({ assigneeId: workspace.users.admin.id }).where(eq(conversations.id, first!.conversationId))
      await markRead(db, workspace.users.agent.id, second!.conversationId, 1)
      const search = async (sort: 'relevance' | 'newest' | 'oldest') => {
        const rows = []
        let cursor: string | undefined
        do {
          const page = await listConversations(db, {
            accountId: workspace.accountId,
            inboxId: workspace.inboxId,
            userId: workspace.users.agent.id,
            view: view('open'),
            filters: { q: 'lanter', sort },
            limit: 2,
            cursor,
          })
          rows.push(...page.rows)
          cursor = page.nextCursor ?? undefined
        } while (cursor)
        return rows
      }
      const newest = await search('newest')
      expect(newest.map((row) => row.id)).toEqual(created.map((r) => r.conversationId).reverse())
      expect((await search('oldest')).map((row) => row.id)).toEqual(created.map((r) => r.conversationId))
      const relevance = await search('relevance')
      // The messages that say it four times rank first; ties keep the id order.
      const byText = (many: boolean) =>
        created
          .filter((_, index) => (index % 2 === 0) === many)
          .map((r) => r.conversationId)
          .sort()
      expect(relevance.map((row) => row.id)).toEqual([...byText(true), ...byText(false)])
      for (const rows of [newest, relevance]) {
        const row = (id: string) => rows.find((candidate) => candidate.id === id)!
        expect(row(first!.conversationId)).toMatchObject({
          contactName: 'Lena 0',
          contactEmail: 'l0@example.com',
          assigneeId: workspace.users.admin.id,
          assigneeName: 'Alex',
          unread: true,
        })
        expect(row(second!.conversationId)).toMatchObject({ contactName: 'Lena 1', assigneeName: null, unread: false })
        expect(row(second!.conversationId).snippet).toBe('The \u0002lantern\u0003 flickers')
      }
    })

    it('quotes every word of the query', () => {
      expect(toFtsQuery('  rain "fly  ')).toBe('"rain" "fly"*')
      expect(toFtsQuery('   ')).toBeNull()
    })
  })

  describe('users and sessions', () => {
    it('deactivating a user unassigns their open conversations and ends their sessions', async () => {
      const { db, workspace, deps } = await setup()
      const { agent, admin } = workspace.users
      const open = await ingestInbound(deps, workspace.channels.email, { externalId: 'd1', from: { email: 'd@example.com' }, text: 'open' })
      const closed = await ingestInbound(deps, workspace.channels.email, { externalId: 'd2', from: { email: 'e@example.com' }, text: 'closed' })
      await db.update(conversations).set({ assigneeId: agent.id }).where(eq(conversations.accountId, workspace.accountId))
      await db.update(conversations).set({ status: 'closed' }).where(eq(conversations.id, closed.conversationId))
      const { token } = await createSession(db, agent.id)
      const { released } = await setUserStatus(db, admin, agent.id, 'deactivated')
      expect(released.map((c) => c.id)).toEqual([open.conversationId])
      expect((await getConversation(db, workspace.accountId, open.conversationId))?.conversation.assigneeId).toBeNull()
      expect((await getConversation(db, workspace.accountId, closed.conversationId))?.conversation.assigneeId).toBe(agent.id)
      expect(await validateSessionToken(db, token)).toBeNull()
      const counts = await countViews(db, { accountId: workspace.accountId, inboxId: workspace.inboxId, userId: admin.id })
      expect(counts.unassigned).toBe(1)
      await setUserStatus(db, admin, agent.id, 'removed')
      expect((await listUsers(db, workspace.accountId)).map((u) => u.id)).not.toContain(agent.id)
    })

    it('keeps role changes within the actor’s rights', async () => {
      const { db, workspace } = await setup()
      const { admin, agent, superAdmin } = workspace.users
      await expect(changeRole(db, admin, agent.id, 'super_admin')).rejects.toThrow(/super admin/)
      await expect(changeRole(db, admin, superAdmin.id, 'agent')).rejects.toThrow(/super admin/)
      await expect(changeRole(db, admin, admin.id, 'agent')).rejects.toThrow(/own role/)
      await expect(changeRole(db, agent, admin.id, 'agent')).rejects.toThrow(/Agents cannot/)
      expect((await changeRole(db, superAdmin, agent.id, 'admin')).role).toBe('admin')
      const other = await createTestWorkspace(db)
      await expect(changeRole(db, superAdmin, other.users.agent.id, 'admin')).rejects.toThrow(/No such user/)
    })

    it('validates, slides and expires sessions; a tampered secret opens nothing', async () => {
      const { db, workspace } = await setup()
      const now = Date.now()
      const { token, session } = await createSession(db, workspace.users.agent.id, now)
      expect((await validateSessionToken(db, token, now))?.user.id).toBe(workspace.users.agent.id)
      const [id, secret] = token.split('.')
      expect(await validateSessionToken(db, `${id}.${secret!.slice(0, -1)}${secret!.endsWith('a') ? 'b' : 'a'}`, now)).toBeNull()
      expect(await validateSessionToken(db, `${id}`, now)).toBeNull()
      const [stored] = await db.select().from(sessions).where(eq(sessions.id, session.id))
      expect(stored!.secretHash).not.toContain(secret!)
      const later = now + (sessionExpiresInSeconds * 1000 * 2) / 3
      const slid = await validateSessionToken(db, token, later)
      expect(slid?.refreshed).toBe(true)
      expect(slid?.session.expiresAt).toBe(later + sessionExpiresInSeconds * 1000)
      expect(await validateSessionToken(db, token, later + sessionExpiresInSeconds * 1000 + 1)).toBeNull()
      expect(await db.select().from(sessions).where(eq(sessions.id, session.id))).toHaveLength(0)
    })

    it('throttles login attempts per address with a growing delay, counted before the password is checked', async () => {
      const { db } = await setup()
      const keys = throttleKeys(`victim.${Date.now()}@example.test`, undefined, null)
      const now = Date.now()
      for (let i = 0; i < addressPolicy.freeAttempts; i++) expect(await takeLoginAttempt(db, keys, now)).toEqual({ allowed: true })
      // The sixth waits the first delay; a refused attempt does not make the wait longer.
      expect(await takeLoginAttempt(db, keys, now)).toEqual({ allowed: false, retryAfterSeconds: 30 })
      expect(await takeLoginAttempt(db, keys, now + 10_000)).toEqual({ allowed: false, retryAfterSeconds: 20 })
      // After it, one more is checked, and the next delay is twice as long.
      expect(await takeLoginAttempt(db, keys, now + 30_000)).toEqual({ allowed: true })
      expect(await takeLoginAttempt(db, keys, now + 30_000)).toEqual({ allowed: false, retryAfterSeconds: 60 })
      expect(await takeLoginAttempt(db, keys, now + 90_000)).toEqual({ allowed: true })
      expect(await takeLoginAttempt(db, keys, now + 90_000)).toEqual({ allowed: false, retryAfterSeconds: 120 })
      // A key left quiet for the window after its delay starts afresh.
      const later = now + 210_000 + quietWindowSeconds * 1000 + 1
      for (let i = 0; i < addressPolicy.freeAttempts; i++) expect(await takeLoginAttempt(db, keys, later)).toEqual({ allowed: true })
      expect((await takeLoginAttempt(db, keys, later)).allowed).toBe(false)
      // A known device of the same address counts on its own key.
      expect(await takeLoginAttempt(db, throttleKeys('victim@example.test', undefined, 'devicehash'), later)).toEqual({ allowed: true })
      // The daily housekeeping forgets a key only once it has been quiet for a window after its delay.
      const key = keys[0]!.key
      const rowsOf = () => db.select().from(loginAttempts).where(eq(loginAttempts.key, key))
      await deleteQuietLoginAttempts(db, later + 60_000)
      expect(await rowsOf()).toHaveLength(1)
      await deleteQuietLoginAttempts(db, later + 60 * 60_000)
      expect(await rowsOf()).toHaveLength(0)
    })
  })

  describe('stuck sends', () => {
    it('the sweep queues a pending delivery that has not moved for the deadline once, and leaves fresh and sent ones', async () => {
      const { db, workspace, deps } = await setup()
      const { conversationId } = await ingestInbound(deps, workspace.channels.email, {
        externalId: `sweep-${newId()}@mail.test`,
        from: { email: 'ola@example.com' },
        subject: 'Sweep',
        text: 'hi',
      })
      const now = Date.now()
      const out = async (text: string, deliveryStatus: 'pending' | 'sent', ageMs: number) =>
        (await appendMessage(db, {
          accountId: workspace.accountId,
          conversationId,
          channelId: workspace.channels.email.id,
          direction: 'out',
          kind: 'message',
          text,
          deliveryStatus,
          createdAt: now - ageMs,
        }))!.id
      const stuck = await out('stuck', 'pending', staleDeliveryAfterMs + 60_000)
      const fresh = await out('fresh', 'pending', 60_000)
      const sent = await out('sent', 'sent', 2 * staleDeliveryAfterMs)
      const queued: { accountId: string; messageId: number }[] = []
      const queue = {
        async sendBatch(batch: { body: { accountId: string; messageId: number } }[]) {
          for (const { body } of batch) queued.push(body)
        },
      }
      // Other tests' rows may share this database: only this test's messages are looked at.
      const mine = () => queued.filter((job) => [stuck, fresh, sent].includes(job.messageId)).map((job) => job.messageId)
      await sweepStaleDeliveries(db, queue, now)
      expect(mine()).toEqual([stuck])
      // Claimed: its clock restarted, so the next sweep leaves it to the job just queued.
      await sweepStaleDeliveries(db, queue, now + 60_000)
      expect(mine()).toEqual([stuck])
      // Still not moved a whole deadline later (the job was lost too): queued again, with the one that was fresh.
      await sweepStaleDeliveries(db, queue, now + staleDeliveryAfterMs + 1000)
      expect(mine().sort()).toEqual([stuck, stuck, fresh].sort())
    })
  })

  describe('demo workspace', () => {
    it('seeds three users, two inboxes and conversations across every channel, once', async () => {
      const db = getDb()
      const deps = { db, notifier: recordingNotifier().notifier, blobs: getBlobs() }
      const first = await seedDemoWorkspace(deps)
      const again = await seedDemoWorkspace(deps)
      expect(again).toEqual({ created: false, accountId: first.accountId })
      const accountId = first.accountId
      const rows = await db.select().from(conversations).where(eq(conversations.accountId, accountId))
      expect(rows.length).toBeGreaterThanOrEqual(40)
      // Every channel Switchboard ships shows up in the demo (a plugin added later needs no demo data).
      const shipped = ['email', 'chat', 'messenger', 'forms', 'calls', 'sms']
      expect(new Set(rows.map((r) => r.pluginId))).toEqual(new Set(shipped.filter((id) => channelPlugins.some((plugin) => plugin.id === id))))
      expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['open', 'closed']))
      expect(new Set(rows.map((r) => r.inboxId)).size).toBe(2)
      const roles = (await listUsers(db, accountId)).map((u) => u.role).sort()
      expect(roles).toEqual(['admin', 'agent', 'super_admin'])
    })

    it('shows a two-way conversation on Messenger (with receipts), on a form (answered by email, and back) and on a call (answered by SMS)', async () => {
      const db = getDb()
      const deps = { db, notifier: recordingNotifier().notifier, blobs: getBlobs() }
      const { accountId } = await seedDemoWorkspace(deps)
      const rows = await db.select().from(conversations).where(eq(conversations.accountId, accountId))
      const thread = async (subjectOrKey: string) => {
        const conversation = rows.find((row) => row.subject === subjectOrKey || row.externalKey === subjectOrKey)!
        return listMessages(db, accountId, conversation.id)
      }
      const lucas = await thread('psid-7710')
      expect(lucas.map((m) => m.direction)).toEqual(['in', 'out', 'in', 'out'])
      expect(lucas[1]!.metadata).toMatchObject({ readAt: expect.any(Number) })
      const alicia = await thread('Warranty claim: hiking boots')
      expect(alicia.map((m) => [m.direction, m.channelId === alicia[0]!.channelId ? 'form' : 'email'])).toEqual([
        ['in', 'form'],
        ['out', 'email'],
        ['in', 'email'],
      ])
      const henrik = await thread('Missed call from Henrik Dahl')
      expect(henrik.map((m) => [m.direction, m.kind])).toEqual([
        ['in', 'message'],
        ['out', 'message'],
      ])
    })

    it("a chat is handed off to its inbox's first email channel (one statement, which libSQL takes too)", async () => {
      const db = getDb()
      const { accountId } = await seedDemoWorkspace({ db, notifier: recordingNotifier().notifier, blobs: getBlobs() })
      const rows = await db.select().from(conversations).where(eq(conversations.accountId, accountId))
      const allChannels = await db.select().from(channels).where(eq(channels.accountId, accountId))
      const firstEmailChannel = (inboxId: string) =>
        allChannels
          .filter((channel) => channel.inboxId === inboxId && channel.pluginId === 'email')
          .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))[0]?.id
      let chatsChecked = 0
      for (const chat of rows.filter((row) => row.pluginId === 'chat')) {
        const handoff = await findHandoffChannel(db, accountId, chat.id)
        if (handoff?.pluginId !== 'email') continue
        expect(handoff.channelId).toBe(firstEmailChannel(chat.inboxId))
        chatsChecked++
      }
      expect(chatsChecked).toBeGreaterThan(0)
    })
  })

  compiledSuite(getDb)
}
