// Browser test: the reply editor in Debian's Chromium against the real worker. Formatting from the
// toolbar, sending with Ctrl+Enter, a draft that survives a reload, and a paste full of XSS
// payloads that never runs and never reaches the thread's DOM.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { resultsDir, startStack } from './support.mjs'

let stack
let seed

before(async () => {
  stack = await startStack()
  ;({ seed } = stack)
})

after(async () => {
  await stack?.stop()
})

async function openThread(page, subject) {
  await page.locator('.conversation-row', { hasText: subject }).click()
  await page.waitForSelector(`.thread-subject:has-text("${subject}")`)
  await page.waitForSelector('#composer .editor-area[contenteditable=true]')
}

const editor = (page) => page.locator('#composer .editor-area')
const tool = (page, command) => page.locator(`#composer .editor-toolbar [data-command="${command}"]`)

test('a reply formatted from the toolbar is sent with Ctrl+Enter and shows formatted in the thread', async () => {
  const { page, errors } = await stack.loggedInPage(seed.logins.superAdmin)
  await openThread(page, 'Invoice needs our VAT number')
  await page.waitForFunction(() => document.querySelector('#composer input[name="to"]')?.value.includes('priya@lumen.io'))
  const area = editor(page)
  assert.equal(await area.getAttribute('role'), 'textbox')
  assert.equal(await area.getAttribute('aria-multiline'), 'true')
  assert.equal(await page.locator('#composer textarea[name=text]').isVisible(), false)

  // The composer is compact until used: the toolbar shows once the editor has the focus.
  assert.equal(await tool(page, 'bold').isVisible(), false)
  await area.focus()
  await tool(page, 'bold').waitFor()
  // The toolbar is one tab stop; arrow keys move along it.
  await tool(page, 'bold').focus()
  await page.keyboard.press('ArrowRight')
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.command), 'italic')
  assert.equal(await tool(page, 'italic').getAttribute('tabindex'), '0')
  assert.equal(await tool(page, 'bold').getAttribute('tabindex'), '-1')

  await area.click()
  await page.keyboard.type('Hello ')
  await tool(page, 'bold').click()
  assert.equal(await tool(page, 'bold').getAttribute('aria-pressed'), 'true')
  await page.keyboard.type('Priya')
  await tool(page, 'bold').click()
  await page.keyboard.type(', here is what we need:')
  await page.keyboard.press('Enter')
  await tool(page, 'insertUnorderedList').click()
  assert.equal(await tool(page, 'insertUnorderedList').getAttribute('aria-pressed'), 'true')
  await page.keyboard.type('the VAT number')
  await page.keyboard.press('Enter')
  await page.keyboard.type('the billing address')
  await page.keyboard.press('Enter')
  await page.keyboard.press('Enter')
  // A link from the toolbar: a script URL is refused, a web address is taken.
  await page.keyboard.type('Our terms')
  await page.keyboard.down('Shift')
  for (let i = 0; i < 'terms'.length; i++) await page.keyboard.press('ArrowLeft')
  await page.keyboard.up('Shift')
  await tool(page, 'link').click()
  const linkInput = page.locator('.editor-link-form input')
  await linkInput.fill('javascript:alert(1)')
  await linkInput.press('Enter')
  await page.locator('.editor-link-form .form-error:not([hidden])').waitFor()
  await linkInput.fill('https://example.com/terms')
  await linkInput.press('Enter')
  await page.locator('#composer .editor-area a[href="https://example.com/terms"]').waitFor()

  const html = await page.inputValue('#composer input[name=html]')
  assert.match(html, /<strong>Priya<\/strong>/)
  assert.match(html, /<ul><li>the VAT number<\/li><li>the billing address<\/li><\/ul>/)
  await area.click()
  await page.keyboard.press('Control+Enter')

  const sent = page.locator('#thread-messages .message-out .message-rich', { hasText: 'here is what we need' })
  await sent.waitFor({ timeout: 5000 })
  assert.equal(await sent.locator('strong', { hasText: 'Priya' }).count(), 1)
  assert.deepEqual(await sent.locator('ul > li').allInnerTexts(), ['the VAT number', 'the billing address'])
  const link = sent.locator('a', { hasText: 'terms' })
  assert.equal(await link.getAttribute('href'), 'https://example.com/terms')
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow')
  // The composer is fresh again: empty editor, its toolbar live.
  await page.waitForFunction(() => document.querySelector('#composer .editor-area')?.textContent === '')
  await page.screenshot({ path: join(resultsDir, 'editor-formatted-reply.png') })
  assert.deepEqual(errors, [])
})

