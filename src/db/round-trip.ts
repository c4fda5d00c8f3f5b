import { Column, getTableColumns, SQL, sql, Table } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from './client'

/**
 * Statements not yet run, and what their results become. A service offers one beside its plain
 * function when a page needs that read together with others; the route joins everything it needs
 * with `together` and runs it with `inOneRoundTrip`: one D1/libSQL batch, one round trip. The
 * statements run in the order given, in one transaction, so a write placed before a read is seen
 * by it. Each result is exactly what awaiting its statement alone gives (drizzle maps batch rows
 * the same way).
 *
 *   const [detail, messages] = await inOneRoundTrip(db, together(conversationReads(…), messageReads(…)))
 */
export interface Reads<T> {
  statements: readonly BatchItem<'sqlite'>[]
  result(raws: readonly unknown[]): T
}

/** One statement; its result is what awaiting it gives, passed through `map` when given. */
export function reads<R>(statement: BatchItem<'sqlite'> & PromiseLike<R>): Reads<R>
export function reads<R, T>(statement: BatchItem<'sqlite'> & PromiseLike<R>, map: (raw: R) => T): Reads<T>
export function reads(statement: BatchItem<'sqlite'>, map: (raw: unknown) => unknown = (raw) => raw): Reads<unknown> {
  assertBatchableColumns(statement)
  return { statements: [statement], result: (raws) => map(raws[0]) }
}

/**
 * In a D1 batch the binding hands back each row as an object keyed by column name, and drizzle
 * reads the values back in key order: two result columns of one name collapse into one, and a
 * name like "0" moves to the front, so every later value lands in the wrong field (awaited alone,
 * rows come as arrays and all is well). A select going into a batch must therefore name each
 * column once: alias what repeats (`columnsAs` for a whole table, `sql`…`.as(name)` otherwise).
 * Checked here, when the statement is built, so the mistake fails in every test that runs it.
 */
function assertBatchableColumns(statement: BatchItem<'sqlite'>) {
  const selected = (statement as { getSelectedFields?: () => Record<string, unknown> }).getSelectedFields?.()
  if (!selected) return
  // instanceof, not drizzle's is(): this runs for every batched statement, and one drizzle is here.
  const names = new Set<string>()
  const check = (fields: Record<string, unknown>, path: string) => {
    for (const key in fields) {
      const field = fields[key]
      if (field instanceof Table) check(getTableColumns(field), `${path}${key}.`)
      else if (!(field instanceof Column) && !(field instanceof SQL) && !(field instanceof SQL.Aliased))
        check(field as Record<string, unknown>, `${path}${key}.`)
      else {
        const name = field instanceof Column ? field.name : field instanceof SQL.Aliased ? field.fieldAlias : undefined
        if (name === undefined || names.has(name) || /^\d+$/.test(name)) {
          throw new Error(
            `a batched select needs one plain name per column: ${path}${key} is ${name === undefined ? 'unnamed SQL (alias it)' : `"${name}" again, or numeric`}`,
          )
        }
        names.add(name)
      }
    }
  }
  check(selected, '')
}

type AliasedColumns<T extends Table> = { [K in keyof T['$inferSelect']]: SQL.Aliased<T['$inferSelect'][K]> }

/** A table's columns under names of their own (`<prefix>_<column>`), decoded like the columns: for a batched select that joins tables. */
export function columnsAs<T extends Table>(table: T, prefix: string): AliasedColumns<T> {
  const aliased: Record<string, SQL.Aliased> = {}
  for (const [key, column] of Object.entries(getTableColumns(table))) aliased[key] = sql`${column}`.mapWith(column).as(`${prefix}_${column.name}`)
  return aliased as AliasedColumns<T>
}

/** A left-joined table read with `columnsAs`: null when the join found no row (its first column, the key, is null), as drizzle gives for a table. */
export function joinedOrNull<T extends object>(row: T): T | null {
  const first = Object.values(row)[0]
  return first === null || first === undefined ? null : row
}

/** An answer that needs no statement (a search without a searchable word, nothing to look up). */
export function answered<T>(value: T): Reads<T> {
  return { statements: [], result: () => value }
}

type Results<P extends readonly Reads<unknown>[]> = { -readonly [K in keyof P]: P[K] extends Reads<infer R> ? R : never }

/** Several reads as one, in this order; the result is their results as a tuple. */
export function together<const P extends readonly Reads<unknown>[]>(...parts: P): Reads<Results<P>> {
  return {
    statements: parts.flatMap((part) => part.statements),
    result(raws) {
      let offset = 0
      return parts.map((part) => {
        const own = raws.slice(offset, offset + part.statements.length)
        offset += part.statements.length
        return part.result(own)
      }) as Results<P>
    },
  }
}

/** The same statements with their result reshaped. */
export function mapReads<A, B>(source: Reads<A>, map: (value: A) => B): Reads<B> {
  return { statements: source.statements, result: (raws) => map(source.result(raws)) }
}

/** Runs the statements in one round trip (none when there are none) and returns the result. */
export async function inOneRoundTrip<T>(db: Db, source: Reads<T>): Promise<T> {
  const { statements } = source
  if (statements.length === 0) return source.result([])
  if (statements.length === 1) return source.result([await (statements[0] as unknown as PromiseLike<unknown>)])
  return source.result(await db.batch(statements as unknown as Parameters<Db['batch']>[0]))
}
