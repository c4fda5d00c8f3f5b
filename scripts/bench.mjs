// `npm run bench -- <name> [args]`: runs scripts/bench/<name>.mjs, whose `run(args)` prints its figures.
// Without a name it runs the inbox benchmark (the "npm run bench").
import { createHash } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const benchDir = join(dirname(fileURLToPath(import.meta.url)), 'bench')
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith('.mjs'))
  .map((file) => file.slice(0, -4))
const given = process.argv.slice(2)
const [name, ...args] = given.length === 0 || given[0].startsWith('-') ? ['inbox', ...given] : given
// The name becomes a path: only plain names of files that exist.
if (!name || !/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(join(benchDir, `${name}.mjs`))) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`)
  process.exit(2)
}
const bench = await import(pathToFileURL(join(benchDir, `${name}.mjs`)).href)
const speed = Array.from({ length: 5 }, speedReferenceMs).sort((a, b) => a - b)[2]
const memory = memoryReferenceMs()
console.log(
  `machine speed reference: ${speed.toFixed(0)} ms CPU task (median of 5), ${memory.toFixed(0)} ms memory task — lower is faster; compare runs by them`,
)
await bench.run(args)

/**
 * Fixed single-threaded tasks, timed: this machine's speed drifts by tens of percent between
 * runs (a shared host), and every figure drifts with it. Printed with every bench so runs can be
 * compared: a CPU-bound one (hashing and JSON of a request's size) and a memory-bound one
 * (allocating, copying and serializing tens of MB, as the runtime's collector and copies do).
 */
function speedReferenceMs() {
  const payload = {
    text: 'Thanks for getting back to us so quickly. '.repeat(400),
    list: Array.from({ length: 200 }, (_, index) => ({ index, name: `item ${index}` })),
  }
  const startedAt = performance.now()
  let digest = ''
  for (let round = 0; round < 300; round++) {
    const json = JSON.stringify({ ...payload, round, digest })
    digest = createHash('sha256')
      .update(JSON.parse(json).text + round)
      .digest('hex')
  }
  return performance.now() - startedAt
}

function memoryReferenceMs() {
  const startedAt = performance.now()
  let sum = 0
  for (let round = 0; round < 6; round++) {
    const buffer = Buffer.alloc(32 * 1024 * 1024, round)
    sum += Buffer.from(buffer)[round * 1000]
    sum += JSON.stringify(Array.from({ length: 200_000 }, (_, index) => ({ index, label: `x${index}`, pair: [index, index + 1] }))).length
  }
  if (sum < 0) console.log(sum)
  return performance.now() - startedAt
}
