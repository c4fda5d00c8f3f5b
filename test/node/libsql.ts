import { readdirSync, readFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@libsql/client'
import { dbOverLibsql, type Db } from '../../src/db/client'

/**
 * A libSQL database in a temporary file with the committed migrations applied, the same files
 * wrangler applies to D1. Foreign keys are switched on, as D1 always has them.
 */
export async function createLibsqlDb(): Promise<Db> {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-libsql-'))
  const client = createClient({ url: `file:${join(directory, 'test.db')}` })
  await client.execute('PRAGMA foreign_keys = ON')
  const migrationsDir = join(import.meta.dirname, '..', '..', 'migrations')
  const files = readdirSync(migrationsDir).filter((name) => name.endsWith('.sql')).sort()
  for (const file of files) {
    const statements = readFileSync(join(migrationsDir, file), 'utf8')
      .split('--> statement-breakpoint')
      .map((statement) => statement.trim())
      .filter(Boolean)
    for (const statement of statements) await client.execute(statement)
  }
  // The app's own libSQL database (round trips counted), as createDb makes it for Turso.
  return dbOverLibsql(client)
}
