// Browser test for live chat: a visitor on the widget demo page chats with an agent in the
// inbox; both see each other's messages and typing, and the agent sees a second agent viewing.
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

test('a visitor and an agent chat live, with typing, and a second agent shows as viewing', async () => {
  const visitorContext = await stack.browser.newContext({ viewport: { width: 1200, height: 800 } })
  const visitor = await visitorContext.newPage()
  const visitorErrors = []
  visitor.on('pageerror', (error) => visitorErrors.push(error.message))
  await visitor.goto(`${stack.server.url}/widget/demo`)
  const widget = visitor.locator('[data-switchboard-widget]')
  await widget.locator('.launcher').click()
  await widget.locator('.prechat input[name=name]').fill('Nora Visitor')
  await widget.locator('.prechat button[type=submit]').click()
  const opening = `Hello from the widget ${Date.now()}`
  await widget.locator('.composer textarea').fill(opening)
  await widget.locator('.composer textarea').press('Enter')
  await widget.locator('.message.from-visitor .time:not(:has-text("Sending"))', { hasText: /\d/ }).first().waitFor()

  const ada = await stack.loggedInPage(stack.seed.logins.superAdmin)
  await ada.page.click('.view-link:has-text("Chat")')
  const row = ada.page.locator('.conversation-row', { hasText: opening })
  await row.waitFor()
  await row.locator('.row-link').click()
  await ada.page.locator('#thread-messages .message', { hasText: opening }).waitFor()
  await ada.page.waitForSelector('.thread-layout[data-live]')

  // Agent types: the visitor sees it; the visitor types: the agent sees it.
  await ada.page.locator('#composer .editor-area').pressSequentially('On my')
  await widget.locator('.typing', { hasText: 'Ada is typing' }).waitFor()
  await widget.locator('.composer textarea').pressSequentially('one more')
  await ada.page.locator('#thread-typing', { hasText: 'Nora Visitor is typing' }).waitFor()

  const reply = `Happy to help! ${Date.now()}`
  await ada.page.fill('#composer .editor-area', reply)
  await ada.page.keyboard.press('Control+Enter')
  await widget.locator('.message.from-agent', { hasText: reply }).waitFor()
  assert.equal(await widget.locator('.message.from-agent', { hasText: reply }).count(), 1)

  const followUp = `Thanks a lot ${Date.now()}`
  await widget.locator('.composer textarea').fill(followUp)
  await widget.locator('.composer textarea').press('Enter')
  await ada.page.locator('#thread-messages .message', { hasText: followUp }).waitFor()
  assert.equal(await ada.page.locator('#thread-messages .message', { hasText: followUp }).count(), 1)
  assert.equal(await widget.locator('.message', { hasText: followUp }).count(), 1, 'the visitor sees their message once')

  const grace = await stack.loggedInPage(stack.seed.logins.admin)
  await grace.page.click('.view-link:has-text("Chat")')
  await grace.page.locator('.conversation-row', { hasText: followUp }).locator('.row-link').click()
  await ada.page.locator('#thread-viewers', { hasText: 'Also viewing: Grace Hopper' }).waitFor()

  // A reload of the widget page shows the same conversation (the signed token in localStorage).
  await visitor.reload()
  await widget.locator('.launcher').click()
  await widget.locator('.message', { hasText: reply }).waitFor()
  await visitor.screenshot({ path: join(resultsDir, 'widget.png') })
  await ada.page.screenshot({ path: join(resultsDir, 'chat-agent.png') })
  assert.deepEqual([...visitorErrors, ...ada.errors, ...grace.errors], [])
})
