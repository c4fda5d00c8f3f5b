// Browser test for "every channel is two-way": an agent replies on a Messenger, a form and a calls
// conversation in Chromium against the real worker (wrangler dev, its queue delivering), and each
// provider, a small local HTTP stand-in following the provider's documented API, receives exactly
// what the agent wrote; a refusal shows the provider's reason and Retry. Outside Messenger's window
// the composer says why before anything is written, and nothing is queued. An email reply that
// comes back as a bounce turns "Failed" in the open thread without a reload.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { offlineEnv, root } from '../../scripts/lib/dev-server.mjs'
import { resultsDir, startStack } from './support.mjs'

let stack
let graph
let twilio

/** A local HTTP server answering like a provider; `handle(request, body)` returns [status, json]. */
async function standIn(handle) {
  const requests = []
  const server = createServer((request, response) => {
    const chunks = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks)
      const [status, json] = handle(request, body, requests)
      response.writeHead(status, { 'Content-Type': 'application/json' })
      response.end(JSON.stringify(json))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { requests, url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() }
}

/** Meta's Graph API: the Send API and the User Profile API, with a scriptable next refusal. */
async function graphStandIn() {
  let refuseNext = null
  const api = await standIn((request, body, requests) => {
    const url = new URL(request.url, 'http://graph')
    if (url.searchParams.get('access_token') !== 'e2e-page-token') return [400, { error: { message: 'Invalid OAuth access token.', code: 190 } }]
    if (request.method === 'GET')
      return [200, { first_name: 'Sigrid', last_name: 'Lund', profile_pic: 'https://platform-lookaside.fbsbx.com/sigrid.jpg', id: 'x' }]
    const sent = JSON.parse(body.toString('utf8'))
    requests.push(sent)
    if (refuseNext) {
      const answer = refuseNext
      refuseNext = null
      return answer
    }
    return [200, { recipient_id: sent.recipient.id, message_id: `m_e2e_${requests.length}` }]
  })
  return { ...api, refuseNext: (answer) => (refuseNext = answer) }
}

/** Twilio's REST API: Messages (texts) and Calls (click-to-call), Basic auth, form bodies. */
async function twilioStandIn() {
  let refuseNext = null
  const api = await standIn((request, body, requests) => {
    if (request.headers.authorization !== `Basic ${Buffer.from('ACe2e:e2e-twilio').toString('base64')}`) return [401, { code: 20003, message: 'Authenticate' }]
    const resource = /\/(Messages|Calls)\.json$/.exec(request.url)?.[1]
    requests.push({ resource, form: Object.fromEntries(new URLSearchParams(body.toString('utf8'))) })
    if (refuseNext) {
      const answer = refuseNext
      refuseNext = null
      return answer
    }
    return [201, { sid: `${resource === 'Calls' ? 'CA' : 'SM'}${String(requests.length).padStart(32, '0')}`, status: 'queued' }]
  })
  return { ...api, refuseNext: (answer) => (refuseNext = answer) }
}

/** Runs SQL on the local D1 the worker uses: the test connects the demo's channels to the stand-ins, as an admin would. */
function sql(command) {
  const wrangler = join(root, 'node_modules', '.bin', 'wrangler')
  const result = spawnSync(wrangler, ['d1', 'execute', 'DB', '--local', '--persist-to', stack.persistTo, '--json', '--command', command], {
    cwd: root,
    env: { ...offlineEnv, CI: 'true' },
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`d1 execute failed: ${result.stdout}\n${result.stderr}`)
  return JSON.parse(result.stdout)[0].results
}

const quote = (value) => `'${String(value).replaceAll("'", "''")}'`

function channelId(name) {
  const [row] = sql(`select id from channels where name = ${quote(name)}`)
  assert.ok(row, `the demo has a channel named ${name}`)
  return row.id
}

/** Posts to a channel's webhook as the provider does, signed its way. */
async function post(path, body, headers) {
  const response = await fetch(`${stack.server.url}${path}`, { method: 'POST', body, headers })
  assert.ok(response.status < 300, `${path} answered ${response.status}: ${await response.clone().text()}`)
  return response
}

function twilioSigned(path, fields) {
  const url = `${stack.server.url}${path}`
  const sorted = Object.keys(fields).sort()
  const signature = createHmac('sha1', 'e2e-twilio')
    .update(url + sorted.map((key) => key + fields[key]).join(''))
    .digest('base64')
  return post(path, new URLSearchParams(fields).toString(), { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature })
}

function metaSigned(path, payload) {
  const body = JSON.stringify(payload)
  const signature = createHmac('sha256', 'e2e-secret').update(body).digest('hex')
  return post(path, body, { 'Content-Type': 'application/json', 'X-Hub-Signature-256': `sha256=${signature}` })
}

before(async () => {
  stack = await startStack()
  graph = await graphStandIn()
  twilio = await twilioStandIn()
  sql(
    `update channels set settings = ${quote(JSON.stringify({ pageId: '1000001', pageName: 'Northwind Outfitters', verifyToken: 'demo-verify-token', graphApiUrl: graph.url }))}, secrets = ${quote(JSON.stringify({ appSecret: 'e2e-secret', pageAccessToken: 'e2e-page-token' }))} where name = 'Northwind on Messenger'`,
  )
  sql(
    `update channels set settings = ${quote(JSON.stringify({ phoneNumber: '+47 800 12 345', accountSid: 'ACe2e', apiBaseUrl: twilio.url, agentPhone: '+4799988877', sms: true }))}, secrets = ${quote(JSON.stringify({ authToken: 'e2e-twilio' }))} where name = 'Support line'`,
  )
})

after(async () => {
  graph?.close()
  twilio?.close()
  await stack?.stop()
})

/** Opens the conversation whose row shows `text`, writes `reply` in the composer and sends it. */
async function openConversation(page, text) {
  await page.locator('.conversation-row', { hasText: text }).first().locator('.row-link').click()
  await page.waitForSelector('#composer')
}

async function reply(page, text) {
  await page.locator('#composer .editor-area').click()
  await page.keyboard.type(text)
  await page.locator('#composer button[type=submit]').click()
  return page.locator('#thread-messages .message', { hasText: text }).last()
}

test('Messenger: the reply reaches the Send API as written and shows as sent; a refusal shows Meta’s reason and Retry; outside the window the composer says why', async () => {
  const messenger = channelId('Northwind on Messenger')
  const entry = (psid, mid, text) => ({
    object: 'page',
    entry: [
      { id: '1000001', time: Date.now(), messaging: [{ sender: { id: psid }, recipient: { id: '1000001' }, timestamp: Date.now(), message: { mid, text } }] },
    ],
  })
  await metaSigned(`/channels/${messenger}/inbound`, entry('psid-e2e', 'm-e2e-1', 'Has my order left the warehouse?'))
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.superAdmin)
  // The Graph API named the sender: no "Unknown visitor".
  await openConversation(page, 'Sigrid Lund')
  const written = 'Yes, Sigrid: it left this morning, tracking follows by mail.'
  const sent = await reply(page, written)
  await sent.locator('.delivery-sent').waitFor({ timeout: 20_000 })
  assert.deepEqual(graph.requests.at(-1), { recipient: { id: 'psid-e2e' }, messaging_type: 'RESPONSE', message: { text: written } })

  graph.refuseNext([400, { error: { message: '(#551) This person isn’t available right now.', type: 'OAuthException', code: 551 } }])
  const refused = await reply(page, 'Are you still there?')
  await refused.locator('.delivery-failed', { hasText: 'This person isn’t available on Messenger right now' }).waitFor({ timeout: 20_000 })
  await refused.locator('.delivery-failed button', { hasText: 'Retry' }).click()
  await page.locator('#thread-messages .message', { hasText: 'Are you still there?' }).last().locator('.delivery-sent').waitFor({ timeout: 20_000 })
  assert.equal(graph.requests.at(-1).message.text, 'Are you still there?')

  // A customer who last wrote 30 hours ago: the composer explains, offers no Reply, and nothing goes out.
  await metaSigned(`/channels/${messenger}/inbound`, entry('psid-e2e-old', 'm-e2e-old', 'Hello from yesterday'))
  sql(`update messages set created_at = created_at - ${30 * 3600 * 1000} where external_id = 'm-e2e-old'`)
  const before = graph.requests.length
  await page.reload()
  await page.waitForSelector('html[data-ready]')
  await openConversation(page, 'Hello from yesterday')
  await page.locator('#composer [data-reply-closed]', { hasText: 'Messenger only allows replies within 24 hours' }).waitFor()
  assert.equal(await page.locator('#composer input[name=kind][value=message]').count(), 0)
  await page.screenshot({ path: join(resultsDir, 'two-way-messenger-window.png') })
  assert.equal(graph.requests.length, before)
  assert.deepEqual(errors, [])
})

test('Forms: the reply goes by email to the submitter, exactly as written, and shows as sent', async () => {
  const form = channelId('Contact form')
  await post(
    `/channels/${form}/inbound`,
    new URLSearchParams({ email: 'e2e.form@example.com', name: 'Kari Form', subject: 'E2E form question', message: 'Do you repair tents?' }),
    {
      'Content-Type': 'application/x-www-form-urlencoded',
      // A browser on a page the demo form lists (its Origin is what the channel checks).
      Origin: 'http://localhost:8787',
    },
  )
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.superAdmin)
  await openConversation(page, 'E2E form question')
  await page.locator('#composer', { hasText: 'The reply goes by email to e2e.form@example.com' }).waitFor()
  const written = 'Hi Kari, yes we do: send it to our repair centre in Bergen.'
  const sent = await reply(page, written)
  await sent.locator('.delivery-sent').waitFor({ timeout: 20_000 })
  // What the mail provider was handed (kept with the message): to the submitter, the agent's words.
  const conversationId = await page.locator('[data-conversation-id]').first().getAttribute('data-conversation-id')
  const messageId = (await sent.getAttribute('id')).slice('msg-'.length)
  const raw = await (await page.request.get(`${stack.server.url}/conversations/${conversationId}/messages/${messageId}/raw`)).text()
  assert.match(raw, /^To: .*e2e\.form@example\.com/im)
  assert.ok(raw.replace(/=\r?\n/g, '').includes(written), 'the mail carries the reply as written')
  assert.deepEqual(errors, [])
})

