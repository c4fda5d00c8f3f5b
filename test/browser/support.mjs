// Shared set-up for browser tests: a fresh local D1, the real worker under wrangler dev, the demo
// workspace, and Debian's Chromium.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { applyMigrations, root, seedDemo, startDevServer } from '../../scripts/lib/dev-server.mjs'

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
export const resultsDir = join(root, 'test-results')

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** `empty`: no demo workspace (a new install), with the local outbox at /dev/outbox. */
export async function startStack(options = {}) {
  const persistTo = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'))
  mkdirSync(resultsDir, { recursive: true })
  applyMigrations(persistTo)
  const server = await startDevServer({ port: await freePort(), persistTo, demoSeed: !options.empty, devOutbox: options.empty })
  const seed = options.empty ? null : await seedDemo(server.url)
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
  return {
    server,
    seed,
    browser,
    async stop() {
      await browser.close()
      server.stop()
      rmSync(persistTo, { recursive: true, force: true })
    },
    /** A new browser context logged in as `email`; page errors are collected for assertions. */
    async loggedInPage(email) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
      const page = await context.newPage()
      const errors = []
      page.on('pageerror', (error) => errors.push(error.message))
      page.on('dialog', (dialog) => dialog.accept())
      await page.goto(`${server.url}/login`)
      await page.fill('input[name=email]', email)
      await page.fill('input[name=password]', seed.password)
      await page.click('button[type=submit]')
      await page.waitForSelector('.conversation-row')
      await page.waitForSelector('html[data-ready]')
      return { page, errors }
    },
  }
}
