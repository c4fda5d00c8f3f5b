// Prints the size of the production bundle that `wrangler deploy --dry-run --outdir dist` built,
// raw and gzipped (Workers' limits are on the compressed size: 3 MiB free, 10 MiB paid).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const dist = join(import.meta.dirname, '..', 'dist')
let rawBytes = 0
let gzipBytes = 0
for (const name of readdirSync(dist)) {
  const path = join(dist, name)
  if (!statSync(path).isFile() || name.endsWith('.map')) continue
  const content = readFileSync(path)
  rawBytes += content.byteLength
  gzipBytes += gzipSync(content, { level: 9 }).byteLength
}
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`
console.log(`worker bundle: ${kib(rawBytes)} raw, ${kib(gzipBytes)} gzipped`)
