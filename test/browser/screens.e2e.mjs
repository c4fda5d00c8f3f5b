// Browser test for the agent's screen at three sizes (laptop 1280×800, small laptop or tablet
// 1024×768, phone 390×844): reading a thread, replying, the sidebar and the list, measured with
// element boxes (nothing overlaps, nothing is cut off, every control reachable); axe-core on every
// page an agent or visitor uses; and the inbox's rough edges, each reproduced as the user met it.
// In Debian's Chromium against the real worker.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { assertNoAxeViolations, resultsDir, startStack } from './support.mjs'

let stack

before(async () => {
  stack = await startStack()
})

after(async () => {
  await stack?.stop()
})

const sizes = [
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'tablet', width: 1024, height: 768 },
  { name: 'phone', width: 390, height: 844 },
]

/** Counts htmx:oobErrorNoTarget on the page (a live update with nowhere to go). */
async function countOobErrors(page) {
  await page.evaluate(() => {
    window.oobErrors = 0
    document.addEventListener('htmx:oobErrorNoTarget', () => window.oobErrors++)
  })
}

async function box(page, selector) {
  const found = await page.locator(selector).first().boundingBox()
  assert.ok(found, `${selector} has a box on screen`)
  return found
}

const intersects = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

/** Every visible control inside `scope` lies within the viewport's width (vertical scrolling is fine). */
async function assertControlsWithinWidth(page, scope) {
  const outside = await page.evaluate((scope) => {
    const width = document.documentElement.clientWidth
    return [...document.querySelectorAll(`${scope} :is(a[href], button, select, input:not([type=hidden]), summary, textarea, [contenteditable=true])`)]
      .filter((element) => element.checkVisibility({ visibilityProperty: true }) && element.getBoundingClientRect().width > 0)
      .filter((element) => {
        const rect = element.getBoundingClientRect()
        // Inside a scrolled-away part of a horizontally scrolling box the control is reachable.
        return rect.left < -1 || rect.right > width + 1
      })
      .map((element) => `${element.tagName.toLowerCase()}.${element.className} "${element.textContent.trim().slice(0, 30)}"`)
  }, scope)
  assert.deepEqual(outside, [], `controls cut off at the side in ${scope}`)
}

async function assertNoHorizontalScroll(page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }))
  assert.ok(scrollWidth <= clientWidth, `the page scrolls sideways (${scrollWidth} > ${clientWidth})`)
}

