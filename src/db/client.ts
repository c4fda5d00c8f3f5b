import { createClient, type Client as LibsqlClient, type Transaction as LibsqlTransaction } from '@libsql/client/web'
import { drizzle as drizzleD1 } from 'drizzle-orm/d1'
import { drizzle as drizzleLibsql } from 'drizzle-orm/libsql/web'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import type { BatchItem, BatchResponse } from 'drizzle-orm/batch'
import type * as schema from './schema'

export type Schema = typeof schema

/**
 * The database every service takes. D1 and libSQL share the SQLite dialect and the same query
 * builder; services use only the builder and `batch`, never a driver's raw result type.
 */
export type Db = BaseSQLiteDatabase<'async', unknown, Schema> & {
  batch<U extends BatchItem<'sqlite'>, T extends Readonly<[U, ...U[]]>>(batch: T): Promise<BatchResponse<T>>
}

export interface DatabaseBindings {
  DB: D1Database
  TURSO_DATABASE_URL?: string
  TURSO_AUTH_TOKEN?: string
  HOST?: { database?: LibsqlClient }
}

/**
 * Builds the database for one request (never at module load: bindings are per request).
 * D1 through the `DB` binding by default; libSQL/Turso when TURSO_DATABASE_URL is set; the
 * self-host's own client when it runs the app.
 */
export function createDb(env: DatabaseBindings): Db {
  // The self-host opened its libSQL client once at start (src/host/self/database.ts).
  if (env.HOST?.database) return dbOverLibsql(env.HOST.database)
  if (env.TURSO_DATABASE_URL) return dbOverLibsql(createClient({ url: env.TURSO_DATABASE_URL, authToken: env.TURSO_AUTH_TOKEN }))
  const trips = { count: 0 }
  // No `{ schema }` at run time: it only serves drizzle's relational `db.query` API, which
  // nothing here uses, and drizzle walks the whole schema for it on every instance (one per
  // request and per chat message).
  const db = drizzleD1(countedD1(env.DB, trips)) as unknown as Db
  roundTrips.set(db, trips)
  return db
}

/** A database over a libSQL client (Turso in production; a `file:` client in the Node tests). */
export function dbOverLibsql(client: LibsqlClient): Db {
  const trips = { count: 0 }
  const db = drizzleLibsql(countedLibsql(client, trips)) as unknown as Db
  roundTrips.set(db, trips)
  return db
}

/**
 * Round trips to the database: each statement run and each batch is one, whatever the service,
 * compiled statement or driver call behind it. Counted here, at the driver, so no caller can
 * forget to count; `Server-Timing` reports it per request (src/app.tsx).
 */
const roundTrips = new WeakMap<Db, { count: number }>()

/** How many round trips this database has made so far (0 for one not made by createDb). */
export function roundTripsOf(db: Db): number {
  return roundTrips.get(db)?.count ?? 0
}

/**
 * The binding's own statement behind each counted one. A batch must be given the binding's own
 * statements; shared by every database made here, since a statement built on one (a service's
 * `db`, a test's) may be run in another's batch.
 */
const unwrapped = new WeakMap<D1PreparedStatement, D1PreparedStatement>()

/** The D1 binding with every call that reaches the database counted. */
function countedD1(d1: D1Database, trips: { count: number }): D1Database {
  /** Counts one round trip, then makes it. */
  const counted = <T>(call: () => T): T => {
    trips.count++
    return call()
  }
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const wrapper = {
      bind: (...values: unknown[]) => wrap(statement.bind(...values)),
      first: (column?: string) => counted(() => (column === undefined ? statement.first() : statement.first(column))),
      run: () => counted(() => statement.run()),
      all: () => counted(() => statement.all()),
      raw: (options?: { columnNames?: boolean }) => counted(() => statement.raw(options as { columnNames?: false })),
    } as unknown as D1PreparedStatement
    unwrapped.set(wrapper, statement)
    return wrapper
  }
  return {
    prepare: (query: string) => wrap(d1.prepare(query)),
    batch: (statements: D1PreparedStatement[]) => counted(() => d1.batch(statements.map((statement) => unwrapped.get(statement) ?? statement))),
    exec: (query: string) => counted(() => d1.exec(query)),
    withSession: (constraint?: string) => d1.withSession(constraint),
    dump: () => d1.dump(),
  } as unknown as D1Database
}

/** A libSQL client with each execute, batch and transaction step counted (each is one request to the server). */
function countedLibsql(client: LibsqlClient, trips: { count: number }): LibsqlClient {
  const counted = new Set<PropertyKey>(['execute', 'batch', 'migrate', 'executeMultiple', 'commit', 'rollback'])
  const wrap = <T extends LibsqlClient | LibsqlTransaction>(target: T): T =>
    new Proxy(target, {
      get(object, property) {
        const value = Reflect.get(object, property, object)
        if (typeof value !== 'function') return value
        if (property === 'transaction') return async (...args: unknown[]) => wrap(await value.apply(object, args))
        if (!counted.has(property)) return value.bind(object)
        return (...args: unknown[]) => {
          trips.count++
          return value.apply(object, args)
        }
      },
    })
  return wrap(client)
}
