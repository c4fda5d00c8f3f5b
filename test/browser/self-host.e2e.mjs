// Browser test for the self-host (src/host/self): the same app on Node, Bun and Deno
// (SELF_HOST_RUNTIMES=node,bun,deno by default), each with its own data directory. In Chromium:
// login; a mail sent over SMTP to the host's SMTP port appears live in the list; an unknown
// recipient is refused at RCPT; a reply goes out over SMTP to a local catcher; widget chat both
// ways; and a reply the relay turned away (queued for retry) still goes out after a restart.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { createTransport } from 'nodemailer'
import { SMTPServer } from 'smtp-server'
import { selfHostRuntimes, startSelfHost } from '../../scripts/lib/self-host.mjs'
import { buildSelfHost } from '../../scripts/build-self.mjs'
import { freePort } from '../../scripts/lib/free-port.mjs'

const runtimes = (process.env.SELF_HOST_RUNTIMES ?? selfHostRuntimes.join(',')).split(',').filter(Boolean)

/** A local SMTP relay standing in for the outside world: records what it accepts; `refusing` answers 451. */
async function startCatcher() {
  const received = []
  const catcher = { received, refusing: false, refused: 0, port: await freePort() }
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks = []
      stream.on('data', (chunk) => chunks.push(chunk))
      stream.on('end', () => {
        if (catcher.refusing && ++catcher.refused) return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }))
        received.push({
          from: session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  await new Promise((resolve) => smtp.listen(catcher.port, '127.0.0.1', resolve))
  catcher.close = () => new Promise((resolve) => smtp.close(resolve))
  return catcher
}

/** The self-host on `runtime` over `dataDir`, sending mail to the catcher, with the demo workspace. */
async function startHost(runtime, options) {
  const host = await startSelfHost(runtime, {
    DATA_DIR: options.dataDir,
    PORT: String(options.port),
    SMTP_PORT: String(options.smtpPort),
    SMTP_URL: `smtp://127.0.0.1:${options.catcherPort}`,
    DEMO_SEED: 'true',
  })
  return host
}

function mailTo(smtpPort) {
  return createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true })
}

let browser
before(async () => {
  await buildSelfHost()
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  })
})
after(async () => {
  await browser?.close()
})

