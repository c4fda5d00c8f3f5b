import type { Client } from '@libsql/client'
import type { JobQueue } from '../ports'

/**
 * Queues off Workers: a durable jobs table in the app's libSQL database, polled by the process.
 * A job is claimed before its handler runs and deleted once acknowledged; a retry sets its next
 * run time (the handler's backoff); after `maxRetries` retries it stays as `failed` with its
 * last error, as the queue's dead end. A job claimed by a process that stopped is claimed again
 * at the next start, so a restart loses no outbound mail.
 */
export const jobsTable = `CREATE TABLE IF NOT EXISTS host_jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  run_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued',
  last_error TEXT,
  created_at INTEGER NOT NULL
)`
const jobsIndex = 'CREATE INDEX IF NOT EXISTS host_jobs_due ON host_jobs (state, run_at)'

/** As wrangler.toml's consumer: max_retries = 5, batches of 10. */
export const maxRetries = 5
const batchSize = 10
const defaultRetrySeconds = 30

export type QueueHandler = (batch: MessageBatch<unknown>) => Promise<void>

export async function openJobs(client: Client) {
  await client.execute(jobsTable)
  await client.execute(jobsIndex)
  // Claimed by a process that stopped before finishing: due again now.
  await client.execute("UPDATE host_jobs SET state = 'queued' WHERE state = 'running'")
  let wake: (() => void) | null = null

  const insert = async (items: { body: unknown; delaySeconds?: number }[]) => {
    const now = Date.now()
    await client.batch(
      items.map((item) => ({
        sql: 'INSERT INTO host_jobs (body, run_at, created_at) VALUES (?, ?, ?)',
        args: [JSON.stringify(item.body), now + (item.delaySeconds ?? 0) * 1000, now],
      })),
      'write',
    )
    wake?.()
  }
  const queue = {
    async send(body: unknown, options?: { delaySeconds?: number }) {
      await insert([{ body, delaySeconds: options?.delaySeconds }])
      return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } }
    },
    async sendBatch(messages: Iterable<{ body: unknown; delaySeconds?: number }>) {
      const items = [...messages]
      if (items.length > 0) await insert(items)
      return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } }
    },
  } as unknown as JobQueue

  /** Runs the due jobs once; returns how many ran. */
  async function runDue(handler: QueueHandler): Promise<number> {
    const now = Date.now()
    const due = await client.execute({
      sql: "UPDATE host_jobs SET state = 'running' WHERE id IN (SELECT id FROM host_jobs WHERE state = 'queued' AND run_at <= ? ORDER BY run_at, id LIMIT ?) RETURNING id, body, attempts, created_at",
      args: [now, batchSize],
    })
    if (due.rows.length === 0) return 0
    const outcomes = new Map<number, { kind: 'ack' } | { kind: 'retry'; delaySeconds: number }>()
    const messages = due.rows.map((row) => {
      const id = Number(row.id)
      return {
        id: String(id),
        timestamp: new Date(Number(row.created_at)),
        body: JSON.parse(String(row.body)) as unknown,
        attempts: Number(row.attempts) + 1,
        ack: () => void outcomes.set(id, { kind: 'ack' }),
        retry: (options?: { delaySeconds?: number }) => void outcomes.set(id, { kind: 'retry', delaySeconds: options?.delaySeconds ?? defaultRetrySeconds }),
      }
    })
    let failure: string | null = null
    try {
      await handler({ queue: 'host_jobs', messages, ackAll() {}, retryAll() {} } as unknown as MessageBatch<unknown>)
    } catch (error) {
      // The whole batch is retried, as a consumer that throws is on Workers (acknowledged ones kept).
      failure = error instanceof Error ? error.message : String(error)
      console.error('queue handler failed', failure)
    }
    const statements = messages.map((message) => {
      const id = Number(message.id)
      const outcome = outcomes.get(id) ?? (failure ? { kind: 'retry' as const, delaySeconds: defaultRetrySeconds } : { kind: 'ack' as const })
      if (outcome.kind === 'ack') return { sql: 'DELETE FROM host_jobs WHERE id = ?', args: [id] }
      const failed = message.attempts > maxRetries
      return {
        sql: 'UPDATE host_jobs SET state = ?, attempts = ?, run_at = ?, last_error = ? WHERE id = ?',
        args: [failed ? 'failed' : 'queued', message.attempts, Date.now() + outcome.delaySeconds * 1000, failure, id],
      }
    })
    await client.batch(statements, 'write')
    return messages.length
  }

  /** Polls for due jobs until stopped; a send wakes it at once. */
  function start(handler: QueueHandler, intervalMs = 500) {
    let stopped = false
    let running: Promise<void> = Promise.resolve()
    const loop = async () => {
      while (!stopped) {
        try {
          while (!stopped && (await runDue(handler)) === batchSize) {}
        } catch (error) {
          console.error('jobs poll failed', String(error))
        }
        if (stopped) break
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, intervalMs)
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        wake = null
      }
    }
    running = loop()
    return {
      /** Stops polling after the batch in hand (its jobs are then acknowledged or rescheduled). */
      async stop() {
        stopped = true
        wake?.()
        await running
      },
    }
  }

  return { queue, runDue, start }
}
