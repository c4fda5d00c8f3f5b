// Browser test: the real worker under wrangler dev, driven in Debian's Chromium.
// An agent logs in, opens a conversation and sees a new email arrive live; a second agent on the
// same thread shows up as "also viewing", and a comment typed by one appears for the other.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { resultsDir, startStack } from './support.mjs'

let stack
let server
let seed

before(async () => {
  stack = await startStack()
  ;({ server, seed } = stack)
})

after(async () => {
  await stack?.stop()
})

const loggedInPage = (email) => stack.loggedInPage(email)

function inboundEmail(text, messageId) {
  return [
    'From: Chen Wei <chen.wei@harbourlogistics.sg>',
    'To: support@demo.switchboard.test',
    'Subject: Re: Bulk order for 40 headlamps',
    `Message-ID: <${messageId}>`,
    // The demo conversation's first message id: a reply as a mail client would thread it.
    'In-Reply-To: <demo-6-0@demo.switchboard.test>',
    `Date: ${new Date().toUTCString()}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
  ].join('\r\n')
}

test('an agent sees a new email arrive live in the open thread and at the top of the list', async () => {
  const { page, errors } = await loggedInPage(seed.logins.superAdmin)
  const row = page.locator('.conversation-row', { hasText: 'Bulk order for 40 headlamps' })
  await row.click()
  await page.waitForSelector('.thread-subject:has-text("Bulk order for 40 headlamps")')
  assert.match(page.url(), /\/inbox\/[a-z0-9]+\/open\/c\/[a-z0-9]+$/)
  // Wait for both sockets (list and thread) before the message is sent.
  await page.waitForFunction(() => document.querySelectorAll('[ws-connect]').length === 2)
  await page.waitForTimeout(300)

  const text = `Live check ${Date.now()}: can you add spare batteries?`
  const response = await fetch(`${server.url}/cdn-cgi/handler/email?from=chen.wei@harbourlogistics.sg&to=support@demo.switchboard.test`, {
    method: 'POST',
    body: inboundEmail(text, `live-${Date.now()}@harbourlogistics.sg`),
  })
  assert.equal(response.status, 200, await response.text())

  await page.locator('#thread-messages .message', { hasText: text }).waitFor({ timeout: 5000 })
  const firstRow = page.locator('#conversation-rows .conversation-row').first()
  await firstRow.locator('.row-preview', { hasText: 'Live check' }).waitFor({ timeout: 5000 })
  assert.equal(await page.locator('#thread-messages .message', { hasText: text }).count(), 1, 'the message shows exactly once')
  // The agent is looking at the thread, so the moved row is not marked unread for them.
  assert.equal(await firstRow.evaluate((el) => el.classList.contains('unread')), false)
  assert.equal(await firstRow.evaluate((el) => el.classList.contains('active')), true)
  await page.screenshot({ path: join(resultsDir, 'live-message.png') })
  assert.deepEqual(errors, [])
})

test('two agents on one thread see each other and each other’s comments', async () => {
  const ada = await loggedInPage(seed.logins.superAdmin)
  const grace = await loggedInPage(seed.logins.admin)
  for (const { page } of [ada, grace]) {
    await page.locator('.conversation-row', { hasText: 'Invoice needs our VAT number' }).click()
    await page.waitForSelector('.thread-subject:has-text("Invoice needs our VAT number")')
  }
  await ada.page.locator('#thread-viewers', { hasText: 'Also viewing: Grace Hopper' }).waitFor({ timeout: 5000 })
  await grace.page.locator('#thread-viewers', { hasText: 'Also viewing: Ada Lovelace' }).waitFor({ timeout: 5000 })

  const note = `Finance confirmed ${Date.now()}`
  // Email threads open on Reply since outbound mail; this note is internal.
  await ada.page.check('#composer input[name="kind"][value="comment"]')
  await ada.page.fill('#composer .editor-area', note)
  await ada.page.keyboard.press('Control+Enter')
  await ada.page.locator('#thread-messages .message-comment', { hasText: note }).waitFor({ timeout: 5000 })
  await grace.page.locator('#thread-messages .message-comment', { hasText: note }).waitFor({ timeout: 5000 })
  assert.equal(await ada.page.locator('#thread-messages .message', { hasText: note }).count(), 1)
  // The composer comes back empty once the post's own response is in (the room may be faster).
  await ada.page.waitForFunction(() => document.querySelector('#composer textarea')?.value === '')

  // Back and forward keep working: the URL is the state.
  await grace.page.goBack()
  await grace.page.waitForURL(/\/open$/)
  await grace.page.goForward()
  await grace.page.waitForSelector('.thread-subject:has-text("Invoice needs our VAT number")')
  assert.deepEqual([...ada.errors, ...grace.errors], [])
})

test('an email reply goes to the contact through the queue and shows Sent with its original', async () => {
  const ada = await loggedInPage(seed.logins.superAdmin)
  await ada.page.locator('.conversation-row', { hasText: 'Invoice needs our VAT number' }).click()
  await ada.page.waitForSelector('.thread-subject:has-text("Invoice needs our VAT number")')
  // The recipient fields load with the composer: To is the contact, editable.
  await ada.page.waitForFunction(() => document.querySelector('#composer input[name="to"]')?.value.includes('priya@lumen.io'))
  // The composer is compact until used: clicking into it shows the recipients.
  await ada.page.click('#composer .editor-area')
  await ada.page.click('#composer .composer-copies summary')
  await ada.page.fill('#composer input[name="cc"]', 'finance@lumen.io')
  const reply = `Our VAT number is NO 999 999 999 MVA (${Date.now()})`
  await ada.page.fill('#composer .editor-area', reply)
  await ada.page.keyboard.press('Control+Enter')
  const message = ada.page.locator('#thread-messages .message-out', { hasText: reply })
  await message.waitFor({ timeout: 5000 })
  await message.locator('.delivery-sent').waitFor({ timeout: 15000 })
  assert.match(await message.locator('.message-recipients').innerText(), /To: priya@lumen\.io · Cc: finance@lumen\.io/)
  assert.equal(await message.locator('.message-raw a').count(), 1)
  await ada.page.screenshot({ path: join(resultsDir, 'email-reply-sent.png') })
  assert.deepEqual(ada.errors, [])
})

test('a new email waits in Sent, and a conversation can be forwarded from the More menu', async () => {
  const ada = await loggedInPage(seed.logins.superAdmin)
  await ada.page.click('a.compose-link')
  await ada.page.waitForSelector('#compose-email input[name="to"]')
  const subject = `Your replacement headlamp ${Date.now()}`
  await ada.page.fill('#compose-email input[name="to"]', 'Chen Wei <chen.wei@harbourlogistics.sg>')
  await ada.page.fill('#compose-email input[name="subject"]', subject)
  await ada.page.fill('#compose-email .editor-area', 'It ships today.')
  await ada.page.click('#compose-email button[type="submit"]')
  await ada.page.waitForURL(/\/sent\/c\/[a-z2-7]{16}$/)
  await ada.page.waitForSelector(`.thread-subject:has-text("${subject}")`)
  await ada.page.locator('#thread-messages .message-out .delivery-sent').waitFor({ timeout: 15000 })

  await ada.page.click('.thread-actions summary')
  await ada.page.click('.thread-actions .menu-item:has-text("Forward")')
  // The reply composer of an email thread has a To field of its own, and the forward form only
  // replaces it when its GET answers: typing into "#composer" before then fills the reply form.
  const forwardForm = ada.page.locator('#composer.composer-forward')
  await forwardForm.locator('input[name="to"]').fill('warehouse@example.com')
  await forwardForm.locator('textarea[name="note"]').fill('Please pack it first.')
  await forwardForm.locator('button[type="submit"]').click()
  // A direct child: the re-render that marks it Sent replaces the item, it does not wrap it.
  const forward = ada.page.locator('#thread-messages > li.message-out', { hasText: 'Forwarded to warehouse@example.com' })
  await forward.locator('.delivery-sent').waitFor({ timeout: 15000 })
  await ada.page.waitForSelector('#composer input[name="kind"]')
  assert.deepEqual(ada.errors, [])
})
