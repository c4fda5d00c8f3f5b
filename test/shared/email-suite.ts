import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/client'
import { attachments, blockedSenders, contacts, conversationParticipants, conversations, messages } from '../../src/db/schema'
import { ingestInbound, type BlobStore } from '../../src/channels/pipeline'
import type { ChannelRecord } from '../../src/channels/types'
import { ourMessageId, replyAddress } from '../../plugins/email/threading'
import { newId } from '../../src/lib/ids'
import { appendMessage } from '../../src/services/messages'
import { parseEmail } from '../../plugins/email/parse'
import { createTestWorkspace, recordingNotifier } from './workspace'
import { buildMail, fixture, scannedPage, scannerMail } from './email-fixtures'

const dayMs = 86_400_000

/**
 * Email threading, idempotency and noise handling: raw mail through the email plugin's parser
 * and the pipeline. Runs in workerd against D1 and R2 and under Node against libSQL, like the
 * service suite.
 */
export function emailSuite(getDb: () => Db, getBlobs: () => BlobStore) {
  let db: Db

  async function setup() {
    db = getDb()
    const workspace = await createTestWorkspace(db)
    const channel = workspace.channels.email
    const supportAddress = `support.${workspace.tag}@example.test`
    const live = recordingNotifier()
    const deps = { db, notifier: live.notifier, blobs: getBlobs() }
    const deliver = async (raw: string, options: { nowMs?: number; envelopeTo?: string; channel?: ChannelRecord } = {}) => {
      const message = await parseEmail(new TextEncoder().encode(raw), {
        envelopeFrom: 'envelope@example.net',
        envelopeTo: options.envelopeTo ?? supportAddress,
        rawKey: `${workspace.accountId}/raw/${newId()}.eml`,
        ownAddresses: [supportAddress],
      })
      return ingestInbound(deps, options.channel ?? channel, message, options.nowMs)
    }
    const thread = (conversationId: string) => db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(messages.seq)
    const conversation = async (conversationId: string) => (await db.select().from(conversations).where(eq(conversations.id, conversationId)))[0]!
    return { workspace, channel, supportAddress, deps, deliver, thread, conversation, live }
  }

  /** An agent-started email conversation, as outbound mail will store it: in Sent, with our Message-ID. */
  async function agentInitiated(workspace: Awaited<ReturnType<typeof createTestWorkspace>>, to: string, subject: string) {
    const nowMs = Date.now()
    const conversationId = newId()
    await db.insert(conversations).values({
      id: conversationId,
      accountId: workspace.accountId,
      inboxId: workspace.inboxId,
      channelId: workspace.channels.email.id,
      pluginId: 'email',
      folder: 'sent',
      subject,
      lastMessageAt: nowMs,
      createdAt: nowMs,
    })
    const messageId = ourMessageId(conversationId, 'example.test')
    await appendMessage(db, {
      accountId: workspace.accountId,
      conversationId,
      channelId: workspace.channels.email.id,
      direction: 'out',
      kind: 'message',
      authorUserId: workspace.users.agent.id,
      text: `Hello ${to}`,
      externalId: messageId,
      createdAt: nowMs,
    })
    return { conversationId, messageId }
  }

  describe('email threading', () => {
    it('a reply with In-Reply-To joins the existing conversation, whichever References id is known', async () => {
      const { supportAddress, deliver, thread } = await setup()
      const first = await deliver(buildMail({ from: 'Ola <ola@example.no>', to: supportAddress, subject: 'Order 77', messageId: 'o1@example.no' }))
      const reply = await deliver(
        buildMail({
          from: 'ola@example.no',
          to: supportAddress,
          subject: 'Re: Order 77',
          messageId: 'o2@example.no',
          inReplyTo: 'o1@example.no',
          body: 'More.',
        }),
      )
      const deep = await deliver(
        buildMail({
          from: 'ola@example.no',
          to: supportAddress,
          subject: 'something else entirely',
          messageId: 'o3@example.no',
          // Clients trim and reorder: only the middle id is ours.
          references: '<lost-1@elsewhere> <o2@example.no> <lost-2@elsewhere>',
          inReplyTo: 'lost-2@elsewhere',
        }),
      )
      expect(first.status).toBe('created')
      expect(reply).toMatchObject({ status: 'appended', conversationId: first.conversationId })
      expect(deep).toMatchObject({ status: 'appended', conversationId: first.conversationId })
      expect((await thread(first.conversationId)).map((m) => m.externalId)).toEqual(['o1@example.no', 'o2@example.no', 'o3@example.no'])
    })

    it('a reply from Outlook with a new subject joins by its references and records the Cc', async () => {
      const { supportAddress, deliver, thread } = await setup()
      const first = await deliver(
        buildMail({ from: 'Kari Holm <kari.holm@fjordtech.no>', to: supportAddress, subject: 'Bestilling', messageId: 'k1@fjordtech.no' }),
      )
      const outlook = await deliver(fixture('outlookReply', { TO: supportAddress, REFERENCES: '<k1@fjordtech.no>', IN_REPLY_TO: '<k1@fjordtech.no>' }))
      expect(outlook).toMatchObject({ status: 'appended', conversationId: first.conversationId })
      const [, stored] = await thread(first.conversationId)
      expect(stored?.text).toContain('Fakturaen har feil beløp.')
      const participants = await db.select().from(conversationParticipants).where(eq(conversationParticipants.conversationId, first.conversationId))
      expect(participants.map((p) => [p.address, p.role]).sort()).toEqual([
        ['kari.holm@fjordtech.no', 'from'],
        ['lars.berg@fjordtech.no', 'cc'],
      ])
    })

    it('a reply to an agent-initiated email joins by our Message-ID and moves the conversation out of Sent', async () => {
      const { workspace, supportAddress, deliver, conversation } = await setup()
      const started = await agentInitiated(workspace, 'nils@example.se', 'Your quote')
      const reply = await deliver(
        buildMail({ from: 'Nils <nils@example.se>', to: supportAddress, subject: 'SV: Your quote', messageId: 'n1@example.se', inReplyTo: started.messageId }),
      )
      expect(reply).toMatchObject({ status: 'appended', conversationId: started.conversationId })
      expect((await conversation(started.conversationId)).folder).toBe('inbox')
    })

    it('a reply to our reply+ address joins even when the client dropped every reference', async () => {
      const { workspace, supportAddress, deliver } = await setup()
      const started = await agentInitiated(workspace, 'nils@example.se', 'Your quote')
      const domain = supportAddress.split('@')[1]!
      const to = replyAddress(started.conversationId, domain)
      const reply = await deliver(buildMail({ from: 'nils@example.se', to, subject: 'Totally new subject', messageId: 'n2@example.se' }), { envelopeTo: to })
      expect(reply).toMatchObject({ status: 'appended', conversationId: started.conversationId })
    })

    it('ignores our token when it names a conversation of another inbox or account', async () => {
      const { supportAddress, deliver } = await setup()
      const other = await setup()
      const foreign = await agentInitiated(other.workspace, 'x@example.com', 'Theirs')
      const attempt = await deliver(
        buildMail({ from: 'mallory@example.com', to: supportAddress, subject: 'Re: Theirs', messageId: 'm1@example.com', inReplyTo: foreign.messageId }),
      )
      expect(attempt.status).toBe('created')
      expect(attempt.conversationId).not.toBe(foreign.conversationId)
    })

    it('newsletter replies from two people become two conversations', async () => {
      const { supportAddress, deliver } = await setup()
      const newsletter = { to: supportAddress, subject: 'Re: November news from Fjordtech', inReplyTo: 'campaign-881@mailer.example' }
      const first = await deliver(buildMail({ ...newsletter, from: 'anna@example.com', messageId: 'a1@example.com', body: 'Unsubscribe me' }))
      const second = await deliver(buildMail({ ...newsletter, from: 'bjorn@example.org', messageId: 'b1@example.org', body: 'Nice offer' }))
      expect(first.status).toBe('created')
      expect(second.status).toBe('created')
      expect(second.conversationId).not.toBe(first.conversationId)
    })

    it('joins by cleaned subject only a recent conversation the sender takes part in', async () => {
      const { supportAddress, deliver } = await setup()
      const nowMs = Date.now()
      const first = await deliver(buildMail({ from: 'eva@example.de', to: supportAddress, subject: 'Lieferung verspätet', messageId: 'e1@example.de' }), {
        nowMs,
      })
      // German and Norwegian prefixes, nested, a ticket tag: the same subject key.
      const followUp = await deliver(
        buildMail({ from: 'eva@example.de', to: supportAddress, subject: 'AW: Sv: [Ticket#12] WG: Lieferung  verspätet', messageId: 'e2@example.de' }),
        { nowMs: nowMs + dayMs },
      )
      expect(followUp).toMatchObject({ status: 'appended', conversationId: first.conversationId })
      const muchLater = await deliver(
        buildMail({ from: 'eva@example.de', to: supportAddress, subject: 'Re: Lieferung verspätet', messageId: 'e3@example.de' }),
        {
          nowMs: nowMs + 32 * dayMs,
        },
      )
      expect(muchLater.status).toBe('created')
    })

    it('a later reply from a CC’d person joins the thread', async () => {
      const { supportAddress, deliver } = await setup()
      const first = await deliver(
        buildMail({ from: 'lena@fjell.no', to: supportAddress, cc: `Tor <tor@fjell.no>, ${supportAddress}`, subject: 'Kontrakt', messageId: 'l1@fjell.no' }),
      )
      const fromCc = await deliver(buildMail({ from: 'Tor <tor@fjell.no>', to: supportAddress, subject: 'SV: Kontrakt', messageId: 't1@fjell.no' }))
      expect(fromCc).toMatchObject({ status: 'appended', conversationId: first.conversationId })
      const participants = await db.select().from(conversationParticipants).where(eq(conversationParticipants.conversationId, first.conversationId))
      // Our own address is never a participant.
      expect(participants.map((p) => p.address).sort()).toEqual(['lena@fjell.no', 'tor@fjell.no'])
    })

    it('a forwarded thread from someone who was not on it starts its own conversation; one that keeps References joins', async () => {
      const { supportAddress, deliver } = await setup()
      const first = await deliver(buildMail({ from: 'lena@fjell.no', to: supportAddress, subject: 'Kontrakt', messageId: 'f1@fjell.no' }))
      const forwarded = await deliver(buildMail({ from: 'boss@fjell.no', to: supportAddress, subject: 'Fwd: Kontrakt', messageId: 'f2@fjell.no' }))
      expect(forwarded.status).toBe('created')
      const forwardedWithReferences = await deliver(
        buildMail({ from: 'boss@fjell.no', to: supportAddress, subject: 'Fwd: Kontrakt', messageId: 'f3@fjell.no', references: '<f1@fjell.no>' }),
      )
      expect(forwardedWithReferences).toMatchObject({ status: 'appended', conversationId: first.conversationId })
    })

    it('stores a duplicate delivery once, and a reused Message-ID with other content as its own message', async () => {
      const { supportAddress, deliver, thread } = await setup()
      const raw = buildMail({ from: 'ola@example.no', to: supportAddress, subject: 'Twice', messageId: 'dup@example.no', body: 'Same' })
      const first = await deliver(raw)
      // A second delivery through another relay: different transport headers, same message.
      const again = await deliver(`Received: from relay2.example.net by mx.example.test; Wed, 25 Nov 2026 09:00:05 +0100\r\n${raw}`)
      expect(again).toEqual({ status: 'duplicate', conversationId: first.conversationId, messageId: first.messageId })
      const reused = await deliver(buildMail({ from: 'ola@example.no', to: supportAddress, subject: 'Twice', messageId: 'dup@example.no', body: 'Different' }))
      expect(reused.status).not.toBe('duplicate')
      expect((await thread(first.conversationId)).map((m) => m.text)).toEqual(['Same', 'Different'])
    })

    it('stores two simultaneous deliveries of one message once', async () => {
      const { supportAddress, deliver, thread } = await setup()
      const raw = buildMail({ from: 'samtidig@example.no', to: supportAddress, subject: 'Race', messageId: 'race@example.no', body: 'Once' })
      // Both look up, find nothing, and write: the second transaction fails on the unique key and
      // the careful path recognises the repeat.
      const results = await Promise.all([deliver(raw), deliver(raw)])
      expect(results.map((result) => result.status).sort()).toEqual(['created', 'duplicate'])
      expect(results[0]!.conversationId).toBe(results[1]!.conversationId)
      expect((await thread(results[0]!.conversationId)).map((m) => m.text)).toEqual(['Once'])
    })

    it('gives a message without Message-ID a stable id, so a redelivery is still stored once', async () => {
      const { supportAddress, deliver, thread } = await setup()
      const raw = buildMail({ from: 'old-client@example.com', to: supportAddress, subject: 'No id', body: 'From a very old client' })
      const first = await deliver(raw)
      const again = await deliver(raw)
      expect(again.status).toBe('duplicate')
      const [stored] = await thread(first.conversationId)
      expect(stored?.externalId).toMatch(/^hash:[0-9a-f]{64}$/)
      expect(stored?.contentHash).toBe(stored?.externalId?.slice('hash:'.length))
    })
  })

  describe('email loops and noise', () => {
    it('marks an out-of-office reply as automated and files it with the conversation it answers', async () => {
      const { supportAddress, deliver, thread } = await setup()
      const first = await deliver(buildMail({ from: 'per.hansen@example.no', to: supportAddress, subject: 'Møte', messageId: 'p1@example.no' }))
      const auto = await deliver(fixture('outOfOffice', { TO: supportAddress, SUBJECT: 'Møte', ID: 'x1', IN_REPLY_TO: '<p1@example.no>' }))
      expect(auto.conversationId).toBe(first.conversationId)
      expect((await thread(first.conversationId)).map((m) => m.automated)).toEqual([false, true])
    })

    it('never threads two unrelated bounces by their shared subject', async () => {
      const { supportAddress, deliver } = await setup()
      const first = await deliver(fixture('dsnBounce', { TO: supportAddress, ID: 'u1', BOUNCED: 'a@gone.example', ORIGINAL_ID: 'unknown-1@example.test' }))
      const second = await deliver(fixture('dsnBounce', { TO: supportAddress, ID: 'u2', BOUNCED: 'b@gone.example', ORIGINAL_ID: 'unknown-2@example.test' }))
      expect(first.status).toBe('created')
      expect(second.status).toBe('created')
      const participants = await db.select().from(conversationParticipants).where(eq(conversationParticipants.conversationId, first.conversationId))
      expect(participants).toEqual([])
    })

    it('treats List-Id as automated only on a reply to us', async () => {
      const { supportAddress, deliver, thread } = await setup()
      const listPost = await deliver(
        buildMail({
          from: 'dev-list@lists.example.org',
          to: supportAddress,
          subject: 'Weekly digest',
          messageId: 'l1@lists',
          headers: ['List-Id: <dev.lists.example.org>'],
        }),
      )
      const listReply = await deliver(
        buildMail({
          from: 'dev-list@lists.example.org',
          to: supportAddress,
          subject: 'Re: Weekly digest',
          messageId: 'l2@lists',
          inReplyTo: 'l1@lists',
          headers: ['List-Id: <dev.lists.example.org>'],
        }),
      )
      const person = await deliver(
        buildMail({ from: 'someone@example.org', to: supportAddress, subject: 'Question', messageId: 'q1@example.org', headers: ['Auto-Submitted: no'] }),
      )
      expect((await thread(listPost.conversationId)).map((m) => m.automated)).toEqual([false, true])
      expect(listReply.conversationId).toBe(listPost.conversationId)
      expect((await thread(person.conversationId))[0]?.automated).toBe(false)
    })

    it('attaches a bounce to the conversation of the original message, shows our returned reply as failed with the server’s reason, and marks the address bouncing until it writes again', async () => {
      const { workspace, supportAddress, deliver, thread, live } = await setup()
      const first = await deliver(buildMail({ from: 'gone@gone.example', to: supportAddress, subject: 'Your order', messageId: 'g1@gone.example' }))
      // Our reply, as outbound mail stores it.
      await appendMessage(db, {
        accountId: workspace.accountId,
        conversationId: first.conversationId,
        channelId: workspace.channels.email.id,
        direction: 'out',
        text: 'Shipped!',
        externalId: 'reply-1@example.test',
        createdAt: Date.now(),
      })
      const bounce = await deliver(fixture('dsnBounce', { TO: supportAddress, ID: 'b1', BOUNCED: 'gone@gone.example', ORIGINAL_ID: 'reply-1@example.test' }))
      expect(bounce).toMatchObject({ status: 'appended', conversationId: first.conversationId })
      expect((await thread(first.conversationId)).at(-1)?.automated).toBe(true)
      const [returned] = await db.select().from(messages).where(eq(messages.externalId, 'reply-1@example.test'))
      expect(returned).toMatchObject({ deliveryStatus: 'failed', deliveryError: '550 5.1.1 User unknown' })
      // The live layer redraws it for agents on the thread, after it heard of the bounce itself.
      expect(live.events.slice(-2).map(({ type, event }) => [type, event.messageId])).toEqual([
        ['messageAdded', bounce.messageId],
        ['messageReplaced', returned!.id],
      ])
      const bouncing = async () =>
        (
          await db
            .select()
            .from(contacts)
            .where(and(eq(contacts.accountId, workspace.accountId), eq(contacts.email, 'gone@gone.example')))
        )[0]?.bouncingAt
      expect(await bouncing()).toBeTypeOf('number')
      await deliver(
        buildMail({ from: 'gone@gone.example', to: supportAddress, subject: 'Re: Your order', messageId: 'g2@gone.example', inReplyTo: 'g1@gone.example' }),
      )
      expect(await bouncing()).toBeNull()
    })

    it('a Postfix DSN that returns our own sb.<conversation> Message-ID joins that conversation, marked as a bounce', async () => {
      const { workspace, supportAddress, deliver, thread, conversation } = await setup()
      const { conversationId, messageId } = await agentInitiated(workspace, 'lost@gone.example', 'Your quote')
      // The provider rewrote our Message-ID on the way out: the stored id is its, ours is only in the bounce.
      await db
        .update(messages)
        .set({ externalId: `provider-${workspace.tag}@mail.provider.example` })
        .where(eq(messages.externalId, messageId))
      const bounce = await deliver(
        fixture('dsnBounce', { TO: supportAddress, ID: `pf-${workspace.tag}`, BOUNCED: 'lost@gone.example', ORIGINAL_ID: messageId }),
      )
      expect(bounce).toMatchObject({ status: 'appended', conversationId })
      const last = (await thread(conversationId)).at(-1)!
      expect(last.automated).toBe(true)
      expect(last.metadata).toMatchObject({ bounce: true, automatedKind: 'bounce' })
      expect((await conversation(conversationId)).lastAutomated).toBe('bounce')
    })

    it('an Exchange NDR (message/rfc822 part) that returns our own Message-ID joins that conversation and marks the address bouncing', async () => {
      const { workspace, supportAddress, deliver, thread, conversation } = await setup()
      const bounced = `ola.${workspace.tag}@fjordtech.no`
      await db.insert(contacts).values({ id: newId(), accountId: workspace.accountId, name: 'Ola', email: bounced, createdAt: Date.now() })
      const { conversationId, messageId } = await agentInitiated(workspace, bounced, 'Your quote')
      await db
        .update(messages)
        .set({ externalId: `provider-${workspace.tag}@mail.provider.example` })
        .where(eq(messages.externalId, messageId))
      const ndr = await deliver(
        fixture('exchangeNdr', { TO: supportAddress, ID: workspace.tag, BOUNCED: bounced, BOUNCED_LOCAL: bounced.split('@')[0]!, ORIGINAL_ID: messageId }),
      )
      expect(ndr).toMatchObject({ status: 'appended', conversationId })
      expect((await thread(conversationId)).at(-1)?.metadata).toMatchObject({ automatedKind: 'bounce' })
      expect((await conversation(conversationId)).lastAutomated).toBe('bounce')
      const [contact] = await db
        .select()
        .from(contacts)
        .where(and(eq(contacts.accountId, workspace.accountId), eq(contacts.email, bounced)))
      expect(contact?.bouncingAt).toBeTypeOf('number')
    })

    it('a Gmail DSN (message/rfc822 part) joins through the returned message, whose id we never stored, by what it answered', async () => {
      const { workspace, supportAddress, deliver, thread, conversation } = await setup()
      const first = await deliver(
        buildMail({ from: 'kari@gone.example', to: supportAddress, subject: 'Your order', messageId: `k1.${workspace.tag}@gone.example` }),
      )
      const bounce = await deliver(
        fixture('gmailDsn', {
          TO: supportAddress,
          ID: workspace.tag,
          BOUNCED: 'kari@gone.example',
          ORIGINAL_ID: `never-stored.${workspace.tag}@mail.provider.example`,
          ORIGINAL_IN_REPLY_TO: `k1.${workspace.tag}@gone.example`,
        }),
      )
      expect(bounce).toMatchObject({ status: 'appended', conversationId: first.conversationId })
      expect((await thread(first.conversationId)).map((message) => message.automated)).toEqual([false, true])
      expect((await conversation(first.conversationId)).lastAutomated).toBe('bounce')
    })

    it('an out-of-office answering our reply joins its conversation without reopening or moving it; one that answers nothing of ours arrives marked', async () => {
      const { workspace, supportAddress, deliver, thread, conversation } = await setup()
      // A conversation an agent closed after answering.
      const first = await deliver(
        buildMail({ from: 'per.hansen@example.no', to: supportAddress, subject: 'Invoice', messageId: `inv.${workspace.tag}@example.no` }),
      )
      await db
        .update(conversations)
        .set({ status: 'closed', closedAt: Date.now(), assigneeId: workspace.users.agent.id })
        .where(eq(conversations.id, first.conversationId))
      const ours = ourMessageId(first.conversationId, 'example.test')
      await appendMessage(db, {
        accountId: workspace.accountId,
        conversationId: first.conversationId,
        channelId: workspace.channels.email.id,
        direction: 'out',
        text: 'Paid, thanks.',
        externalId: ours,
        createdAt: Date.now(),
      })
      const ooo = await deliver(fixture('outOfOffice', { TO: supportAddress, SUBJECT: 'Re: Invoice', ID: `a-${workspace.tag}`, IN_REPLY_TO: `<${ours}>` }))
      expect(ooo).toMatchObject({ status: 'appended', conversationId: first.conversationId })
      expect(await conversation(first.conversationId)).toMatchObject({
        status: 'closed',
        assigneeId: workspace.users.agent.id,
        folder: 'inbox',
        lastAutomated: 'auto_reply',
      })
      expect((await thread(first.conversationId)).at(-1)?.metadata).toMatchObject({ automatedKind: 'auto_reply' })

      // An agent-started conversation stays in Sent.
      const started = await agentInitiated(workspace, 'per.hansen@example.no', 'Offer')
      await deliver(fixture('outOfOffice', { TO: supportAddress, SUBJECT: 'Offer', ID: `b-${workspace.tag}`, IN_REPLY_TO: `<${started.messageId}>` }))
      expect(await conversation(started.conversationId)).toMatchObject({ folder: 'sent', lastAutomated: 'auto_reply' })

      // A person writing again clears the mark and reopens.
      await deliver(
        buildMail({
          from: 'per.hansen@example.no',
          to: supportAddress,
          subject: 'Re: Invoice',
          messageId: `inv2.${workspace.tag}@example.no`,
          inReplyTo: ours,
        }),
      )
      expect(await conversation(first.conversationId)).toMatchObject({ status: 'open', lastAutomated: null })

      // Answering nothing of ours: its own conversation, marked.
      const stray = await deliver(
        fixture('outOfOffice', {
          TO: supportAddress,
          SUBJECT: 'Newsletter',
          ID: `c-${workspace.tag}`,
          IN_REPLY_TO: `<unknown.${workspace.tag}@elsewhere.example>`,
        }),
      )
      expect(stray.status).toBe('created')
      expect((await conversation(stray.conversationId)).lastAutomated).toBe('auto_reply')
    })

    it('files role-address senders in Spam, but not a person or a support team', async () => {
      const { supportAddress, deliver, conversation } = await setup()
      const folders: Record<string, string> = {}
      for (const from of [
        'info@shop.example',
        'no-reply@notifications.example',
        'MAILER-DAEMON@mx.example',
        'marketing@vendor.example',
        'ada@example.com',
        'support@vendor.example',
      ]) {
        const result = await deliver(buildMail({ from, to: supportAddress, subject: `From ${from}`, messageId: `${newId()}@x` }))
        folders[from] = (await conversation(result.conversationId)).folder
      }
      expect(folders).toEqual({
        'info@shop.example': 'spam',
        'no-reply@notifications.example': 'spam',
        'MAILER-DAEMON@mx.example': 'spam',
        'marketing@vendor.example': 'spam',
        'ada@example.com': 'inbox',
        'support@vendor.example': 'inbox',
      })
    })

    it('files blocked senders in Filtered, by blocked_senders or by a blocked contact', async () => {
      const { workspace, supportAddress, deliver, conversation } = await setup()
      await db.insert(blockedSenders).values({ accountId: workspace.accountId, identifier: 'pest@example.com', createdAt: Date.now() })
      const blocked = await deliver(buildMail({ from: 'Pest <PEST@example.com>', to: supportAddress, subject: 'Buy now', messageId: 'pest1@example.com' }))
      expect((await conversation(blocked.conversationId)).folder).toBe('filtered')
      const other = await setup()
      const notBlockedThere = await other.deliver(
        buildMail({ from: 'pest@example.com', to: other.supportAddress, subject: 'Buy now', messageId: 'pest2@example.com' }),
      )
      expect((await conversation(notBlockedThere.conversationId)).folder).toBe('inbox')
    })
  })

  describe('email delivery is all or nothing', () => {
    /** The database with its `n`th batch (1-based) failing as a lost connection does. */
    function failingBatch(base: Db, n: number): Db {
      let calls = 0
      return new Proxy(base, {
        get(target, property, receiver) {
          if (property !== 'batch') return Reflect.get(target, property, receiver)
          return (statements: Parameters<Db['batch']>[0]) => {
            calls++
            if (calls === n) return Promise.reject(new Error('D1_ERROR: Network connection lost.'))
            return target.batch(statements)
          }
        },
      })
    }

    const parse = (raw: string, supportAddress: string, accountId: string) =>
      parseEmail(new TextEncoder().encode(raw), {
        envelopeFrom: 'scanner@office.example',
        envelopeTo: supportAddress,
        rawKey: `${accountId}/raw/${newId()}.eml`,
        ownAddresses: [supportAddress],
      })

    it("stores every one of a scanner's 30 attachments (over D1's 100 bound parameters in one insert)", async () => {
      const { workspace, supportAddress, deliver, thread } = await setup()
      const result = await deliver(
        scannerMail({ from: 'Scanner <scanner@office.example>', to: supportAddress, messageId: `scan-30.${workspace.tag}@office.example`, pages: 30 }),
      )
      expect(result.status).toBe('created')
      const [stored] = await thread(result.conversationId)
      const rows = await db.select().from(attachments).where(eq(attachments.messageId, stored!.id))
      expect(rows).toHaveLength(30)
      expect(rows.map((row) => row.filename).sort()).toEqual(
        Array.from({ length: 30 }, (_, index) => `scan_20261125_${String(index + 1).padStart(3, '0')}.pdf`),
      )
      expect(rows.find((row) => row.filename === 'scan_20261125_017.pdf')?.sizeBytes).toBe(scannedPage(17).length)
      expect((stored!.metadata as { attachments: unknown[] }).attachments).toHaveLength(30)
    })

    it('a delivery whose attachment upload fails midway stores nothing, and its redelivery stores it whole', async () => {
      const { workspace, supportAddress, deps } = await setup()
      const raw = scannerMail({ from: 'scanner@office.example', to: supportAddress, messageId: `scan-fail.${workspace.tag}@office.example`, pages: 30 })
      const put: string[] = []
      const deleted: string[] = []
      const flaky: BlobStore = {
        async put(key, value, options) {
          if (put.length === 14) throw new Error('R2 internal error')
          put.push(key)
          return deps.blobs.put(key, value, options)
        },
        async delete(keys) {
          deleted.push(...keys)
          return deps.blobs.delete!(keys)
        },
      }
      await expect(ingestInbound({ ...deps, blobs: flaky }, workspace.channels.email, await parse(raw, supportAddress, workspace.accountId))).rejects.toThrow(
        'R2 internal error',
      )
      expect(
        await db
          .select()
          .from(messages)
          .where(eq(messages.externalId, `scan-fail.${workspace.tag}@office.example`)),
      ).toEqual([])
      // The 14 pages stored before the failure are taken back: nothing refers to them.
      expect(put).toHaveLength(14)
      expect(deleted.sort()).toEqual([...put].sort())

      const again = await ingestInbound(deps, workspace.channels.email, await parse(raw, supportAddress, workspace.accountId))
      expect(again.status).toBe('created')
      expect(await db.select().from(attachments).where(eq(attachments.messageId, again.messageId))).toHaveLength(30)
    })

    it('an unexpected database error fails the delivery (so it is retried) instead of taking the slow path', async () => {
      const { workspace, supportAddress, deps } = await setup()
      const raw = buildMail({ from: 'Ola <ola@example.no>', to: supportAddress, subject: 'Retry me', messageId: `lost.${workspace.tag}@example.no` })
      // The fast path's first batch is its look-ups, the second its writes.
      const failing = { ...deps, db: failingBatch(db, 2) }
      await expect(ingestInbound(failing, workspace.channels.email, await parse(raw, supportAddress, workspace.accountId))).rejects.toThrow(
        'Network connection lost',
      )
      // The same with attachments: their bytes are taken back too.
      const deleted: string[] = []
      const scan = scannerMail({ from: 'scanner@office.example', to: supportAddress, messageId: `lost-scan.${workspace.tag}@office.example`, pages: 3 })
      const recording: BlobStore = { put: (key, value, options) => deps.blobs.put(key, value, options), delete: async (keys) => deleted.push(...keys) }
      await expect(
        ingestInbound(
          { ...failing, db: failingBatch(db, 2), blobs: recording },
          workspace.channels.email,
          await parse(scan, supportAddress, workspace.accountId),
        ),
      ).rejects.toThrow('Network connection lost')
      expect(deleted).toHaveLength(3)
      expect(
        await db
          .select()
          .from(messages)
          .where(eq(messages.externalId, `lost.${workspace.tag}@example.no`)),
      ).toEqual([])

      const again = await ingestInbound(deps, workspace.channels.email, await parse(raw, supportAddress, workspace.accountId))
      expect(again.status).toBe('created')
    })

    it('a failure on the careful path leaves neither the message nor an empty conversation, and the redelivery stores it whole', async () => {
      const { workspace, supportAddress, deps } = await setup()
      const bounced = `gone.${workspace.tag}@gone.example`
      // A bounce takes the careful path; its one batch (message, attachments, participants) fails.
      const raw = fixture('dsnBounce', {
        TO: supportAddress,
        ID: `careful-${workspace.tag}`,
        BOUNCED: bounced,
        ORIGINAL_ID: `nothing-${workspace.tag}@example.test`,
      })
      const before = await db.select({ id: conversations.id }).from(conversations).where(eq(conversations.accountId, workspace.accountId))
      await expect(
        ingestInbound({ ...deps, db: failingBatch(db, 1) }, workspace.channels.email, await parse(raw, supportAddress, workspace.accountId)),
      ).rejects.toThrow('Network connection lost')
      expect(await db.select({ id: conversations.id }).from(conversations).where(eq(conversations.accountId, workspace.accountId))).toEqual(before)

      const again = await ingestInbound(deps, workspace.channels.email, await parse(raw, supportAddress, workspace.accountId))
      expect(again.status).toBe('created')
    })
  })

  describe('email senders', () => {
    it('a known visitor who gives an address another contact owns keeps their own contact, and the message is stored', async () => {
      const { workspace, deps } = await setup()
      const chat = workspace.channels.chat
      const owner = `owner.${workspace.tag}@example.com`
      await db.insert(contacts).values({ id: newId(), accountId: workspace.accountId, name: 'Owner', email: owner, createdAt: Date.now() })
      const first = await ingestInbound(deps, chat, { externalId: `v1.${workspace.tag}`, from: { externalId: `visitor-${workspace.tag}` }, text: 'hi' })
      // The same visitor, now with the owner's address: the update of their contact hits the unique address.
      const second = await ingestInbound(deps, chat, {
        externalId: `v2.${workspace.tag}`,
        from: { externalId: `visitor-${workspace.tag}`, email: owner },
        text: 'me again',
      })
      expect(second.status).not.toBe('duplicate')
      expect((second as { contactId: string }).contactId).toBe((first as { contactId: string }).contactId)
      const [visitor] = await db
        .select()
        .from(contacts)
        .where(eq(contacts.id, (first as { contactId: string }).contactId))
      expect(visitor?.email).toBeNull()
    })

    it("shows each message under its own From name, not the contact's stored name", async () => {
      const { workspace, supportAddress, deliver, thread } = await setup()
      const first = await deliver(
        buildMail({ from: 'Ola Nordmann <ola@example.no>', to: supportAddress, subject: 'Order 12', messageId: `n1.${workspace.tag}@example.no` }),
      )
      await deliver(
        buildMail({
          from: '"Nordmann, Ola (Accounts)" <ola@example.no>',
          to: supportAddress,
          subject: 'Re: Order 12',
          messageId: `n2.${workspace.tag}@example.no`,
          inReplyTo: `n1.${workspace.tag}@example.no`,
        }),
      )
      const bounce = fixture('dsnBounce', {
        TO: supportAddress,
        ID: `n3-${workspace.tag}`,
        BOUNCED: 'x@gone.example',
        ORIGINAL_ID: `n1.${workspace.tag}@example.no`,
      })
      await deliver(
        bounce
          .replace(/^Subject: .*$/m, 'Subject: Re: Order 12')
          .replace('MAILER-DAEMON@mx.example.test (Mail Delivery System)', '"Ola at home" <ola@example.no>'),
      )
      expect((await thread(first.conversationId)).map((message) => message.authorName)).toEqual(['Ola Nordmann', 'Nordmann, Ola (Accounts)', 'Ola at home'])
    })
  })

  describe('email content', () => {
    it('keeps text and sanitised HTML, the attachments with their names, types and sizes, and the cid link', async () => {
      const { supportAddress, deliver, thread } = await setup()
      const result = await deliver(fixture('htmlInlineImage', { TO: supportAddress, ID: 'c1' }))
      const [stored] = await thread(result.conversationId)
      expect(stored?.text).toContain('The checkout page shows this:')
      expect(stored?.html).toContain('<img src="cid:ii_error01" alt="error.png">')
      expect(stored?.html).toContain('href="https://status.example.com/"')
      expect(stored?.html).not.toMatch(/script|onerror|javascript/i)
      const meta = stored?.metadata as { attachments: { filename: string; contentType: string; sizeBytes: number; contentId: string | null }[] }
      expect(meta.attachments.map(({ filename, contentType, sizeBytes, contentId }) => ({ filename, contentType, sizeBytes, contentId }))).toEqual([
        { filename: 'error.png', contentType: 'image/png', sizeBytes: 70, contentId: 'ii_error01' },
        { filename: 'order-1234.pdf', contentType: 'application/pdf', sizeBytes: 82, contentId: null },
      ])
    })

    it('a Gmail forward shows the forwarded message and the note, unfolded; a Gmail reply still folds its quote', async () => {
      const { workspace, supportAddress, deliver, thread } = await setup()
      const cases = [
        { note: 'Hi team, this one came to me. Can you sort out the refund?' },
        // Forwarded without a note of her own: the forwarded message is all there is.
        { note: '' },
      ]
      for (const [index, { note }] of cases.entries()) {
        const forward = await deliver(fixture('gmailForward', { TO: supportAddress, ID: `${workspace.tag}-${index}`, NOTE_TEXT: note, NOTE_HTML: note }))
        const stored = (await thread(forward.conversationId)).at(-1)
        expect(stored?.html).not.toContain('<details')
        expect(stored?.html).toContain('---------- Forwarded message ---------')
        expect(stored?.html).toContain('arrived with a torn seam')
        if (note) expect(stored?.html).toContain(note)
        expect(stored?.metadata).not.toHaveProperty('quotedFrom')
        expect(stored?.text).toContain('arrived with a torn seam')
      }

      const reply = await deliver(fixture('gmailReply', { TO: supportAddress, ID: workspace.tag, IN_REPLY_TO: `CAK7f9=fwd-${workspace.tag}-0@mail.gmail.com` }))
      const answer = (await thread(reply.conversationId)).at(-1)
      expect(answer?.html).toMatch(
        /^<div dir="ltr">Thanks, that works for me\.<\/div><br><details class="quoted"><summary>Show quoted text<\/summary><div><div dir="ltr">On Wed, 25 Nov 2026/,
      )
      const quotedFrom = (answer?.metadata as { quotedFrom?: number } | undefined)?.quotedFrom
      expect(answer!.text.slice(quotedFrom)).toMatch(/^On Wed, 25 Nov 2026 at 15:01/)
    })

    it('ingests malformed MIME (no boundary, broken base64, 8-bit headers) with whatever is readable', async () => {
      const { supportAddress, deliver, thread } = await setup()
      const raw = [
        'From: Br\u00f8ken <broken@example.com>',
        `To: ${supportAddress}`,
        'Subject: =?utf-8?B?broken-base64',
        'Message-ID: <broken-1@example.com>',
        'Content-Type: multipart/mixed',
        '',
        '--nothing',
        'Content-Transfer-Encoding: base64',
        '',
        '@@@ not base64 @@@',
      ].join('\r\n')
      const result = await deliver(raw)
      expect(result.status).toBe('created')
      expect((await thread(result.conversationId))[0]?.rawKey).toMatch(/\.eml$/)
    })

    it('keeps a message it cannot read as a conversation with a notice, stored once', async () => {
      const { deliver, thread } = await setup()
      // Over Email Routing's 25 MiB limit: not parsed, but never lost.
      const tooLarge = 'X'.repeat(25 * 1024 * 1024 + 1)
      const first = await deliver(tooLarge)
      const again = await deliver(tooLarge)
      expect(again.status).toBe('duplicate')
      const [stored] = await thread(first.conversationId)
      expect(stored?.text).toMatch(/^This message could not be read \(it is larger than 25 MiB\)/)
      expect(stored?.rawKey).toBeTruthy()
      expect(stored?.metadata).toEqual({ unreadable: true, unreadableReason: { tooLargeMiB: 25 } })
    })
  })
}
