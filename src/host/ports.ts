import type { ConversationRoom } from '../rooms/conversation-room'
import type { InboxHub } from '../rooms/inbox-hub'
import type { Client as LibsqlClient } from '@libsql/client/web'

/**
 * The ports the app needs from whatever runs it. Each is the subset of a Workers binding the app
 * actually calls, so the Workers host hands over its bindings as they are (src/host/workers.ts)
 * and the self-host (src/host/self/) implements the same shapes over libSQL, a directory, SMTP,
 * timers and in-process rooms. Services, channels and plugins reach a port through `hostOf(env)`
 * (src/host/index.ts), never a binding.
 *
 * - database: `createDb` (src/db/client.ts) — D1, or a libSQL client the self-host opened;
 * - live rooms: `rooms` — Durable Object namespaces, or in-process instances of the same classes;
 * - blobs: `blobs` — R2, or a directory, or an S3-compatible bucket;
 * - jobs: `jobs` — a Queue, or a durable jobs table polled by the process;
 * - mail out: `mail` — send_email, or SMTP;
 * - mail in, cron, static files: the worker's own `email()`, `scheduled()` and ASSETS, which the
 *   self-host calls from its SMTP server, timers and static handler;
 * - rate limits: `limiters` — the rate-limit bindings, or an in-memory limiter;
 * - waitUntil: the request's execution context (tracked promises drained on shutdown off Workers);
 * - AI: `ai` — Workers AI, or an OpenAI-compatible endpoint, or none (the offline helpers).
 */
export interface Host {
  /** Which runtime this is, for logs and the bench. */
  readonly kind: 'workers' | 'node' | 'bun' | 'deno'
  /** The self-host's libSQL client (native for `file:`, HTTP for Turso); unset on Workers: D1. */
  readonly database?: LibsqlClient
  readonly blobs: BlobStore
  readonly jobs: JobQueue
  /** Null when nothing is configured to send mail (no send_email binding). */
  readonly mail: MailOut | null
  /**
   * The self-host's own SMTP: the port its inbound server listens on, and whether `SMTP_URL` names
   * a relay (else mail out is written to the `outbox` folder). Unset on Workers (Email Routing and
   * send_email). Setup pages say where to point MX and how replies leave from these.
   */
  readonly smtp?: { readonly inboundPort: number; readonly relay: boolean; readonly outbox: string }
  readonly rooms: RoomDirectory
  readonly limiters: { chatChannel: RateLimiter; visitorSession: RateLimiter }
  /** Null: the offline helpers answer. */
  readonly ai: AiPort | null
}

/** The part of R2 the app uses: whole objects by key, their content type and custom metadata. */
export type BlobStore = Pick<R2Bucket, 'get' | 'put' | 'delete' | 'head' | 'list'>

/** Outbound jobs (deliveries, mention and system mails), consumed by the worker's `queue()`. */
export type JobQueue = Pick<Queue<unknown>, 'send' | 'sendBatch'>

/** One finished MIME message handed over for one envelope recipient (as send_email takes it). */
export interface OutgoingMail {
  from: string
  to: string
  raw: string | ReadableStream<Uint8Array> | Uint8Array
}

export interface MailOut {
  /**
   * Resolves with the provider's message id when it tells one; rejects when the mail was not
   * taken, with the binding's `code` (send_email) or the relay's SMTP `responseCode` (SMTP out).
   */
  send(mail: OutgoingMail): Promise<{ messageId?: string } | undefined>
}

/** The live room of a conversation and the hub of an inbox, by id (RPC stubs on Workers). */
export interface RoomDirectory {
  conversation(conversationId: string): DurableObjectStub<ConversationRoom>
  inbox(inboxId: string): DurableObjectStub<InboxHub>
}

/** The rate-limit binding's shape: one call per event, `success: false` when over the limit. */
export interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>
}

/** Text generation as Workers AI's binding answers it: `{ response }` for chat messages. */
export interface AiPort {
  /** Shown in the AI panel ("Workers AI (model)", "OpenAI-compatible (model)"). */
  readonly label?: string
  run(
    model: string,
    input: { messages: { role: 'system' | 'user' | 'assistant'; content: string }[]; max_tokens?: number; temperature?: number; seed?: number },
  ): Promise<unknown>
}
