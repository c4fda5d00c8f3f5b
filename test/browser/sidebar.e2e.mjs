// Browser test for the contact sidebar: lazy cards, creating a ticket (its name appears in the
// header) and a deal from the sidebar, collapsing the panes (remembered across a reload), and
// removing the contact from a thread — in Debian's Chromium against the real worker.
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

test('create a ticket and a deal from the sidebar, collapse the panes, remove the contact', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.admin)
  await page.click('.conversation-row:has-text("Warranty claim: hiking boots") a.row-link')
  await page.waitForSelector('.thread-subject:has-text("Warranty claim: hiking boots")')
  // Cards load themselves after the thread.
  await page.waitForSelector('#card-contact .contact-name:has-text("Alicia Gómez")')
  await page.waitForSelector('#card-about dt:has-text("Email")')

  // A ticket: the form defaults to the subject; once created the header links to it.
  await page.click('#card-ticket summary:has-text("Create ticket")')
  const ticketName = `Boots sole claim ${Date.now()}`
  await page.fill('#card-ticket input[name="name"]', ticketName)
  await page.selectOption('#card-ticket select[name="priority"]', 'high')
  await page.fill('#card-ticket textarea[name="description"]', 'Sole separating at the toe.')
  await page.click('#card-ticket button[type="submit"]')
  await page.waitForSelector(`#thread-ticket-link:has-text("${ticketName}")`)
  await page.waitForSelector(`#card-ticket .ticket-name:has-text("${ticketName}")`)
  // "View more" opens the panel with its own properties; Escape closes it.
  await page.click('#card-ticket .view-more')
  await page.waitForSelector('#ticket-panel dt:has-text("Description")')
  await page.keyboard.press('Escape')
  await page.waitForSelector('#ticket-panel', { state: 'detached' })
  // Close now asks whether the ticket closes too.
  await page.click('#thread .close-menu summary')
  await page.waitForSelector('#thread .close-menu .menu-item:has-text("Close conversation and ticket")')
  await page.click('#thread .close-menu summary')

  // A deal, typed the Norwegian way.
  await page.click('#card-deals summary:has-text("Create deal")')
  await page.fill('#card-deals input[name="name"]', 'Team boots order')
  await page.fill('#card-deals input[name="amount"]', '1 234,50')
  await page.selectOption('#card-deals select[name="currency"]', 'USD')
  await page.selectOption('#card-deals form select[name="stage"]', 'qualified')
  await page.click('#card-deals button[type="submit"]')
  await page.waitForSelector('#card-deals .deal-name:has-text("Team boots order")')
  assert.equal(await page.textContent('#card-deals .deal-item:has-text("Team boots order") .deal-amount'), '$1,234.50')

  // Inline edit by keyboard: the value becomes an input, Enter saves, focus returns to the value.
  await page.focus('#card-about .prop-value[data-property="job_title"]')
  await page.keyboard.press('Enter')
  await page.waitForSelector('#card-about input[name="value"]:focus')
  await page.keyboard.type('Trail runner')
  await page.keyboard.press('Enter')
  await page.waitForSelector('#card-about .prop-value[data-property="job_title"]:has-text("Trail runner")')
  await page.waitForFunction(() => document.activeElement?.dataset?.property === 'job_title')

  // Collapse the contact sidebar and the navigation; a reload remembers both.
  await page.click('[data-toggle-pane="right"]')
  await page.waitForSelector('#contact-pane', { state: 'hidden' })
  assert.equal(await page.getAttribute('[data-toggle-pane="right"]', 'aria-expanded'), 'false')
  await page.click('[data-toggle-pane="left"]')
  await page.waitForSelector('#nav-pane .view-link', { state: 'hidden' })
  await page.reload()
  await page.waitForSelector('html[data-ready]')
  await page.waitForSelector('.thread-subject:has-text("Warranty claim: hiking boots")')
  assert.equal(await page.isVisible('#contact-pane'), false)
  assert.equal(await page.isVisible('#nav-pane .view-link'), false)
  // Keyboard: the toggles are buttons.
  await page.focus('[data-toggle-pane="right"]')
  await page.keyboard.press('Enter')
  await page.waitForSelector('#contact-pane', { state: 'visible' })
  await page.focus('[data-toggle-pane="left"]')
  await page.keyboard.press(' ')
  await page.waitForSelector('#nav-pane .view-link', { state: 'visible' })

  // At 1100 px the thread keeps its width: the contact pane folds away until asked for.
  await page.evaluate(() => localStorage.removeItem('switchboard:pane:right'))
  await page.setViewportSize({ width: 1100, height: 800 })
  await page.reload()
  await page.waitForSelector('.thread-subject:has-text("Warranty claim: hiking boots")')
  assert.equal(await page.isVisible('#contact-pane'), false)
  const threadWidth = await page.evaluate(() => document.querySelector('.thread').getBoundingClientRect().width)
  assert.ok(threadWidth >= 500, `thread is ${threadWidth}px wide`)
  await page.click('[data-toggle-pane="right"]')
  await page.waitForSelector('#card-contact .contact-name')
  await page.setViewportSize({ width: 1440, height: 900 })

  // Remove the contact (the confirm dialog is accepted): the card offers to add one.
  await page.click('#card-contact .remove-contact')
  await page.waitForSelector('#card-contact:has-text("No contact")')
  await page.waitForSelector('#card-contact summary:has-text("Add contact")')
  await page.screenshot({ path: join(resultsDir, 'sidebar.png') })
  assert.deepEqual(errors, [])
})
