// `npm run test:plugin -- <id>`: the shared channel-plugin contract suite and plugins/<id>/test/,
// in workerd with local D1, R2 and Queues. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const [id, ...rest] = process.argv.slice(2)
if (!id || !/^[a-z0-9-]+$/.test(id) || !existsSync(new URL(`../plugins/${id}/`, import.meta.url))) {
  console.error(`Usage: npm run test:plugin -- <id>   (a folder under plugins/; got ${id ? JSON.stringify(id) : 'nothing'})`)
  process.exit(2)
}
const result = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.workers.config.ts', ...rest], {
  stdio: 'inherit',
  env: { ...process.env, TEST_PLUGIN: id },
})
process.exit(result.status ?? 1)