test('a draft is saved as you type and is back after a reload', async () => {
  const { page, errors } = await stack.loggedInPage(seed.logins.superAdmin)
  await openThread(page, 'Bulk order for 40 headlamps')
  await page.check('#composer input[name="kind"][value="comment"]')
  const text = `Check stock before answering ${Date.now()}`
  await editor(page).click()
  await page.keyboard.type(text)
  await page.locator('#composer .editor-status', { hasText: 'Draft saved' }).waitFor({ timeout: 5000 })
  await page.reload()
  await page.waitForSelector('#composer .editor-area[contenteditable=true]')
  assert.equal(await page.isChecked('#composer input[name="kind"][value="comment"]'), true)
  assert.equal(await editor(page).innerText(), text)
  // Switching to Reply parks the comment draft; switching back brings it again.
  await page.check('#composer input[name="kind"][value="message"]')
  assert.equal((await editor(page).innerText()).trim(), '')
  await page.check('#composer input[name="kind"][value="comment"]')
  assert.equal(await editor(page).innerText(), text)

  // A re-render of the pane around the composer (taking the conversation) keeps what was just typed.
  await editor(page).click()
  await page.keyboard.press('Control+End')
  await page.keyboard.type(' today')
  await editor(page).evaluate((area) => area.classList.add('before-rerender'))
  await page.selectOption('#thread [data-owner-select]', { label: 'Grace Hopper' })
  await page.waitForSelector('#composer .editor-area:not(.before-rerender)')
  assert.equal(await editor(page).innerText(), `${text} today`)

  // Sending right after typing (before the autosave) leaves no draft behind, even with a save
  // of the earlier text still on its way.
  await editor(page).click()
  await page.keyboard.press('Control+End')
  await page.keyboard.type(' and the supplier')
  await editor(page).evaluate((area) => area.blur())
  await editor(page).click()
  await page.keyboard.press('Control+Enter')
  await page.locator('#thread-messages .message-comment', { hasText: 'and the supplier' }).waitFor({ timeout: 5000 })
  await page.waitForTimeout(1500)
  await page.reload()
  await page.waitForSelector('#composer .editor-area[contenteditable=true]')
  await page.check('#composer input[name="kind"][value="comment"]')
  assert.equal((await editor(page).innerText()).trim(), '')
  assert.deepEqual(errors, [])
})

const xssPayloads = [
  '<script>window.__xss = "script"</script>',
  '<img src="x" onerror="window.__xss = \'img\'">',
  '<svg onload="window.__xss = \'svg\'"><circle r="4"></circle></svg>',
  '<a href="javascript:window.__xss=\'href\'" id="js-link">javascript link</a>',
  '<a href="&#x6A;avascript:window.__xss=\'entity\'">entity link</a>',
  '<a href="java&#9;script:window.__xss=\'tab\'">tab link</a>',
  '<iframe srcdoc="<script>parent.__xss = \'srcdoc\'</script>"></iframe>',
  '<iframe src="javascript:parent.__xss=\'iframe\'"></iframe>',
  "<p style=\"background-image: url(javascript:window.__xss='css'); width: expression(window.__xss='expr')\">styled text</p>",
  '<a href="data:text/html,<script>alert(1)</script>">data link</a>',
  '<object data="data:text/html,<script>parent.__xss=\'object\'</script>"></object>',
  '<embed src="data:image/svg+xml,<svg onload=alert(1)>">',
  '<details open ontoggle="window.__xss = \'details\'"><summary>summary</summary>details text</details>',
  '<p onmouseover="window.__xss = \'hover\'" onclick="alert(1)">hover text</p>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=\'mxss\'">',
  '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">go</button></form>',
  '<span class="mention" data-user-id="x&quot; onmouseover=&quot;alert(1)">@Evil</span>',
  '<video><source onerror="window.__xss = \'video\'"></video>',
  '<noscript><p title="</noscript><img src=x onerror=window.__xss=\'noscript\'>"></noscript>',
  '<base href="javascript:/">',
  '<input autofocus onfocus="window.__xss = \'focus\'">',
  '<marquee onstart="window.__xss=\'marquee\'">marquee text</marquee>',
]