for (const size of sizes) {
  test(`at ${size.width}×${size.height} (${size.name}) an agent reads a thread, replies, opens the sidebar and the list, and nothing overlaps or is cut off`, async () => {
    const { page, errors } = await stack.loggedInPage(stack.seed.logins.admin, { viewport: { width: size.width, height: size.height } })
    await countOobErrors(page)
    const viewport = { width: size.width, height: size.height }

    // The list: its rows start inside the screen and the list scrolls within it.
    await assertNoHorizontalScroll(page)
    const rows = await box(page, '#conversation-rows')
    assert.ok(rows.x >= 0 && rows.x + rows.width <= viewport.width + 1, 'the list fits the width')
    assert.ok(rows.y + rows.height <= viewport.height + 1, 'the list ends inside the screen (it scrolls itself)')
    const firstRow = await box(page, '.conversation-row')
    assert.ok(firstRow.height <= 80, `a row is compact (${firstRow.height}px)`)
    assert.ok(Math.floor(rows.height / firstRow.height) >= 7, 'the list shows at least seven rows')
    await assertControlsWithinWidth(page, '#list')

    // The navigation: beside the list on a wide screen only; here it slides over from ☰.
    assert.equal(await page.isVisible('#nav-pane .view-link'), false, 'the navigation waits behind ☰')
    await page.click('#list .nav-toggle')
    await page.waitForSelector('#nav-pane .view-link', { state: 'visible' })
    assert.equal(await page.getAttribute('#list .nav-toggle', 'aria-expanded'), 'true')
    await assertControlsWithinWidth(page, '#nav-pane')
    await page.keyboard.press('Escape')
    await page.waitForSelector('#nav-pane .view-link', { state: 'hidden' })
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('nav-toggle')), true, 'Escape returns the focus to ☰')

    // Reading a thread.
    await page.click('.conversation-row:has-text("Warranty claim: hiking boots") a.row-link')
    await page.waitForSelector('.thread-subject:has-text("Warranty claim: hiking boots")')
    await page.waitForSelector('#card-contact .contact-name', { state: 'attached' })
    await assertNoHorizontalScroll(page)
    if (size.name === 'phone') {
      assert.equal(await page.isVisible('#list'), false, 'a phone shows one pane: the thread')
      assert.equal(await page.isVisible('#thread .back-to-list'), true)
    } else {
      assert.equal(await page.isVisible('#list'), true)
      assert.equal(await page.isVisible('#thread .back-to-list'), false)
    }
    const title = await box(page, '.thread-subject')
    const owner = await box(page, '#thread .owner')
    assert.equal(intersects(title, owner), false, 'the title and the Owner control do not overlap')
    for (const control of ['#thread .owner select', '#thread .thread-controls .button', '#thread .thread-controls .pane-toggle']) {
      assert.equal(intersects(title, await box(page, control)), false, `the title and ${control} do not overlap`)
    }
    // A thread opens at its newest message (the demo's warranty claim, a long form, no longer fits
    // whole on a tablet): that one is in full view, between the header and the composer.
    const message = await page.locator('#thread-messages .message').last().boundingBox()
    assert.ok(message, 'the newest message has a box on screen')
    const header = await box(page, '#thread-header')
    let composer = await box(page, '#composer')
    assert.ok(composer.y + composer.height <= viewport.height + 1, 'the composer is inside the screen')
    assert.ok(composer.height <= viewport.height * 0.25, `an unused composer is compact (${composer.height}px)`)
    assert.ok(message.y >= header.y + header.height - 1, 'the header does not cover the newest message')
    assert.ok(message.y + message.height <= composer.y + 1, 'the composer does not cover the message')
    await assertControlsWithinWidth(page, '#thread .thread')

    // Replying: the composer opens its toolbar when used, and still leaves the thread in sight.
    await page.click('#composer .editor-area')
    await page.waitForSelector('#composer .editor-toolbar', { state: 'visible' })
    composer = await box(page, '#composer')
    assert.ok(composer.height <= viewport.height * 0.5, `the open composer leaves room for the thread (${composer.height}px)`)
    assert.ok(composer.y + composer.height <= viewport.height + 1, 'the open composer is inside the screen')
    await assertControlsWithinWidth(page, '#composer')
    const note = `Checked the photos at ${size.width} px ${Date.now()}`
    await page.keyboard.type(note)
    await page.click('#composer button[type=submit]')
    await page.waitForSelector(`#thread-messages .message:has-text("${note}")`)
    const sent = await box(page, `#thread-messages .message:has-text("${note}")`)
    composer = await box(page, '#composer')
    assert.ok(sent.y + sent.height <= composer.y + 1, 'the new message shows above the composer')

    // The contact sidebar: beside the thread on a laptop, sliding over on smaller screens.
    if (size.name === 'laptop') {
      assert.equal(await page.isVisible('#contact-pane'), true)
      assert.equal(intersects(await box(page, '#contact-pane'), await box(page, '#thread .thread')), false, 'the sidebar stands beside the thread')
    } else {
      assert.equal(await page.isVisible('#contact-pane'), false, 'the sidebar waits behind ◨')
      await page.click('#thread-header [data-toggle-pane="right"]')
      await page.waitForSelector('#contact-pane', { state: 'visible' })
      assert.equal(await page.getAttribute('#thread-header [data-toggle-pane="right"]', 'aria-expanded'), 'true')
    }
    const pane = await box(page, '#contact-pane')
    assert.ok(
      pane.x >= 0 && pane.x + pane.width <= viewport.width + 1 && pane.y >= 0 && pane.y + pane.height <= viewport.height + 1,
      'the sidebar is inside the screen',
    )
    await page.waitForSelector('#card-about dt:has-text("Email")')
    await assertControlsWithinWidth(page, '#contact-pane')
    // A value breaks between words, never inside one ("Office manage/r").
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('#card-about dd')).overflowWrap), 'break-word')
    if (size.name === 'tablet') {
      await page.keyboard.press('Escape')
      await page.waitForSelector('#contact-pane', { state: 'hidden' })
    } else if (size.name === 'phone') {
      // The pane covers the whole screen: its own close button (not the contact's remove ×).
      await page.click('#contact-pane .pane-close')
      await page.waitForSelector('#contact-pane', { state: 'hidden' })
      assert.equal(await page.evaluate(() => document.activeElement?.matches('#thread-header [data-toggle-pane="right"]')), true, 'the focus returns to ◨')
    }

    // Back to the list: on a phone by the arrow, the list is the one pane again.
    if (size.name === 'phone') {
      await page.click('#thread .back-to-list')
      await page.waitForSelector('#conversation-rows .conversation-row')
      await page.waitForSelector('html[data-ready]')
      assert.equal(await page.isVisible('#list'), true)
      assert.equal(await page.isVisible('#thread'), false)
      await assertNoHorizontalScroll(page)
    }
    await page.screenshot({ path: join(resultsDir, `screens-${size.width}.png`) })
    assert.equal(await page.evaluate(() => window.oobErrors ?? 0), 0)
    assert.deepEqual(errors, [])
    await page.context().close()
  })
}

