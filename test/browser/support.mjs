// Shared set-up for browser tests: a fresh local D1, the real worker under wrangler dev, the demo
// workspace, and Debian's Chromium.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { applyMigrations, root, seedDemo, startDevServer } from '../../scripts/lib/dev-server.mjs'
import { freePort } from '../../scripts/lib/free-port.mjs'

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
export const resultsDir = join(root, 'test-results')

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
    /** The local D1/R2 state wrangler dev runs on (a test may adjust channel settings in it). */
    persistTo,
    async stop() {
      await browser.close()
      server.stop()
      rmSync(persistTo, { recursive: true, force: true })
    },
    /** A new browser context logged in as `email`; page errors are collected for assertions. */
    async loggedInPage(email, { viewport = { width: 1440, height: 900 }, bypassCSP = false } = {}) {
      // bypassCSP only for pages that axe-core is injected into (the CSP rightly forbids that).
      const context = await browser.newContext({ viewport, bypassCSP })
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

const axeScript = join(root, 'node_modules', 'axe-core', 'axe.min.js')

/**
 * Runs axe-core's default rule set on the page as it is now and fails with each violation's rule
 * id, impact and targets (the page's own CSP allows only its own scripts, so the test bypasses it).
 */
export async function assertNoAxeViolations(page, what) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axeScript })
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document)
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`)
  })
  if (violations.length > 0) throw new Error(`axe found ${violations.length} violation(s) on ${what}:\n${violations.join('\n')}`)
}
