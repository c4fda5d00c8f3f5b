// The inbox at 100k conversations / 1M messages (issue 3, "Performance"): the list of a view with
// filters (with the sidebar's view counts), full-text searches, a 100-message thread and a bulk
// close of 500, each through `wrangler dev` (the real worker on local D1), timed by the worker's
// own `Server-Timing: app;dur=` and by the client, beside the raw SQLite time of the queries
// behind it, run with node:sqlite on the same database file. The worker's database round trips
// per request (`Server-Timing: db;desc="round trips";dur=`) are printed beside its time.
//   npm run bench -- inbox [--iterations 100] [--bulk-iterations 10] [--rebuild]
// BENCH_PROFILE=<file.cpuprofile>: a CPU profile of the worker over the list and thread cases.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { root, startDevServer } from '../lib/dev-server.mjs'
import { startProfile } from '../lib/profile.mjs'
import { selfHostRuntimes, startSelfHost } from '../lib/self-host.mjs'
import { buildSelfHost } from '../build-self.mjs'
import { benchLogin, copySeededInbox, ensureSeededInbox, findD1File, seedShape, seedVersion } from './seed-inbox.mjs'
import { freePort } from '../lib/free-port.mjs'

const targetsMs = { list: 10, search: 40, thread: 10, bulk: 500 }
// Database round trips per request, at most (the hardening issue: a list page and a thread open).
const maxRoundTrips = { list: 3, search: 3, thread: 3 }
// Words picked by how many messages hold them (counted and printed at run time): a very common
// one, a common one, a less common one and a rare one. The last word of a search is also a
// prefix (`"order"*`), exactly as the app sends it.
const searchWords = ['order', 'refund', 'zipper', 'carabiner']
const caseTimeLimitMs = 120_000

/** The self-host on the bench's copy of the seeded D1 file (it takes over wrangler's migration list). */
async function startBenchSelfHost(runtime, file, persistTo) {
  await buildSelfHost()
  return startSelfHost(runtime, {
    TURSO_DATABASE_URL: `file:${file}`,
    DATA_DIR: join(persistTo, 'self-host'),
    PORT: String(await freePort()),
    SMTP_PORT: String(await freePort()),
    DEMO_SEED: '',
  })
}

function percentile(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)]
}
const summary = (values) => ({ medianMs: percentile(values, 0.5), p95Ms: percentile(values, 0.95), count: values.length })

// ---------------------------------------------------------------------------------------------
// Raw SQLite: the SQL drizzle generates for each main query (read from src/services), with the
// same bound parameters, on the same file.

const messageColumns =
  'm.id, m.account_id, m.conversation_id, m.channel_id, m.seq, m.direction, m.kind, m.author_user_id, m.author_contact_id, m.author_name, ' +
  'm.text, m.html, m.external_id, m.content_hash, m.hidden_by, m.hidden_at, m.delivery_status, m.delivery_error, m.delivery_attempts, ' +
  'm.raw_key, m.automated, m.metadata, m.created_at'
const rowColumns =
  'c.id, c.subject, c.preview, c.status, c.folder, c.plugin_id, c.last_message_at, c.last_seq, c.assignee_id, assignee.name, c.assignee_bot, ' +
  'c.contact_id, contacts.name, contacts.email, contacts.phone, coalesce(conversation_reads.read_seq, 0) < c.last_seq'
const rowJoins =
  'left join contacts on contacts.id = c.contact_id left join users assignee on assignee.id = c.assignee_id ' +
  'left join conversation_reads on (conversation_reads.conversation_id = c.id and conversation_reads.user_id = ?)'

/** listConversations for a view with filters (src/services/conversations.ts, views.ts, filters.ts). */
function listSql({ viewWhere, viewParams, filterWhere, filterParams }, ids) {
  return {
    sql:
      `select ${rowColumns}, 0 from conversations c ${rowJoins} ` +
      `where (c.account_id = ? and c.inbox_id = ? and ${viewWhere}${filterWhere ? ` and ${filterWhere}` : ''}) ` +
      'order by c.last_message_at desc, c.id desc limit ?',
    params: [ids.userId, ids.accountId, ids.inboxId, ...viewParams, ...filterParams, 51],
  }
}

