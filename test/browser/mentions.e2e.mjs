// Browser test for @mentions: Ada writes an internal comment naming Grace; Grace, on her inbox
// page in another browser context, sees her bell count go up live (no reload), opens the
// notification and lands on the conversation scrolled to that comment, highlighted.
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

test('a mention in a comment notifies the teammate live, and the notification opens the message', async () => {
  const ada = await stack.loggedInPage(stack.seed.logins.superAdmin)
  const grace = await stack.loggedInPage(stack.seed.logins.admin)

  // Grace waits on her inbox: the bell has loaded and her list's socket is open.
  await grace.page.waitForSelector('#notification-bell summary')
  await grace.page.waitForSelector('.list-inner[data-live]')
  const before = Number(await grace.page.getAttribute('#notification-count', 'data-count'))

  await ada.page.locator('.conversation-row', { hasText: 'Bulk order for 40 headlamps' }).click()
  await ada.page.waitForSelector('.thread-subject:has-text("Bulk order for 40 headlamps")')
  await ada.page.check('#composer input[name="kind"][value="comment"]')
  const stamp = `Mention check ${Date.now()}:`
  const editor = ada.page.locator('#composer .editor-area[contenteditable=true]')
  const hasEditor = await editor.waitFor({ timeout: 1500 }).then(
    () => true,
    () => false,
  )
  if (hasEditor) {
    // The rich editor: `@` opens the teammate picker (GET /conversations/:id/mentions?q=gra).
    await editor.click()
    await ada.page.keyboard.type(`${stamp} `)
    await ada.page.keyboard.type('@gra')
    await ada.page.locator('.editor-popover .picker-item', { hasText: 'Grace Hopper' }).waitFor({ timeout: 5000 })
    await ada.page.keyboard.press('Enter')
    await editor.locator('.mention[data-user-id]').waitFor()
    await ada.page.keyboard.type('can you approve the discount?')
  } else {
    // The plain composer: `@Full Name` in text is a mention too.
    await ada.page.fill('#composer textarea', `${stamp} @Grace Hopper can you approve the discount?`)
  }
  await ada.page.keyboard.press('Control+Enter')
  const comment = ada.page.locator('#thread-messages .message-comment', { hasText: 'Mention check' })
  await comment.waitFor({ timeout: 5000 })
  assert.equal(await comment.locator('.mention').first().textContent(), '@Grace Hopper', 'the mention is highlighted')
  assert.equal(await comment.locator('.chip-comment').textContent(), 'Internal comment')
  const messageId = (await comment.getAttribute('id')).replace('msg-', '')

  // Live: the count goes up on Grace's page without a reload, and the list has the comment.
  const gracePage = grace.page
  const urlBefore = gracePage.url()
  await gracePage.waitForFunction((n) => Number(document.querySelector('#notification-count')?.dataset.count) === n + 1, before, { timeout: 5000 })
  assert.equal(gracePage.url(), urlBefore, 'no navigation happened')
  assert.equal(await gracePage.isVisible('#notification-count'), true)

  await gracePage.click('#notification-bell summary')
  const item = gracePage.locator('#notification-list .notification.unread', { hasText: 'Mention check' })
  await item.waitFor({ state: 'visible' })
  assert.match(await item.textContent(), /Ada Lovelace mentioned you in Bulk order for 40 headlamps/)
  await gracePage.screenshot({ path: join(resultsDir, 'mention-bell.png') })

  await item.locator('a').click()
  await gracePage.waitForURL(new RegExp(`/c/[a-z0-9]+#msg-${messageId}$`))
  const target = gracePage.locator(`#msg-${messageId}`)
  await target.waitFor()
  await gracePage.waitForFunction((id) => document.getElementById(`msg-${id}`)?.classList.contains('linked'), messageId)
  const inView = await target.evaluate((el) => {
    const box = el.getBoundingClientRect()
    return box.top < window.innerHeight && box.bottom > 0
  })
  assert.equal(inView, true, 'the comment is scrolled into view')
  // Opened means read: the badge is back where it was.
  await gracePage.waitForFunction((n) => Number(document.querySelector('#notification-count')?.dataset.count) === n, before, { timeout: 5000 })
  await gracePage.screenshot({ path: join(resultsDir, 'mention-opened.png') })
  assert.deepEqual([...ada.errors, ...grace.errors], [])
})
