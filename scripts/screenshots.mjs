// Takes the README's screenshots of the agent's screen at three sizes (laptop, small laptop or
// tablet, phone): the demo workspace under the real worker, in Debian's Chromium.
// `npm run screenshots` writes docs/screens-1280.png, docs/screens-1024.png and docs/screens-390.png.
// SB_URL=http://127.0.0.1:8787 reuses a running demo server (npm start) instead of starting one.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { applyMigrations, root, seedDemo, startDevServer } from './lib/dev-server.mjs'

export const sizes = [
  { name: '1280', width: 1280, height: 800 },
  { name: '1024', width: 1024, height: 768 },
  { name: '390', width: 390, height: 844 },
]
const subject = 'Warranty claim: hiking boots'
const outDir = process.env.SCREENSHOTS_DIR ?? join(root, 'docs')

let server
let persistTo
if (process.env.SB_URL) {
  server = { url: process.env.SB_URL, stop() {} }
} else {
  persistTo = mkdtempSync(join(tmpdir(), 'switchboard-screens-'))
  applyMigrations(persistTo)
  server = await startDevServer({ persistTo, port: 8788, demoSeed: true })
}
const seed = await seedDemo(server.url)
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] })
try {
  for (const size of sizes) {
    const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, deviceScaleFactor: 1 })
    const page = await context.newPage()
    await page.goto(`${server.url}/login`)
    await page.fill('input[name=email]', seed.logins.admin)
    await page.fill('input[name=password]', seed.password)
    await page.click('button[type=submit]')
    await page.waitForSelector('html[data-ready]')
    await page.click(`.conversation-row:has-text("${subject}") a.row-link`)
    await page.waitForSelector(`.thread-subject:has-text("${subject}")`)
    await page.waitForSelector('#card-contact .contact-name', { state: 'attached' })
    await page.waitForTimeout(300)
    const file = join(outDir, `screens-${size.name}.png`)
    await page.screenshot({ path: file })
    console.log(`wrote ${file}`)
    await context.close()
  }
} finally {
  await browser.close()
  server.stop()
  if (persistTo) rmSync(persistTo, { recursive: true, force: true })
}
