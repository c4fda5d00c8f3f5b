// `npm run start:node|bun|deno`: builds the self-host (scripts/build-self.mjs) and runs it on that
// runtime (Bun and Deno from node_modules/.bin, installed as dev dependencies), with the demo
// workspace created the first time as `npm start` does; `-- --fresh` starts without it (the setup
// page). Data in ./data (DATA_DIR). Configuration: docs/self-host.md.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { root } from './lib/dev-server.mjs'
import { buildSelfHost } from './build-self.mjs'

const runtime = process.argv[2]
const fresh = process.argv.includes('--fresh')
const server = join(root, 'dist', 'self', 'server.mjs')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const commands = {
  node: [process.execPath, ['--enable-source-maps', server]],
  bun: [bin('bun'), [server]],
  deno: [bin('deno'), ['run', '--allow-all', '--quiet', server]],
}
if (!commands[runtime]) {
  console.error('usage: node scripts/start-self.mjs node|bun|deno [--fresh]')
  process.exit(2)
}
await buildSelfHost()
const [command, args] = commands[runtime]
const env = { ...process.env }
if (!fresh) env.DEMO_SEED ??= 'true'
else env.DEV_OUTBOX ??= 'true'
const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
