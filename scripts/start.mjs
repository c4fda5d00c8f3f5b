// `npm start`: migrate local D1, start the worker offline, seed the demo workspace once, and say
// where to log in. Data lives in .wrangler/state and survives restarts.
// `npm start -- --fresh`: no demo; a database of its own (.wrangler/fresh-state) that starts
// empty, so the first visit is the setup page, as on a new deployment. System mails (invitations,
// resets) are readable at /dev/outbox in both modes.
import { join } from 'node:path'
import { applyMigrations, root, seedDemo, startDevServer } from './lib/dev-server.mjs'
import { startLocalCrons } from './lib/local-cron.mjs'

const port = Number(process.env.PORT ?? 8787)
const fresh = process.argv.includes('--fresh')
const persistTo = fresh ? join(root, '.wrangler', 'fresh-state') : undefined
applyMigrations(persistTo)
const server = await startDevServer({ port, persistTo, demoSeed: !fresh, devOutbox: fresh, inheritOutput: true })
const crons = startLocalCrons(root, server.url)
const stopAndExit = () => {
  crons.stop()
  server.stop()
  process.exit(0)
}
process.on('SIGINT', stopAndExit)
process.on('SIGTERM', stopAndExit)
server.child.on('exit', (code) => process.exit(code ?? 0))

if (fresh) {
  console.log(`
  Switchboard is running at ${server.url} without the demo (.wrangler/fresh-state).
  Open it to set up your workspace (delete that folder to start again).
  Invitation and password reset mails: ${server.url}/dev/outbox
  Press Ctrl+C to stop.
`)
} else {
  const seed = await seedDemo(server.url)
  console.log(`
  Switchboard is running at ${server.url}
  ${seed.created ? 'Created the demo workspace.' : 'Kept the existing workspace (.wrangler/state).'}
  Log in as ${seed.logins.superAdmin} / ${seed.password}
  (also ${seed.logins.admin} as admin, ${seed.logins.agent} as agent)
  Cron triggers (${crons.crons.join(', ') || 'none'}) fire on schedule while this runs.
  Press Ctrl+C to stop.
  `)
}
