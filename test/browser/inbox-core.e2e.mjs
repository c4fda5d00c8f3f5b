// Browser test for the inbox core: search with a filter, bulk close, trash and restore, a message
// permalink, hiding and showing a message, and the keyboard shortcuts — in Debian's Chromium
// against the real worker.
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

const rowCount = (page) => page.locator('#conversation-rows .conversation-row').count()

test('search, then narrow by channel; the URL carries both and Exit search returns to the view', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.superAdmin)
  await page.fill('#search input[name=q]', 'order')
  await page.press('#search input[name=q]', 'Enter')
  await page.waitForSelector('.pane-header h1:has-text("Search results")')
  assert.match(page.url(), /[?&]q=order/)
  assert.ok((await rowCount(page)) >= 3, 'several conversations mention "order"')
  assert.ok((await page.locator('#conversation-rows mark').count()) > 0, 'hits are highlighted')

  await page.click('#search .filters summary')
  await page.selectOption('#search select[name=channel]', 'email')
  await page.click('#search button:has-text("Apply")')
  await page.waitForURL(/channel=email/)
  const rows = page.locator('#conversation-rows .conversation-row')
  await rows.first().waitFor()
  // The address bar can change a moment before the new list is swapped in.
  await page
    .waitForFunction(
      () => {
        const list = [...document.querySelectorAll('#conversation-rows .conversation-row')]
        return list.length > 0 && list.every((row) => row.querySelector('.channel-email'))
      },
      undefined,
      { timeout: 5000 },
    )
    .catch(() => undefined)
  const count = await rows.count()
  assert.ok(count >= 1)
  for (let index = 0; index < count; index++) {
    assert.equal(await rows.nth(index).locator('.channel-email').count(), 1, 'every row is an email')
  }
  // Reload keeps the state: the URL is the state.
  await page.reload()
  await page.waitForSelector('.pane-header h1:has-text("Search results")')
  assert.equal(await page.inputValue('#search input[name=q]'), 'order')

  await page.click('.exit-search')
  await page.waitForSelector('.pane-header h1:has-text("All open")')
  assert.doesNotMatch(page.url(), /q=/)
  assert.deepEqual(errors, [])
})

test('shift-click selects a range and one request closes them all', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.admin)
  const before = await rowCount(page)
  const boxes = page.locator('#conversation-rows .row-select')
  const ids = await Promise.all([0, 1, 2].map((index) => boxes.nth(index).getAttribute('value')))
  await boxes.nth(0).click()
  await boxes.nth(2).click({ modifiers: ['Shift'] })
  await page.waitForSelector('#bulk:not([hidden])')
  assert.equal(await page.textContent('#bulk .bulk-count'), '3 selected')
  await page.click('#bulk button[value=close]')
  await page.locator('.toast', { hasText: 'Closed 3 conversations.' }).waitFor()
  await page.waitForFunction((expected) => document.querySelectorAll('#conversation-rows .conversation-row').length === expected, before - 3)
  for (const id of ids) assert.equal(await page.locator(`#conv-row-${id}`).count(), 0)
  assert.equal(await page.isHidden('#bulk'), true)
  await page.click('summary:has-text("More")')
  await page.click('.view-link:has-text("All closed")')
  await page.waitForSelector('.pane-header h1:has-text("All closed")')
  for (const id of ids) assert.equal(await page.locator(`#conv-row-${id}`).count(), 1)
  assert.deepEqual(errors, [])
})

test('trash opens read-only with Restore; restoring brings the composer back', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.superAdmin)
  await page.locator('.conversation-row', { hasText: 'Wrong colour delivered' }).locator('.row-link').click()
  await page.waitForSelector('.thread-subject:has-text("Wrong colour delivered")')
  await page.click('#thread .thread-actions summary:has-text("More")')
  await page.click('#thread .menu-item:has-text("Move to trash")')
  await page.waitForSelector('.read-only-banner')
  // The live header (from the room) can land before the action's own response re-renders the
  // pane without the composer: wait for the pane, not the first sign.
  await page.locator('#composer').waitFor({ state: 'detached', timeout: 5000 })
  await page.click('#thread .thread-actions summary:has-text("More")')
  await page.click('#thread .menu-item:has-text("Restore")')
  await page.waitForSelector('#composer')
  await page.locator('.read-only-banner').waitFor({ state: 'detached', timeout: 5000 })
  assert.ok((await page.locator('#thread-messages .message-activity').allTextContents()).some((text) => text.includes('restored this from Trash')))
  assert.deepEqual(errors, [])
})