/** The built-in views' conditions (src/services/views.ts), on a table or a grouping named `c`. */
function viewConditions(ids) {
  const openInInbox = "(c.folder = 'inbox' and c.status = 'open')"
  return [
    `(${openInInbox} and c.assignee_id is null and c.assignee_bot is null)`,
    `(${openInInbox} and c.assignee_id = '${ids.userId}')`,
    openInInbox,
    ...['chat', 'email', 'messenger', 'forms', 'calls'].map((plugin) => `(${openInInbox} and c.plugin_id = '${plugin}')`),
    `(${openInInbox} and c.assignee_bot is not null and c.assignee_id is null)`,
    "(c.folder = 'inbox' and c.status = 'closed')",
    ...['sent', 'spam', 'filtered', 'trash'].map((folder) => `c.folder = '${folder}'`),
  ]
}

/** countViews (src/services/conversations.ts): a sum(case …) per view over the trigger-kept counters. */
function countViewsSql(ids) {
  return {
    sql:
      `select ${viewConditions(ids)
        .map((where) => `coalesce(sum(case when ${where} then row_count else 0 end), 0)`)
        .join(', ')} ` +
      "from (select folder, status, plugin_id, nullif(assignee_id, '') as assignee_id, nullif(assignee_bot, '') as assignee_bot, n as row_count " +
      'from conversation_counts where account_id = ? and inbox_id = ? and n > 0) as c',
    params: [ids.accountId, ids.inboxId],
  }
}

/** countViews as one grouped scan of the inbox (its shape before the counters, for comparison). */
function countViewsGroupedSql(ids) {
  return {
    sql:
      `select ${viewConditions(ids)
        .map((where) => `coalesce(sum(case when ${where} then row_count else 0 end), 0)`)
        .join(', ')} ` +
      'from (select c.folder, c.status, c.plugin_id, c.assignee_id, c.assignee_bot, count(*) as row_count from conversations c ' +
      'where (c.account_id = ? and c.inbox_id = ?) group by c.folder, c.status, c.plugin_id, c.assignee_id, c.assignee_bot) as c',
    params: [ids.accountId, ids.inboxId],
  }
}

/** countViews before the grouping (for comparison): a sum(case …) per view over every row. */
function countViewsPerRowSql(ids) {
  return {
    sql: `select ${viewConditions(ids)
      .map((where) => `coalesce(sum(case when ${where} then 1 else 0 end), 0)`)
      .join(', ')} from conversations c where (c.account_id = ? and c.inbox_id = ?)`,
    params: [ids.accountId, ids.inboxId],
  }
}

/** listBots: the chatflows for the assignee filter, loaded with every list. */
function listBotsSql(ids) {
  return {
    sql: 'select distinct assignee_bot from conversations where (account_id = ? and inbox_id = ? and assignee_bot is not null) limit ?',
    params: [ids.accountId, ids.inboxId, 50],
  }
}

const ftsQuery = (word) => `"${word}"*`

/**
 * listConversations for a search (src/services/conversations.ts): the newest 1000 matches of the
 * account ranked by bm25 inside FTS5, grouped per conversation (min() also yields the best message);
 * the page is picked first, and only its rows get the contact, assignee and read marker.
 */
function searchSql(word, ids) {
  const pageColumns =
    'c.id, c.subject, c.preview, c.status, c.folder, c.plugin_id, c.last_message_at, c.last_seq, c.assignee_id, c.assignee_bot, c.contact_id, c.last_automated'
  return {
    sql:
      `select ${rowColumns}, c.rank, c.best_message_id from (select ${pageColumns}, hits.rank, hits.best_message_id from conversations c inner join (` +
      'select m.conversation_id, min(matched.score) as rank, m.id as best_message_id from (' +
      'select messages_fts.rowid as fts_message_id, bm25(messages_fts, 2.0, 1.0, 1.5, 0.0) as score from messages_fts ' +
      'where messages_fts match ? and messages_fts.account = ? order by messages_fts.rowid desc limit ?' +
      ') matched inner join messages m on m.id = matched.fts_message_id where m.account_id = ? group by m.conversation_id) hits on hits.conversation_id = c.id ' +
      'where (c.account_id = ? and c.inbox_id = ? and c.folder <> ? and c.folder <> ?) order by hits.rank asc, c.id asc limit ?) c ' +
      `${rowJoins} order by c.rank asc, c.id asc`,
    params: [ftsQuery(word), ids.accountId, 1000, ids.accountId, ids.accountId, ids.inboxId, 'filtered', 'trash', 51, ids.userId],
  }
}

