import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Client } from '@libsql/client'

/**
 * The self-host's libSQL database: a local file (`file:`) through the native client, which runs
 * under Node, Bun and Deno; Turso (`libsql://`, `https://`) through the HTTP client, the same one
 * the Worker uses.
 */
export async function openDatabase(url: string, authToken?: string): Promise<Client> {
  if (url.startsWith('file:') || url === ':memory:') {
    const { createClient } = await import('@libsql/client')
    const client = createClient({ url })
    // D1 always enforces foreign keys; WAL lets the jobs poller read while a request writes.
    await client.execute('PRAGMA foreign_keys = ON')
    await client.execute('PRAGMA journal_mode = WAL')
    // WAL's usual pairing: commits survive a crash of the process, and the database is never
    // corrupted; only a power loss can drop the last transactions. Without it every commit (each
    // chat message) waits for an fsync.
    await client.execute('PRAGMA synchronous = NORMAL')
    await client.execute('PRAGMA busy_timeout = 5000')
    return client
  }
  const { createClient } = await import('@libsql/client/web')
  return createClient({ url, authToken }) as unknown as Client
}

/**
 * Applies the committed migrations (the SQL files wrangler applies to D1) not applied yet, each
 * file statement by statement as wrangler splits them, and records it in `host_migrations`.
 * Returns the names applied now.
 */
export async function applyMigrations(client: Client, directory: string): Promise<string[]> {
  const tables = new Set((await client.execute("SELECT name FROM sqlite_master WHERE type = 'table'")).rows.map((row) => String(row.name)))
  await client.execute('CREATE TABLE IF NOT EXISTS host_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)')
  // A D1 database brought over (a `wrangler d1 export`, or wrangler dev's local file) lists what
  // wrangler applied in d1_migrations: those are not applied a second time.
  if (!tables.has('host_migrations') && tables.has('d1_migrations'))
    await client.execute('INSERT OR IGNORE INTO host_migrations (name, applied_at) SELECT name, ? FROM d1_migrations', [Date.now()])
  const done = new Set((await client.execute('SELECT name FROM host_migrations')).rows.map((row) => String(row.name)))
  const files = readdirSync(directory)
    .filter((name) => name.endsWith('.sql'))
    .sort()
  const applied: string[] = []
  for (const file of files) {
    if (done.has(file)) continue
    const statements = readFileSync(join(directory, file), 'utf8')
      .split('--> statement-breakpoint')
      .map((statement) => statement.trim())
      .filter(Boolean)
    // One by one, as the Node tests apply them: a file may switch foreign keys off around a table
    // rebuild, which a transaction would ignore.
    for (const statement of statements) await client.execute(statement)
    await client.execute({ sql: 'INSERT INTO host_migrations (name, applied_at) VALUES (?, ?)', args: [file, Date.now()] })
    applied.push(file)
  }
  return applied
}