test('a message permalink opens the thread scrolled to the message and highlights it', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.agent)
  await page.locator('.conversation-row', { hasText: 'Bulk order for 40 headlamps' }).locator('.row-link').click()
  const message = page.locator('#thread-messages .message', { hasText: 'volume discount' })
  await message.waitFor()
  const link = await message.locator('[data-copy-link]').getAttribute('data-copy-link')
  assert.match(link, /^\/m\/\d+$/)
  await page.goto(`${stack.server.url}${link}`)
  await page.waitForURL(/#msg-\d+$/)
  const target = page.locator(`#${page.url().split('#')[1]}`)
  await target.waitFor()
  assert.equal(await target.evaluate((el) => el.classList.contains('linked')), true)
  assert.equal(await target.isVisible(), true)
  assert.deepEqual(errors, [])
})

test('hiding a message replaces it for everyone; the one who hid it can show it again', async () => {
  const ada = await stack.loggedInPage(stack.seed.logins.superAdmin)
  const linus = await stack.loggedInPage(stack.seed.logins.agent)
  for (const { page } of [ada, linus]) {
    await page.locator('.conversation-row', { hasText: 'Invoice needs our VAT number' }).locator('.row-link').click()
    await page.waitForSelector('.thread-subject:has-text("Invoice needs our VAT number")')
  }
  const secret = 'GB 123 4567 89'
  const message = ada.page.locator('#thread-messages .message', { hasText: secret })
  await message.locator('.message-menu summary').click()
  await message.locator('.menu-item:has-text("Hide message")').click()
  await ada.page.locator('#thread-messages .message', { hasText: 'Message is hidden' }).waitFor()
  await linus.page.locator('#thread-messages .message', { hasText: 'Message is hidden' }).waitFor()
  assert.equal(await linus.page.locator('#thread-messages', { hasText: secret }).count(), 0)
  // Linus did not hide it and is no super admin: no "Show message" for him.
  assert.equal(await linus.page.locator('#thread-messages .menu-item:has-text("Show message")').count(), 0)

  const hidden = ada.page.locator('#thread-messages .message', { hasText: 'Message is hidden' })
  await hidden.locator('.message-menu summary').click()
  await hidden.locator('.menu-item:has-text("Show message")').click()
  await ada.page.locator('#thread-messages .message', { hasText: secret }).waitFor()
  await linus.page.locator('#thread-messages .message', { hasText: secret }).waitFor()
  await ada.page.screenshot({ path: join(resultsDir, 'hide-unhide.png') })
  assert.deepEqual([...ada.errors, ...linus.errors], [])
})

test('keyboard: j/k move, Enter opens, a assigns to me, e closes, / searches, ? shows help', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.agent)
  // A list whose first row is known (open, Ada's, no ticket, no bot), so each key's effect is
  // the same on every run; rows of equal time can otherwise come in either order.
  await page.fill('#search input[name=q]', 'headlamps')
  await page.press('#search input[name=q]', 'Enter')
  await page.waitForSelector('#conversation-rows .conversation-row:first-child:has-text("Bulk order for 40 headlamps")')
  await page.locator('#search input[name=q]').blur()
  await page.keyboard.press('j')
  await page.keyboard.press('j')
  await page.keyboard.press('k')
  const focusedId = await page.evaluate(() => document.activeElement?.closest('.conversation-row')?.dataset.conversationId)
  const firstId = await page.locator('#conversation-rows .conversation-row').first().getAttribute('data-conversation-id')
  assert.equal(focusedId, firstId)
  await page.keyboard.press('Enter')
  await page.waitForURL(new RegExp(`/c/${firstId}`))
  await page.waitForSelector('#thread [data-owner-select]')
  // a is a no-op on a conversation that is already mine; otherwise wait for the server's
  // re-rendered thread (the select shows the choice before the server answers).
  const alreadyMine = await page.evaluate(() => {
    const owner = document.querySelector('#thread [data-owner-select]')
    owner.dataset.beforeShortcut = '1'
    return owner.value === document.body.dataset.userId
  })
  // The assignment's own response, not "no request in flight": the thread's cards and live
  // socket keep other requests coming and going.
  const assigned = alreadyMine ? null : page.waitForResponse((response) => response.url().includes('/assign') && response.request().method() === 'POST')
  await page.keyboard.press('a')
  await page.waitForFunction(() => document.querySelector('#thread [data-owner-select]')?.selectedOptions[0]?.textContent?.includes('Linus'))
  if (assigned) {
    assert.equal((await assigned).status(), 200)
    await page.waitForFunction(() => !document.querySelector('#thread [data-owner-select][data-before-shortcut]'))
  }
  await page.keyboard.press('e')
  await page.waitForSelector('#thread button:has-text("Reopen")')
  await page.keyboard.press('/')
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'q')
  await page.keyboard.press('Escape')
  await page.locator('#search input[name=q]').blur()
  await page.keyboard.press('?')
  await page.waitForSelector('#shortcut-help[open]')
  assert.match(await page.textContent('#shortcut-help'), /Assign the open conversation to me/)
  assert.deepEqual(errors, [])
})
