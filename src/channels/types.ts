import type { Hono } from 'hono'
import type { FC } from 'hono/jsx'
import type { z } from 'zod'
import type { AppEnv, Bindings } from '../env'

/** Who sent an inbound message, as the channel knows them. */
export interface InboundContact {
  /** The channel's own id for the sender (a visitor id, a page-scoped user id, a phone number). */
  externalId?: string
  name?: string
  email?: string
  phone?: string
  /** The sender's language, when the channel knows it (the chat widget's): customer mail uses it. */
  locale?: string
}

export interface InboundAttachment {
  filename: string
  contentType: string
  content: Uint8Array
  /** Content-ID for inline (cid:) images. */
  contentId?: string
}

export interface InboundParticipant {
  address: string
  name?: string
  role: 'from' | 'to' | 'cc'
}

/** One message in the normalized form every channel produces. */
export interface InboundMessage {
  /** The provider's id for this message (Message-ID, event id): makes delivery idempotent. */
  externalId?: string
  from: InboundContact
  subject?: string
  text: string
  /** Already-sanitised HTML, if the channel has any. */
  html?: string
  /** When the sender sent it (ms); defaults to when it arrived. */
  sentAt?: number
  /** How to find the conversation it belongs to. */
  thread?: {
    /** A key the channel keeps for a conversation (chat session, Messenger thread). */
    key?: string
    /** External ids of earlier messages this one answers (In-Reply-To, References). */
    references?: string[]
    /**
     * A conversation id the channel read from one of our own tokens (a reply address, a
     * Message-ID we generated). Trusted only inside the channel's own inbox.
     */
    conversationId?: string
    /**
     * The id to give the conversation if this message starts one (the chat widget learns its
     * conversation's id before the first message, so the room and the row agree from the start).
     */
    createAs?: string
    /**
     * A normalized subject (prefixes and tags stripped). Joins a recent conversation with the same
     * key only when the sender is one of its participants; never on its own.
     */
    subjectKey?: string
  }
  /** Everyone the message was addressed to besides our own addresses (recorded per conversation). */
  participants?: InboundParticipant[]
  /** Sent by a machine (auto-reply, bounce, list mail): stored as such and never answered automatically. */
  automated?: boolean
  /** Addresses the message reports as undeliverable (a bounce): their contacts are marked bouncing. */
  bouncedAddresses?: string[]
  /** A digest of the content: a repeated delivery matches it; a reused external id does not. */
  contentHash?: string
  /** Where the original bytes are kept (an R2 key), for download. */
  rawKey?: string
  /** Channel-specific details shown with the message (To/Cc lists, …). */
  metadata?: Record<string, unknown>
  /** A folder the channel judges the conversation belongs in (e.g. spam for role senders). */
  folder?: 'inbox' | 'spam'
  attachments?: InboundAttachment[]
  /** A visible note for agents, e.g. that the message could not be read. */
  notice?: string
  /** A bot answers a new conversation first; the inbox's default assignment waits for its handoff. */
  deferAssignment?: boolean
}

export type InboundInput =
  | { type: 'http'; request: Request }
  | { type: 'email'; raw: Uint8Array; envelopeFrom: string; envelopeTo: string; rawKey: string }
  | { type: 'event'; payload: unknown }

export interface ChannelRecord {
  id: string
  accountId: string
  inboxId: string
  pluginId: string
  name: string
}

export interface ChannelContext<S> {
  channel: ChannelRecord
  settings: S
  secrets: Record<string, string>
  /** Reach what the host offers through `hostOf(env)` (re-exported below), never a binding. */
  env: Bindings
  /**
   * This app's public address (https://support.example.com, no trailing slash) when it is known
   * (APP_URL, else the request's origin): for callback URLs a provider must reach. Null in a
   * queue job without APP_URL.
   */
  baseUrl: string | null
}

export interface OutboundMessage {
  conversationId: string
  messageId: number
  /**
   * Who the reply is for, as the conversation knows them. `externalId` is the conversation's thread
   * key (the `thread.key` its first inbound message carried: a chat session, a Messenger sender id,
   * an SMS sender's number), not the contact's id; `phone` is the contact's number in E.164.
   */
  to: { name?: string | null; email?: string | null; phone?: string | null; externalId?: string | null }
  subject?: string | null
  text: string
  html?: string | null
  /** External ids of the messages this answers, newest last. */
  references: string[]
  /** When the conversation started (ms): channels that index a thread by time need it. */
  conversationStartedAt?: number
  /** The channel's reply options as the composer stored them (hostile: parse with `replyOptions`). */
  options?: unknown
  /** The stored message's metadata (what the channel or a service put there). */
  metadata?: Record<string, unknown>
  /** Metadata of the newest earlier message with an external id (e.g. its Thread-Index). */
  parentMetadata?: Record<string, unknown>
  /** Sent by the system, not typed by a person: `auto-replied` answers a message, `auto-generated` does not (RFC 3834). */
  automatic?: 'auto-replied' | 'auto-generated'
  attachments?: OutboundAttachment[]
}

