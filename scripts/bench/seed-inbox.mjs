// A synthetic workspace for the inbox benchmark: 100,000 conversations and 1,000,000 messages in
// a local D1 database, shaped like a real shared inbox. The migrations are applied by wrangler
// (so the schema, the FTS5 table and its triggers are exactly what the app runs on), then rows go
// straight into miniflare's SQLite file with node:sqlite: going through the worker would take
// hours at this size. The FTS triggers fill messages_fts as messages are inserted.
//
// The result is cached under .wrangler/bench/ keyed by `seedVersion`: change the version when
// the shape of the data changes. Later migrations (new indexes) are applied to the cached copy.
//   npm run bench -- seed-inbox [--rebuild]
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { applyMigrations, root } from '../lib/dev-server.mjs'
import { hashPasswordForWorker } from '../lib/password.mjs'

export const seedVersion = 'inbox-v1'
export const benchLogin = { email: 'bench@bench.switchboard.test', password: 'switchboard-bench' }
export const seedShape = {
  conversations: 100_000,
  messages: 1_000_000,
  contacts: 30_000,
  threadMessages: 100,
}

const dayMs = 24 * 60 * 60 * 1000
const cacheRoot = join(root, '.wrangler', 'bench')

/** Deterministic pseudo-random numbers (mulberry32), so every build holds the same data. */
function makeRandom(seed) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min, max) => min + Math.floor(next() * (max - min + 1))
  const pick = (list) => list[Math.floor(next() * list.length)]
  /** Picks from [value, weight] pairs. */
  const weighted = (pairs) => {
    const total = pairs.reduce((sum, [, weight]) => sum + weight, 0)
    let roll = next() * total
    for (const [value, weight] of pairs) {
      roll -= weight
      if (roll < 0) return value
    }
    return pairs[pairs.length - 1][0]
  }
  return { next, int, pick, weighted }
}

const base32 = 'abcdefghijklmnopqrstuvwxyz234567'
/** A 16-character base32 id like src/lib/ids.ts makes, from the seeded generator. */
function makeIdMaker(random) {
  return () => {
    let id = ''
    for (let index = 0; index < 16; index++) id += base32[Math.floor(random.next() * 32)]
    return id
  }
}

// The words of support mail, most frequent first; with the generated tail below they give the
// index a Zipf-shaped vocabulary: a few words in most messages, thousands in a handful.
const commonWords = `the to and i you a for of is it in my on we have that your this with be can not order
please thanks hi are me at as but our if do will was from so an would like just there when get
help know about what they or all need one could still been has which also how no any time had
us up back out new did thank again here by them would some got where send see email now know
hello today yesterday week sent received delivery item account number invoice payment refund
return shipping package tracking address store product size colour price discount code card
problem issue question update replacement ticket support team customer service working broken
damaged missing wrong late early tomorrow monday tuesday wednesday thursday friday saturday sunday
phone call chat message reply attached photo receipt warranty repair exchange cancel subscription
login password reset app website checkout cart stock available backorder estimate quote bulk
jacket tent boots backpack headlamp sleeping bag stove rain fly zipper sole strap buckle lining
battery charger cable manual instructions sizing chart fit small large medium long short
`
  .split(/\s+/)
  .filter(Boolean)
const rareWords = `thermoregulation polyurethane delamination gore-tex merino carabiner bivouac
crampons ferrule grommet vestibule guyline footprint ripstop cordura dyneema bluesign primaloft
`
  .split(/\s+/)
  .filter(Boolean)
const syllables = 'ka ri to mel van sor bel dun fyr gal hen is jo lum nor pa qui ros sten tu ul vek wyn xa yr zo'.split(' ')

/** Words that never appear in the common list: product codes, place names, surnames. */
function makeTailWords(random, count) {
  const words = new Set()
  while (words.size < count) {
    const length = random.int(2, 4)
    let word = ''
    for (let index = 0; index < length; index++) word += random.pick(syllables)
    words.add(word)
  }
  return [...words]
}