for (const runtime of runtimes) {
  describe(`self-host on ${runtime}`, () => {
    let host
    let catcher
    let dataDir
    let port
    let smtpPort

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), `switchboard-self-${runtime}-`))
      catcher = await startCatcher()
      port = await freePort()
      smtpPort = await freePort()
      host = await startHost(runtime, { dataDir, port, smtpPort, catcherPort: catcher.port })
    })
    after(async () => {
      await host?.stop()
      await catcher?.close()
      rmSync(dataDir, { recursive: true, force: true })
    })

    async function login() {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
      const page = await context.newPage()
      const errors = []
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(`${host.url}/login`)
      await page.fill('input[name=email]', 'ada@demo.switchboard.test')
      await page.fill('input[name=password]', 'switchboard-demo')
      await page.click('button[type=submit]')
      await page.waitForSelector('.conversation-row')
      await page.waitForSelector('html[data-ready]')
      return { page, errors, context }
    }

    test('a mail sent over SMTP appears live in the list; an unknown recipient is refused at RCPT', async () => {
      const { page, errors, context } = await login()
      await page.waitForFunction(() => document.querySelectorAll('[ws-connect]').length >= 1)
      await page.waitForTimeout(300)
      const subject = `Over SMTP on ${runtime} ${Date.now()}`
      await mailTo(smtpPort).sendMail({
        from: 'Mia Gardner <mia@example.org>',
        to: 'support@demo.switchboard.test',
        subject,
        text: 'Does the self-host take mail?',
      })
      await page.locator('#conversation-rows .conversation-row', { hasText: subject }).waitFor({ timeout: 10_000 })

      await assert.rejects(
        mailTo(smtpPort).sendMail({ from: 'mia@example.org', to: 'nobody@nowhere.example', subject: 'lost', text: 'x' }),
        (error) => error.responseCode === 550 && /nobody@nowhere\.example/.test(error.response),
      )
      assert.deepEqual(errors, [])
      await context.close()
    })

    test('a reply goes out over SMTP to the contact and shows Sent', async () => {
      const { page, errors, context } = await login()
      await page.locator('.conversation-row', { hasText: 'Invoice needs our VAT number' }).click()
      await page.waitForSelector('.thread-subject:has-text("Invoice needs our VAT number")')
      await page.waitForFunction(() => document.querySelector('#composer input[name="to"]')?.value.includes('priya@lumen.io'))
      await page.click('#composer .editor-area')
      const reply = `Our VAT number, from ${runtime} (${Date.now()})`
      await page.fill('#composer .editor-area', reply)
      await page.keyboard.press('Control+Enter')
      const message = page.locator('#thread-messages .message-out', { hasText: reply })
      await message.locator('.delivery-sent').waitFor({ timeout: 15_000 })
      const sent = catcher.received.find((mail) => mail.raw.includes(reply))
      assert.ok(sent, 'the relay received the reply')
      assert.deepEqual(sent.to, ['priya@lumen.io'])
      assert.match(sent.raw, /^Subject: Re: Invoice needs our VAT number/m)
      assert.deepEqual(errors, [])
      await context.close()
    })

    test('widget chat both ways', async () => {
      const visitorContext = await browser.newContext()
      const visitor = await visitorContext.newPage()
      await visitor.goto(`${host.url}/widget/demo`)
      const widget = visitor.locator('[data-switchboard-widget]')
      await widget.locator('.launcher').click()
      await widget.locator('.prechat input[name=name]').fill('Nora Visitor')
      await widget.locator('.prechat button[type=submit]').click()
      const opening = `Hello from ${runtime} ${Date.now()}`
      await widget.locator('.composer textarea').fill(opening)
      await widget.locator('.composer textarea').press('Enter')
      await widget.locator('.message.from-visitor .time:not(:has-text("Sending"))', { hasText: /\d/ }).first().waitFor()

      const { page, errors, context } = await login()
      await page.click('.view-link:has-text("Chat")')
      const row = page.locator('.conversation-row', { hasText: opening })
      await row.waitFor()
      await row.locator('.row-link').click()
      await page.locator('#thread-messages .message', { hasText: opening }).waitFor()
      await page.waitForSelector('.thread-layout[data-live]')
      const reply = `Hi Nora, ${runtime} here`
      await page.fill('#composer .editor-area', reply)
      await page.keyboard.press('Control+Enter')
      await widget.locator('.message.from-agent', { hasText: reply }).waitFor()
      const followUp = `Thanks (${Date.now()})`
      await widget.locator('.composer textarea').fill(followUp)
      await widget.locator('.composer textarea').press('Enter')
      await page.locator('#thread-messages .message', { hasText: followUp }).waitFor()
      assert.equal(await widget.locator('.message', { hasText: followUp }).count(), 1, 'the visitor sees their message once')
      assert.deepEqual(errors, [])
      await context.close()
      await visitorContext.close()
    })

    test('a reply the relay turned away waits in the jobs table and goes out after a restart', async () => {
      catcher.refusing = true
      const { page, context } = await login()
      await page.locator('.conversation-row', { hasText: 'Invoice needs our VAT number' }).click()
      await page.waitForSelector('.thread-subject:has-text("Invoice needs our VAT number")')
      await page.waitForFunction(() => document.querySelector('#composer input[name="to"]')?.value.includes('priya@lumen.io'))
      await page.click('#composer .editor-area')
      const reply = `Sent across a restart on ${runtime} (${Date.now()})`
      await page.fill('#composer .editor-area', reply)
      await page.keyboard.press('Control+Enter')
      const message = page.locator('#thread-messages .message-out', { hasText: reply })
      await message.waitFor()
      // The first attempt is refused (451): the job goes back to the table with a 10 s backoff.
      const deadline = Date.now() + 15_000
      while (catcher.refused === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(catcher.refused, 1, 'the relay refused the first attempt')
      await context.close()
      assert.equal(await host.stop(), 0, 'the host stops cleanly on SIGTERM')
      assert.equal(
        catcher.received.some((mail) => mail.raw.includes(reply)),
        false,
      )
      catcher.refusing = false
      host = await startHost(runtime, { dataDir, port, smtpPort, catcherPort: catcher.port })
      const until = Date.now() + 30_000
      while (!catcher.received.some((mail) => mail.raw.includes(reply)) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 250))
      assert.equal(catcher.received.filter((mail) => mail.raw.includes(reply)).length, 1, 'the queued reply went out once after the restart')
      const again = await login()
      await again.page.locator('.conversation-row', { hasText: 'Invoice needs our VAT number' }).click()
      await again.page.locator('#thread-messages .message-out', { hasText: reply }).locator('.delivery-sent').waitFor({ timeout: 10_000 })
      await again.context.close()
    })

    test('an open thread reconnects after a restart and shows a mail filed as it came back, once', async () => {
      const { page, errors, context } = await login()
      await page.locator('.conversation-row', { hasText: 'Bulk order for 40 headlamps' }).click()
      await page.waitForSelector('.thread-subject:has-text("Bulk order for 40 headlamps")')
      await page.waitForSelector('.thread-layout[data-live]')
      assert.equal(await host.stop(), 0)
      host = await startHost(runtime, { dataDir, port, smtpPort, catcherPort: catcher.port })
      // Filed at once: the page gets it live if its socket is back, else from ?after= as it reconnects.
      const text = `After the restart on ${runtime} (${Date.now()})`
      await mailTo(smtpPort).sendMail({
        from: 'Chen Wei <chen.wei@harbourlogistics.sg>',
        to: 'support@demo.switchboard.test',
        subject: 'Re: Bulk order for 40 headlamps',
        inReplyTo: '<demo-6-0@demo.switchboard.test>',
        text,
      })
      await page.locator('#thread-messages .message', { hasText: text }).waitFor({ timeout: 20_000 })
      await page.waitForTimeout(500)
      assert.equal(await page.locator('#thread-messages .message', { hasText: text }).count(), 1, 'shown exactly once')
      assert.deepEqual(errors, [])
      await context.close()
    })
  })
}