test('every control is reachable by keyboard with a visible focus, on a phone too', async () => {
  const { page } = await stack.loggedInPage(stack.seed.logins.admin, { viewport: { width: 390, height: 844 } })
  // Tab from the top: the first stops are the list's own controls, each with a visible outline.
  await page.keyboard.press('Tab')
  const first = await page.evaluate(() => {
    const element = document.activeElement
    const style = getComputedStyle(element)
    return { nav: element.classList.contains('nav-toggle'), outline: style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0 }
  })
  assert.deepEqual(first, { nav: true, outline: true }, 'the first Tab lands on ☰ with a visible focus ring')
  // The hidden navigation takes no Tab stops until it is opened.
  const hiddenStops = await page.evaluate(
    () => [...document.querySelectorAll('#nav-pane a, #nav-pane button')].filter((element) => element.checkVisibility({ visibilityProperty: true })).length,
  )
  assert.equal(hiddenStops, 0)
  await page.keyboard.press('Enter')
  await page.waitForSelector('#nav-pane .view-link', { state: 'visible' })
  assert.equal(
    await page.evaluate(() => document.getElementById('nav-pane').contains(document.activeElement)),
    true,
    'opening ☰ moves the focus into the navigation',
  )
  await page.keyboard.press('Escape')
  // j opens nothing by itself; Enter on a focused row opens it in the one pane.
  await page.keyboard.press('j')
  await page.keyboard.press('Enter')
  await page.waitForSelector('#thread .thread-subject')
  await page.waitForSelector('#thread .back-to-list', { state: 'visible' })
  await page.focus('#thread .back-to-list')
  const back = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle)
  assert.notEqual(back, 'none', 'the back arrow shows its focus')
  await page.context().close()
})

