import { beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/client'
import { chunks, idChunks, insertInChunks, maxBoundParameters } from '../../src/db/chunk'
import { isConstraintViolation } from '../../src/db/errors'
import { accounts, attachments, conversationParticipants, notifications } from '../../src/db/schema'
import { createLibsqlDb } from './libsql'

let db: Db
beforeAll(async () => {
  db = await createLibsqlDb()
})

describe('multi-row writes under D1’s 100 bound parameters', () => {
  it('splits any number of rows of every table into inserts of at most 100 parameters, keeping every row in order', () => {
    const cases = [
      {
        table: attachments,
        row: (n: number) => ({
          id: `a${n}`,
          accountId: 'acc',
          messageId: 1,
          r2Key: `k${n}`,
          filename: `f${n}`,
          contentType: 'application/pdf',
          sizeBytes: n,
          contentId: null,
          createdAt: 1,
        }),
      },
      { table: conversationParticipants, row: (n: number) => ({ conversationId: 'c', address: `p${n}@example.com`, name: null, role: 'cc' as const }) },
      { table: notifications, row: (n: number) => ({ id: `n${n}`, accountId: 'acc', userId: `u${n}`, kind: 'mention' as const, createdAt: 1 }) },
    ]
    for (const { table, row } of cases) {
      for (const count of [0, 1, 11, 12, 30, 250]) {
        const rows = Array.from({ length: count }, (_, index) => row(index))
        const built: { rows: unknown[]; params: number }[] = insertInChunks(table, rows, (part) => ({
          rows: part,
          params: db
            .insert(table)
            .values(part as never)
            .toSQL().params.length,
        }))
        expect(built.flatMap((statement) => statement.rows)).toEqual(rows)
        for (const statement of built) expect(statement.params).toBeLessThanOrEqual(maxBoundParameters)
      }
    }
  })

  it('splits id lists for inArray with room for the rest of the statement', () => {
    const ids = Array.from({ length: 1000 }, (_, index) => `id${index}`)
    expect(idChunks(ids).every((part) => part.length <= 80)).toBe(true)
    expect(idChunks(ids).flat()).toEqual(ids)
    expect(chunks([], 10)).toEqual([])
  })
})

describe('which database errors a write may treat as a repeat', () => {
  it('recognises a unique violation from libSQL, alone and in a batch, and not other errors', async () => {
    await db.insert(accounts).values({ id: 'dup-account', name: 'A', createdAt: 1 })
    const single = await db
      .insert(accounts)
      .values({ id: 'dup-account', name: 'B', createdAt: 1 })
      .then(
        () => null,
        (error: unknown) => error,
      )
    const batched = await db.batch([db.insert(accounts).values({ id: 'dup-account', name: 'C', createdAt: 1 })]).then(
      () => null,
      (error: unknown) => error,
    )
    expect(isConstraintViolation(single)).toBe(true)
    expect(isConstraintViolation(batched)).toBe(true)
    const tooMany = await db
      .insert(accounts)
      .values(Array.from({ length: 20_000 }, (_, index) => ({ id: `many${index}`, name: 'x', createdAt: 1 })))
      .then(
        () => null,
        (error: unknown) => error,
      )
    expect(tooMany).not.toBeNull()
    expect(isConstraintViolation(tooMany)).toBe(false)
    expect(isConstraintViolation(new Error('D1_ERROR: Network connection lost.'))).toBe(false)
    expect(isConstraintViolation(new Error('D1_ERROR: too many SQL variables at offset 471: SQLITE_ERROR'))).toBe(false)
    expect(isConstraintViolation(new Error('D1_ERROR: UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)'))).toBe(
      true,
    )
  })
})
