import type { Db } from './db/client'
import type { Session, SessionUser } from './auth/session'
import type { ConversationRoom } from './rooms/conversation-room'
import type { InboxHub } from './rooms/inbox-hub'

export interface Bindings {
  DB: D1Database
  ATTACHMENTS: R2Bucket
  ASSETS: Fetcher
  CONVERSATION_ROOM: DurableObjectNamespace<ConversationRoom>
  INBOX_HUB: DurableObjectNamespace<InboxHub>
  /** Outbound deliveries (replies by email, …), consumed by this worker's queue() handler. */
  OUTBOUND: Queue<
    import('./services/outbound').DeliveryJob | import('./services/mention-email').MentionEmailJob | import('./services/system-email').SystemEmailJob
  >
  /** Outbound email (the email channel's `send`); simulated to a file by wrangler dev. */
  SEND_EMAIL: SendEmail
  /** Visitor messages per chat channel (abuse protection across all of a channel's visitors). */
  CHAT_CHANNEL_LIMITER: RateLimit
  /** New chat visitors per client address (the widget's session endpoint). */
  VISITOR_SESSION_LIMITER: RateLimit
  APP_NAME?: string
  /** The public base URL (https://support.example.com) for links in emails; unset: the request's origin. */
  APP_URL?: string
  /** Sender of notification emails (mentions); unset: the inbox's email channel address. */
  NOTIFICATION_FROM?: string
  /** Workers AI (wrangler.toml `[ai] binding = "AI"`): AI assist uses it when present, else the offline helpers. */
  AI?: Ai
  /** The Workers AI text-generation model; defaults to src/services/ai/provider.ts defaultWorkersAiModel. */
  AI_MODEL?: string
  TURSO_DATABASE_URL?: string
  TURSO_AUTH_TOKEN?: string
  /** Set only by `npm start` (wrangler dev --var): enables the one-time demo seed endpoint. */
  DEMO_SEED?: string
  /** Set only by local tooling (browser tests): keeps system mails (invitations, resets) readable at /dev/outbox. */
  DEV_OUTBOX?: string
  /** Set only by the self-host (src/host/self): its ports, used instead of the bindings above. */
  HOST?: import('./host/ports').Host
}

export interface AppEnv {
  Bindings: Bindings
  Variables: {
    db: Db
    user: SessionUser
    session: Session
    accountId: string
  }
}

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {}
  }
}