test('axe-core finds no violation on login, the list, a thread with its sidebar, settings, a contact record and the widget', async () => {
  const anonymous = await stack.browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true })
  const login = await anonymous.newPage()
  await login.goto(`${stack.server.url}/login`)
  await assertNoAxeViolations(login, 'the login page')
  await login.goto(`${stack.server.url}/widget/demo`)
  await login.locator('[data-switchboard-widget] .launcher').click()
  await login.waitForSelector('[data-switchboard-widget] .prechat input[name=name]')
  await assertNoAxeViolations(login, 'the widget page (open)')
  await anonymous.close()

  const { page } = await stack.loggedInPage(stack.seed.logins.admin, { bypassCSP: true })
  await assertNoAxeViolations(page, 'the inbox list')
  await page.click('.conversation-row:has-text("Warranty claim: hiking boots") a.row-link')
  await page.waitForSelector('#card-contact .contact-name')
  await page.waitForFunction(() => document.querySelectorAll('#contact-pane .card-loading').length === 0)
  await assertNoAxeViolations(page, 'a thread with its sidebar')
  await page.click('#composer .editor-area')
  await page.waitForSelector('#composer .editor-toolbar', { state: 'visible' })
  await assertNoAxeViolations(page, 'a thread with the composer open')
  // A picker from the composer: a plain list of buttons, no listbox with buttons nested in options.
  await page.click('#composer .editor-insert-button[data-picker-url$="/insert/snippets"]')
  await page.waitForSelector('.editor-popover .picker-item')
  await assertNoAxeViolations(page, 'the snippet picker')
  await page.keyboard.press('Escape')
  const record = await page.getAttribute('#card-contact a.contact-name', 'href')
  await page.goto(`${stack.server.url}${record}`)
  await assertNoAxeViolations(page, 'the contact record')
  for (const path of ['/settings/users', '/settings/feedback', '/settings/snippets', '/settings/properties', '/me']) {
    await page.goto(`${stack.server.url}${path}`)
    await assertNoAxeViolations(page, `settings (${path})`)
  }
  for (const size of sizes) {
    await page.setViewportSize({ width: size.width, height: size.height })
    await page.goto(`${stack.server.url}/`)
    await page.waitForSelector('html[data-ready]')
    await assertNoAxeViolations(page, `the inbox list at ${size.width} px`)
  }
  await page.context().close()
})

test('opening Filters keeps the address bar on the list, and a reload shows the list', async () => {
  const { page } = await stack.loggedInPage(stack.seed.logins.admin)
  const before = page.url()
  const options = page.waitForResponse((response) => response.url().includes('/assignee-options'))
  await page.click('#search .filters summary')
  await options
  await page.waitForSelector('#search select[name=assignee] option:has-text("Linus Berg")', { state: 'attached' })
  await page.waitForTimeout(100)
  assert.equal(page.url(), before)
  await page.reload()
  await page.waitForSelector('#conversation-rows .conversation-row')
  await page.context().close()
})

test('Back after opening the contact record shows the sidebar cards loaded, not "Loading…"', async () => {
  const { page } = await stack.loggedInPage(stack.seed.logins.admin)
  await page.click('.conversation-row:has-text("Warranty claim: hiking boots") a.row-link')
  await page.waitForSelector('#card-contact a.contact-name')
  await page.click('#card-contact a.contact-name')
  await page.waitForSelector('.record-header h1')
  await page.goBack()
  await page.waitForSelector('.thread-subject:has-text("Warranty claim: hiking boots")')
  await page.waitForSelector('#card-contact a.contact-name', { timeout: 5000 })
  await page.waitForFunction(() => document.querySelectorAll('#contact-pane .card-loading').length === 0, null, { timeout: 5000 })
  assert.equal(await page.evaluate(() => typeof window.htmx), 'object', 'Back shows the whole page, scripts and all')
  await page.context().close()
})

