import { and, eq, getTableColumns, sql } from 'drizzle-orm'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/client'
import { compiled, CompiledInsert, statementBuilder, boundValue, type BoundStatement } from '../../src/db/compiled'
import { blockedSenders, contacts, conversations, messages, users } from '../../src/db/schema'
import { startLiveConversation } from '../../src/channels/live-conversation'
import { appendMessageStatements } from '../../src/services/messages'
import { toPreview } from '../../src/lib/text'
import { newId } from '../../src/lib/ids'
import { createTestWorkspace } from './workspace'

type Contact = typeof contacts.$inferSelect

/**
 * The compiled-statement facility (src/db/compiled.ts), on whichever driver the suite runs on:
 * the same assertions on D1 in workerd and on libSQL under Node.
 */
export function compiledSuite(getDb: () => Db) {
  const insertContact = new CompiledInsert<typeof contacts, 'row' | 'none', typeof contacts.$inferInsert, Contact[]>(
    contacts,
    ({ values }, returning) => {
      const query = statementBuilder.insert(contacts).values(values as unknown as typeof contacts.$inferInsert)
      return returning === 'row' ? { query: query.returning(getTableColumns(contacts)), fields: getTableColumns(contacts) } : { query }
    },
    (returning) => returning,
  )
  const batch = (db: Db, items: unknown[]) => db.batch(items as unknown as Parameters<Db['batch']>[0]) as unknown as Promise<unknown[]>

  describe('compiled statements', () => {
    it('bind values with their columns’ encoders, to the same SQL and parameters drizzle builds', async () => {
      const db = getDb()
      const { accountId } = await createTestWorkspace(db)
      const row = { id: newId(), accountId, name: 'Ada', email: null, properties: { plan: 'team', seats: '4' }, blocked: true, createdAt: 1_700_000_000_000 }
      const bound = insertContact.bind(db, row, 'row')
      const drizzleQuery = db.insert(contacts).values(row).returning().toSQL()
      expect(bound.toSQL()).toEqual({ sql: drizzleQuery.sql, params: drizzleQuery.params })
      // JSON stringified, the boolean as 1, null left null.
      expect(bound.toSQL().params).toEqual(expect.arrayContaining(['{"plan":"team","seats":"4"}', 1, null]))
      const [inserted] = await bound
      const [read] = await db.select().from(contacts).where(eq(contacts.id, row.id))
      expect(inserted).toEqual(read)
      expect(read).toMatchObject({ properties: { plan: 'team', seats: '4' }, blocked: true, email: null, phone: null, bouncingAt: null })
    })

    it('leave a null null in a JSON column, as drizzle does (fillPlaceholders would store the text null)', async () => {
      const db = getDb()
      const { users: people } = await createTestWorkspace(db)
      const setHours = compiled(() => ({
        query: statementBuilder
          .update(users)
          .set({ officeHours: boundValue('hours', users.officeHours) })
          .where(eq(users.id, sql.placeholder('id'))),
      }))
      await setHours().bind(db, { id: people.agent.id, hours: { enabled: true, days: { 1: [[540, 1020]] } } })
      expect((await db.select({ hours: users.officeHours }).from(users).where(eq(users.id, people.agent.id)))[0]?.hours).toEqual({
        enabled: true,
        days: { 1: [[540, 1020]] },
      })
      await setHours().bind(db, { id: people.agent.id, hours: null })
      const [raw] = await db
        .select({ hours: sql<string | null>`${users.officeHours}`, type: sql<string>`typeof(${users.officeHours})` })
        .from(users)
        .where(eq(users.id, people.agent.id))
      expect(raw).toEqual({ hours: null, type: 'null' })
    })

    it('decode rows into drizzle’s field names and values, columns and mapped SQL alike', async () => {
      const db = getDb()
      const { accountId } = await createTestWorkspace(db)
      const id = newId()
      await db.insert(contacts).values({ id, accountId, name: 'Bo', email: 'bo@example.com', properties: { a: '1' }, createdAt: 5 })
      const fields = {
        id: contacts.id,
        blocked: contacts.blocked,
        properties: contacts.properties,
        doubled: sql`${contacts.createdAt} * 2`.mapWith(Number),
        label: sql<string>`'x' || ${contacts.name}`,
      }
      const select = compiled<{ id: string; blocked: boolean; properties: Record<string, string>; doubled: number; label: string }[]>(() => ({
        query: statementBuilder
          .select(fields)
          .from(contacts)
          .where(and(eq(contacts.accountId, sql.placeholder('accountId')), eq(contacts.id, sql.placeholder('id')))),
        fields,
      }))
      const compiledRows = await select().bind(db, { accountId, id })
      const drizzleRows = await db
        .select(fields)
        .from(contacts)
        .where(and(eq(contacts.accountId, accountId), eq(contacts.id, id)))
      expect(compiledRows).toEqual(drizzleRows)
      expect(compiledRows).toEqual([{ id, blocked: false, properties: { a: '1' }, doubled: 10, label: 'xBo' }])
      // The same inside a batch, where each driver hands over its raw batch result.
      const [batched, plain] = await batch(db, [select().bind(db, { accountId, id }), db.select(fields).from(contacts).where(eq(contacts.id, id))])
      expect(batched).toEqual(plain)
    })

    it('call $defaultFn and $onUpdateFn columns on every bind, never once for the cached statement', async () => {
      const db = getDb()
      const { accountId } = await createTestWorkspace(db)
      let calls = 0
      // The contacts table, declared with generated values for columns the row leaves out.
      const generatedContacts = sqliteTable('contacts', {
        id: text('id')
          .primaryKey()
          .$defaultFn(() => `gen-${newId()}`),
        accountId: text('account_id').notNull(),
        name: text('name').$onUpdateFn(() => `name-${++calls}`),
        email: text('email'),
        createdAt: integer('created_at')
          .notNull()
          .$defaultFn(() => 1_000 + calls),
      })
      let builds = 0
      const insert = new CompiledInsert<
        typeof generatedContacts,
        void,
        typeof generatedContacts.$inferInsert,
        { id: string; name: string | null; createdAt: number }[]
      >(
        generatedContacts,
        ({ values }) => {
          builds++
          const fields = { id: generatedContacts.id, name: generatedContacts.name, createdAt: generatedContacts.createdAt }
          return {
            query: statementBuilder
              .insert(generatedContacts)
              .values(values as unknown as typeof generatedContacts.$inferInsert)
              .returning(fields),
            fields,
          }
        },
        () => '',
      )
      const [first] = await insert.bind(db, { accountId }, undefined)
      const [second] = await insert.bind(db, { accountId }, undefined)
      expect(builds).toBe(1)
      expect(first!.id).toMatch(/^gen-/)
      expect(second!.id).toMatch(/^gen-/)
      expect(second!.id).not.toBe(first!.id)
      expect([first!.name, second!.name]).toEqual(['name-1', 'name-2'])
      expect([first!.createdAt, second!.createdAt]).toEqual([1_001, 1_002])
      // A value the row gives wins over the function, in a shape of its own.
      const [given] = await insert.bind(db, { accountId, id: `given-${newId()}`, name: 'Given' }, undefined)
      expect(builds).toBe(2)
      expect(given!.name).toBe('Given')
    })

    it('keep one statement per shape: columns set and options both change the SQL', async () => {
      const db = getDb()
      const { accountId } = await createTestWorkspace(db)
      const base = { accountId, name: 'S', createdAt: 1 }
      const a1 = insertContact.bind(db, { ...base, id: newId() }, 'row').toSQL()
      const a2 = insertContact.bind(db, { ...base, id: newId(), name: 'T' }, 'row').toSQL()
      const withEmail = insertContact.bind(db, { ...base, id: newId(), email: 's@example.com' }, 'row').toSQL()
      const undefinedEmail = insertContact.bind(db, { ...base, id: newId(), email: undefined }, 'row').toSQL()
      const noReturning = insertContact.bind(db, { ...base, id: newId() }, 'none').toSQL()
      expect(a2.sql).toBe(a1.sql)
      expect(a2.params).not.toEqual(a1.params)
      expect(undefinedEmail.sql).toBe(a1.sql)
      expect(withEmail.sql).not.toBe(a1.sql)
      expect(noReturning.sql).not.toBe(a1.sql)
      expect(noReturning.sql).not.toMatch(/returning/)
      // Each shape's SQL is what drizzle builds for such a row.
      expect(withEmail.sql).toBe(
        db
          .insert(contacts)
          .values({ ...base, id: 'x', email: 'e' })
          .returning()
          .toSQL().sql,
      )
      expect(a1.sql).toBe(
        db
          .insert(contacts)
          .values({ ...base, id: 'x' })
          .returning()
          .toSQL().sql,
      )
    })

    it('run inside a batch with drizzle builders, and roll the whole batch back when any statement fails', async () => {
      const db = getDb()
      const { accountId } = await createTestWorkspace(db)
      const ok = { id: newId(), accountId, name: 'Kept', email: 'kept@example.com', createdAt: 1 }
      const [compiledResult, drizzleResult] = await batch(db, [
        insertContact.bind(db, ok, 'row'),
        db.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, ok.id)),
      ])
      expect(compiledResult).toEqual([expect.objectContaining({ id: ok.id, name: 'Kept', blocked: false, properties: {} })])
      // Later statements in the batch see the compiled insert.
      expect(drizzleResult).toEqual([{ id: ok.id }])

      // A compiled insert, then a drizzle insert that breaks the unique (account, email) index.
      const lost = { id: newId(), accountId, name: 'Lost', email: 'lost@example.com', createdAt: 1 }
      await expect(
        batch(db, [insertContact.bind(db, lost, 'row'), db.insert(contacts).values({ id: newId(), accountId, email: 'kept@example.com', createdAt: 1 })]),
      ).rejects.toThrow()
      // A drizzle insert, then a compiled insert that breaks the primary key.
      const alsoLost = { id: newId(), accountId, email: 'also-lost@example.com', createdAt: 1 }
      await expect(batch(db, [db.insert(contacts).values(alsoLost), insertContact.bind(db, { ...ok, email: 'other@example.com' }, 'none')])).rejects.toThrow()
      const rows = await db.select({ id: contacts.id }).from(contacts).where(eq(contacts.accountId, accountId))
      expect(rows).toEqual([{ id: ok.id }])
    })

    it('append a message with the SQL and parameters drizzle builds for it', () => {
      const db = getDb()
      const input = {
        accountId: 'a',
        conversationId: 'c',
        channelId: 'ch',
        direction: 'in' as const,
        kind: 'message' as const,
        text: 'Hello  there',
        externalId: 'x',
        metadata: { to: ['b@example.com'], automatedKind: 'bounce' },
        automated: true,
        createdAt: 7,
      }
      const seq = sql`(select coalesce(max(${messages.seq}), 0) + 1 from ${messages} where ${messages.conversationId} = ${input.conversationId})`
      const insert = db.insert(messages).values({ ...input, seq })
      const touchAs = (lastAutomated: 'bounce' | 'auto_reply') =>
        db
          .update(conversations)
          .set({
            lastSeq: sql`(select coalesce(max(${messages.seq}), 0) from ${messages} where ${messages.conversationId} = ${input.conversationId})`,
            lastMessageAt: sql`max(${conversations.lastMessageAt}, ${input.createdAt})`,
            preview: toPreview(input.text),
            lastAutomated,
          })
          .where(eq(conversations.id, input.conversationId))
      const touch = touchAs('bounce')
      const reopen = db
        .update(conversations)
        .set({ status: 'open', closedAt: null, folder: sql`case when ${conversations.folder} = 'sent' then 'inbox' else ${conversations.folder} end` })
        .where(and(eq(conversations.id, input.conversationId), sql`(${conversations.status} <> 'open' or ${conversations.folder} = 'sent')`))
      const query = (q: { toSQL(): { sql: string; params: unknown[] } }) => {
        const { sql, params } = q.toSQL()
        return { sql, params }
      }
      expect(appendMessageStatements(db, input).map(query)).toEqual([
        query(insert.onConflictDoNothing({ target: [messages.channelId, messages.externalId] }).returning()),
        query(touch),
        query(reopen),
      ])
      expect(appendMessageStatements(db, input, { repeat: 'fail', returning: 'id' }).map(query)[0]).toEqual(
        query(
          db
            .insert(messages)
            .values({ ...input, seq })
            .returning({ id: messages.id }),
        ),
      )
      // An auto-reply moves the conversation along but does not reopen it.
      const autoReply = { ...input, metadata: { automatedKind: 'auto_reply' } }
      expect(appendMessageStatements(db, autoReply).map(query).slice(1)).toEqual([query(touchAs('auto_reply'))])
    })

    it('start a chat for a visitor known by id, and file a blocked visitor id in Filtered (the compiled start’s other shapes)', async () => {
      const db = getDb()
      const workspace = await createTestWorkspace(db)
      const chat = workspace.channels.chat
      const first = await startLiveConversation(db, chat, {
        conversationId: newId(),
        senderId: 'v-k',
        message: { externalId: 'v-k:1', from: { externalId: 'v-k' }, text: 'one' },
      })
      expect(first?.status).toBe('started')
      // The same visitor again once that conversation is gone (one per visitor and channel): the
      // known contact, no second contact.
      await db.delete(conversations).where(eq(conversations.contactId, first!.contactId))
      const conversationId = newId()
      const again = await startLiveConversation(db, chat, {
        conversationId,
        senderId: 'v-k',
        message: { externalId: 'v-k:2', from: { externalId: 'v-k', name: 'Other' }, text: 'two' },
      })
      expect(again).toMatchObject({
        status: 'started',
        contactId: first!.contactId,
        message: { seq: 1, conversationId, authorContactId: first!.contactId, authorName: 'Other', text: 'two', metadata: {}, automated: false },
      })
      expect(await db.select({ id: contacts.id }).from(contacts).where(eq(contacts.accountId, workspace.accountId))).toEqual([{ id: first!.contactId }])
      // A visitor without an address whose id is blocked.
      await db.insert(blockedSenders).values({ accountId: workspace.accountId, identifier: 'chat:v-b', createdAt: 1 })
      const blockedId = newId()
      expect(
        await startLiveConversation(db, chat, {
          conversationId: blockedId,
          senderId: 'v-b',
          message: { externalId: 'v-b:1', from: { externalId: 'v-b' }, text: 'hi' },
        }),
      ).toMatchObject({ status: 'started' })
      const [row] = await db
        .select({ folder: conversations.folder, lastSeq: conversations.lastSeq, preview: conversations.preview })
        .from(conversations)
        .where(eq(conversations.id, blockedId))
      expect(row).toEqual({ folder: 'filtered', lastSeq: 1, preview: 'hi' })
      // A repeat of a stored message id: off the happy path, nothing written.
      const repeatId = newId()
      expect(
        await startLiveConversation(db, chat, {
          conversationId: repeatId,
          senderId: 'v-r',
          message: { externalId: 'v-k:2', from: { externalId: 'v-r' }, text: 'dup' },
        }),
      ).toBeNull()
      expect(await db.select().from(conversations).where(eq(conversations.id, repeatId))).toEqual([])
    })

    it('refuse a call that lacks a placeholder’s value', async () => {
      const db = getDb()
      const select = compiled(() => ({
        query: statementBuilder
          .select({ id: contacts.id })
          .from(contacts)
          .where(eq(contacts.id, sql.placeholder('id'))),
        fields: { id: contacts.id },
      }))
      expect(() => select().bind(db, {})).toThrow('No value for placeholder "id"')
      const bound: BoundStatement = select().bind(db, { id: 'none' })
      expect(await bound).toEqual([])
    })
  })
}