/**
 * No handlers or script URLs anywhere under `scope`; and inside agent-written content (the editor,
 * `.message-rich`), no active or embedding elements at all. (The thread's own chrome has SVG icons.)
 */
async function assertInert(page, scope) {
  const findings = await page.evaluate((selector) => {
    const problems = []
    for (const root of document.querySelectorAll(selector)) {
      for (const element of [root, ...root.querySelectorAll('*')]) {
        const tag = element.localName
        const written = element.closest('.message-rich, .editor-area')
        if (
          tag === 'script' ||
          (written && ['iframe', 'object', 'embed', 'svg', 'img', 'style', 'base', 'form', 'input', 'video', 'math', 'details', 'marquee'].includes(tag))
        )
          problems.push(`<${tag}>`)
        for (const attribute of element.attributes) {
          if (attribute.name.startsWith('on')) problems.push(`${tag}[${attribute.name}]`)
          if (
            ['href', 'src', 'action', 'formaction', 'srcdoc', 'style'].includes(attribute.name) &&
            /javascript:|data:|expression\(|<script/i.test(attribute.value)
          )
            problems.push(`${tag}[${attribute.name}=${attribute.value}]`)
        }
      }
    }
    return problems
  }, scope)
  assert.deepEqual(findings, [], `active content in ${scope}`)
}

test('pasted XSS payloads never run and never reach the thread', async () => {
  const { page, errors } = await stack.loggedInPage(seed.logins.superAdmin)
  const dialogs = []
  page.on('dialog', (dialog) => dialogs.push(dialog.message()))
  await openThread(page, 'Order #10482 arrived damaged')
  await page.check('#composer input[name="kind"][value="comment"]')
  await editor(page).click()
  // One paste per payload: a payload that opens raw text (<style>, <noscript>) swallows whatever
  // follows it in the same paste, as it would in any browser.
  const pastes = [
    '<meta charset="utf-8"><p>Pasted <b>report</b>:</p>',
    ...xssPayloads.map((payload, index) => `<p>case ${index}: ${payload}</p>`),
    '<p>end of paste</p>',
  ]
  for (const html of pastes) {
    await page.evaluate((html) => {
      const data = new DataTransfer()
      data.setData('text/html', html)
      data.setData('text/plain', 'plain fallback')
      document.querySelector('#composer .editor-area').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    }, html)
  }
  await page.locator('#composer .editor-area', { hasText: 'end of paste' }).waitFor()
  assert.equal(await editor(page).locator('strong', { hasText: 'report' }).count(), 1, 'structure is kept')
  assert.equal(await editor(page).locator('a', { hasText: 'javascript link' }).count(), 0, 'a script link loses its link')
  assert.match(await editor(page).innerText(), /javascript link/)
  await assertInert(page, '#composer .editor-area')

  await page.keyboard.press('Control+Enter')
  const comment = page.locator('#thread-messages .message-comment .message-rich', { hasText: 'end of paste' })
  await comment.waitFor({ timeout: 5000 })
  // Give any handler that could fire (image errors, autofocus, toggles) the time to do so.
  await comment.hover()
  await page.waitForTimeout(800)
  await assertInert(page, '#thread-messages')
  assert.equal(await page.evaluate(() => window.__xss), undefined)

  // The same after a reload, rendered by the server alone.
  await page.reload()
  await page.waitForSelector('#thread-messages .message-comment .message-rich')
  await page.locator('#thread-messages .message-rich', { hasText: 'end of paste' }).hover()
  await page.waitForTimeout(500)
  await assertInert(page, '#thread-messages')
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  assert.deepEqual(dialogs, [])
  await page.screenshot({ path: join(resultsDir, 'editor-xss-paste.png') })
  assert.deepEqual(errors, [])
})

test('a paste from Word keeps its list and loses Office markup', async () => {
  const { page, errors } = await stack.loggedInPage(seed.logins.superAdmin)
  await openThread(page, 'Wrong colour delivered')
  await editor(page).click()
  const word = [
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{margin:0}</style></head><body>',
    '<p class="MsoNormal" style="margin:0cm"><span style="font-family:Calibri">Steps <o:p></o:p></span></p>',
    '<p class="MsoListParagraphCxSpFirst" style="mso-list:l0 level1 lfo1"><span style="mso-list:Ignore">·<span>&nbsp;&nbsp;</span></span>Print the label<o:p></o:p></p>',
    '<p class="MsoListParagraphCxSpLast" style="mso-list:l0 level1 lfo1"><span style="mso-list:Ignore">·<span>&nbsp;&nbsp;</span></span>Drop it <b>at the post office</b><o:p></o:p></p>',
    '<!--[if gte mso 9]><xml><o:OfficeDocumentSettings></o:OfficeDocumentSettings></xml><![endif]-->',
    '</body></html>',
  ].join('')
  await page.evaluate((html) => {
    const data = new DataTransfer()
    data.setData('text/html', html)
    document.querySelector('#composer .editor-area').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
  }, word)
  await page.locator('#composer .editor-area li', { hasText: 'Print the label' }).waitFor()
  const html = await page.inputValue('#composer input[name=html]')
  assert.match(html, /<ul><li>Print the label<\/li><li>Drop it <strong>at the post office<\/strong><\/li><\/ul>/)
  assert.doesNotMatch(html, /class=|style=|Mso|o:p|·/)
  assert.deepEqual(errors, [])
})

/** A picker fragment as the contract describes it (the pickers themselves are other modules' routes). */
function pickerFragment(items) {
  const attribute = (value) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
  return `<ul class="picker-list">${items
    .map(
      (item) =>
        `<li><button type="button" class="picker-item" data-insert-html="${attribute(item.html)}"${item.subject ? ` data-insert-subject="${attribute(item.subject)}"` : ''}><span class="picker-label">${item.label}</span> <span class="picker-detail">${item.detail ?? ''}</span></button></li>`,
    )
    .join('')}</ul>`
}

test('Insert pickers and the # and @ triggers put the picked HTML at the caret; the editor resizes', async () => {
  const { page, errors } = await stack.loggedInPage(seed.logins.superAdmin)
  const queries = []
  await page.route(/\/conversations\/[a-z0-9]+\/insert\/snippets/, (route) => {
    const q = new URL(route.request().url()).searchParams.get('q')
    queries.push(q)
    const snippets = [
      { label: 'Refund policy', detail: '#refund', html: '<p>Refunds take <strong>5 days</strong>.</p>' },
      {
        label: 'Return label',
        detail: '#return',
        html: '<p>Your label: <a href="https://example.com/label" onclick="window.__xss=1">download</a><img src=x onerror="window.__xss=2"></p>',
      },
    ]
    const matching = q === null ? snippets : snippets.filter((snippet) => snippet.detail.includes(q))
    return route.fulfill({ contentType: 'text/html', body: matching.length ? pickerFragment(matching) : '<p class="picker-empty">No snippets match.</p>' })
  })
  await page.route(/\/conversations\/[a-z0-9]+\/mentions/, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: pickerFragment([{ label: 'Grace Hopper', html: '<span class="mention" data-user-id="grace01">@Grace Hopper</span>' }]),
    }),
  )
  await openThread(page, 'Cancel my subscription box')

  // From the Insert menu: the popover lists the snippets, a click inserts one where the caret is.
  await editor(page).click()
  await page.keyboard.type('Hi! ')
  await page.locator('#composer .editor-insert-button', { hasText: 'Snippet' }).click()
  await page.locator('.editor-popover .picker-item', { hasText: 'Refund policy' }).click()
  await page.locator('#composer .editor-area strong', { hasText: '5 days' }).waitFor()
  assert.equal(await page.locator('.editor-popover').count(), 0)

  // Typing #ret asks for matching snippets; Enter takes the first and replaces "#ret".
  await editor(page).click()
  await page.keyboard.press('Control+End')
  await page.keyboard.type(' #ret')
  await page.locator('.editor-popover .picker-item.is-selected', { hasText: 'Return label' }).waitFor()
  assert.equal(queries.at(-1), 'ret')
  await page.keyboard.press('Enter')
  await page.locator('#composer .editor-area a', { hasText: 'download' }).waitFor()
  const html = await page.inputValue('#composer input[name=html]')
  assert.doesNotMatch(html, /#ret|onclick|onerror|<img/)
  assert.match(html, /<a href="https:\/\/example\.com\/label">download<\/a>/)

  // @ is for comments: nothing opens in a reply, the mention list opens in a comment.
  await page.keyboard.type(' @gr')
  await page.waitForTimeout(400)
  assert.equal(await page.locator('.editor-popover').count(), 0)
  await page.check('#composer input[name="kind"][value="comment"]')
  await editor(page).click()
  await page.keyboard.type('Ask @gr')
  await page.locator('.editor-popover .picker-item', { hasText: 'Grace Hopper' }).waitFor()
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('Enter')
  await page.locator('#composer .editor-area .mention[data-user-id="grace01"]', { hasText: '@Grace Hopper' }).waitFor()
  assert.match(await page.inputValue('#composer input[name=html]'), /Ask <span class="mention" data-user-id="grace01">@Grace Hopper<\/span>/)
  // Escape closes a trigger list without inserting.
  await page.keyboard.type(' #re')
  await page.locator('.editor-popover').waitFor()
  await page.keyboard.press('Escape')
  assert.equal(await page.locator('.editor-popover').count(), 0)

  // The resize handle: dragging it up makes the editor taller, and the height is remembered.
  const before = (await editor(page).boundingBox()).height
  const handle = await page.locator('#composer .editor-resize').boundingBox()
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2)
  await page.mouse.down()
  await page.mouse.move(handle.x + handle.width / 2, handle.y - 120, { steps: 5 })
  await page.mouse.up()
  const after = (await editor(page).boundingBox()).height
  assert.ok(after > before + 80, `taller after dragging (${before} → ${after})`)
  assert.equal(Number(await page.evaluate(() => localStorage.getItem('switchboard.editorHeight'))), Math.round(after))
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  await page.screenshot({ path: join(resultsDir, 'editor-pickers.png') })
  assert.deepEqual(errors, [])
})

