// Browser walk of a new team on the self-host (src/host/self), on Bun, from an EMPTY data
// directory (no demo seed), the way an operator and their team would: setup; an Email channel
// whose page speaks of SMTP (not Cloudflare); a mail over SMTP appears live, is answered through
// the SMTP relay with the right headers, and the customer's answer threads live; a teammate is
// invited (the mail reaches the relay) and joins; the chat widget on another origin both ways;
// and a restart keeps everything, the session included. Without SMTP_URL the admin can still
// copy the invitation link. Console errors, failed requests and 5xx answers fail the walk.
// One runtime keeps CI short (self-host.e2e.mjs covers all three): SELF_HOST_TEAM_RUNTIME=node|deno to walk another.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { createTransport } from 'nodemailer'
import { SMTPServer } from 'smtp-server'
import { simpleParser } from 'mailparser'
import { startSelfHost } from '../../scripts/lib/self-host.mjs'
import { buildSelfHost } from '../../scripts/build-self.mjs'
import { freePort } from '../../scripts/lib/free-port.mjs'

const runtime = process.env.SELF_HOST_TEAM_RUNTIME ?? 'bun'

/** A local SMTP relay standing in for the outside world; `next(match)` waits for a mail it accepted. */
async function startCatcher() {
  const received = []
  const waiters = []
  const port = await freePort()
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks = []
      stream.on('data', (chunk) => chunks.push(chunk))
      stream.on('end', async () => {
        const mail = { to: session.envelope.rcptTo.map((rcpt) => rcpt.address), parsed: await simpleParser(Buffer.concat(chunks)) }
        received.push(mail)
        for (const waiter of [...waiters]) {
          if (!waiter.match(mail)) continue
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve(mail)
        }
        callback()
      })
    },
  })
  await new Promise((resolve) => smtp.listen(port, '127.0.0.1', resolve))
  return {
    port,
    received,
    next: (match, timeoutMs = 15_000) =>
      received.find(match) ??
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no such mail at the relay; it has: ${received.map((m) => m.parsed.subject).join(', ')}`)), timeoutMs)
        waiters.push({
          match,
          resolve: (mail) => {
            clearTimeout(timer)
            resolve(mail)
          },
        })
      }),
    close: () => new Promise((resolve) => smtp.close(resolve)),
  }
}

let browser
let catcher
let site
let siteHtml = '<!doctype html><title>Empty</title>'
const dirs = []
const hosts = []
/** True while the walk restarts the host: the pages' sockets failing to reconnect then is expected. */
let restarting = false

before(async () => {
  await buildSelfHost()
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  })
  catcher = await startCatcher()
  // The customer's website, on another origin: it serves whatever embed code the walk puts here.
  site = createHttpServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
    response.end(siteHtml)
  })
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve))
})
after(async () => {
  for (const host of hosts) await host.stop()
  await browser?.close()
  await catcher?.close()
  site?.close()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** A fresh self-host on an empty data directory (or `dataDir` again after a restart). */
async function startHost({ smtp = true, dataDir, port, smtpPort } = {}) {
  if (!dataDir) {
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-team-'))
    dirs.push(dataDir)
  }
  port ??= await freePort()
  smtpPort ??= await freePort()
  const host = await startSelfHost(runtime, {
    DATA_DIR: dataDir,
    PORT: String(port),
    SMTP_PORT: String(smtpPort),
    ...(smtp ? { SMTP_URL: `smtp://127.0.0.1:${catcher.port}` } : {}),
  })
  hosts.push(host)
  return Object.assign(host, {
    dataDir,
    port,
    smtpPort,
    restart: async () => {
      restarting = true
      await host.stop()
      const again = await startHost({ smtp, dataDir, port, smtpPort })
      restarting = false
      return again
    },
  })
}

