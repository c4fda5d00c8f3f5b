// Browser test of a new install, from an EMPTY database (no demo seed): the first visitor sets the
// workspace up, creates a second inbox and invites a teammate; the teammate opens the invitation
// from the local outbox (/dev/outbox), sets a password and is signed in; then "Forgot password?"
// mails a reset link, and using it ends the teammate's earlier session.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { resultsDir, startStack } from './support.mjs'

let stack

before(async () => {
  stack = await startStack({ empty: true })
})

after(async () => {
  await stack?.stop()
})

/** The newest link to `path` in a mail to `to`, from the local outbox (the queue sends within seconds). */
async function linkFromOutbox(to, path, seen = new Set(), timeoutMs = 20_000) {
  const started = Date.now()
  for (;;) {
    const html = await (await fetch(`${stack.server.url}/dev/outbox`)).text()
    for (const mail of html.split('<li class="outbox-mail">').slice(1)) {
      if (!mail.includes(`<strong class="outbox-to">${to}</strong>`)) continue
      const link = new RegExp(`href="(http://[^"]+/${path}/[^"]+)"`).exec(mail)?.[1]
      if (link && !seen.has(link)) return link
    }
    if (Date.now() - started > timeoutMs) throw new Error(`no ${path} mail to ${to} in the outbox:\n${html}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function newPage() {
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 860 } })
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('dialog', (dialog) => dialog.accept())
  return { context, page, errors }
}

test('a new team sets Switchboard up, invites a teammate, and the teammate resets their password', async () => {
  const owner = await newPage()
  const { page } = owner
  try {
    // An empty database: the first visit leads to setup.
    await page.goto(`${stack.server.url}/`)
    assert.match(new URL(page.url()).pathname, /^\/setup$/)
    await page.fill('input[name=workspaceName]', 'Fjord Bikes')
    await page.fill('input[name=name]', 'Olga Owner')
    await page.fill('input[name=email]', 'olga@fjordbikes.test')
    // Bad input loses nothing: a short password is refused next to its field, the rest kept.
    await page.fill('input[name=password]', 'short')
    await page.evaluate(() => document.querySelector('input[name=password]').removeAttribute('minlength'))
    await page.click('button[type=submit]')
    await page.waitForSelector('#error-password')
    assert.equal(await page.inputValue('input[name=workspaceName]'), 'Fjord Bikes')
    await page.fill('input[name=password]', 'a good long password')
    await page.selectOption('select[name=locale]', 'en')
    await page.click('button[type=submit]')
    await page.waitForURL(/\/setup\/channel/)
    await page.getByRole('heading', { name: 'Connect your first channel' }).waitFor()
    assert.match(await page.getByRole('link', { name: 'Open the inbox settings' }).getAttribute('href'), /^\/inbox\/[a-z0-9]+\/settings$/)
    // A second setup is refused.
    assert.equal((await fetch(`${stack.server.url}/setup`)).status, 409)

    // A second inbox.
    await page.goto(`${stack.server.url}/settings/inboxes`)
    await page.fill('#new-inbox input[name=name]', 'Billing')
    await page.click('#new-inbox button[type=submit]')
    await page.waitForURL(/\/inbox\/[a-z0-9]+\/settings$/)
    await page.goto(`${stack.server.url}/settings/inboxes`)
    assert.equal(await page.locator('tr[id^=inbox-]').count(), 2)

    // Invite a teammate (to both inboxes: all are ticked by default).
    await page.goto(`${stack.server.url}/settings/users`)
    await page.fill('#invite input[name=email]', 'tor@fjordbikes.test')
    await page.selectOption('#invite select[name=role]', 'agent')
    await page.click('#invite button[type=submit]')
    await page.getByText('Invitation sent.').waitFor()
    await page.locator('#invitations', { hasText: 'tor@fjordbikes.test' }).waitFor()
    await page.screenshot({ path: join(resultsDir, 'setup-users.png'), fullPage: true })
    assert.deepEqual(owner.errors, [])
  } finally {
    await owner.context.close()
  }

  // The teammate follows the link from the local outbox.
  const invitation = await linkFromOutbox('tor@fjordbikes.test', 'invite')
  const teammate = await newPage()
  await teammate.page.goto(invitation)
  await teammate.page.getByRole('heading', { name: 'Join Fjord Bikes' }).waitFor()
  await teammate.page.fill('input[name=name]', 'Tor Teammate')
  await teammate.page.fill('input[name=password]', 'tor first password')
  await teammate.page.click('button[type=submit]')
  await teammate.page.waitForURL((url) => !/\/invite\//.test(url.pathname))
  await teammate.page.goto(`${stack.server.url}/me`)
  assert.equal(new URL(teammate.page.url()).pathname, '/me', 'signed in as the teammate')
  assert.ok((await teammate.page.content()).includes('Tor Teammate'))

  // Elsewhere, "Forgot password?" on the login page.
  const elsewhere = await newPage()
  await elsewhere.page.goto(`${stack.server.url}/login`)
  await elsewhere.page.getByRole('link', { name: 'Forgot password?' }).click()
  await elsewhere.page.fill('input[name=email]', 'tor@fjordbikes.test')
  await elsewhere.page.click('button[type=submit]')
  await elsewhere.page.getByText('If this address has an account').waitFor()
  const reset = await linkFromOutbox('tor@fjordbikes.test', 'reset')
  await elsewhere.page.goto(reset)
  await elsewhere.page.fill('input[name=password]', 'tor second password')
  await elsewhere.page.click('button[type=submit]')
  await elsewhere.page.waitForURL((url) => !/\/reset\//.test(url.pathname))
  await elsewhere.page.goto(`${stack.server.url}/me`)
  assert.equal(new URL(elsewhere.page.url()).pathname, '/me', 'the reset signs this browser in')

  // The teammate's earlier session is gone.
  await teammate.page.goto(`${stack.server.url}/me`)
  assert.equal(new URL(teammate.page.url()).pathname, '/login')
  // The link was single-use.
  await elsewhere.page.goto(reset)
  await elsewhere.page.getByText('This reset link has already been used.').waitFor()
  assert.deepEqual([...teammate.errors, ...elsewhere.errors], [])
  await teammate.context.close()
  await elsewhere.context.close()
})
