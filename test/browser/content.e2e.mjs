// Browser test for the content library: adding a snippet on its settings page (with a validation
// error first), the snippet picker filling in placeholders for a conversation, a hostile body and
// contact staying inert in a real DOM, a public article, and a document upload + share download —
// in Debian's Chromium against the real worker with the demo workspace.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startStack } from './support.mjs'

let stack

before(async () => {
  stack = await startStack()
})

after(async () => {
  await stack?.stop()
})

const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><a href="javascript:window.__xss=3">go</a>'

test('an agent adds a snippet, and the picker inserts it filled in for the conversation, inert', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.agent)
  const dialogs = []
  page.on('dialog', (dialog) => dialogs.push(dialog.message()))
  const rowId = await page.locator('.conversation-row:has-text("Maja Nilsen")').first().getAttribute('id')
  const conversationId = rowId.replace('conv-row-', '')

  await page.goto(`${stack.server.url}/settings/snippets`)
  await page.waitForSelector('html[data-ready]')
  // The demo's snippets are listed; a taken shortcut comes back as an error with the values kept.
  await page.waitForSelector('#snippets-rows tr:has-text("#refund")')
  await page.fill('#snippets-form input[name=name]', 'Greeting')
  await page.fill('#snippets-form input[name=shortcut]', 'refund')
  await page.fill('#snippets-form textarea[name=body]', `<p>Hello {{contact.firstname}} from {{agent.firstname}}!</p>${payload}`)
  await page.click('#snippets-form button[type=submit]')
  await page.waitForSelector('#snippets-form .form-error:has-text("already used")')
  assert.equal(await page.inputValue('#snippets-form input[name=name]'), 'Greeting')
  await page.fill('#snippets-form input[name=shortcut]', 'hello')
  await page.click('#snippets-form button[type=submit]')
  await page.waitForSelector('#snippets-rows tr:has-text("#hello")')
  assert.equal(await page.inputValue('#snippets-form input[name=name]'), '', 'the add form is fresh again')

  // The picker fragment as the editor loads it: the first item's insert HTML, parsed by the browser.
  await page.goto(`${stack.server.url}/conversations/${conversationId}/insert/snippets?q=hel`)
  const inserted = await page.evaluate(() => {
    const button = document.querySelector('.picker-item')
    const template = document.createElement('template')
    template.innerHTML = button.dataset.insertHtml
    const active = template.content.querySelectorAll('img, script, [onerror], a[href^="javascript"]').length
    // Inserting it the way the editor does must run nothing either.
    const target = document.createElement('div')
    document.body.append(target)
    target.innerHTML = button.dataset.insertHtml
    return { label: button.querySelector('.picker-label').textContent, html: button.dataset.insertHtml, active }
  })
  assert.equal(inserted.label, 'Greeting')
  assert.match(inserted.html, /^<p>Hello Maja from Linus!<\/p>/)
  assert.equal(inserted.active, 0)
  await page.waitForTimeout(200)
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no payload ran')
  assert.deepEqual(dialogs, [])
  assert.deepEqual(errors, [])
})

test('a published article is public; a document uploads and downloads by its share link', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.admin)
  await page.goto(`${stack.server.url}/settings/articles`)
  const href = await page.locator('#articles-rows a:has-text("View")').first().getAttribute('href')
  assert.match(href, /^\/kb\/[a-z0-9]+\/[a-z0-9-]+$/)
  const anonymous = await stack.browser.newContext()
  const publicPage = await anonymous.newPage()
  const response = await publicPage.goto(`${stack.server.url}${href}`)
  assert.equal(response.status(), 200)
  assert.ok((await publicPage.textContent('h1')).length > 0)
  await anonymous.close()

  await page.goto(`${stack.server.url}/settings/documents`)
  await page.waitForSelector('html[data-ready]')
  const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 13) % 256))
  await page.setInputFiles('#documents-form input[name=file]', { name: 'Size chart.pdf', mimeType: 'application/pdf', buffer: bytes })
  await page.click('#documents-form button[type=submit]')
  const row = page.locator('#documents-rows tr:has-text("Size chart.pdf")')
  await row.waitFor()
  const share = await row.locator('a:has-text("View")').getAttribute('href')
  const download = await page.request.get(`${stack.server.url}${share}`)
  assert.equal(download.status(), 200)
  assert.match(download.headers()['content-disposition'], /^attachment; filename="Size chart.pdf"/)
  assert.ok(Buffer.from(await download.body()).equals(bytes))
  await row.locator('button:has-text("Delete")').click()
  await row.waitFor({ state: 'detached' })
  assert.equal((await page.request.get(`${stack.server.url}${share}`)).status(), 404)
  assert.deepEqual(errors, [])
})
