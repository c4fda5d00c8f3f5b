import { readdirSync, readFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type Client } from '@libsql/client'
import { dbOverLibsql, type Db } from '../../src/db/client'

const migrationsDir = join(import.meta.dirname, '..', '..', 'migrations')

/** The committed migration files, in the order wrangler applies them. */
export const migrationFiles = () =>
  readdirSync(migrationsDir)
    .filter((name) => name.endsWith('.sql'))
    .sort()

/** Runs one migration file, statement by statement, as wrangler splits it. */
export async function applyMigration(client: Client, file: string) {
  const statements = readFileSync(join(migrationsDir, file), 'utf8')
    .split('--> statement-breakpoint')
    .map((statement) => statement.trim())
    .filter(Boolean)
  for (const statement of statements) await client.execute(statement)
}

/**
 * A libSQL database in a temporary file with the committed migrations applied (those before
 * `until`, when given), the same files wrangler applies to D1. Foreign
 * keys are switched on, as D1 always has them.
 */
export async function createLibsqlClient(options: { until?: string } = {}): Promise<{ client: Client; db: Db }> {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-libsql-'))
  const client = createClient({ url: `file:${join(directory, 'test.db')}` })
  await client.execute('PRAGMA foreign_keys = ON')
  for (const file of migrationFiles()) {
    if (options.until !== undefined && file >= options.until) break
    await applyMigration(client, file)
  }
  // The app's own libSQL database (round trips counted), as createDb makes it for Turso.
  return { client, db: dbOverLibsql(client) }
}

export async function createLibsqlDb(): Promise<Db> {
  return (await createLibsqlClient()).db
}
