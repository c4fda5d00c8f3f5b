// `npm start`: migrate local D1, start the worker offline, seed the demo workspace once, and say
// where to log in. Data lives in .wrangler/state and survives restarts.
import { applyMigrations, root, seedDemo, startDevServer } from './lib/dev-server.mjs'
import { startLocalCrons } from './lib/local-cron.mjs'

const port = Number(process.env.PORT ?? 8787)
applyMigrations()
const server = await startDevServer({ port, demoSeed: true, inheritOutput: true })
const crons = startLocalCrons(root, server.url)
const stopAndExit = () => {
  crons.stop()
  server.stop()
  process.exit(0)
}
process.on('SIGINT', stopAndExit)
process.on('SIGTERM', stopAndExit)
server.child.on('exit', (code) => process.exit(code ?? 0))

const seed = await seedDemo(server.url)
console.log(`
  Switchboard is running at ${server.url}
  ${seed.created ? 'Created the demo workspace.' : 'Kept the existing workspace (.wrangler/state).'}
  Log in as ${seed.logins.superAdmin} / ${seed.password}
  (also ${seed.logins.admin} as admin, ${seed.logins.agent} as agent)
  Cron triggers (${crons.crons.join(', ') || 'none'}) fire on schedule while this runs.
  Press Ctrl+C to stop.
`)
