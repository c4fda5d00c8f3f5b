import { Column, getTableColumns, is, Param, Placeholder, SQL, sql, type DriverValueDecoder, type DriverValueEncoder, type Query } from 'drizzle-orm'
import type { SQLiteSession, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { drizzle } from 'drizzle-orm/sqlite-proxy'
import type { Db } from './client'

/**
 * Compiled statements: SQL whose text never changes, only its parameter values, built by drizzle
 * once per shape and then only re-bound. Building a query (`toSQL`: `sqlToQuery`,
 * `buildQueryFromSourceParams` and an `is()` check per chunk) costs more CPU than running it on
 * the hot paths (a chat message, an inbound email); binding is a loop over an array.
 *
 * A statement is a drizzle query built with `sql.placeholder(name)` where its values go. Its
 * `{ sql, params }` is kept, and each parameter becomes a slot: a constant (a literal drizzle
 * bound at build time, a static `.default()`), or a named value taken from the call, passed
 * through its column's encoder when drizzle wrapped the placeholder in `Param(placeholder,
 * column)` (insert values, update sets, `eq(column, placeholder)`…) — JSON is stringified,
 * booleans become 0/1, exactly as drizzle would. Null and undefined are never encoded, as in
 * drizzle's own build (`fillPlaceholders` would encode them: a JSON column would get 'null').
 *
 * A bound statement can be awaited or put into `db.batch([...])` next to ordinary drizzle
 * builders, on D1 and on libSQL: it answers `_prepare()` with the running driver's own prepared
 * query (`session.prepareQuery`), so the driver binds, runs and maps the batch results itself.
 * Rows are decoded with a mapper made once from the selected columns (`mapFromDriverValue`), into
 * the same field names and values drizzle's `mapResultRow` gives.
 *
 * What cannot be cached must not be: drizzle calls `$defaultFn`/`$onUpdateFn` while building an
 * insert (and `$onUpdateFn` while building an update), which would bake one call's value into
 * every later call. `CompiledInsert` makes such columns placeholders and calls the function per
 * call; `assertNoUpdateFns` refuses an update whose table has `$onUpdateFn` columns it does not set.
 */

/**
 * The database compiled statements are built with: drizzle's SQLite async dialect — the one both
 * the D1 and the libSQL driver use — with no driver behind it. It never runs anything, and the
 * SQL text therefore never depends on which driver happened to build it first.
 */
export const statementBuilder = drizzle(async () => {
  throw new Error('the statement builder only builds SQL; bind the statement to a database to run it')
})

/** What a statement's rows are decoded from: result columns in order, as passed to `.returning()` or `.select()`. */
export type Fields = Record<string, Column | SQL | SQL.Aliased>

/** A drizzle query built with placeholders: its fields (when it returns rows) and whatever gives `{ sql, params }`. */
export interface Built {
  query: { toSQL(): Query }
  fields?: Fields
}

type RowsMapper = (rows: unknown[][], mapColumnValue?: (value: unknown) => unknown) => unknown

/** The part of a drizzle database this needs at run time: its session (not in drizzle's public types). */
type WithSession = { session?: SQLiteSession<'async', unknown, Record<string, never>, Record<string, never>> }

function sessionOf(db: Db) {
  const session = (db as unknown as WithSession).session
  if (!session || typeof session.prepareQuery !== 'function') throw new Error('compiled statements need a drizzle SQLite database (D1 or libSQL)')
  return session
}

function rowsMapper(fields: Fields): RowsMapper {
  const keys = Object.keys(fields)
  const decoders: DriverValueDecoder<unknown, unknown>[] = keys.map((key) => {
    const field = fields[key]
    if (is(field, Column)) return field
    // `decoder` is what drizzle's own mapResultRow reads for an SQL field (noop unless `.mapWith()`).
    if (is(field, SQL)) return (field as unknown as { decoder: DriverValueDecoder<unknown, unknown> }).decoder
    // An aliased column or expression (a statement that must name each column once, e.g. for a D1 batch).
    if (is(field, SQL.Aliased)) return (field.sql as unknown as { decoder: DriverValueDecoder<unknown, unknown> }).decoder
    throw new Error(`compiled statement field "${key}" is neither a column nor SQL`)
  })
  const count = keys.length
  return (rows, mapColumnValue) => {
    const result = new Array(rows.length)
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!
      const object: Record<string, unknown> = {}
      for (let i = 0; i < count; i++) {
        const raw = mapColumnValue ? mapColumnValue(row[i]) : row[i]
        object[keys[i]!] = raw === null ? null : decoders[i]!.mapFromDriverValue(raw)
      }
      result[r] = object
    }
    return result
  }
}