const firstNames = `Ada Alicia Anna Ben Carla Chen Daniel Emma Erik Fatima Felix Grace Hana Henrik Ingrid Ivan
Jonas Julia Kari Lars Lea Lucas Lukas Maja Marco Maria Mia Nadia Noah Oliver Omar Per Priya Rosa
Sara Sofia Tom Yuki Zoe Amir Bea Chloe Dario Elif Farid Gemma Hugo Ines Jan Kofi Lina Mateo Nina`.split(/\s+/)
const lastNames = `Smith Nilsen Becker Raman Lie Gómez Dahl Wei Lind Virtanen Solberg Novak Zahra Williams
Nordmann Martin Kowalska Hansen Johansson Berg Rossi Müller Dubois Tanaka Kim Singh Silva Costa Moreau
Fischer Jensen Andersen Olsen Karlsson Nowak Horvat Popescu Ivanova Murphy Kelly Walsh Brennan Lopez`.split(/\s+/)
const domains = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'icloud.com', 'fjordtech.no', 'lumen.io', 'posten.se', 'wp.pl', 'correo.es']
const subjects = [
  'Order #{n} arrived damaged',
  'Where is my order #{n}?',
  'Invoice INV-{n} needs our VAT number',
  'Return label not working',
  'Warranty claim: {w}',
  'Question about sizing',
  'Wrong colour delivered',
  'Cancel my subscription',
  'Bulk order for {n} units',
  'Refund for order #{n}',
  'Re: Your repair is ready',
  'Discount code not accepted',
  'Change delivery address',
  'Missing item in package',
  'Feedback on the new app',
]

/** The text of one message: a sentence or a few, from the Zipf-weighted vocabulary. */
function makeTextMaker(random, vocabulary) {
  // Zipf with exponent 1: P(rank r) ∝ 1/r, sampled by inverting the harmonic CDF.
  const cumulative = new Float64Array(vocabulary.length)
  let total = 0
  for (let rank = 0; rank < vocabulary.length; rank++) cumulative[rank] = total += 1 / (rank + 1)
  const word = () => {
    const roll = random.next() * total
    let low = 0
    let high = cumulative.length - 1
    while (low < high) {
      const middle = (low + high) >> 1
      if (cumulative[middle] < roll) low = middle + 1
      else high = middle
    }
    return vocabulary[low]
  }
  return (wordCount) => {
    const parts = []
    let sentence = 0
    for (let index = 0; index < wordCount; index++) {
      let next = word()
      if (sentence === 0) next = next[0].toUpperCase() + next.slice(1)
      sentence++
      if (sentence > 6 && random.next() < 0.15) {
        next += random.next() < 0.8 ? '.' : '?'
        sentence = 0
      }
      parts.push(next)
    }
    const text = parts.join(' ')
    return /[.?]$/.test(text) ? text : `${text}.`
  }
}

function toPreview(text, maxLength = 140) {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1).trimEnd()}…` : flat
}

/** The miniflare D1 SQLite file under a persist dir. */
export function findD1File(persistTo) {
  const dir = join(persistTo, 'v3', 'd1', 'miniflare-D1DatabaseObject')
  const files = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.sqlite') && file !== 'metadata.sqlite') : []
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.length}`)
  return join(dir, files[0])
}

/** How many messages each conversation gets: mostly short threads, some long, summing to `total`. */
function messageCounts(random, conversationCount, total, threadIndex, threadMessages) {
  const counts = new Int32Array(conversationCount)
  let sum = 0
  for (let index = 0; index < conversationCount; index++) {
    if (index === threadIndex) counts[index] = threadMessages
    else
      counts[index] = random.weighted([
        [random.int(1, 3), 30],
        [random.int(4, 10), 40],
        [random.int(11, 25), 25],
        [random.int(26, 60), 5],
      ])
    sum += counts[index]
  }
  // Nudge counts (never the thread's, never below 1 or above 60) until the total is exact.
  while (sum !== total) {
    const index = random.int(0, conversationCount - 1)
    if (index === threadIndex) continue
    if (sum < total && counts[index] < 60) {
      counts[index]++
      sum++
    } else if (sum > total && counts[index] > 1) {
      counts[index]--
      sum--
    }
  }
  return counts
}

