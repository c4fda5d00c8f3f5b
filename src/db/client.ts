import { createClient } from '@libsql/client/web'
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
}

/**
 * Builds the database for one request (never at module load: bindings are per request).
 * D1 through the `DB` binding by default; libSQL/Turso when TURSO_DATABASE_URL is set.
 */
export function createDb(env: DatabaseBindings): Db {
  // No `{ schema }` at run time: it only serves drizzle's relational `db.query` API, which
  // nothing here uses, and drizzle walks the whole schema for it on every instance (one per
  // request and per chat message).
  if (env.TURSO_DATABASE_URL) {
    const client = createClient({ url: env.TURSO_DATABASE_URL, authToken: env.TURSO_AUTH_TOKEN })
    return drizzleLibsql(client) as unknown as Db
  }
  return drizzleD1(env.DB) as unknown as Db
}