const constant = Symbol('constant')

/** One statement: its SQL text, and how each parameter gets its value. */
export class CompiledStatement<TResult = unknown> {
  readonly sql: string
  readonly method: 'all' | 'run'
  /** Per parameter: the placeholder's name, or `constant` for a value fixed at build time. */
  private readonly names: (string | typeof constant)[]
  private readonly constants: unknown[]
  private readonly encoders: (DriverValueEncoder<unknown, unknown> | null)[]
  private readonly mapRows: RowsMapper | undefined

  constructor({ query, fields }: Built) {
    const built = query.toSQL()
    this.sql = built.sql
    this.method = fields ? 'all' : 'run'
    this.mapRows = fields ? rowsMapper(fields) : undefined
    this.names = []
    this.constants = []
    this.encoders = []
    for (const param of built.params) {
      if (is(param, Placeholder)) {
        this.names.push(param.name)
        this.constants.push(undefined)
        this.encoders.push(null)
      } else if (is(param, Param) && is(param.value, Placeholder)) {
        this.names.push(param.value.name)
        this.constants.push(undefined)
        this.encoders.push(param.encoder)
      } else {
        this.names.push(constant)
        this.constants.push(param)
        this.encoders.push(null)
      }
    }
  }

  /** The parameters for one call's values (a name missing from `values` is an error, as in drizzle). */
  params(values: Record<string, unknown>): unknown[] {
    const { names, constants, encoders } = this
    const params = new Array(names.length)
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!
      if (name === constant) {
        params[i] = constants[i]
        continue
      }
      if (!(name in values)) throw new Error(`No value for placeholder "${name}" was provided`)
      const value = values[name]
      const encoder = encoders[i]
      if (value === null || value === undefined || !encoder) {
        params[i] = value
        continue
      }
      const encoded = encoder.mapToDriverValue(value)
      if (encoded instanceof SQL) throw new Error(`placeholder "${name}" encodes to SQL, which cannot be bound`)
      params[i] = encoded
    }
    return params
  }

  /** The statement with one call's values, ready to await or to put into `db.batch([...])`. */
  bind(db: Db, values: Record<string, unknown>): BoundStatement<TResult> {
    return new BoundStatement(db, this, this.params(values))
  }

  /** @internal The driver's prepared query for these parameters. */
  prepare(db: Db, params: unknown[]) {
    return sessionOf(db).prepareQuery({ sql: this.sql, params }, undefined, this.method, false, this.mapRows)
  }
}

/**
 * A compiled statement with its values: awaitable like a drizzle builder, and accepted by
 * `db.batch` (both drivers call `_prepare()` on every item, then `getQuery()`, D1 `stmt.bind`,
 * and `mapResult(result, true)` on what it returns).
 */
export class BoundStatement<TResult = unknown> implements PromiseLike<TResult> {
  constructor(
    private readonly db: Db,
    private readonly statement: CompiledStatement<TResult>,
    private readonly params: unknown[],
  ) {}

  _prepare() {
    return this.statement.prepare(this.db, this.params)
  }

  execute(): Promise<TResult> {
    return this._prepare().execute() as Promise<TResult>
  }

  // biome-ignore lint/suspicious/noThenProperty: awaitable on purpose, like drizzle's own query builders (`await statement`).
  then<A = TResult, B = never>(
    onfulfilled?: ((value: TResult) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.execute().then(onfulfilled, onrejected)
  }

  toSQL(): Query {
    return { sql: this.statement.sql, params: this.params }
  }
}

/**
 * Statements of a few shapes, each built on first use: `compiled((shape) => built, key)` returns
 * `(shape) => CompiledStatement`. `key` names the shape (default: `String(shape)`); everything
 * that changes the SQL text must be in it, everything else must be a placeholder.
 */
export function compiled<TResult = unknown, TShape = void>(build: (shape: TShape) => Built, key: (shape: TShape) => string = String) {
  const cache = new Map<string, CompiledStatement<TResult>>()
  return (shape: TShape): CompiledStatement<TResult> => {
    const name = key(shape)
    let statement = cache.get(name)
    if (!statement) {
      statement = new CompiledStatement<TResult>(build(shape))
      cache.set(name, statement)
    }
    return statement
  }
}

/**
 * A placeholder encoded like `column` (JSON stringified, booleans as 0/1), as SQL: usable where
 * drizzle's types take no placeholder (an update's set) and inside `sql` templates.
 */
export function boundValue(name: string, column: Column): SQL {
  return sql`${sql.param(sql.placeholder(name), column)}`
}

/**
 * An update's table must not have `$onUpdateFn` columns the update leaves out of its set: drizzle
 * would call the function once, at build time, and every later call would write that value.
 */
export function assertNoUpdateFns(table: SQLiteTable, setKeys: string[]) {
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (column.onUpdateFn !== undefined && !setKeys.includes(key)) throw new Error(`a compiled update of this table must set "${key}", which has $onUpdateFn`)
  }
}