test('Forms: the embed script draws the form on a page, sends it without leaving the page, and shows the thank-you text', async () => {
  const form = channelId('Contact form')
  const origin = new URL(stack.server.url).origin
  sql(
    `update channels set settings = json_set(settings, '$.allowedOrigins', json_array(${quote(origin)}), '$.thankYou', 'Thanks, we got it.') where id = ${quote(form)}`,
  )
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.superAdmin)
  // The channel's preview page puts the embed snippet live on a page of this deployment.
  await page.goto(`${stack.server.url}/channels-settings/${form}/preview`)
  await page.fill('form.switchboard-form input[name=email]', 'embed.e2e@example.com')
  await page.fill('form.switchboard-form textarea[name=message]', 'Sent from the embedded form')
  await page.click('form.switchboard-form button[type=submit]')
  await page.locator('form.switchboard-form', { hasText: 'Thanks, we got it.' }).waitFor()
  assert.equal(new URL(page.url()).pathname, `/channels-settings/${form}/preview`)
  const [row] = sql(`select count(*) as n from messages where channel_id = ${quote(form)} and text = 'Sent from the embedded form'`)
  assert.equal(row.n, 1)
  assert.deepEqual(errors, [])
})

test('Calls: a missed call is answered by SMS exactly as written; a refused text shows the reason and Retry; Call rings the agent’s phone', async () => {
  const line = channelId('Support line')
  await twilioSigned(`/channels/${line}/inbound`, {
    CallSid: 'CAe2e1',
    AccountSid: 'ACe2e',
    From: '+4790000001',
    To: '+4780012345',
    CallStatus: 'no-answer',
    Direction: 'inbound',
    CallerName: 'Ola Caller',
  })
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.superAdmin)
  await openConversation(page, 'Missed call from Ola Caller')
  const written = 'Sorry we missed you, Ola: we call back within the hour.'
  const sent = await reply(page, written)
  await sent.locator('.delivery-sent').waitFor({ timeout: 20_000 })
  const text = twilio.requests.at(-1)
  assert.equal(text.resource, 'Messages')
  assert.deepEqual({ To: text.form.To, From: text.form.From, Body: text.form.Body }, { To: '+4790000001', From: '+4780012345', Body: written })

  twilio.refuseNext([400, { code: 21610, message: 'Attempt to send to unsubscribed recipient' }])
  const refused = await reply(page, 'Still there?')
  await refused.locator('.delivery-failed', { hasText: '21610: Attempt to send to unsubscribed recipient' }).waitFor({ timeout: 20_000 })
  assert.equal(await refused.locator('.delivery-failed button', { hasText: 'Retry' }).count(), 1)

  await page.locator('.composer-call button', { hasText: 'Call' }).click()
  await page.locator('.composer-call .dial-result', { hasText: 'your phone rings now' }).waitFor()
  const call = twilio.requests.at(-1)
  assert.equal(call.resource, 'Calls')
  assert.equal(call.form.To, '+4799988877')
  assert.match(call.form.Twiml, /<Number[^>]*>\+4790000001<\/Number>/)
  await page.screenshot({ path: join(resultsDir, 'two-way-calls.png') })
  assert.deepEqual(errors, [])
})