/** A page that records what a user would never see but should not happen: script errors, console errors, failed requests. */
async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options })
  const page = await context.newPage()
  const problems = []
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    // While the host is down, Chromium reports each reconnect attempt (a socket, or a catch-up
    // request) as refused, and htmx's ws extension logs the error Event.
    if (restarting && /^WebSocket connection to .* failed|^\[object Event\]$|^Failed to load resource: net::ERR_CONNECTION_REFUSED$/.test(message.text()))
      return
    problems.push(`console: ${message.text()}`)
  })
  page.on('requestfailed', (request) => {
    // A live socket or request cut short by a navigation or a restart is not a failure the user sees.
    const reason = request.failure()?.errorText ?? ''
    if (!/ERR_ABORTED|ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET/.test(reason)) problems.push(`requestfailed: ${request.url()} ${reason}`)
  })
  page.on('response', (response) => response.status() >= 500 && problems.push(`${response.status()}: ${response.url()}`))
  page.on('dialog', (dialog) => dialog.accept())
  return { context, page, problems }
}

async function setUp(page, url) {
  await page.goto(`${url}/`)
  assert.equal(new URL(page.url()).pathname, '/setup', 'the first visit leads to setup')
  await page.fill('input[name=workspaceName]', 'Acme')
  await page.fill('input[name=name]', 'Olga Owner')
  await page.fill('input[name=email]', 'olga@acme.test')
  await page.fill('input[name=password]', 'a good long password')
  await page.selectOption('select[name=locale]', 'en')
  await page.click('button[type=submit]')
  await page.waitForURL(/\/setup\/channel/)
  return /\/inbox\/([a-z0-9]+)\/settings\/connect$/.exec(await page.getByRole('link', { name: 'Choose a channel' }).getAttribute('href'))[1]
}

const mailTo = (host) => createTransport({ host: '127.0.0.1', port: host.smtpPort, secure: false, ignoreTLS: true })