/** What an insert's `build` gets: a placeholder per column the row sets, and the same value for use inside SQL. */
export interface InsertPlaceholders<TTable extends SQLiteTable> {
  /** For `.values(...)`: a placeholder for every column of this shape (drizzle binds it with the column's encoder). */
  values: Record<string, Placeholder>
  /** A row value for use inside an `sql` template, encoded like its column. */
  param(key: keyof TTable['$inferInsert'] & string): SQL
}

type Generator = readonly [key: string, generate: () => unknown]

/**
 * Inserts of one row into `table`, compiled per shape: the caller's shape (returning, on
 * conflict…) and which columns the row sets. Drizzle writes every column of the table: a column
 * the row leaves undefined gets its static default (a constant: fine to keep) or null, or — for a
 * `$defaultFn`/`$onUpdateFn` column — the function's result, which is why such columns become
 * placeholders here and their function is called on every bind.
 */
export class CompiledInsert<TTable extends SQLiteTable, TShape, TRow extends Partial<TTable['$inferInsert']> = TTable['$inferInsert'], TResult = unknown> {
  private readonly columns: [string, Column][]
  private readonly cache = new Map<string, { statement: CompiledStatement<TResult>; generators: Generator[] }>()

  constructor(
    private readonly table: TTable,
    private readonly build: (placeholders: InsertPlaceholders<TTable>, shape: TShape) => Built,
    private readonly shapeKey: (shape: TShape) => string = String,
  ) {
    // The columns drizzle writes (a generated column is never inserted), in the table's order.
    this.columns = Object.entries(getTableColumns(table) as Record<string, Column>).filter(
      ([, column]) => !(column as unknown as { shouldDisableInsert(): boolean }).shouldDisableInsert(),
    )
  }

  /**
   * The insert of `row` (drizzle's insert type: undefined means "not set"). `extra` holds values
   * for placeholders of the shape's own SQL that are not columns of the row.
   */
  bind(db: Db, row: TRow, shape: TShape, extra?: Record<string, unknown>): BoundStatement<TResult> {
    const values = row as Record<string, unknown>
    let key = `${this.shapeKey(shape)}|`
    for (const [name] of this.columns) key += values[name] === undefined ? '0' : '1'
    let entry = this.cache.get(key)
    if (!entry) {
      entry = this.compile(values, shape)
      this.cache.set(key, entry)
    }
    if (entry.generators.length === 0 && !extra) return entry.statement.bind(db, values)
    const all: Record<string, unknown> = { ...values, ...extra }
    for (const [name, generate] of entry.generators) {
      const value = generate()
      if (value instanceof SQL) throw new Error(`the $defaultFn/$onUpdateFn of "${name}" returned SQL, which a compiled insert cannot bind`)
      all[name] = value
    }
    return entry.statement.bind(db, all)
  }

  private compile(row: Record<string, unknown>, shape: TShape) {
    const values: Record<string, Placeholder> = {}
    const generators: Generator[] = []
    for (const [name, column] of this.columns) {
      if (row[name] !== undefined) {
        values[name] = sql.placeholder(name)
        continue
      }
      // Drizzle's order (buildInsertQuery): a static default, else $defaultFn, else $onUpdateFn, else null.
      if (column.default !== null && column.default !== undefined) continue
      const generate = column.defaultFn ?? (!column.default ? column.onUpdateFn : undefined)
      if (!generate) continue
      values[name] = sql.placeholder(name)
      generators.push([name, generate])
    }
    const columns = getTableColumns(this.table) as Record<string, Column>
    const param = (name: string) => boundValue(name, columns[name]!)
    const statement = new CompiledStatement<TResult>(this.build({ values, param }, shape))
    return { statement, generators }
  }
}
