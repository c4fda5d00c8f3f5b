// Copies the pinned front-end libraries from node_modules into static/vendor/, so the browser
// gets exactly the versions package-lock.json names, with no build step and no CDN.
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const vendor = join(root, 'static', 'vendor')
mkdirSync(vendor, { recursive: true })
const files = [
  ['node_modules/htmx.org/dist/htmx.min.js', 'htmx.min.js'],
  ['node_modules/htmx-ext-ws/dist/ws.js', 'htmx-ext-ws.js'],
]
for (const [from, to] of files) copyFileSync(join(root, from), join(vendor, to))