test('a picked mention or snippet replaces its trigger text; blocks and link cards land whole, the caret after them', async () => {
  const { page, errors } = await stack.loggedInPage(seed.logins.superAdmin)
  const card = (title) =>
    `<div class="link-card"><div class="link-card-kind">Article</div><a class="link-card-link" href="https://example.com/${title.toLowerCase()}"><div class="link-card-title">${title}</div></a><div class="link-card-url">example.com</div></div>`
  await page.route(/\/conversations\/[a-z0-9]+\/insert\/snippets/, (route) =>
    route.fulfill({ contentType: 'text/html', body: pickerFragment([{ label: 'Two parts', detail: '#two', html: '<p>First part</p><p>Second part</p>' }]) }),
  )
  await page.route(/\/conversations\/[a-z0-9]+\/insert\/articles/, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: pickerFragment([
        { label: 'Returns', html: card('Returns') },
        { label: 'Sizes', html: card('Sizes') },
      ]),
    }),
  )
  await page.route(/\/conversations\/[a-z0-9]+\/mentions/, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: pickerFragment([{ label: 'Grace Hopper', html: '<span class="mention" data-user-id="grace01">@Grace Hopper</span>' }]),
    }),
  )
  await openThread(page, 'Wrong colour delivered')
  const html = () => page.inputValue('#composer input[name=html]')
  // The Word paste above left a reply draft here: each part starts from an empty editor.
  const clear = async () => {
    await editor(page).click()
    await page.keyboard.press('Control+A')
    await page.keyboard.press('Delete')
    await page.waitForFunction(() => document.querySelector('#composer .editor-area').textContent === '')
  }

  // Mentions in a comment: Enter, Tab and a click each replace what was typed after the @.
  await page.check('#composer input[name="kind"][value="comment"]')
  await clear()
  await page.keyboard.type('Check stock: ')
  await page.keyboard.type('@gra')
  await page.locator('.editor-popover .picker-item.is-selected').waitFor()
  await page.keyboard.press('Enter')
  await page.keyboard.type('and @gr')
  await page.locator('.editor-popover .picker-item.is-selected').waitFor()
  // The browser may split the text node holding the trigger (editing commands do): the pick
  // still finds what was typed before the caret.
  await page.evaluate(() => {
    const node = getSelection().anchorNode
    node.splitText(Math.max(1, node.data.indexOf('@') - 1))
  })
  await page.keyboard.press('Tab')
  await page.keyboard.type('and @g')
  await page.locator('.editor-popover .picker-item', { hasText: 'Grace Hopper' }).click()
  await page.keyboard.type('thanks')
  await page.waitForFunction(() => document.querySelectorAll('#composer .editor-area .mention').length === 3)
  assert.equal(await page.locator('.editor-popover').count(), 0)
  assert.match(
    await html(),
    /^Check stock: <span class="mention" data-user-id="grace01">@Grace Hopper<\/span> and <span class="mention" data-user-id="grace01">@Grace Hopper<\/span> and <span class="mention" data-user-id="grace01">@Grace Hopper<\/span> thanks$/,
  )

  // A reply: a two-paragraph snippet from `#` stays two paragraphs of its own.
  await page.check('#composer input[name="kind"][value="message"]')
  await clear()
  await page.keyboard.type('Hello Anna, ')
  await page.keyboard.type('#two')
  await page.locator('.editor-popover .picker-item.is-selected').waitFor()
  await page.keyboard.press('Enter')
  await page.keyboard.type('Typed after')
  assert.match(await html(), /^<p>Hello Anna,\s?<\/p><p>First part<\/p><p>Second part<\/p><p>Typed after<\/p>$/)

  // Two link cards from the Insert menu: each whole (its kind label stays in the card), side by
  // side, and what is typed next goes into a paragraph after the card, never into it.
  const insertArticle = async (title) => {
    await page.locator('#composer .editor-insert-button', { hasText: 'Article' }).click()
    await page.locator('.editor-popover .picker-item', { hasText: title }).click()
    await page.waitForFunction((title) => [...document.querySelectorAll('#composer .editor-area .link-card-title')].some((t) => t.textContent === title), title)
  }
  await insertArticle('Returns')
  await page.keyboard.type('Between the cards')
  await insertArticle('Sizes')
  await page.keyboard.type('The end')
  assert.equal(await page.locator('#composer .editor-area .link-card .link-card').count(), 0, 'no card inside a card')
  assert.equal(await page.locator('#composer .editor-area > .link-card[contenteditable=false]').count(), 2)
  const sent = await html()
  const posted = (title) => card(title).replace(/<a (class="link-card-link") (href="[^"]*")>/, '<a $2 $1>')
  assert.ok(
    sent.endsWith(`<p>Typed after</p>${posted('Returns')}<p>Between the cards</p>${posted('Sizes')}<p>The end</p>`),
    `cards are blocks of their own: ${sent}`,
  )
  assert.doesNotMatch(sent, /contenteditable/)

  // The thread shows what was written, cards kept by the server's sanitiser.
  await page.keyboard.press('Control+Enter')
  const message = page.locator('#thread-messages .message-out .message-rich', { hasText: 'Between the cards' })
  await message.waitFor({ timeout: 5000 })
  assert.equal(await message.locator('.link-card').count(), 2)
  assert.deepEqual(await message.locator('.link-card-kind').allTextContents(), ['Article', 'Article'])
  assert.deepEqual(
    (await message.locator('p').allInnerTexts()).map((text) => text.trim()),
    ['Hello Anna,', 'First part', 'Second part', 'Typed after', 'Between the cards', 'The end'],
  )
  assert.deepEqual(errors, [])
})