/** bestSnippets: the text of each listed conversation's best message (highlighted in code). */
function snippetsSql(_word, ids, messageIds) {
  return {
    sql: `select id, text from messages where account_id = ? and id in (${messageIds.map(() => '?').join(', ')}) and hidden_at is null`,
    params: [ids.accountId, ...messageIds],
  }
}

/** listMessages: the whole thread with author and channel (src/services/messages.ts). */
function threadSql(ids) {
  return {
    sql:
      `select ${messageColumns}, users.name, channels.plugin_id from messages m left join users on users.id = m.author_user_id ` +
      'left join channels on channels.id = m.channel_id where (m.account_id = ? and m.conversation_id = ?) order by m.seq asc limit ?',
    params: [ids.accountId, ids.threadId, 500],
  }
}

/**
 * setStatus(…, 'closed') for 500 ids (src/services/conversation-actions.ts): select the rows in
 * chunks of 80, update them in chunks, write one activity line each in chunks; in a transaction
 * that is rolled back, so the data stays as it was.
 */
function timeBulkCloseRaw(db, ids, bulkIds) {
  const chunks = []
  for (let index = 0; index < bulkIds.length; index += 80) chunks.push(bulkIds.slice(index, index + 80))
  const marks = (part) => part.map(() => '?').join(', ')
  const startedMs = performance.now()
  db.exec('BEGIN')
  try {
    for (const part of chunks) db.prepare(`select * from conversations where (account_id = ? and id in (${marks(part)}))`).all(ids.accountId, ...part)
    for (const part of chunks) {
      db.prepare(`update conversations set status = ?, closed_at = ? where (account_id = ? and id in (${marks(part)}))`).run(
        'closed',
        Date.now(),
        ids.accountId,
        ...part,
      )
    }
    for (const part of chunks) {
      db.prepare(
        'insert into messages (account_id, conversation_id, channel_id, seq, direction, kind, author_user_id, author_name, text, created_at) ' +
          'select conversations.account_id, conversations.id, conversations.channel_id, ' +
          '(select coalesce(max(m.seq), 0) + 1 from messages m where m.conversation_id = conversations.id), ' +
          "'out', 'activity', ?, ?, ?, ? from conversations " +
          `where conversations.account_id = ? and conversations.id in (${marks(part)})`,
      ).run(ids.userId, 'Bench Admin', 'Bench Admin closed the conversation', Date.now(), ids.accountId, ...part)
    }
    return performance.now() - startedMs
  } finally {
    db.exec('ROLLBACK')
  }
}

function timeRaw(db, query, iterations) {
  const statement = db.prepare(query.sql)
  let rows = []
  for (let index = 0; index < 5; index++) rows = statement.all(...query.params)
  const times = []
  for (let index = 0; index < iterations; index++) {
    const startedMs = performance.now()
    statement.all(...query.params)
    times.push(performance.now() - startedMs)
  }
  return { ...summary(times), rows }
}

// ---------------------------------------------------------------------------------------------
// Through the worker.

async function logIn(url) {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(benchLogin),
  })
  const cookie = response.headers
    .getSetCookie()
    .map((value) => value.split(';')[0])
    .join('; ')
  if (response.status !== 303 || !cookie) throw new Error(`login failed: ${response.status} ${(await response.text()).slice(0, 300)}`)
  return cookie
}

