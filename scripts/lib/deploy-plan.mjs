// The deploy steps as data: scripts/deploy.mjs prints them (--plan) or runs them. Pure functions,
// so the Node suite checks the plan and the parsing of wrangler's output without Cloudflare.

const placeholderId = '00000000-0000-0000-0000-000000000000'

/** The names the worker's bindings use, read from wrangler.toml's text. */
export function resourcesOf(toml) {
  const value = (section, key) => {
    const block = toml.split(/^\[/m).find((part) => part.startsWith(section))
    return block ? new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, 'm').exec(block)?.[1] : undefined
  }
  const databaseId = value('[d1_databases]]', 'database_id')
  return {
    databaseName: value('[d1_databases]]', 'database_name') ?? 'switchboard',
    databaseId: databaseId && databaseId !== placeholderId ? databaseId : null,
    bucketName: value('[r2_buckets]]', 'bucket_name') ?? 'switchboard-attachments',
    queueName: value('[queues.producers]]', 'queue') ?? 'switchboard-outbound',
  }
}

/** wrangler.toml with the database's id in place of whatever was there (the placeholder). */
export function withDatabaseId(toml, databaseId) {
  if (!/^[0-9a-f-]{36}$/i.test(databaseId)) throw new Error(`not a D1 database id: ${databaseId}`)
  return toml.replace(/^(database_id\s*=\s*)"[^"]*"/m, `$1"${databaseId}"`)
}

/** `wrangler d1 list --json`: the id of the database with this name, or null. */
export function databaseIdFromList(json, name) {
  const list = JSON.parse(json)
  const found = Array.isArray(list) ? list.find((database) => database?.name === name) : null
  return found?.uuid ?? null
}

/** `wrangler r2 bucket list` prints "name: <bucket>" blocks. */
export function bucketNamesFromList(output) {
  return [...output.matchAll(/^name:\s+(\S+)\s*$/gm)].map((match) => match[1])
}

/**
 * Every command, in order. `state` is what the account already has (null in --plan, where nothing
 * may reach Cloudflare: the plan then reuses the id already written in wrangler.toml, if any, and
 * creates the rest). Secrets come from the environment and are piped to `wrangler secret put`;
 * `vars` become `--var` on deploy.
 */
export function deploySteps(resources, state, options) {
  const steps = []
  const databaseId = state ? state.databaseId : resources.databaseId
  if (databaseId) steps.push({ note: `reuse D1 database ${resources.databaseName} (${databaseId})` })
  else steps.push({ args: ['d1', 'create', resources.databaseName], note: 'create the D1 database; its id is written into wrangler.toml' })
  const bucketExists = state ? state.buckets.includes(resources.bucketName) : false
  if (bucketExists) steps.push({ note: `reuse R2 bucket ${resources.bucketName}` })
  else
    steps.push({
      args: ['r2', 'bucket', 'create', resources.bucketName],
      note: state ? 'create the R2 bucket' : 'create the R2 bucket (skipped when `r2 bucket list` shows it)',
    })
  const queueExists = state ? state.queueExists : false
  if (queueExists) steps.push({ note: `reuse Queue ${resources.queueName}` })
  else
    steps.push({ args: ['queues', 'create', resources.queueName], note: state ? 'create the Queue' : 'create the Queue (skipped when `queues info` finds it)' })
  steps.push({ args: ['d1', 'migrations', 'apply', 'DB', '--remote'], note: 'apply the migrations in migrations/ that the remote database lacks' })
  for (const name of options.secrets) steps.push({ args: ['secret', 'put', name], stdinFrom: name, note: `secret ${name}, read from the environment` })
  const vars = Object.entries(options.vars).flatMap(([key, value]) => ['--var', `${key}:${value}`])
  steps.push({ args: ['deploy', ...vars], note: 'build and deploy the worker' })
  return steps
}

/** What is left for the operator: Email Routing (no API here), then the first-run setup page. */
export function emailRoutingNote(options) {
  const domain = options.from ? options.from.slice(options.from.indexOf('@') + 1) : '<your domain>'
  return [
    'Left to do in the Cloudflare dashboard (Email Routing cannot be set up from here):',
    `  1. Email → Email Routing on ${domain}: enable it and verify the DNS records it asks for.`,
    `  2. Routes → "Send to a Worker" → switchboard for your support address (e.g. support@${domain}),`,
    `     and a catch-all (or reply@ with subaddressing) so reply+<conversation>@${domain} reaches it too.`,
    `  3. Invitation and reset mails are sent from ${options.from ?? 'NOTIFICATION_FROM'}: it must be on a domain Email Routing manages.`,
    `  4. Open ${options.appUrl ?? 'the worker URL printed above'}: the first visit leads to /setup, which creates your workspace.`,
  ].join('\n')
}
