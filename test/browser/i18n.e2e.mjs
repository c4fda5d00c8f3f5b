// Browser test for languages: an agent switches to Norwegian on the profile page and the inbox,
// the bulk bar and the shortcut help (texts the browser scripts write) follow; a visitor whose
// browser prefers Norwegian gets the chat widget in Norwegian.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startStack } from './support.mjs'

let stack

before(async () => {
  stack = await startStack()
})

after(async () => {
  await stack?.stop()
})

test('an agent picks Norwegian on the profile and the whole inbox follows, scripts included', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.admin)
  await page.click('.user-actions a:has-text("Profile")')
  await page.waitForSelector('#language select[name=locale]')
  await page.selectOption('#language select[name=locale]', 'nb')
  await page.click('#language button[type=submit]')
  await page.waitForSelector('html[lang=nb]')
  await page.waitForSelector('h2:has-text("Tidssone og arbeidstid")')

  await page.click('.back-link')
  await page.waitForSelector('.conversation-row')
  await page.waitForSelector('html[data-ready]')
  assert.equal(await page.textContent('.pane-header h1'), 'Alle åpne')
  assert.ok(await page.locator('.view-link:has-text("Tildelt meg")').count())
  assert.equal(await page.getAttribute('#search input[name=q]', 'placeholder'), 'Søk i samtaler  ( / )')

  await page.locator('#conversation-rows .row-select').nth(0).click()
  await page.waitForSelector('#bulk:not([hidden])')
  assert.equal(await page.textContent('#bulk .bulk-count'), '1 valgt')
  await page.locator('#conversation-rows .row-select').nth(1).click()
  assert.equal(await page.textContent('#bulk .bulk-count'), '2 valgt')
  await page.click('#bulk [data-bulk-clear]')

  await page.locator('body').press('?')
  await page.waitForSelector('#shortcut-help[open] h2:has-text("Hurtigtaster")')
  assert.ok(await page.locator('#shortcut-help dd:has-text("Vis disse hurtigtastene")').count())
  await page.click('#shortcut-help button:has-text("Lukk")')

  // And back: English is one form post away.
  await page.goto(`${stack.server.url}/me`)
  await page.selectOption('#language select[name=locale]', 'en')
  await page.click('#language button[type=submit]')
  await page.waitForSelector('html[lang=en]')
  await page.waitForSelector('h2:has-text("Time zone and office hours")')
  assert.deepEqual(errors, [])
})

test('a visitor whose browser prefers Norwegian gets the chat widget in Norwegian', async () => {
  const context = await stack.browser.newContext({ locale: 'nb-NO', viewport: { width: 1200, height: 800 } })
  const visitor = await context.newPage()
  const errors = []
  visitor.on('pageerror', (error) => errors.push(error.message))
  await visitor.goto(`${stack.server.url}/widget/demo`)
  const widget = visitor.locator('[data-switchboard-widget]')
  // The texts arrive with the session; the launcher's label is one of them.
  await visitor.waitForFunction(
    () => document.querySelector('[data-switchboard-widget]')?.shadowRoot?.querySelector('.launcher')?.getAttribute('aria-label') === 'Åpne chatten',
  )
  await widget.locator('.launcher').click()
  assert.equal(await widget.locator('.prechat button[type=submit]').textContent(), 'Start chatten')
  assert.equal(await widget.locator('.composer textarea').getAttribute('placeholder'), 'Skriv en melding …')
  assert.equal(await widget.locator('.composer button[type=submit]').textContent(), 'Send')
  await context.close()
  assert.deepEqual(errors, [])
})