test('a reply on a channel with a length limit counts as the agent types, and the refusal is shown beside the text', async () => {
  const { page, errors } = await stack.loggedInPage(seed.logins.superAdmin)
  // The demo's SMS conversation: SMS declares a 1,600-character limit.
  await page.locator('.conversation-row', { hasText: 'change the delivery address' }).click()
  await page.waitForSelector('#composer .editor-area[contenteditable=true]')
  const count = page.locator('#composer .composer-limit .composer-count')
  assert.equal((await count.textContent()).trim(), '0 / 1600')
  await editor(page).click()
  await page.keyboard.type('Yes, done.')
  await page.waitForFunction(() => document.querySelector('#composer .composer-count')?.textContent === '10 / 1600')
  assert.equal(await count.getAttribute('class'), 'composer-count')

  const tooLong = 'x'.repeat(1601)
  await editor(page).fill(tooLong)
  await page.waitForFunction(() => document.querySelector('#composer .composer-count')?.textContent === '1601 / 1600')
  assert.match(await count.getAttribute('class'), /\bover\b/)
  await page.keyboard.press('Control+Enter')
  // Refused before it is stored: the composer comes back with the problem next to the text it concerns.
  const problem = page.locator('#composer #composer-error-text[data-field="text"]')
  await problem.waitFor({ timeout: 5000 })
  assert.match(await problem.textContent(), /1600/)
  assert.equal(await page.locator('#composer .form-error').count(), 0, 'nothing above the composer')
  assert.equal((await page.locator('#composer .composer-count').textContent()).trim(), '1601 / 1600')
  assert.equal(await page.locator('#thread-messages .message-out', { hasText: 'xxxxxxxxxx' }).count(), 0)
  await page.screenshot({ path: join(resultsDir, 'composer-length-limit.png') })
  assert.deepEqual(errors, [])
})