test('a new team on the self-host: setup, email both ways and threaded, a teammate joins, chat both ways, and a restart keeps it all', async () => {
  let host = await startHost()
  const owner = await newPage()
  const { page } = owner
  const inboxId = await setUp(page, host.url)

  // Email: the channel page speaks of this host's SMTP port and relay, not of Cloudflare.
  await page.getByRole('link', { name: 'Choose a channel' }).click()
  await page.getByRole('link', { name: 'Email' }).click()
  await page.fill('#new-field-addresses', 'support@acme.test')
  await page.click('#new-channel button[type=submit]')
  await page.waitForURL(/\/channels-settings\/[A-Za-z0-9_-]+\?connected=1$/)
  const channelPage = await page.locator('main').innerText()
  assert.doesNotMatch(channelPage, /Cloudflare|Worker|Email Routing/, 'no Cloudflare-only steps on the self-host')
  assert.match(channelPage, new RegExp(`to port ${host.smtpPort}`), 'the page names the SMTP port to point MX at')
  await page.getByText('Mail goes out through the SMTP relay set in SMTP_URL.').waitFor()

  // A customer's mail over SMTP appears live in the open list.
  await page.goto(`${host.url}/inbox/${inboxId}/open`)
  await page.waitForSelector('html[data-ready]')
  await page.waitForSelector('.list-inner[data-live]')
  const subject = `Broken anvil ${Date.now()}`
  const first = await mailTo(host).sendMail({ from: 'Wile Coyote <wile@example.org>', to: 'support@acme.test', subject, text: 'It fell on me.' })
  const row = page.locator('.conversation-row', { hasText: subject })
  await row.waitFor({ timeout: 10_000 })

  // The reply goes out through the relay as a proper answer.
  await row.locator('.row-link').click()
  await page.waitForSelector(`.thread-subject:has-text("${subject}")`)
  await page.waitForSelector('.thread-layout[data-live]')
  await page.waitForFunction(() => document.querySelector('#composer input[name="to"]')?.value.includes('wile@example.org'))
  await page.click('#composer .editor-area')
  const reply = `A new anvil is on its way (${Date.now()})`
  await page.fill('#composer .editor-area', reply)
  await page.keyboard.press('Control+Enter')
  await page.locator('#thread-messages .message-out', { hasText: reply }).locator('.delivery-sent').waitFor({ timeout: 15_000 })
  const sent = (await catcher.next((mail) => mail.parsed.text?.includes(reply))).parsed
  assert.equal(sent.from.value[0].address, 'support@acme.test')
  assert.match(sent.replyTo.value[0].address, /^reply\+[a-z0-9]+@acme\.test$/, 'answers come back to this server')
  assert.deepEqual(
    sent.to.value.map((to) => to.address),
    ['wile@example.org'],
  )
  assert.equal(sent.subject, `Re: ${subject}`)
  assert.equal(sent.inReplyTo, first.messageId)
  assert.ok([sent.references].flat().includes(first.messageId), 'References carries the first mail')

  // The customer answers the reply: it threads into the open conversation live.
  const answer = `Thanks, it arrived (${Date.now()})`
  await mailTo(host).sendMail({
    from: 'Wile Coyote <wile@example.org>',
    to: sent.replyTo.value[0].address,
    subject: `Re: ${sent.subject}`,
    inReplyTo: sent.messageId,
    references: [first.messageId, sent.messageId],
    text: answer,
  })
  await page.locator('#thread-messages .message', { hasText: answer }).waitFor({ timeout: 10_000 })

  // A teammate is invited; the invitation reaches the relay and its link lets them in.
  await page.goto(`${host.url}/settings/users`)
  await page.fill('#invite input[name=email]', 'tom@acme.test')
  await page.selectOption('#invite select[name=role]', 'agent')
  await page.click('#invite button[type=submit]')
  await page.getByText('Invitation sent.').waitFor()
  const invitation = (await catcher.next((mail) => mail.to.includes('tom@acme.test'))).parsed
  const link = /https?:\/\/\S+\/invite\/\S+/.exec(invitation.text)?.[0]
  assert.ok(link?.startsWith(`${host.url}/invite/`), `the invitation links to this host: ${link}`)
  const teammate = await newPage()
  await teammate.page.goto(link)
  await teammate.page.getByRole('heading', { name: 'Join Acme' }).waitFor()
  await teammate.page.fill('input[name=name]', 'Tom Teammate')
  await teammate.page.fill('input[name=password]', 'tom first password')
  await teammate.page.click('button[type=submit]')
  await teammate.page.waitForSelector('.conversation-row')
  await teammate.page.locator('.conversation-row', { hasText: subject }).waitFor()

  // Chat: the embed code names this host; on another origin the widget starts a conversation.
  await page.goto(`${host.url}/inbox/${inboxId}/settings/connect/chat`)
  const siteOrigin = `http://127.0.0.1:${site.address().port}`
  await page.fill('#new-field-allowedOrigins', siteOrigin)
  await page.click('#new-channel button[type=submit]')
  await page.waitForURL(/\/channels-settings\/[A-Za-z0-9_-]+\?connected=1$/)
  const snippet = await page.locator('#embed-snippet').innerText()
  assert.match(snippet, new RegExp(`^<script src="${host.url}/widget\\.js" data-channel="[A-Za-z0-9_-]+" async`))
  siteHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title></head><body><h1>Acme</h1>${snippet}</body></html>`
  await page.goto(`${host.url}/inbox/${inboxId}/open`)
  await page.waitForSelector('html[data-ready]')
  await page.waitForSelector('.list-inner[data-live]')
  const visitor = await newPage()
  await visitor.page.goto(siteOrigin)
  const widget = visitor.page.locator('[data-switchboard-widget]')
  await widget.locator('.launcher').click()
  await widget.locator('.prechat input[name=name]').fill('Road Runner')
  await widget.locator('.prechat button[type=submit]').click()
  const hello = `Do you sell bird seed? ${Date.now()}`
  await widget.locator('.composer textarea').fill(hello)
  await widget.locator('.composer textarea').press('Enter')
  const chatRow = page.locator('.conversation-row', { hasText: hello })
  await chatRow.waitFor({ timeout: 10_000 })
  await chatRow.locator('.row-link').click()
  await page.waitForSelector('.thread-layout[data-live]')
  const chatReply = `Aisle 3, Road (${Date.now()})`
  await page.fill('#composer .editor-area', chatReply)
  await page.keyboard.press('Control+Enter')
  await widget.locator('.message.from-agent', { hasText: chatReply }).waitFor()

  // A restart on the same data: the session holds, the open thread reconnects and gets new mail.
  await page.locator('.conversation-row', { hasText: subject }).locator('.row-link').click()
  await page.waitForSelector(`.thread-subject:has-text("${subject}")`)
  await page.waitForSelector('.thread-layout[data-live]')
  host = await host.restart()
  const later = `One more question (${Date.now()})`
  await mailTo(host).sendMail({ from: 'wile@example.org', to: 'support@acme.test', subject: `Re: ${subject}`, inReplyTo: sent.messageId, text: later })
  await page.locator('#thread-messages .message', { hasText: later }).waitFor({ timeout: 20_000 })
  await page.reload()
  await page.waitForSelector(`.thread-subject:has-text("${subject}")`)
  assert.equal(new URL(page.url()).pathname.startsWith('/login'), false, 'still signed in after the restart')
  await teammate.page.goto(`${host.url}/inbox/${inboxId}/open`)
  await teammate.page.locator('.conversation-row', { hasText: 'Road Runner' }).waitFor()

  assert.deepEqual([...owner.problems, ...teammate.problems, ...visitor.problems], [])
  for (const { context } of [owner, teammate, visitor]) await context.close()
})

test('without an SMTP relay the admin is told the mail was not sent and can copy the invitation link for the teammate', async () => {
  const host = await startHost({ smtp: false })
  const owner = await newPage({ permissions: ['clipboard-read', 'clipboard-write'] })
  const { page } = owner
  await setUp(page, host.url)
  await page.goto(`${host.url}/settings/users`)
  await page.fill('#invite input[name=email]', 'tom@acme.test')
  await page.click('#invite button[type=submit]')
  await page.getByText(`No mail relay is set (SMTP_URL), so no invitation mail was sent: it was written to ${join(host.dataDir, 'outbox')}.`).waitFor()
  // The page's address is the plain list again: a reload does not send the invitation twice.
  await page.waitForSelector('html[data-ready]')
  assert.equal(new URL(page.url()).pathname, '/settings/users')
  await page.getByRole('button', { name: 'Copy invite link' }).click()
  await page.getByText('Copied.').waitFor()
  const link = await page.evaluate(() => navigator.clipboard.readText())
  assert.match(link, new RegExp(`^${host.url}/invite/[a-z2-7]+\\.[a-z2-7]+$`))
  assert.doesNotMatch(host.output(), new RegExp(link.split('.').pop()), 'the link is never in the log')

  const teammate = await newPage()
  await teammate.page.goto(link)
  await teammate.page.getByRole('heading', { name: 'Join Acme' }).waitFor()
  await teammate.page.fill('input[name=name]', 'Tom Teammate')
  await teammate.page.fill('input[name=password]', 'tom first password')
  await teammate.page.click('button[type=submit]')
  await teammate.page.waitForURL((url) => !url.pathname.startsWith('/invite/'))
  await teammate.page.goto(`${host.url}/me`)
  assert.equal(new URL(teammate.page.url()).pathname, '/me', 'signed in as the teammate')

  // Shown once: the list no longer carries a link, and the joined teammate is no longer invited.
  await page.reload()
  assert.equal(await page.getByRole('button', { name: 'Copy invite link' }).count(), 0)
  await page.locator('#user-rows', { hasText: 'Tom Teammate' }).waitFor()
  assert.deepEqual([...owner.problems, ...teammate.problems], [])
  await owner.context.close()
  await teammate.context.close()
})
