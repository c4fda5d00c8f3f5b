// Deploys Switchboard to your Cloudflare account: creates or reuses the D1 database, R2 bucket and
// Queue, writes the database id into wrangler.toml, applies the migrations remotely, sets the
// secrets found in the environment, deploys, and prints the Email Routing step that is left.
//   npm run deploy -- --from support@acme.com [--app-url https://support.acme.com] [--plan]
// --plan prints every command and touches nothing (it reads wrangler.toml only).
// Secrets: TURSO_DATABASE_URL and TURSO_AUTH_TOKEN are set when present in the environment.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { root } from './lib/dev-server.mjs'
import { bucketNamesFromList, databaseIdFromList, deploySteps, emailRoutingNote, resourcesOf, withDatabaseId } from './lib/deploy-plan.mjs'

const { values } = parseArgs({
  options: {
    plan: { type: 'boolean', default: false },
    from: { type: 'string' },
    'app-url': { type: 'string' },
    config: { type: 'string', default: join(root, 'wrangler.toml') },
  },
})
const addressPattern = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/
if (!values.from || !addressPattern.test(values.from)) {
  console.error('usage: npm run deploy -- --from support@your-domain [--app-url https://support.your-domain] [--plan]')
  console.error('--from is the sender of invitation and password reset mails (NOTIFICATION_FROM); its domain must use Email Routing.')
  process.exit(2)
}
if (values['app-url'] && !/^https:\/\/[^/\s]+$/.test(values['app-url'])) {
  console.error('--app-url is an origin such as https://support.acme.com (no path).')
  process.exit(2)
}

const vars = { NOTIFICATION_FROM: values.from, ...(values['app-url'] ? { APP_URL: values['app-url'] } : {}) }
const secrets = ['TURSO_DATABASE_URL', 'TURSO_AUTH_TOKEN'].filter((name) => process.env[name])
const options = { vars, secrets, from: values.from, appUrl: values['app-url'] }
const configPath = values.config
const toml = readFileSync(configPath, 'utf8')
const resources = resourcesOf(toml)
const shown = (args) =>
  ['npx', 'wrangler', ...args, ...(configPath === join(root, 'wrangler.toml') ? [] : ['--config', configPath])]
    .map((arg) => (/[\s"']/.test(arg) ? JSON.stringify(arg) : arg))
    .join(' ')

if (values.plan) {
  console.log(`Plan (nothing is run; ids come from ${configPath}):`)
  console.log(`  ${shown(['d1', 'list', '--json'])}    # look for "${resources.databaseName}"`)
  console.log(`  ${shown(['r2', 'bucket', 'list'])}    # look for "${resources.bucketName}"`)
  console.log(`  ${shown(['queues', 'info', resources.queueName])}    # exists?`)
  for (const step of deploySteps(resources, null, options)) {
    console.log(step.args ? `  ${shown(step.args)}${step.stdinFrom ? ` < $${step.stdinFrom}` : ''}    # ${step.note}` : `  # ${step.note}`)
  }
  console.log(`\n${emailRoutingNote(options)}`)
  process.exit(0)
}

const wranglerBin = join(root, 'node_modules', '.bin', 'wrangler')
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' }
function wrangler(args, { input, capture = false, allowFailure = false } = {}) {
  console.log(`$ ${shown(args)}`)
  const result = spawnSync(wranglerBin, [...args, '--config', configPath], {
    cwd: root,
    env,
    input,
    encoding: 'utf8',
    stdio: [input === undefined ? 'inherit' : 'pipe', capture ? 'pipe' : 'inherit', 'inherit'],
  })
  if (result.status !== 0 && !allowFailure) {
    console.error(`wrangler ${args.join(' ')} failed (exit ${result.status}).`)
    process.exit(result.status ?? 1)
  }
  return { ok: result.status === 0, stdout: result.stdout ?? '' }
}

// What the account has already: the deploy reuses it.
let databaseId = databaseIdFromList(wrangler(['d1', 'list', '--json'], { capture: true }).stdout, resources.databaseName)
const buckets = bucketNamesFromList(wrangler(['r2', 'bucket', 'list'], { capture: true }).stdout)
const queueExists = wrangler(['queues', 'info', resources.queueName], { capture: true, allowFailure: true }).ok
/** The id goes into the config before anything that uses the binding (migrations, deploy). */
function writeDatabaseId() {
  const current = readFileSync(configPath, 'utf8')
  if (!databaseId || resourcesOf(current).databaseId === databaseId) return
  writeFileSync(configPath, withDatabaseId(current, databaseId))
  console.log(`# wrote database_id = "${databaseId}" into ${configPath}`)
}
for (const step of deploySteps(resources, { databaseId, buckets, queueExists }, options)) {
  if (!step.args) {
    console.log(`# ${step.note}`)
    continue
  }
  writeDatabaseId()
  wrangler(step.args, step.stdinFrom ? { input: process.env[step.stdinFrom] } : {})
  if (step.args[0] === 'd1' && step.args[1] === 'create') {
    databaseId = databaseIdFromList(wrangler(['d1', 'list', '--json'], { capture: true }).stdout, resources.databaseName)
    if (!databaseId) throw new Error('the new D1 database does not show in `wrangler d1 list`')
  }
}
console.log(`\n${emailRoutingNote(options)}`)
