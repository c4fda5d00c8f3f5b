// The browser suite: each test/browser/*.e2e.mjs file in its own `node --test` run (each starts its
// own wrangler dev and Chromium). A file that fails is run once more, and says so: a real browser
// against a real server has timing that a loaded machine sometimes stretches past a wait (an action
// pressed while a swap settles). A file that fails twice fails the suite; a pass on the second try
// is printed as FLAKY so it is seen and fixed, not hidden.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { root } from './lib/dev-server.mjs'

const folder = join(root, 'test', 'browser')
const only = process.argv.slice(2)
const files = readdirSync(folder)
  .filter((name) => name.endsWith('.e2e.mjs') && (only.length === 0 || only.some((wanted) => name.includes(wanted))))
  .sort()

const run = (file) => spawnSync(process.execPath, ['--test', '--test-concurrency=1', join(folder, file)], { cwd: root, stdio: 'inherit' }).status === 0

const failed = []
const flaky = []
for (const file of files) {
  if (run(file)) continue
  console.log(`\n${file} failed; running it once more\n`)
  if (run(file)) flaky.push(file)
  else failed.push(file)
}

console.log(`\nbrowser suite: ${files.length} files`)
for (const file of flaky) console.log(`FLAKY (passed on its second run): ${file}`)
for (const file of failed) console.log(`FAILED twice: ${file}`)
console.log(`${files.length - failed.length} passed, ${failed.length} failed`)
process.exit(failed.length === 0 ? 0 : 1)