export interface OutboundAttachment {
  filename: string
  contentType: string
  sizeBytes: number
  contentId?: string | null
  read(): Promise<Uint8Array>
}

/** A delivered message (`status` may be left out). */
export interface SendResult {
  status?: 'sent'
  externalId?: string
  /** The bytes that went out (a MIME message): kept with the message so agents can see what was sent. */
  raw?: string | Uint8Array
  /** Merged into the message's metadata (recipients, the ids the provider gave each copy …). */
  metadata?: Record<string, unknown>
  /** Everyone the message went to, recorded on the conversation. */
  participants?: InboundParticipant[]
}

/**
 * What `send` answers. A thrown error counts as a temporary failure (retried with backoff).
 * - `retry`: the provider asked to try later (rate limit, outage); `retryAfterSeconds` overrides the backoff.
 * - `failed`: it will never go (unknown number, message refused): the message shows `reason` at once, no retry.
 */
export type SendOutcome = SendResult | { status: 'retry'; reason: string; retryAfterSeconds?: number } | { status: 'failed'; reason: string }

/** The reply an agent is about to send, checked by `validate` before anything is stored. */
export interface OutboundDraft {
  conversationId: string
  text: string
  /** Sanitised HTML from the editor; only offered when the channel's capabilities say `text: 'rich'`. */
  html?: string | null
  /** The channel's reply options, already parsed with its `replyOptions` schema. */
  options?: unknown
  to: OutboundMessage['to']
  /** When the customer last wrote (ms), for channels that may only answer within a window (Messenger's 24 h). */
  lastInboundAt?: number | null
}

/** One reason a draft cannot go, shown beside the composer. `field` names a composer field, if any. */
export interface DraftProblem {
  message: string
  field?: string
}

/** What the pipeline did with one inbound message (`respond` shapes the provider's answer from these). */
export interface IngestResultSummary {
  status: 'created' | 'appended' | 'duplicate'
  conversationId: string
  messageId: number
}

/**
 * What a `send` that reached some recipients before failing throws: an Error with the recipients
 * that have the message. They are kept in `metadata.deliveredTo`, and the retry skips them, so
 * nobody gets the same mail twice.
 */
export interface PartialDelivery {
  deliveredTo: string[]
}

/** What the composer renders for a channel with reply options (recipients, attachments …). */
export interface ComposerFieldsProps {
  conversationId: string
  /** What the agent entered, when the server sends the form back; absent for a fresh composer. */
  values?: Record<string, string>
}

export interface ChannelCapabilities {
  /** Agents can reply through the channel. */
  outbound: boolean
  /**
   * What a reply is written as: `plain` hides the editor's formatting tools, `rich` offers them
   * (HTML is sanitised on the server). Defaults from `html`.
   */
  text?: 'plain' | 'rich'
  /** The longest reply the channel carries, in characters: the composer counts down and refuses more. */
  maxLength?: number
  /** Replies have a subject line of their own. */
  subject?: boolean
  /** Limits on attached files, when `attachments` is set. */
  attachmentLimits?: { maxFiles?: number; maxBytes?: number; types?: string[] }
  /** Messages travel live over a ConversationRoom socket. */
  realtime?: boolean
  attachments?: boolean
  /** The channel threads by references (In-Reply-To style) rather than by a key. */
  threading?: boolean
  /** Messages arrive at POST /channels/<channel id>/inbound (providers call it). */
  webhook?: boolean
  /** Replies may be written as HTML (sanitised on the server before they are stored or sent). */
  html?: boolean
  /** A conversation can be forwarded to an outside address through this channel. */
  forward?: boolean
}

/** A settings field's or secret's label and help text, in one language. */
export interface FieldText {
  label: string
  help?: string
}

/** Everything a plugin says to people, in one language. */
export interface ChannelTexts {
  name: string
  /** Labels and help for the settings schema's keys. */
  fields?: Record<string, FieldText>
  /** Labels and help for the secrets' keys. */
  secrets?: Record<string, FieldText>
  /** Steps that connect the channel to its provider, shown on the channel's settings page ({webhookUrl} is filled in). */
  setup?: string[]
}

