import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import worker from '../../src/index'
import type { SystemEmailJob } from '../../src/services/system-email'
import { origin } from './helpers'

/** The worker with a recording OUTBOUND queue: what it would send is kept to be read. */
export function recordingWorker() {
  const jobs: SystemEmailJob[] = []
  const queue = {
    async send(job: SystemEmailJob) {
      jobs.push(job)
    },
    async sendBatch() {},
  }
  async function call(path: string, init: RequestInit & { cookie?: string } = {}) {
    const headers = new Headers(init.headers)
    if (init.cookie) headers.set('Cookie', init.cookie)
    if (init.method && init.method !== 'GET') headers.set('Origin', origin)
    if (!headers.has('Accept')) headers.set('Accept', 'text/html')
    const ctx = createExecutionContext()
    const response = await worker.fetch(
      new Request(`${origin}${path}`, { ...init, headers, redirect: 'manual' }),
      { ...env, OUTBOUND: queue as unknown as Queue },
      ctx,
    )
    await waitOnExecutionContext(ctx)
    return response
  }
  return { jobs, call }
}

export const linkIn = (job: SystemEmailJob | undefined, kind: 'invite' | 'reset') => {
  const match = new RegExp(`${origin}/${kind}/([a-z2-7]{16}\\.[a-z2-7]{52})`).exec(job?.text ?? '')
  if (!match) throw new Error(`no ${kind} link in ${job?.text}`)
  return match[1]!
}