/** Builds the database from nothing into `persistTo`. */
async function build(persistTo) {
  const { DatabaseSync } = await import('node:sqlite')
  const startedMs = performance.now()
  applyMigrations(persistTo)
  const db = new DatabaseSync(findD1File(persistTo))
  // Miniflare keeps D1 in WAL mode; stay in it, but skip the fsyncs: a failed build is discarded.
  db.exec('PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY')
  const random = makeRandom(20261126)
  const newId = makeIdMaker(random)
  const nowMs = Date.UTC(2026, 10, 26, 9, 0, 0)
  const spanMs = 3 * 365 * dayMs
  const vocabulary = [...commonWords, ...makeTailWords(random, 20_000)]
  // The rare product words sit deep in the tail: each is in a few hundred messages.
  for (const [index, word] of rareWords.entries()) vocabulary.splice(2_000 + index * 700, 0, word)
  const makeText = makeTextMaker(random, vocabulary)
  const insert = (table, columns) => db.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`)

  const accountId = newId()
  db.exec('BEGIN')
  insert('accounts', ['id', 'name', 'created_at']).run(accountId, 'Bench Outfitters', nowMs - spanMs)
  const knownHash = hashPasswordForWorker(benchLogin.password)
  const userRows = [
    { name: 'Bench Admin', email: benchLogin.email, role: 'super_admin' },
    { name: 'Grace Hopper', email: 'grace@bench.switchboard.test', role: 'admin' },
    { name: 'Linus Berg', email: 'linus@bench.switchboard.test', role: 'agent' },
    { name: 'Maria Rossi', email: 'maria@bench.switchboard.test', role: 'agent' },
    { name: 'Kofi Mensah', email: 'kofi@bench.switchboard.test', role: 'agent' },
    { name: 'Yuki Tanaka', email: 'yuki@bench.switchboard.test', role: 'agent' },
  ].map((user) => ({ ...user, id: newId() }))
  const insertUser = insert('users', [
    'id',
    'account_id',
    'name',
    'email',
    'password_hash',
    'role',
    'status',
    'availability',
    'time_zone',
    'locale',
    'created_at',
  ])
  // Only the benchmark's login needs a password anyone knows; the others share its hash.
  for (const user of userRows)
    insertUser.run(user.id, accountId, user.name, user.email, knownHash, user.role, 'active', 'available', 'UTC', 'en', nowMs - spanMs)

  const inboxRows = [
    { id: newId(), name: 'Support', share: 0.9, domain: 'support' },
    { id: newId(), name: 'Sales', share: 0.1, domain: 'sales' },
  ]
  const insertInbox = insert('inboxes', ['id', 'account_id', 'name', 'default_assignment', 'created_at'])
  const insertMember = insert('inbox_members', ['inbox_id', 'user_id', 'last_assigned_at'])
  const insertChannel = insert('channels', ['id', 'account_id', 'inbox_id', 'plugin_id', 'name', 'settings', 'secrets', 'created_at'])
  const channelsByInbox = new Map()
  for (const [index, inbox] of inboxRows.entries()) {
    insertInbox.run(inbox.id, accountId, inbox.name, 'none', nowMs - spanMs + index)
    for (const user of userRows) insertMember.run(inbox.id, user.id, 0)
    const address = `${inbox.domain}@bench.switchboard.test`
    const setups = [
      ['email', address, { addresses: [address], fromName: `Bench ${inbox.name}` }],
      ['chat', `${inbox.name} chat`, { allowedOrigins: [], greeting: 'Hi! How can we help?' }],
      ['messenger', `${inbox.name} on Messenger`, { pageId: `10000${index}`, verifyToken: `bench-verify-${index}` }],
      ['forms', `${inbox.name} form`, { formName: `${inbox.name} form` }],
      ['calls', `${inbox.name} line`, { phoneNumber: `+47 800 12 34${index}` }],
    ]
    const byPlugin = {}
    for (const [pluginId, name, settings] of setups) {
      const id = newId()
      insertChannel.run(id, accountId, inbox.id, pluginId, name, JSON.stringify(settings), '{}', nowMs - spanMs)
      byPlugin[pluginId] = id
    }
    channelsByInbox.set(inbox.id, byPlugin)
  }

  const insertContact = insert('contacts', ['id', 'account_id', 'name', 'email', 'phone', 'properties', 'blocked', 'created_at'])
  const contactRows = []
  const emails = new Set()
  for (let index = 0; index < seedShape.contacts; index++) {
    const first = random.pick(firstNames)
    const last = random.pick(lastNames)
    let email = null
    if (random.next() < 0.85) {
      email = `${first}.${last}${index % 7 === 0 ? index : ''}@${random.pick(domains)}`.toLowerCase()
      while (emails.has(email)) email = `${first}.${last}.${random.int(1, 99999)}@${random.pick(domains)}`.toLowerCase()
      emails.add(email)
    }
    const phone = random.next() < 0.2 ? `+47 9${random.int(10, 99)} ${random.int(10, 99)} ${random.int(100, 999)}` : null
    const contact = { id: newId(), name: `${first} ${last}`, email, phone }
    insertContact.run(contact.id, accountId, contact.name, email, phone, '{}', 0, nowMs - spanMs + index * 1000)
    contactRows.push(contact)
  }
  db.exec('COMMIT')

  const threadIndex = seedShape.conversations - 10 // recent, open, in Support
  const counts = messageCounts(random, seedShape.conversations, seedShape.messages, threadIndex, seedShape.threadMessages)
  const insertConversation = insert('conversations', [
    'id',
    'account_id',
    'inbox_id',
    'channel_id',
    'plugin_id',
    'contact_id',
    'assignee_id',
    'assignee_bot',
    'status',
    'folder',
    'subject',
    'preview',
    'external_key',
    'last_seq',
    'last_message_at',
    'closed_at',
    'trashed_at',
    'created_at',
  ])
  const insertMessage = insert('messages', [
    'account_id',
    'conversation_id',
    'channel_id',
    'seq',
    'direction',
    'kind',
    'author_user_id',
    'author_contact_id',
    'author_name',
    'text',
    'external_id',
    'delivery_status',
    'delivery_attempts',
    'automated',
    'metadata',
    'created_at',
  ])
  const insertParticipant = insert('conversation_participants', ['conversation_id', 'address', 'name', 'role'])
  const insertRead = insert('conversation_reads', ['user_id', 'conversation_id', 'read_seq'])
  const agents = userRows
  const knownUser = userRows[0]
  let threadConversationId = null

  // Conversations in time order; each batch's messages are inserted in time order too, so one
  // conversation's messages are spread over the table as they are in a real inbox.
  const batchSize = 2_000
  for (let start = 0; start < seedShape.conversations; start += batchSize) {
    const pending = []
    db.exec('BEGIN')
    for (let index = start; index < Math.min(start + batchSize, seedShape.conversations); index++) {
      const isThread = index === threadIndex
      const inbox = isThread || random.next() < inboxRows[0].share ? inboxRows[0] : inboxRows[1]
      const pluginId = isThread
        ? 'email'
        : random.weighted([
            ['email', 60],
            ['chat', 20],
            ['messenger', 8],
            ['forms', 7],
            ['calls', 5],
          ])
      const channelId = channelsByInbox.get(inbox.id)[pluginId]
      const contact = random.pick(contactRows)
      const createdMs = nowMs - spanMs + Math.floor(((index + random.next()) / seedShape.conversations) * (spanMs - 2 * dayMs))
      const ageDays = (nowMs - createdMs) / dayMs
      // Recent conversations are the open ones: about 3% of all, nearly all from the last weeks.
      const folder = isThread
        ? 'inbox'
        : random.weighted([
            ['inbox', 940],
            ['sent', 10],
            ['spam', 20],
            ['filtered', 10],
            ['trash', 20],
          ])
      const open = isThread || (folder === 'inbox' && random.next() < (ageDays < 45 ? 0.55 : 0.006))
      const status = folder === 'inbox' ? (open ? 'open' : 'closed') : random.next() < 0.5 ? 'open' : 'closed'
      const bot = !isThread && pluginId === 'chat' && open && random.next() < 0.15 ? random.pick(['Welcome bot', 'Returns bot', 'Order status bot']) : null
      const assignee = bot || (open && random.next() < 0.3) || folder === 'spam' || folder === 'filtered' ? null : random.pick(agents)
      const subject =
        pluginId === 'email' || pluginId === 'forms'
          ? random
              .pick(subjects)
              .replace('{n}', String(random.int(10000, 99999)))
              .replace('{w}', random.pick(commonWords))
          : pluginId === 'calls'
            ? `Call with ${contact.name}`
            : null
      const conversationId = newId()
      if (isThread) threadConversationId = conversationId
      const messageCount = counts[index]
      let atMs = createdMs
      let lastSeq = 0
      let lastMessageAt = createdMs
      let preview = ''
      // Gaps between messages: minutes to hours, but a thread never runs past "now".
      const maxGapMinutes = Math.max(2, Math.min(isThread ? 90 : 600, Math.floor((nowMs - createdMs) / 60_000 / messageCount)))
      for (let seq = 1; seq <= messageCount; seq++) {
        // Activity lines close a closed thread; comments are the team talking between replies.
        const isLast = seq === messageCount
        const kind = isLast && status === 'closed' && messageCount > 1 ? 'activity' : seq > 1 && random.next() < 0.06 ? 'comment' : 'message'
        const fromContact = kind === 'message' && (seq === 1 || random.next() < 0.5)
        const agent = assignee ?? random.pick(agents)
        const text =
          kind === 'activity'
            ? `${agent.name} closed the conversation`
            : pluginId === 'calls' && seq === 1
              ? `Answered call (${random.int(1, 20)}:${String(random.int(0, 59)).padStart(2, '0')}) ${makeText(random.int(6, 30))}`
              : makeText(
                  random.weighted([
                    [random.int(3, 12), 35],
                    [random.int(13, 40), 50],
                    [random.int(41, 120), 15],
                  ]),
                )
        if (kind !== 'activity') {
          lastSeq = seq
          if (kind === 'message') {
            lastMessageAt = atMs
            preview = toPreview(text)
          }
        }
        pending.push([
          atMs,
          accountId,
          conversationId,
          channelId,
          seq,
          fromContact ? 'in' : 'out',
          kind,
          fromContact ? null : agent.id,
          fromContact ? contact.id : null,
          fromContact ? contact.name : agent.name,
          text,
          pluginId === 'email' && kind === 'message' ? `<${conversationId}.${seq}@${fromContact ? 'customer.example' : 'bench.switchboard.test'}>` : null,
          kind === 'message' && !fromContact ? 'sent' : 'none',
          0,
          0,
          '{}',
          atMs,
        ])
        atMs += random.int(1, maxGapMinutes) * 60_000
      }
      insertConversation.run(
        conversationId,
        accountId,
        inbox.id,
        channelId,
        pluginId,
        contact.id,
        assignee?.id ?? null,
        bot,
        status,
        folder,
        subject,
        preview,
        pluginId === 'chat' || pluginId === 'messenger' ? `bench-${conversationId}` : null,
        lastSeq,
        lastMessageAt,
        status === 'closed' ? atMs : null,
        folder === 'trash' ? atMs : null,
        createdMs,
      )
      if (pluginId === 'email' && contact.email) insertParticipant.run(conversationId, contact.email, contact.name, 'from')
      // The benchmark's agent has read most closed conversations, and few open ones.
      if (random.next() < (status === 'closed' ? 0.7 : 0.2)) insertRead.run(knownUser.id, conversationId, lastSeq)
    }
    pending.sort((a, b) => a[0] - b[0])
    for (const row of pending) insertMessage.run(...row.slice(1))
    db.exec('COMMIT')
    if ((start / batchSize) % 10 === 9) process.stdout.write(`seed-inbox: ${start + batchSize} conversations…\n`)
  }
  db.exec('ANALYZE')
  // Fold the WAL into the database file, so the cache is one file that copies cleanly.
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  db.close()
  return { seconds: (performance.now() - startedMs) / 1000, threadConversationId }
}

/**
 * Returns a persist dir holding the seeded database, building it when the cache lacks it, with
 * every committed migration applied.
 */
export async function ensureSeededInbox({ rebuild = false } = {}) {
  const cached = join(cacheRoot, seedVersion)
  if (rebuild) rmSync(cached, { recursive: true, force: true })
  if (!existsSync(cached)) {
    mkdirSync(cacheRoot, { recursive: true })
    const building = join(cacheRoot, `${seedVersion}.building-${process.pid}`)
    rmSync(building, { recursive: true, force: true })
    console.log(`seed-inbox: building ${seedShape.conversations} conversations / ${seedShape.messages} messages (cache ${seedVersion})…`)
    const { seconds } = await build(building)
    renameSync(building, cached)
    console.log(`seed-inbox: seeded in ${seconds.toFixed(1)} s`)
  } else {
    console.log(`seed-inbox: using the cached database in .wrangler/bench/${seedVersion} (--rebuild builds it again)`)
  }
  // Indexes added after the seed was cached: cheap to apply, and the benchmark must see them.
  applyMigrations(cached)
  return cached
}

/** A throwaway copy of the seeded database: the benchmark writes (bulk close, read markers). */
export function copySeededInbox(cached, runDir) {
  rmSync(runDir, { recursive: true, force: true })
  cpSync(cached, runDir, { recursive: true })
  return runDir
}

export async function run(args) {
  const { values } = parseArgs({ args, options: { rebuild: { type: 'boolean', default: false } } })
  await ensureSeededInbox({ rebuild: values.rebuild })
}