/** One request: the worker's own time (Server-Timing) and the client's round trip. */
async function timedRequest(url, path, { cookie, target, form }) {
  const headers = { Cookie: cookie, 'HX-Request': 'true', ...(target ? { 'HX-Target': target } : {}) }
  if (form) Object.assign(headers, { Origin: url, 'Content-Type': 'application/x-www-form-urlencoded' })
  const startedMs = performance.now()
  const response = await fetch(`${url}${path}`, { method: form ? 'POST' : 'GET', headers, body: form, redirect: 'manual' })
  const body = await response.text()
  const clientMs = performance.now() - startedMs
  if (response.status !== 200) throw new Error(`${form ? 'POST' : 'GET'} ${path} answered ${response.status}: ${body.slice(0, 300)}`)
  const timing = response.headers.get('Server-Timing') ?? ''
  const match = /app;dur=([\d.]+)/.exec(timing)
  const trips = /db;desc="round trips";dur=(\d+)/.exec(timing)
  if (!match || !trips) throw new Error(`${path}: no Server-Timing app;dur and db round trips in the response`)
  return { serverMs: Number(match[1]), roundTrips: Number(trips[1]), clientMs, body, headers: response.headers }
}

/** The round trips of a case: one number when every request made the same, else the range. */
function tripsOf(values) {
  const low = Math.min(...values)
  const high = Math.max(...values)
  return low === high ? String(low) : `${low}–${high}`
}

async function measure(url, path, options, { warmups, iterations, check }) {
  for (let index = 0; index < warmups; index++) check?.(await timedRequest(url, path, options))
  const server = []
  const client = []
  const trips = []
  const deadline = Date.now() + caseTimeLimitMs
  let last
  for (let index = 0; index < iterations && Date.now() < deadline; index++) {
    last = await timedRequest(url, path, options)
    server.push(last.serverMs)
    client.push(last.clientMs)
    trips.push(last.roundTrips)
  }
  check?.(last)
  return { server: summary(server), client: summary(client), roundTrips: tripsOf(trips), body: last.body }
}

