// Browser test for AI assist and Past feedback: open a conversation, the sidebar's lazy cards
// load, "Summarize conversation" shows the labelled offline summary — in Debian's Chromium
// against the real worker (no AI binding locally, so the offline provider answers).
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

test('summarising a conversation shows the offline summary, labelled as such, in the sidebar', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.superAdmin)
  await page.locator('.conversation-row', { hasText: 'Bulk order for 40 headlamps' }).locator('.row-link').click()
  await page.waitForSelector('.thread-subject:has-text("Bulk order for 40 headlamps")')
  // Both lazy cards replace their placeholders.
  await page.waitForSelector('#card-feedback h2:has-text("Past feedback")')
  await page.waitForSelector('#card-ai button:has-text("Summarize conversation")')
  await page.click('#card-ai button:has-text("Summarize conversation")')
  const summary = page.locator('#card-ai .ai-summary')
  await summary.waitFor()
  assert.equal(await summary.locator('.ai-label').textContent(), 'Offline summary (extractive, no AI model)')
  assert.match(await summary.locator('.ai-summary-header').textContent(), /Chen Wei .* · Email · Open · 3 messages/)
  const lines = await summary.locator('.ai-summary-lines li').allTextContents()
  assert.ok(
    lines.some((line) => line.startsWith('Customer: We would like 40 units of the Beam 400 headlamp')),
    lines.join('\n'),
  )
  assert.ok(
    lines.some((line) => /^Agent Ada: .*15% off/.test(line)),
    lines.join('\n'),
  )
  assert.ok(
    lines.some((line) => line.includes('Can you deliver by the 15th?')),
    lines.join('\n'),
  )
  await page.screenshot({ path: join(resultsDir, 'ai-summary.png') })
  assert.deepEqual(errors, [])
})

test('closing a chat shows the survey in the visitor’s widget; the answer appears in Past feedback', async () => {
  const visitorContext = await stack.browser.newContext({ viewport: { width: 1200, height: 800 } })
  const visitor = await visitorContext.newPage()
  const visitorErrors = []
  visitor.on('pageerror', (error) => visitorErrors.push(error.message))
  await visitor.goto(`${stack.server.url}/widget/demo`)
  const widget = visitor.locator('[data-switchboard-widget]')
  await widget.locator('.launcher').click()
  await widget.locator('.prechat input[name=name]').fill('Sven Survey')
  await widget.locator('.prechat button[type=submit]').click()
  const opening = `Can I return a tent I used once? ${Date.now()}`
  await widget.locator('.composer textarea').fill(opening)
  await widget.locator('.composer textarea').press('Enter')
  await widget.locator('.message.from-visitor .time:not(:has-text("Sending"))', { hasText: /\d/ }).first().waitFor()

  const { page, errors } = await stack.loggedInPage(stack.seed.logins.superAdmin)
  await page.click('.view-link:has-text("Chat")')
  await page.locator('.conversation-row', { hasText: opening }).locator('.row-link').click()
  await page.locator('#thread-messages .message', { hasText: opening }).waitFor()
  const threadUrl = page.url()
  await page.click('#thread .thread-controls button:has-text("Close")')

  const survey = widget.locator('.survey')
  await survey.waitFor()
  assert.equal(await survey.locator('.survey-question').textContent(), 'How satisfied were you with our help?')
  await survey.locator('.survey-score', { hasText: '4' }).click()
  await survey.locator('textarea').fill('Quick and <b>kind</b>')
  await survey.locator('button:has-text("Send feedback")').click()
  await widget.locator('.survey-thanks', { hasText: 'Thank you for your feedback!' }).waitFor()

  await page.goto(threadUrl)
  const card = page.locator('#card-feedback')
  await card.locator('.feedback-entry', { hasText: '4/5' }).waitFor()
  assert.equal(await card.locator('.feedback-comment').textContent(), 'Quick and <b>kind</b>')
  assert.match(await card.locator('.feedback-average').textContent(), /Average 4\.0 of 5 \(1 answer\)/)
  await visitor.screenshot({ path: join(resultsDir, 'widget-survey.png') })
  assert.deepEqual([...visitorErrors, ...errors], [])
  await visitorContext.close()
})
