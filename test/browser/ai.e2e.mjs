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
  await page.waitForSelector('#card-feedback h3:has-text("Past feedback")')
  await page.waitForSelector('#card-ai button:has-text("Summarize conversation")')
  await page.click('#card-ai button:has-text("Summarize conversation")')
  const summary = page.locator('#card-ai .ai-summary')
  await summary.waitFor()
  assert.equal(await summary.locator('.ai-label').textContent(), 'Offline summary (extractive, no AI model)')
  assert.match(await summary.locator('.ai-summary-header').textContent(), /Chen Wei .* · Email · Open · 3 messages/)
  const lines = await summary.locator('.ai-summary-lines li').allTextContents()
  assert.ok(lines.some((line) => line.startsWith('Customer: We would like 40 units of the Beam 400 headlamp')), lines.join('\n'))
  assert.ok(lines.some((line) => /^Agent Ada: .*15% off/.test(line)), lines.join('\n'))
  assert.ok(lines.some((line) => line.includes('Can you deliver by the 15th?')), lines.join('\n'))
  await page.screenshot({ path: join(resultsDir, 'ai-summary.png') })
  assert.deepEqual(errors, [])
})
