// Browser test of a new install, from an EMPTY database (no demo seed): the first visitor sets the
// workspace up, creates a second inbox, connects Email to it (a mail through the local Email
// Routing endpoint appears live and is answered) and Chat (the widget from its embed code, on a
// test page served from another origin, starts a conversation that appears live), and invites a
// teammate; the teammate opens the invitation from the local outbox (/dev/outbox), sets a password
// and is signed in; then "Forgot password?" mails a reset link, and using it ends the teammate's
// earlier session.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { assertNoAxeViolations, resultsDir, startStack } from './support.mjs'

let stack
/** A customer's website on another origin: it serves whatever embed code the test puts here. */
let site
let siteHtml = '<!doctype html><title>Empty</title>'

before(async () => {
  stack = await startStack({ empty: true })
  site = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
    response.end(siteHtml)
  })
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve))
})

after(async () => {
  await stack?.stop()
  site?.close()
})

const siteOrigin = () => `http://127.0.0.1:${site.address().port}`

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

async function newPage({ bypassCSP = false } = {}) {
  // bypassCSP only where axe-core is injected (the page's CSP rightly forbids that).
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP })
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('dialog', (dialog) => dialog.accept())
  return { context, page, errors }
}

test('a new team sets Switchboard up, connects email and chat, invites a teammate, and the teammate resets their password', async () => {
  const owner = await newPage({ bypassCSP: true })
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
    assert.match(await page.getByRole('link', { name: 'Choose a channel' }).getAttribute('href'), /^\/inbox\/[a-z0-9]+\/settings\/connect$/)
    // A second setup is refused.
    assert.equal((await fetch(`${stack.server.url}/setup`)).status, 409)

    // A second inbox.
    await page.goto(`${stack.server.url}/settings/inboxes`)
    await page.fill('#new-inbox input[name=name]', 'Billing')
    await page.click('#new-inbox button[type=submit]')
    await page.waitForURL(/\/inbox\/[a-z0-9]+\/settings$/)
    const billingId = /\/inbox\/([a-z0-9]+)\/settings$/.exec(page.url())[1]

    // Connect Email: the list of every channel, then the email form.
    await page.getByRole('link', { name: 'Connect a channel' }).click()
    await page.getByRole('heading', { name: 'Connect a channel to Billing' }).waitFor()
    for (const name of ['Email', 'Live chat', 'Facebook Messenger', 'Forms', 'Calls', 'SMS']) await page.getByRole('link', { name }).waitFor()
    await assertNoAxeViolations(page, 'the channel list')
    await page.screenshot({ path: join(resultsDir, 'setup-connect.png'), fullPage: true })
    await page.getByRole('link', { name: 'Email' }).click()
    // Bad input loses nothing: a malformed address is refused next to the field, the name kept.
    await page.fill('#new-name', 'Billing mail')
    await page.fill('#new-field-addresses', 'billing at fjordbikes')
    await page.click('#new-channel button[type=submit]')
    await page.locator('#new-error-addresses', { hasText: 'is not a valid email address' }).waitFor()
    assert.equal(await page.inputValue('#new-name'), 'Billing mail')
    await page.fill('#new-field-addresses', 'billing@fjordbikes.test')
    await page.click('#new-channel button[type=submit]')
    await page.waitForURL(/\/channels-settings\/[A-Za-z0-9_-]+\?connected=1$/)
    await page.getByText('Custom addresses → Create address: billing@fjordbikes.test').waitFor()
    await page.getByText('The SEND_EMAIL binding is configured').waitFor()
    await assertNoAxeViolations(page, 'the email channel page')
    // The test email runs the real inbound path and says where it landed.
    await page.getByRole('button', { name: 'Send a test email' }).click()
    await page.getByText('The test email landed in Billing.').waitFor()
    await page.screenshot({ path: join(resultsDir, 'setup-email-channel.png'), fullPage: true })

    // A mail to the address through the local Email Routing endpoint appears live.
    await page.goto(`${stack.server.url}/inbox/${billingId}/open`)
    await page.waitForSelector('html[data-ready]')
    await page.waitForFunction(() => document.querySelectorAll('[ws-connect]').length >= 1)
    await page.waitForTimeout(300)
    const subject = `Invoice 4411 ${Date.now()}`
    const mail = [
      'From: Kari Kunde <kari@example.no>',
      'To: billing@fjordbikes.test',
      `Subject: ${subject}`,
      `Message-ID: <setup-${Date.now()}@example.no>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hei! Kan dere sende fakturaen på nytt?',
    ].join('\r\n')
    const routed = await fetch(`${stack.server.url}/cdn-cgi/handler/email?from=kari@example.no&to=billing@fjordbikes.test`, { method: 'POST', body: mail })
    assert.equal(routed.status, 200, await routed.text())
    const row = page.locator('.conversation-row', { hasText: subject })
    await row.waitFor({ timeout: 10_000 })
    // Reply.
    await row.locator('.row-link').click()
    await page.waitForSelector(`.thread-subject:has-text("${subject}")`)
    await page.waitForFunction(() => document.querySelector('#composer input[name="to"]')?.value.includes('kari@example.no'))
    await page.click('#composer .editor-area')
    const reply = `Here it is again (${Date.now()})`
    await page.fill('#composer .editor-area', reply)
    await page.keyboard.press('Control+Enter')
    await page.locator('#thread-messages .message-out', { hasText: reply }).locator('.delivery-sent').waitFor({ timeout: 15_000 })

    // Connect Chat for a site on another origin; its embed code on that site starts a conversation.
    await page.goto(`${stack.server.url}/inbox/${billingId}/settings/connect/chat`)
    await page.fill('#new-field-allowedOrigins', siteOrigin())
    await page.click('#new-channel button[type=submit]')
    await page.waitForURL(/\/channels-settings\/[A-Za-z0-9_-]+\?connected=1$/)
    const snippet = await page.locator('#embed-snippet').innerText()
    assert.match(snippet, new RegExp(`^<script src="${stack.server.url}/widget\\.js" data-channel="[A-Za-z0-9_-]+" async`))
    await page.getByRole('button', { name: 'Copy' }).waitFor()
    await page.screenshot({ path: join(resultsDir, 'setup-chat-channel.png'), fullPage: true })
    siteHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fjord Bikes</title></head><body><h1>Fjord Bikes</h1>${snippet}</body></html>`
    await page.goto(`${stack.server.url}/inbox/${billingId}/open`)
    await page.waitForSelector('html[data-ready]')
    await page.waitForTimeout(300)
    const visitor = await newPage()
    await visitor.page.goto(siteOrigin())
    const widget = visitor.page.locator('[data-switchboard-widget]')
    await widget.locator('.launcher').click()
    await widget.locator('.prechat input[name=name]').fill('Vera Visitor')
    await widget.locator('.prechat button[type=submit]').click()
    const hello = `Do you rent e-bikes? ${Date.now()}`
    await widget.locator('.composer textarea').fill(hello)
    await widget.locator('.composer textarea').press('Enter')
    await page.locator('.conversation-row', { hasText: hello }).waitFor({ timeout: 10_000 })
    assert.deepEqual(visitor.errors, [])
    await visitor.context.close()

    // The inbox's settings list both channels with their forms; the forms builder draws its fields.
    await page.goto(`${stack.server.url}/inbox/${billingId}/settings`)
    assert.equal(await page.locator('form[id^=channel-]').count(), 2)
    await assertNoAxeViolations(page, 'the inbox settings with two channels')
    await page.goto(`${stack.server.url}/inbox/${billingId}/settings/connect/forms`)
    await page.getByRole('group', { name: 'Form fields' }).waitFor()
    await assertNoAxeViolations(page, 'the forms builder')
    await page.screenshot({ path: join(resultsDir, 'setup-forms-builder.png'), fullPage: true })

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
