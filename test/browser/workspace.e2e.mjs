// Browser test for the conversation workspace's reply path, end to end against the real worker
// and the demo workspace: an agent formats a reply from the toolbar, takes a snippet from the `#`
// trigger and another from Insert → Snippet (both filled in with the contact's first name on the
// server), sends with Ctrl+Enter, and finds the same message in the thread after a reload.
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

/** What the thread shows of the sent reply: its text, its bold parts, and any placeholder left over. */
async function readMessage(message) {
  return message.evaluate((element) => ({
    text: element.innerText,
    bold: [...element.querySelectorAll('strong')].map((strong) => strong.textContent.trim()),
    paragraphs: [...element.querySelectorAll('p')].map((p) => p.innerText.trim()),
  }))
}

function assertReply(message) {
  assert.ok(message.bold.includes('today'), `the word made bold is bold: ${message.bold}`)
  assert.ok(message.bold.includes('full refund'), 'the snippet keeps its own formatting')
  assert.match(message.text, /We are on it today\. Thanks for getting in touch, Maja!/, 'the # snippet joined the line, filled in')
  assert.ok(message.paragraphs.includes('Hi Maja,'), `the Insert snippet is paragraphs of its own, filled in: ${message.paragraphs}`)
  assert.match(message.text, /Best,\s+Linus/)
  assert.doesNotMatch(message.text, /\{\{|\}\}|#thanks|there,/)
}

test('an agent writes a formatted reply with snippets and placeholders, sends it, and it is kept', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.agent)
  await page.locator('.conversation-row', { hasText: 'Order #10482 arrived damaged' }).click()
  await page.waitForSelector('.thread-subject:has-text("Order #10482 arrived damaged")')
  await page.waitForSelector('#composer .editor-area[contenteditable=true]')
  assert.equal(await page.isChecked('#composer input[name="kind"][value="message"]'), true, 'Reply is the default')
  await page.waitForFunction(() => document.querySelector('#composer input[name="to"]')?.value.includes('maja.nilsen@fjordtech.no'))
  const area = page.locator('#composer .editor-area')
  const bold = page.locator('#composer .editor-toolbar [data-command="bold"]')

  // Text, one word bold from the toolbar.
  await area.click()
  await page.keyboard.type('We are on it ')
  await bold.click()
  await page.keyboard.type('today')
  await bold.click()
  assert.equal(await bold.getAttribute('aria-pressed'), 'false')
  await page.keyboard.type('. ')

  // `#thanks` asks the real snippet endpoint; Enter takes it in place of what was typed.
  await page.keyboard.type('#thanks')
  await page.locator('.editor-popover .picker-item.is-selected', { hasText: 'Thanks' }).waitFor({ timeout: 5000 })
  await page.keyboard.press('Enter')
  await area.locator('text=Thanks for getting in touch, Maja!').waitFor()
  assert.equal(await page.locator('.editor-popover').count(), 0)

  // Insert → Snippet: the picker page with its search box; a click inserts the multi-paragraph one.
  await page.locator('#composer .editor-insert-button', { hasText: 'Snippet' }).click()
  await page.locator('.editor-popover .picker-item', { hasText: 'Refund on its way' }).click()
  await area.locator('p', { hasText: 'Hi Maja,' }).waitFor()

  const html = await page.inputValue('#composer input[name=html]')
  assert.match(html, /We are on it <strong>today<\/strong>\. Thanks for getting in touch, Maja!/)
  assert.doesNotMatch(html, /#thanks|\{\{/)

  await page.keyboard.press('Control+Enter')
  const sent = page.locator('#thread-messages .message-out .message-rich', { hasText: 'We are on it' })
  await sent.waitFor({ timeout: 10000 })
  assertReply(await readMessage(sent))
  await page.waitForFunction(() => document.querySelector('#composer .editor-area')?.textContent === '')
  await page.screenshot({ path: join(resultsDir, 'workspace-reply.png') })

  // Stored as sent: the server renders the same message after a reload, and no draft is left.
  await page.reload()
  await page.waitForSelector('#composer .editor-area[contenteditable=true]')
  const stored = page.locator('#thread-messages .message-out .message-rich', { hasText: 'We are on it' })
  await stored.waitFor()
  assert.equal(await stored.count(), 1)
  assertReply(await readMessage(stored))
  assert.equal((await area.innerText()).trim(), '')
  assert.deepEqual(errors, [])
})
