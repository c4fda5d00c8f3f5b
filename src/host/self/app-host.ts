import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Client } from '@libsql/client'
import worker, { ConversationRoom, InboxHub } from '../../index'
import type { Bindings } from '../../env'
import type { AiPort, Host } from '../ports'
import { findRecipientChannel } from '../../channels/email-inbound'
import { createDb } from '../../db/client'
import { directoryBlobStore } from './blobs'
import { type S3Config, s3BlobStore } from './s3-blobs'
import { RoomNamespace, allowUpgradeResponses } from './durable-object'
import { openJobs } from './jobs'
import { memoryLimiter } from './limiter'
import { mailOut } from './mail'
import { executionContext } from './wait-until'
import { openAiCompatible } from './openai'
import { staticFile } from './static'

export interface SelfHostConfig {
  kind: Host['kind']
  dataDir: string
  staticDir: string
  vars: Record<string, string | undefined>
  /** The inbound SMTP server's port (SMTP_PORT), named on the email channel's setup page. */
  smtpPort?: number
  /** Blobs in this S3-compatible bucket (s3ConfigFromEnv); unset: in dataDir/blobs. Kept out of `vars`: the app never sees the keys. */
  s3?: S3Config | null
}

/**
 * The app with the self-host's ports: the worker's own handlers (fetch, email, queue, scheduled)
 * called with an env that has no bindings at all, only the variables and HOST, the ports every
 * part of the app reaches through `hostOf(env)`.
 */
export async function createAppHost(client: Client, config: SelfHostConfig) {
  allowUpgradeResponses()
  const vars = config.vars
  const jobs = await openJobs(client)
  const blobs = config.s3 ? s3BlobStore(config.s3) : directoryBlobStore(join(config.dataDir, 'blobs'))
  const mail = await mailOut({ smtpUrl: vars.SMTP_URL, outbox: join(config.dataDir, 'outbox') })
  // As wrangler.toml's [[ratelimits]].
  const limiters = { chatChannel: memoryLimiter({ limit: 2000, period: 10 }), visitorSession: memoryLimiter({ limit: 20, period: 60 }) }
  // The model must be named: the Workers AI default means nothing to another service.
  if (vars.OPENAI_BASE_URL && !(vars.OPENAI_MODEL ?? vars.AI_MODEL)?.trim())
    throw new Error('OPENAI_BASE_URL is set but OPENAI_MODEL is not: name the model the endpoint serves (e.g. gpt-4o-mini, llama3.1)')
  const ai: AiPort | null = vars.OPENAI_BASE_URL ? openAiCompatible({ baseUrl: vars.OPENAI_BASE_URL, apiKey: vars.OPENAI_API_KEY }) : null
  let env: Bindings
  const conversationRooms = new RoomNamespace(ConversationRoom as never, () => env)
  const inboxHubs = new RoomNamespace(InboxHub as never, () => env)
  const host: Host = {
    kind: config.kind,
    database: client as unknown as Host['database'],
    blobs,
    jobs: jobs.queue,
    mail,
    smtp: { inboundPort: config.smtpPort ?? 2525, relay: Boolean(vars.SMTP_URL), outbox: join(config.dataDir, 'outbox') },
    rooms: {
      conversation: (id) => conversationRooms.get(conversationRooms.idFromName(id)) as never,
      inbox: (id) => inboxHubs.get(inboxHubs.idFromName(id)) as never,
    },
    limiters,
    ai,
  }
  env = {
    APP_NAME: 'Switchboard',
    ...Object.fromEntries(Object.entries(vars).filter(([, value]) => value !== undefined)),
    // The database is the HOST's client; these keep a Turso URL in the environment from being read twice.
    TURSO_DATABASE_URL: undefined,
    TURSO_AUTH_TOKEN: undefined,
    AI_MODEL: vars.OPENAI_MODEL ?? vars.AI_MODEL,
    HOST: host,
  } as unknown as Bindings

  /** One HTTP request: static files first (as Workers assets are served), then the app. */
  async function fetch(request: Request): Promise<Response> {
    if (request.method === 'GET' || request.method === 'HEAD') {
      const file = await staticFile(config.staticDir, new URL(request.url).pathname, request)
      if (file) return file
    }
    return worker.fetch(request, env, executionContext)
  }

  return {
    env,
    host,
    fetch,
    jobs,
    rooms: [conversationRooms, inboxHubs],
    /** The Email Worker handler, as Email Routing calls it. */
    email: (message: ForwardableEmailMessage) => worker.email(message, env, executionContext),
    /** Whether any inbox receives mail for this address (the SMTP server's RCPT check). */
    accepts: async (recipient: string) => (await findRecipientChannel(createDb(env), recipient)) !== null,
    queue: (batch: MessageBatch<unknown>) => worker.queue(batch as never, env),
    scheduled: (cron: string) => worker.scheduled({ cron, scheduledTime: Date.now(), noRetry() {} } as ScheduledController, env, executionContext),
    hasStatic: (path: string) => existsSync(join(config.staticDir, path)),
  }
}

export type AppHost = Awaited<ReturnType<typeof createAppHost>>
