import { getTableColumns, type Column } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Db } from './client'

/**
 * D1 binds at most 100 parameters per statement (libSQL allows more; we hold both to D1's limit).
 * A statement over it fails whole — "too many SQL variables" — so every statement whose parameter
 * count grows with its input (a multi-row insert, an `inArray` over a caller's list) is split here,
 * and the parts go into one `db.batch` (one transaction) so they still land together or not at all.
 */
export const maxBoundParameters = 100

/** `items` in parts of at most `size` (at least 1 each); no parts for no items. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const step = Math.max(1, Math.floor(size))
  const result: T[][] = []
  for (let index = 0; index < items.length; index += step) result.push(items.slice(index, index + step))
  return result
}

/**
 * Ids for `inArray(column, part)`, in parts that leave `reserved` parameters for the rest of the
 * statement (the account id, a status…). 80 per part leaves room for the usual handful.
 */
export function idChunks<T>(ids: readonly T[], reserved = 20): T[][] {
  return chunks(ids, maxBoundParameters - reserved)
}

const insertColumnCounts = new WeakMap<SQLiteTable, number>()

/**
 * Parameters one row of `table` binds in a drizzle insert: drizzle writes every insertable column
 * of every row (a value, the column's default, or its `$defaultFn`), one parameter each. A value
 * given as SQL binds its own parameters; `extraPerRow` counts those beyond one per column.
 */
function parametersPerRow(table: SQLiteTable, extraPerRow: number): number {
  let count = insertColumnCounts.get(table)
  if (count === undefined) {
    count = Object.values(getTableColumns(table) as Record<string, Column>).filter(
      (column) => !(column as unknown as { shouldDisableInsert(): boolean }).shouldDisableInsert(),
    ).length
    insertColumnCounts.set(table, count)
  }
  return count + extraPerRow
}

/**
 * A multi-row insert as statements of at most `maxBoundParameters` each, for one `db.batch`:
 * `build` gets each part of `rows` and returns its statement (`db.insert(t).values(part)…`, with
 * whatever `onConflictDoNothing`/`returning` it needs). No rows, no statements.
 *
 * @example
 * statements.push(...insertInChunks(attachments, rows, (part) => db.insert(attachments).values(part)))
 */
export function insertInChunks<TRow, TStatement>(
  table: SQLiteTable,
  rows: readonly TRow[],
  build: (part: TRow[]) => TStatement,
  options: { extraParametersPerRow?: number } = {},
): TStatement[] {
  const perRow = parametersPerRow(table, options.extraParametersPerRow ?? 0)
  if (perRow > maxBoundParameters) throw new Error('one row binds more parameters than a statement may')
  return chunks(rows, Math.floor(maxBoundParameters / perRow)).map(build)
}

/** Runs `statements` in one `db.batch` (one transaction); nothing for none. */
export async function runInOneBatch(db: Db, statements: readonly unknown[]): Promise<unknown[]> {
  if (statements.length === 0) return []
  return (await db.batch(statements as unknown as Parameters<Db['batch']>[0])) as unknown as unknown[]
}