test('the list header count follows live updates like the sidebar count', async () => {
  const { page } = await stack.loggedInPage(stack.seed.logins.admin)
  await page.waitForSelector('.list-inner[data-live]')
  // The number beside the list's title, and the view's count in the navigation.
  const count = () =>
    page.evaluate(() => [
      document.querySelector('.pane-header :is(h1, h2) + span')?.textContent.trim(),
      document.getElementById('count-open')?.textContent.trim(),
    ])
  const [header, sidebar] = await count()
  assert.equal(header, sidebar)
  await page.click('.conversation-row:has-text("Wrong colour delivered") a.row-link')
  await page.waitForSelector('.thread-subject:has-text("Wrong colour delivered")')
  await page.waitForSelector('#thread .thread-layout[data-live]') // processed by htmx, its socket open
  await page.keyboard.press('e')
  await page.waitForFunction((before) => document.getElementById('count-open')?.textContent.trim() === String(Number(before) - 1), sidebar)
  await page.waitForFunction(
    () => document.querySelector('.pane-header :is(h1, h2) + span')?.textContent.trim() === document.getElementById('count-open')?.textContent.trim(),
    null,
    { timeout: 3000 },
  )
  await page.context().close()
})

test('a live update of a row another list shows causes no htmx error, and /favicon.ico exists', async () => {
  const grace = await stack.loggedInPage(stack.seed.logins.admin)
  const inboxPath = new URL(grace.page.url()).pathname.split('/').slice(0, 3).join('/')
  await grace.page.goto(`${stack.server.url}${inboxPath}/chat`)
  await grace.page.waitForSelector('html[data-ready]')
  await grace.page.waitForSelector('.list-inner[data-live]')
  await countOobErrors(grace.page)
  const linus = await stack.loggedInPage(stack.seed.logins.agent)
  await linus.page.click('.conversation-row:has-text("Cancel my subscription") a.row-link')
  await linus.page.waitForSelector('.thread-subject:has-text("Cancel my subscription")')
  await linus.page.waitForSelector('#thread .thread-layout[data-live]')
  await linus.page.waitForSelector('.list-inner[data-live]')
  await countOobErrors(linus.page)
  const openBefore = await grace.page.textContent('#count-open')
  await linus.page.keyboard.press('e')
  // The update reached Grace's page (the counts moved) without an error for the row it lacks.
  await grace.page.waitForFunction((before) => document.getElementById('count-open')?.textContent.trim() !== before.trim(), openBefore)
  await grace.page.waitForTimeout(200)
  assert.equal(await grace.page.evaluate(() => window.oobErrors), 0)
  // Linus's own list lost the row twice (his action's answer and the live update): no error either.
  await linus.page.waitForSelector('#conversation-rows .conversation-row:has-text("Cancel my subscription")', { state: 'detached' })
  assert.equal(await linus.page.evaluate(() => window.oobErrors), 0)
  const favicon = await grace.page.evaluate(async () => (await fetch('/favicon.ico')).status)
  assert.equal(favicon, 200)
  await grace.page.context().close()
  await linus.page.context().close()
})

test('two quick thread actions (a, then e) end on the newer state even when the first answers last', async () => {
  const { page } = await stack.loggedInPage(stack.seed.logins.admin)
  await page.click('.conversation-row:has-text("Question about sizing") a.row-link')
  await page.waitForSelector('.thread-subject:has-text("Question about sizing")')
  await page.waitForSelector('#thread .thread-layout[data-live]') // processed by htmx, its socket open
  // The assignment reaches the server first but its answer is held back until after the close's.
  let assignReached
  const reached = new Promise((resolve) => (assignReached = resolve))
  await page.route('**/assign', async (route) => {
    const response = await route.fetch()
    assignReached()
    await new Promise((resolve) => setTimeout(resolve, 800))
    await route.fulfill({ response })
  })
  const assigned = page.waitForResponse((response) => response.url().endsWith('/assign'))
  await page.keyboard.press('a')
  await reached
  const closed = page.waitForResponse((response) => response.url().endsWith('/status'))
  await page.keyboard.press('e')
  await closed
  await assigned
  await page.waitForTimeout(300)
  assert.match(await page.textContent('#thread-header .thread-meta'), /Closed/)
  assert.equal(await page.$eval('#thread [data-owner-select]', (select) => select.options[select.selectedIndex].textContent.trim()), 'Grace Hopper')
  await page.context().close()
})