/** What a plugin's own routes get besides the app: a way to read their channel without core's services. */
export interface PluginRouteKit<S> {
  /** The channel with this id, if it exists and belongs to this plugin; its settings validated (null when they are not valid). */
  channel(c: import('hono').Context<AppEnv>, channelId: string): Promise<(ChannelContext<S> & { valid: boolean }) | null>
  /**
   * A provider's later word on a reply it accepted (a delivery-status callback): `failed` marks the
   * message failed with the reason shown on it. Matches the message by the id `send` returned, in
   * this channel only. Returns whether a message was found.
   */
  reportDelivery(
    c: import('hono').Context<AppEnv>,
    ctx: ChannelContext<S>,
    report: { externalId: string; status: 'delivered' | 'failed'; reason?: string },
  ): Promise<boolean>
}

/**
 * A channel plugin: a plain object that turns a channel's input into `InboundMessage`s and sends
 * `OutboundMessage`s. It never writes core tables; `channels/pipeline.ts` does.
 *
 * plugins/README.md ("Write a channel") documents every member; plugins/sms is the worked example.
 */
export interface ChannelPlugin<S extends z.ZodTypeAny = z.ZodTypeAny> {
  id: string
  name: string
  /** The name of the built-in view this channel feeds ('Email', 'Chat', …). */
  view: string
  /** Show the channel's view above "More" in the sidebar. */
  viewAlwaysShown?: boolean
  settings: S
  /** Names of the channel's secrets (app secrets, webhook tokens): asked for, never shown again. */
  secrets?: { key: string; label: string }[]
  capabilities: ChannelCapabilities
  /**
   * The plugin takes mail from Cloudflare Email Routing (the Worker's `email()` entry): core asks
   * `recipient` of each of the plugin's channels (settings as stored JSON: read them defensively)
   * whether it takes mail for the address, as one of its own or as a reply address naming a
   * conversation (then the conversation must be that channel's), and hands the chosen channel's
   * `parse` an `{ type: 'email' }` input. At most one registered plugin declares it.
   */
  emailRouting?: {
    recipient(settings: unknown, recipient: string): { kind: 'address' } | { kind: 'conversation'; conversationId: string } | null
    /** The address mail from a channel with these settings comes from (notifications, new mail), or null. */
    fromAddress(settings: unknown): string | null
  }
  /** The largest webhook body accepted, in bytes (default 1 MiB); a bigger one gets a 413 and nothing is stored. */
  maxPayloadBytes?: number
  /** Checks a webhook's signature or token before anything is parsed. */
  verify?(request: Request, ctx: ChannelContext<z.infer<S>>): Promise<boolean>
  parse(input: InboundInput, ctx: ChannelContext<z.infer<S>>): Promise<InboundMessage[]>
  /**
   * The provider's answer to a webhook once its messages are stored (TwiML, an empty 200 …).
   * Without it the answer is JSON: 201 when something new was stored, 200 for a redelivery.
   */
  respond?(results: IngestResultSummary[], ctx: ChannelContext<z.infer<S>>): Response | Promise<Response>
  /** Checks a reply while it is written (length, recipients, a messaging window): problems are shown and nothing is stored. */
  validate?(draft: OutboundDraft, ctx: ChannelContext<z.infer<S>>): DraftProblem[] | Promise<DraftProblem[]>
  send?(message: OutboundMessage, ctx: ChannelContext<z.infer<S>>): Promise<SendOutcome>
  /**
   * What a reply carries besides its text (recipients, …), parsed from the composer's form and
   * stored in `messages.metadata.replyOptions`; `send` receives it as `OutboundMessage.options`.
   */
  replyOptions?: z.ZodTypeAny
  /** Labels, help and setup steps in every UI language (en, nb); without them labels are made from the keys. */
  texts?: { en: ChannelTexts; nb: ChannelTexts }
  /** Extra routes, mounted under /channels/<id>; `kit.channel` reads the channel a path names. */
  routes?(app: Hono<AppEnv>, kit: PluginRouteKit<z.infer<S>>): void
  ui: { Icon: FC; SettingsForm?: FC<{ settings: z.infer<S> }>; MessageMeta?: FC; ComposerFields?: FC<ComposerFieldsProps> }
}

export const defineChannel = <S extends z.ZodTypeAny>(plugin: ChannelPlugin<S>): ChannelPlugin<S> => plugin

// The kit: what a plugin may use from core besides the types above. Plugins import only this file.
export { constantTimeEqualText, hmacSha1Base64, verifyHmacSha256Hex } from '../lib/hmac'
export { normalizePhone } from '../lib/phone'
/** The host's ports (mail out, blobs, …) for a plugin's `ctx.env`: the same plugin runs on Workers and self-hosted. */
export { hostOf } from '../host'
