// Starts the real worker under `wrangler dev` (workerd with local D1, R2 and Durable Objects),
// for `npm start`, the browser test and the benchmarks. Runs in its own process group, so that
// stopping it also stops workerd (killing only the wrangler wrapper would leave workerd behind).
import { spawn, spawnSync } from 'node:child_process'
import { Transform } from 'node:stream'
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const wranglerBin = join(root, 'node_modules', '.bin', 'wrangler')

export const offlineEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
}

/** Applies the committed migrations to a local D1 database (idempotent). */
export function applyMigrations(persistTo) {
  const args = ['d1', 'migrations', 'apply', 'DB', '--local', ...(persistTo ? ['--persist-to', persistTo] : [])]
  const result = spawnSync(wranglerBin, args, { cwd: root, env: { ...offlineEnv, CI: 'true' }, encoding: 'utf8' })
  if (result.status !== 0) {
    throw new Error(`wrangler d1 migrations apply failed:\n${result.stdout}\n${result.stderr}`)
  }
}

/**
 * Drops wrangler's "Scheduled Workers are not automatically triggered" warning (and its curl hint)
 * from what `npm start` shows: scripts/lib/local-cron.mjs does trigger them there.
 */
function withoutCronWarning() {
  let pending = ''
  let skipping = 0
  // The block: the warning, a blank line, the curl hint (two lines), a docs link ending in
  // #test-cron-triggers-locally. Six lines at most are dropped, whatever wrangler prints next.
  const keep = (line) => {
    if (/Scheduled Workers are not automatically triggered/.test(line)) {
      skipping = 5
      return false
    }
    if (skipping > 0) {
      skipping = /cron-triggers/.test(line) ? 0 : skipping - 1
      return false
    }
    return true
  }
  return new Transform({
    transform(chunk, _encoding, done) {
      const lines = (pending + chunk).split('\n')
      pending = lines.pop()
      done(
        null,
        lines
          .filter(keep)
          .map((line) => `${line}\n`)
          .join(''),
      )
    },
    flush(done) {
      done(null, pending && keep(pending) ? pending : '')
    },
  })
}

async function waitUntilReady(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`)
    try {
      const response = await fetch(`${url}/login`, { redirect: 'manual' })
      // 200: the login page; 302: a new database's login page leads to first-run setup.
      if (response.status === 200 || response.status === 302) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`wrangler dev did not answer at ${url} within ${timeoutMs} ms`)
}

/**
 * @param {{ port?: number, inspectorPort?: number, persistTo?: string, demoSeed?: boolean, devOutbox?: boolean, inheritOutput?: boolean, timeoutMs?: number }} options
 */
export async function startDevServer(options = {}) {
  const port = options.port ?? 8787
  const url = `http://127.0.0.1:${port}`
  const inspectorPort = String(options.inspectorPort ?? 0)
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', inspectorPort, '--show-interactive-dev-session=false']
  if (options.persistTo) args.push('--persist-to', options.persistTo)
  if (options.demoSeed) args.push('--var', 'DEMO_SEED:true')
  // System mails (invitations, resets) readable at /dev/outbox without the demo workspace.
  if (options.devOutbox) args.push('--var', 'DEV_OUTBOX:true')
  const child = spawn(wranglerBin, args, {
    cwd: root,
    env: offlineEnv,
    detached: true,
    stdio: options.inheritOutput ? ['inherit', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  if (options.inheritOutput) {
    child.stdout.pipe(withoutCronWarning()).pipe(process.stdout)
    child.stderr.pipe(withoutCronWarning()).pipe(process.stderr)
  }
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      // already gone
    }
  }
  try {
    await waitUntilReady(url, child, options.timeoutMs ?? 60_000)
  } catch (error) {
    stop()
    throw new Error(`${error.message}\n--- wrangler output ---\n${output}`)
  }
  return { url, child, stop, output: () => output }
}

/** Asks the worker to create the demo workspace unless one exists. */
export async function seedDemo(url) {
  const response = await fetch(`${url}/dev/seed`, { method: 'POST', headers: { Origin: url } })
  if (!response.ok) throw new Error(`demo seed failed: ${response.status} ${await response.text()}`)
  return response.json()
}

/**
 * wrangler dev runs two workerd processes: its proxy in front (on the port we asked for) and the
 * worker itself (on a port of its own). Told apart by the worker's `entry=…:0` socket.
 */
function labelOf(pid, name) {
  if (name !== 'workerd') return name
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    return args.some((arg) => /^--socket-addr=entry=[^:]+:0$/.test(arg)) ? 'workerd (worker)' : 'workerd (wrangler proxy)'
  } catch {
    return name
  }
}

/**
 * CPU time (user + system, ms) used so far by the processes of a started server's process group,
 * by command name (workerd, node …). Linux only (/proc); an empty object elsewhere. The benches
 * print it per operation: unlike wall time it hardly moves when other work shares the machine.
 */
export function serverCpuMs(server) {
  const totals = {}
  let entries = []
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return totals
  }
  const ticksPerSecond = 100
  for (const pid of entries) {
    let stat
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      continue
    }
    const close = stat.lastIndexOf(')')
    const name = stat.slice(stat.indexOf('(') + 1, close)
    const fields = stat.slice(close + 2).split(' ')
    // Fields after the name: state(0) ppid(1) pgrp(2) … utime(11) stime(12).
    if (Number(fields[2]) !== server.child.pid) continue
    totals[labelOf(pid, name)] = (totals[labelOf(pid, name)] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond
  }
  return totals
}