const rowCount = (html) => (html.match(/id="conv-row-/g) ?? []).length

// ---------------------------------------------------------------------------------------------

function lookUpIds(db) {
  const one = (sql, ...params) => db.prepare(sql).get(...params)
  const all = (sql, ...params) => db.prepare(sql).all(...params)
  const user = one('select id, account_id from users where email = ?', benchLogin.email)
  const inbox = one("select id from inboxes where account_id = ? and name = 'Support'", user.account_id)
  const otherAgent = one("select id from users where email = 'grace@bench.switchboard.test'")
  const thread = one(
    'select conversation_id as id from messages where account_id = ? group by conversation_id having count(*) = ? limit 1',
    user.account_id,
    seedShape.threadMessages,
  )
  // The newest 500 of "All open", leaving the thread alone.
  const bulkIds = all(
    "select id from conversations where account_id = ? and inbox_id = ? and folder = 'inbox' and status = 'open' and id <> ? order by last_message_at desc limit 500",
    user.account_id,
    inbox.id,
    thread.id,
  ).map((row) => row.id)
  // A short thread beside the long one: the difference is what each message costs to render.
  const shortThread = one(
    "select c.id from conversations c where c.account_id = ? and c.inbox_id = ? and c.folder = 'inbox' and c.status = 'open' and c.last_seq = 3 and c.id not in (" +
      bulkIds.map(() => '?').join(', ') +
      ') and (select count(*) from messages m where m.conversation_id = c.id) = 3 limit 1',
    user.account_id,
    inbox.id,
    ...bulkIds,
  )
  if (bulkIds.length !== 500) throw new Error(`only ${bulkIds.length} open conversations to bulk close`)
  return {
    accountId: user.account_id,
    userId: user.id,
    inboxId: inbox.id,
    otherAgentId: otherAgent.id,
    threadId: thread.id,
    shortThreadId: shortThread.id,
    bulkIds,
  }
}

function listCases(ids) {
  const from = Date.parse('2025-01-01T00:00:00Z')
  const to = Date.parse('2025-12-31T00:00:00Z') + 24 * 60 * 60 * 1000
  return [
    {
      name: 'list: All open, channel=email, assignee=<agent>',
      path: `/inbox/${ids.inboxId}/open?channel=email&assignee=${ids.otherAgentId}`,
      raw: {
        viewWhere: '(c.folder = ? and c.status = ?)',
        viewParams: ['inbox', 'open'],
        filterWhere: 'c.plugin_id = ? and c.assignee_id = ?',
        filterParams: ['email', ids.otherAgentId],
      },
    },
    {
      name: 'list: All closed, channel=chat, 2025',
      path: `/inbox/${ids.inboxId}/closed?channel=chat&from=2025-01-01&to=2025-12-31`,
      raw: {
        viewWhere: '(c.folder = ? and c.status = ?)',
        viewParams: ['inbox', 'closed'],
        filterWhere: 'c.plugin_id = ? and c.last_message_at >= ? and c.last_message_at < ?',
        filterParams: ['chat', from, to],
      },
    },
  ]
}

function targetMet(result) {
  return result.server.p95Ms <= result.targetMs && (!result.maxTrips || Number(String(result.roundTrips).split('–').pop()) <= result.maxTrips)
}

function printTable(results) {
  const format = (value) => (value === undefined ? '—' : value < 10 ? value.toFixed(2) : value.toFixed(1))
  const header = [
    'case',
    'server median',
    'server p95',
    'round trips',
    'client median',
    'client p95',
    'raw SQLite median',
    'raw p95',
    'target (server p95)',
    'met',
  ]
  const lines = results.map((result) => [
    result.name,
    format(result.server.medianMs),
    format(result.server.p95Ms),
    result.roundTrips ?? '—',
    format(result.client.medianMs),
    format(result.client.p95Ms),
    format(result.raw?.medianMs),
    format(result.raw?.p95Ms),
    result.targetMs ? `≤ ${result.targetMs} ms${result.maxTrips ? `, ≤ ${result.maxTrips} trips` : ''}` : '—',
    result.targetMs ? (targetMet(result) ? 'yes' : 'NO') : '',
  ])
  const rows = [header, ...lines]
  console.log(
    `\n${rows
      .map((row) => `| ${row.join(' | ')} |`)
      .join('\n')
      .replace(/\n/, `\n|${header.map(() => '---').join('|')}|\n`)}`,
  )
  console.log(
    "\nserver = Server-Timing app;dur (ms), round trips = the worker's database round trips per request (Server-Timing db), client = round trip incl. body (ms), n = iterations per case; raw = the queries below, node:sqlite, same file",
  )
}

export async function run(args) {
  const { values } = parseArgs({
    args,
    options: {
      iterations: { type: 'string', default: '100' },
      'bulk-iterations': { type: 'string', default: '10' },
      rebuild: { type: 'boolean', default: false },
      // node|bun|deno: the self-host (docs/self-host.md) on the same database file, instead of wrangler dev.
      host: { type: 'string' },
    },
  })
  if (values.host && !selfHostRuntimes.includes(values.host)) throw new Error(`--host takes ${selfHostRuntimes.join(', ')}`)
  const iterations = Math.min(Math.max(Number(values.iterations), 5), 500)
  const bulkIterations = Math.min(Math.max(Number(values['bulk-iterations']), 2), 50)
  const { DatabaseSync } = await import('node:sqlite')

  const cached = await ensureSeededInbox({ rebuild: values.rebuild })
  // Bulk actions and read markers write: every run starts from a copy of the seeded database.
  const persistTo = copySeededInbox(cached, join(root, '.wrangler', 'bench', `${seedVersion}.run`))
  const file = findD1File(persistTo)
  const db = new DatabaseSync(file)
  const ids = lookUpIds(db)
  const lists = listCases(ids)

  // Raw SQLite first, with the server not yet running.
  const raw = {}
  const rawBreakdown = []
  const rawTimed = (label, query, count = iterations) => {
    const timed = timeRaw(db, query, count)
    rawBreakdown.push([label, timed])
    return timed
  }
  const counts = rawTimed('countViews (conversation_counts, kept by triggers)', countViewsSql(ids))
  const grouped = timeRaw(db, countViewsGroupedSql(ids), 20)
  rawBreakdown.push(['(reference, not in the app) countViews as one grouped scan of the inbox, its shape before 0007', grouped])
  const perRow = timeRaw(db, countViewsPerRowSql(ids), 20)
  rawBreakdown.push(['(reference, not in the app) countViews as sum(case) over every row, its shape before 0003', perRow])
  // The three shapes must agree: the counters are checked against the rows on every run.
  for (const other of [grouped, perRow]) {
    if (JSON.stringify(Object.values(other.rows[0])) !== JSON.stringify(Object.values(counts.rows[0]))) throw new Error('the countViews shapes disagree')
  }
  const bots = rawTimed('listBots (distinct assignee_bot, conversations_bot_idx)', listBotsSql(ids))
  for (const list of lists) {
    const timed = rawTimed(`${list.name}: listConversations`, listSql(list.raw, ids))
    raw[list.name] = { medianMs: timed.medianMs + counts.medianMs + bots.medianMs, p95Ms: timed.p95Ms + counts.p95Ms + bots.p95Ms }
  }
  const wordCounts = {}
  for (const word of searchWords) {
    wordCounts[word] = db.prepare('select count(*) as n from messages_fts where messages_fts match ?').get(ftsQuery(word)).n
    const ranked = rawTimed(`search "${word}": listConversations (newest 1000 matches, ranked)`, searchSql(word, ids), Math.min(iterations, 30))
    const messageIds = ranked.rows.slice(0, 50).map((row) => row.best_message_id)
    const snippets = rawTimed(`search "${word}": bestSnippets (${messageIds.length} messages)`, snippetsSql(word, ids, messageIds), Math.min(iterations, 30))
    raw[`search "${word}"`] = { medianMs: ranked.medianMs + snippets.medianMs, p95Ms: ranked.p95Ms + snippets.p95Ms }
  }
  const thread = rawTimed('thread: listMessages (100 messages)', threadSql(ids))
  raw.thread = thread
  for (let index = 0; index < 2; index++) timeBulkCloseRaw(db, ids, ids.bulkIds)
  const bulkRawTimes = Array.from({ length: bulkIterations }, () => timeBulkCloseRaw(db, ids, ids.bulkIds))
  raw.bulk = summary(bulkRawTimes)
  rawBreakdown.push(['bulk close 500: select + update + activity insert (rolled back)', raw.bulk])
  db.close()

  const profileFile = process.env.BENCH_PROFILE
  const inspectorPort = profileFile ? await freePort() : undefined
  const server = values.host
    ? await startBenchSelfHost(values.host, file, persistTo)
    : await startDevServer({ port: await freePort(), persistTo, inspectorPort })
  const results = []
  let profile = null
  try {
    const cookie = await logIn(server.url)
    profile = profileFile ? await startProfile(inspectorPort) : null
    const wantRows = (expected) => (response) => {
      const found = rowCount(response.body)
      if (found < expected) throw new Error(`expected at least ${expected} rows, the page had ${found}`)
    }
    for (const list of lists) {
      const measured = await measure(server.url, list.path, { cookie, target: 'list' }, { warmups: 10, iterations, check: wantRows(50) })
      results.push({ name: `${list.name} (50 rows + view counts)`, ...measured, raw: raw[list.name], targetMs: targetsMs.list, maxTrips: maxRoundTrips.list })
    }
    for (const word of searchWords) {
      const path = `/inbox/${ids.inboxId}/open?q=${encodeURIComponent(word)}&hideFiltered=1&hideTrash=1`
      const measured = await measure(server.url, path, { cookie, target: 'list' }, { warmups: 5, iterations: Math.min(iterations, 50), check: wantRows(1) })
      results.push({
        name: `search "${word}" (${wordCounts[word]} messages match)`,
        ...measured,
        raw: raw[`search "${word}"`],
        targetMs: targetsMs.search,
        maxTrips: maxRoundTrips.search,
      })
    }
    const threadPath = `/inbox/${ids.inboxId}/open/c/${ids.threadId}`
    const threadMeasured = await measure(server.url, threadPath, { cookie, target: 'thread' }, { warmups: 10, iterations })
    results.push({
      name: `thread open (${seedShape.threadMessages} messages)`,
      ...threadMeasured,
      raw: raw.thread,
      targetMs: targetsMs.thread,
      maxTrips: maxRoundTrips.thread,
    })
    const shortPath = `/inbox/${ids.inboxId}/open/c/${ids.shortThreadId}`
    const shortMeasured = await measure(server.url, shortPath, { cookie, target: 'thread' }, { warmups: 10, iterations })
    results.push({ name: 'thread open (3 messages)', ...shortMeasured, targetMs: targetsMs.thread, maxTrips: maxRoundTrips.thread })
    if (profile) {
      console.log(`\nCPU profile of the worker over the list, search and thread cases (${profileFile}):`)
      for (const line of await profile.stop(profileFile)) console.log(line)
      profile = null
    }

    // Bulk close 500 from "All open", then reopen them from "All closed" with the app's own bulk
    // reopen, so every close starts from the same state.
    const bulkForm = (action) => {
      const form = new URLSearchParams({ action })
      for (const id of ids.bulkIds) form.append('ids', id)
      return form.toString()
    }
    const closes = { server: [], client: [], trips: [] }
    const reopens = { server: [], client: [], trips: [] }
    const deadline = Date.now() + caseTimeLimitMs
    const expectChanged = (response, action) => {
      const trigger = JSON.parse(response.headers.get('HX-Trigger') ?? '{}')['bulk:done']
      if (trigger?.count !== ids.bulkIds.length) throw new Error(`bulk ${action} changed ${trigger?.count} conversations, not ${ids.bulkIds.length}`)
    }
    for (let index = 0; index < bulkIterations + 1 && Date.now() < deadline; index++) {
      const closed = await timedRequest(server.url, `/inbox/${ids.inboxId}/open/bulk`, { cookie, target: 'list', form: bulkForm('close') })
      expectChanged(closed, 'close')
      const reopened = await timedRequest(server.url, `/inbox/${ids.inboxId}/closed/bulk`, { cookie, target: 'list', form: bulkForm('reopen') })
      expectChanged(reopened, 'reopen')
      if (index === 0) continue // warm-up
      closes.server.push(closed.serverMs)
      closes.client.push(closed.clientMs)
      closes.trips.push(closed.roundTrips)
      reopens.server.push(reopened.serverMs)
      reopens.client.push(reopened.clientMs)
      reopens.trips.push(reopened.roundTrips)
    }
    results.push({
      name: 'bulk close of 500 (incl. the re-rendered list)',
      server: summary(closes.server),
      client: summary(closes.client),
      roundTrips: tripsOf(closes.trips),
      raw: raw.bulk,
      targetMs: targetsMs.bulk,
    })
    results.push({
      name: 'bulk reopen of 500 (resets the close; no target)',
      server: summary(reopens.server),
      client: summary(reopens.client),
      roundTrips: tripsOf(reopens.trips),
    })
  } catch (error) {
    console.error(`--- ${values.host ? `${values.host} self-host` : 'wrangler dev'} output (last 3000 characters) ---\n${server.output().slice(-3000)}`)
    throw error
  } finally {
    await server.stop()
  }

  console.log(
    `\nInbox benchmark${values.host ? ` (self-host on ${values.host})` : ' (wrangler dev)'}: ${seedShape.conversations} conversations, ${seedShape.messages} messages (seed ${seedVersion}), iterations ${iterations} (search ${Math.min(iterations, 50)}, bulk ${bulkIterations})`,
  )
  printTable(results)
  console.log('\nraw SQLite queries (median / p95 ms; list raw = its listConversations + countViews + listBots; search raw = ranked list + snippets):')
  for (const [label, timed] of rawBreakdown) console.log(`  ${timed.medianMs.toFixed(2).padStart(8)} / ${timed.p95Ms.toFixed(2).padStart(8)}  ${label}`)
  const missed = results.filter((result) => result.targetMs && !targetMet(result))
  console.log(missed.length === 0 ? '\nall targets met' : `\ntargets missed: ${missed.map((result) => result.name).join('; ')}`)
}
