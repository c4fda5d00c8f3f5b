// Cron Triggers for `npm start`. wrangler dev never fires a worker's crons by itself (it warns so
// at start-up); on Cloudflare they run on schedule. Locally we keep that promise: every schedule in
// wrangler.toml's [triggers] fires the worker's scheduled() handler through wrangler's local
// endpoint at the times it names, in this machine's time zone.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cron } from 'croner'

/** The cron expressions of wrangler.toml's [triggers] table. */
export function cronsOf(wranglerToml) {
  const triggers = wranglerToml.split(/^\[/m).find((table) => table.startsWith('triggers]'))
  const list = triggers?.match(/^crons\s*=\s*\[([^\]]*)\]/m)?.[1] ?? ''
  return [...list.matchAll(/"([^"]+)"/g)].map((match) => match[1])
}

/** Fires the worker's scheduled() handler for each cron of wrangler.toml; returns a stop function. */
export function startLocalCrons(root, url, log = console) {
  const crons = cronsOf(readFileSync(join(root, 'wrangler.toml'), 'utf8'))
  const jobs = crons.map(
    (cron) =>
      new Cron(cron, async () => {
        try {
          const response = await fetch(`${url}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(cron)}`)
          if (!response.ok) log.error(`cron "${cron}": the scheduled handler answered ${response.status}`)
        } catch (error) {
          log.error(`cron "${cron}": ${error.message}`)
        }
      }),
  )
  return {
    crons,
    stop: () => {
      for (const job of jobs) job.stop()
    },
  }
}
