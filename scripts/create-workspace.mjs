// Creates a workspace with its first super admin and an inbox, in local or remote D1:
//   npm run create-workspace -- --name "Acme" --email you@acme.com [--inbox Support] [--remote]
// The password is read from SWITCHBOARD_PASSWORD or asked for on the terminal; it never
// appears in the SQL file (only its hash does) and the file is deleted afterwards.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { hashPasswordForWorker } from './lib/password.mjs'
import { offlineEnv, root } from './lib/dev-server.mjs'

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    email: { type: 'string' },
    'user-name': { type: 'string' },
    inbox: { type: 'string', default: 'Support' },
    remote: { type: 'boolean', default: false },
  },
})
if (!values.name || !values.email || !/^[^@\s]+@[^@\s]+$/.test(values.email)) {
  console.error('usage: npm run create-workspace -- --name "Acme" --email you@acme.com [--user-name "Your Name"] [--inbox Support] [--remote]')
  process.exit(2)
}
let password = process.env.SWITCHBOARD_PASSWORD
if (!password) {
  const terminal = createInterface({ input: process.stdin, output: process.stdout })
  password = await terminal.question('Password for the super admin (10+ characters): ')
  terminal.close()
}
if (password.length < 10) {
  console.error('The password needs at least 10 characters.')
  process.exit(2)
}

const id = () => randomBytes(10).toString('hex').slice(0, 16)
const quote = (value) => `'${String(value).replaceAll("'", "''")}'`
const now = Date.now()
const accountId = id()
const statements = [
  `INSERT INTO accounts (id, name, created_at) VALUES (${quote(accountId)}, ${quote(values.name)}, ${now});`,
  `INSERT INTO users (id, account_id, name, email, password_hash, role, created_at) VALUES (${quote(id())}, ${quote(accountId)}, ${quote(values['user-name'] ?? values.email.split('@')[0])}, ${quote(values.email.toLowerCase())}, ${quote(hashPasswordForWorker(password))}, 'super_admin', ${now});`,
  `INSERT INTO inboxes (id, account_id, name, created_at) VALUES (${quote(id())}, ${quote(accountId)}, ${quote(values.inbox)}, ${now});`,
]
const directory = mkdtempSync(join(tmpdir(), 'switchboard-'))
const file = join(directory, 'workspace.sql')
writeFileSync(file, statements.join('\n'), { mode: 0o600 })
try {
  const result = spawnSync(join(root, 'node_modules', '.bin', 'wrangler'), ['d1', 'execute', 'DB', values.remote ? '--remote' : '--local', '--file', file], {
    cwd: root,
    env: offlineEnv,
    stdio: 'inherit',
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
  console.log(`Created workspace "${values.name}"; log in as ${values.email}.`)
} finally {
  rmSync(directory, { recursive: true, force: true })
}
