// Browser test for the widget's outbox: a visitor types 30 messages fast; the connection drops
// midway, the page is reloaded while offline with messages still queued, and once back online the
// agent's thread shows all 30, each once, in the order typed.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { resultsDir, startStack } from './support.mjs'

let stack

before(async () => {
  stack = await startStack()
})

after(async () => {
  await stack?.stop()
})

test('30 messages typed fast through a dropped connection and an offline reload reach the agent once each, in order', async () => {
  const run = Date.now().toString(36)
  const text = (n) => `${run} message ${String(n).padStart(2, '0')}`
  const context = await stack.browser.newContext({ viewport: { width: 1200, height: 800 } })
  const visitor = await context.newPage()
  const visitorErrors = []
  visitor.on('pageerror', (error) => visitorErrors.push(error.message))

  // The network is emulated: while "offline" every request but the cached page fails (a route), no WebSocket
  // connects (the page's WebSocket is wrapped to dial a loopback port where nothing listens, which
  // refuses at once); going offline also drops the open sockets. Chromium's own offline mode does
  // not do: it leaves open WebSockets alone, and routed requests bypass it.
  await context.addInitScript(() => {
    const Native = window.WebSocket
    const open = new Set()
    window.e2eSockets = open
    window.WebSocket = class extends Native {
      constructor(url, protocols) {
        super(sessionStorage.getItem('e2e:offline') ? 'ws://127.0.0.1:9/' : url, protocols)
        open.add(this)
        this.addEventListener('close', () => open.delete(this))
      }
    }
  })
  const goOffline = async () => {
    await context.route(offlineRoute, offlineNetwork)
    await visitor.evaluate(() => {
      sessionStorage.setItem('e2e:offline', '1')
      for (const socket of window.e2eSockets) socket.close()
      window.dispatchEvent(new Event('offline'))
    })
  }
  const goOnline = async () => {
    await context.unroute(offlineRoute)
    await visitor.evaluate(() => {
      sessionStorage.removeItem('e2e:offline')
      window.dispatchEvent(new Event('online'))
    })
  }
  const offlineRoute = `${stack.server.url}/**`
  // While offline only the host page and the widget's script and styles load, as from the browser's
  // cache. (They are still fetched, not fulfilled by the test: a document the test made up has no
  // address, and Chromium then refuses its sockets to this loopback server even once "online".)
  const cachedPaths = new Set(['/widget/demo', '/widget-demo.css', '/widget.js', '/widget.css'])
  const offlineNetwork = (route) => (cachedPaths.has(new URL(route.request().url()).pathname) ? route.continue() : route.abort('internetdisconnected'))

  await visitor.goto(`${stack.server.url}/widget/demo`)
  const widget = visitor.locator('[data-switchboard-widget]')
  const composer = widget.locator('.composer textarea')
  await widget.locator('.launcher').click()
  await widget.locator('.prechat button.link').click()

  const type = async (from, to) => {
    for (let n = from; n <= to; n++) {
      await composer.fill(text(n))
      await composer.press('Enter')
    }
  }
  // Faster than the room's budget (a burst of 10, then 2 a second): the rest waits its turn.
  await type(1, 12)
  await widget.locator('.message.from-visitor[data-seq]', { hasText: text(3) }).waitFor()
  await goOffline()
  await type(13, 20)

  // Reload while offline: the page comes from the "cache", nothing else reaches the server.
  await visitor.reload()
  await widget.locator('.launcher').click()
  // Everything not yet stored is shown again as being sent, in order, before any server answered.
  const pendingTexts = await widget.locator('.message.from-visitor[data-key^="pending:"] .text').allTextContents()
  assert.ok(pendingTexts.length >= 8, `queued after the reload: ${pendingTexts.length}`)
  assert.deepEqual(
    pendingTexts.slice(-8),
    Array.from({ length: 8 }, (_, index) => text(13 + index)),
  )
  if (await widget.locator('.prechat').isVisible()) await widget.locator('.prechat button.link').click()
  await type(21, 30)
  await visitor.screenshot({ path: join(resultsDir, 'widget-offline-queue.png') })

  // Back online: the widget resumes its session, reconnects and sends the queue in order.
  await goOnline()
  await widget.locator('.message.from-visitor[data-seq]', { hasText: text(30) }).waitFor({ timeout: 60_000 })
  assert.equal(await widget.locator('.message.from-visitor[data-key^="pending:"]').count(), 0, 'nothing left in the outbox')

  const ada = await stack.loggedInPage(stack.seed.logins.superAdmin)
  await ada.page.click('.view-link:has-text("Chat")')
  await ada.page
    .locator('.conversation-row', { hasText: text(30) })
    .locator('.row-link')
    .click()
  await ada.page.locator('#thread-messages .message', { hasText: text(30) }).waitFor()
  const thread = (await ada.page.locator('#thread-messages .message').allTextContents()).flatMap(
    (content) => content.match(new RegExp(`${run} message \\d\\d`, 'g')) ?? [],
  )
  assert.deepEqual(
    thread,
    Array.from({ length: 30 }, (_, index) => text(index + 1)),
  )
  await ada.page.screenshot({ path: join(resultsDir, 'chat-outbox-agent.png') })
  assert.deepEqual([...visitorErrors, ...ada.errors], [])
})