test('with no search text, a Status filter that a view already excludes says why the list is empty', async () => {
  const { page } = await stack.loggedInPage(stack.seed.logins.admin)
  const inboxPath = new URL(page.url()).pathname.split('/').slice(0, 3).join('/')
  await page.goto(`${stack.server.url}${inboxPath}/open?status=closed`)
  await page.waitForSelector('#conversation-rows .empty-state')
  assert.match(await page.textContent('#conversation-rows .empty-state'), /Status filter only narrows “All open”, which shows open conversations only/)
  await page.context().close()
})

test('the composer attaches files by an Attach button, by dropping them and by pasting them', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.admin, { viewport: { width: 1280, height: 800 } })
  await page.click('.conversation-row:has-text("Invoice needs our VAT") a.row-link')
  await page.waitForSelector('.thread-subject:has-text("Invoice needs our VAT")')
  await page.waitForSelector('#composer input[name=attachments]', { state: 'attached' })
  // Compact until used: the recipients and the Attach button appear on focus.
  assert.equal(await page.isVisible('#composer .attach-button'), false)
  await page.click('#composer .editor-area')
  await page.waitForSelector('#composer .attach-button', { state: 'visible' })
  assert.match(await page.textContent('#composer .attach-button'), /Attach/)
  // The native control is inside the button: focusable by Tab, with the button's outline.
  await page.focus('#composer input[name=attachments]')
  assert.notEqual(await page.$eval('#composer .attach-button', (label) => getComputedStyle(label).outlineStyle), 'none')

  await page.evaluate(() => {
    const drop = new DataTransfer()
    drop.items.add(new File(['Order 10482'], 'notes.txt', { type: 'text/plain' }))
    document.querySelector('#composer .editor-area').dispatchEvent(new DragEvent('drop', { dataTransfer: drop, bubbles: true, cancelable: true }))
    const paste = new DataTransfer()
    paste.items.add(new File([new Uint8Array([137, 80, 78, 71])], 'screenshot.png', { type: 'image/png' }))
    document.querySelector('#composer .editor-area').dispatchEvent(new ClipboardEvent('paste', { clipboardData: paste, bubbles: true, cancelable: true }))
  })
  await page.waitForSelector('#composer .attach-list li:has-text("screenshot.png")')
  assert.deepEqual(await page.$$eval('#composer .attach-list li span', (names) => names.map((name) => name.textContent)), ['notes.txt', 'screenshot.png'])
  assert.equal(await page.$eval('#composer .editor-area', (area) => area.textContent), '', 'a dropped file is not pasted as text')
  await page.click('#composer .attach-remove[aria-label="Remove notes.txt"]')
  assert.deepEqual(await page.$eval('#composer input[name=attachments]', (input) => [...input.files].map((file) => file.name)), ['screenshot.png'])
  assert.deepEqual(errors, [])
  await page.context().close()
})

test('a form submitted before htmx took it over goes out through htmx, not as a GET of the page', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.agent)
  const before = page.url()
  // A swapped-in form is taken over by htmx when the swap settles; until then it is plain HTML.
  // The notifications endpoint answers a POST with a fragment and changes nothing that matters here.
  const posted = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/notifications/read-all'))
  await page.evaluate(() => {
    const form = document.createElement('form')
    form.setAttribute('hx-post', '/notifications/read-all')
    form.setAttribute('hx-swap', 'none')
    form.innerHTML = '<input name="value" value="Trail runner"><button type="submit">Save</button>'
    document.body.append(form)
    form.requestSubmit()
  })
  const request = await posted
  assert.equal(request.headers()['hx-request'], 'true')
  await page.waitForTimeout(300)
  assert.equal(page.url(), before)
  assert.deepEqual(errors, [])
})
