// `npm run bench -- <name> [args]`: runs scripts/bench/<name>.mjs, whose `run(args)` prints its figures.
// Without a name it runs the inbox benchmark (the "npm run bench").
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const benchDir = join(dirname(fileURLToPath(import.meta.url)), 'bench')
const available = readdirSync(benchDir).filter((file) => file.endsWith('.mjs')).map((file) => file.slice(0, -4))
const given = process.argv.slice(2)
const [name, ...args] = given.length === 0 || given[0].startsWith('-') ? ['inbox', ...given] : given
// The name becomes a path: only plain names of files that exist.
if (!name || !/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(join(benchDir, `${name}.mjs`))) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`)
  process.exit(2)
}
const bench = await import(pathToFileURL(join(benchDir, `${name}.mjs`)).href)
await bench.run(args)