test('Email: a bounce for a sent reply shows Failed with the server’s reason in the open thread, without a reload', async () => {
  const { page, errors } = await stack.loggedInPage(stack.seed.logins.superAdmin)
  await openConversation(page, 'Bulk order for 40 headlamps')
  // The thread's socket is open before the bounce arrives.
  await page.waitForFunction(() => document.querySelectorAll('[ws-connect]').length === 2)
  const sent = await reply(page, 'The 40 headlamps ship on Monday.')
  await sent.locator('.delivery-sent').waitFor({ timeout: 20_000 })
  const messageId = (await sent.getAttribute('id')).slice('msg-'.length)
  // The id the recipient's server saw (the provider may have rewritten ours): the one its report returns.
  const [{ external_id: returnedId }] = sql(`select external_id from messages where id = ${Number(messageId)}`)
  const values = { TO: 'support@demo.switchboard.test', ID: `e2e${Date.now()}`, BOUNCED: 'chen.wei@harbourlogistics.sg', ORIGINAL_ID: returnedId }
  const bounce = readFileSync(join(root, 'test/fixtures/email/dsn-bounce.eml'), 'utf8').replace(/\{\{([A-Z_]+)\}\}/g, (_match, key) => values[key])
  const routed = await fetch(`${stack.server.url}/cdn-cgi/handler/email?from=MAILER-DAEMON@mx.example.test&to=support@demo.switchboard.test`, {
    method: 'POST',
    body: bounce,
  })
  assert.equal(routed.status, 200, await routed.text())
  const failed = page.locator(`#msg-${messageId} .delivery-failed`, { hasText: 'Failed: 550 5.1.1 User unknown' })
  await failed.waitFor({ timeout: 10_000 })
  assert.equal(await failed.locator('button', { hasText: 'Retry' }).count(), 1)
  assert.equal(await page.locator(`#msg-${messageId}`).count(), 1, 'the reply is redrawn in place, not added again')
  assert.deepEqual(errors, [])
})
