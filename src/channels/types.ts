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
  /** A picture of the sender (https), when the channel's `profile` found one. */
  avatarUrl?: string
}

/** What a provider's profile look-up says about a sender (`ChannelPlugin.profile`). */
export interface ContactProfile {
  name?: string
  /** An https URL of their picture. */
  avatarUrl?: string
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
  /** When the sender sent it (ms), by the provider's clock: kept as `metadata.sentAt`; the thread dates and orders messages by arrival. */
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
  /**
   * The message is the provider's report that earlier messages did not arrive (an email bounce, a
   * DSN). Contacts at `recipients` (addresses or E.164 numbers) are marked unreachable until they
   * write again; our messages in the conversation whose external id is in `messageIds` show as
   * failed with `reason`. The report itself is stored like any automated message.
   */
  deliveryFailure?: { recipients: string[]; messageIds: string[]; reason?: string }
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
  /**
   * Written by the business outside Switchboard (a page's own inbox, a phone): `from` is still the
   * customer (whose conversation it belongs to), the message is stored as outgoing and sent, and
   * `authorName` names who wrote it. An echo of our own reply carries the id `send` returned as
   * `externalId`, so it is recognised as a redelivery and stored once.
   */
  outgoing?: { authorName?: string }
}

/**
 * A provider's word on replies it accepted: by the id `send` returned, or (a read receipt that
 * only says "everything up to now") every sent reply in the conversation with `threadKey` up to `upTo` (ms).
 * A failure's `reason` may be a sentence of the plugin's own (`() => say('key', vars)`): core
 * writes it in the language of the reply's author, as it does `send`'s reasons.
 */
export type DeliveryReport =
  | { externalId: string; status: 'delivered' | 'read' | 'failed'; reason?: string | (() => string) }
  | { threadKey: string; status: 'delivered' | 'read'; upTo: number }

/**
 * What `parse` is given:
 * - `http`: a webhook's request (POST /channels/<channel id>/inbound), already verified;
 * - `raw`: a message the host received as bytes with its envelope (Cloudflare Email Routing's
 *   `email()` entry), handed to the plugin that declares `emailRouting`; core has stored the
 *   bytes under `rawKey` (keep it on the message as `rawKey` so agents can download them);
 * - `event`: anything else a plugin's own routes or a Durable Object pass on.
 */
export type InboundInput =
  | { type: 'http'; request: Request }
  | { type: 'raw'; raw: Uint8Array; envelope: { from: string; to: string }; rawKey: string }
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
   * an SMS sender's number), not the contact's id, and null for a reply handed off from another
   * channel's conversation (`capabilities.reaches`); `phone` is the contact's number in E.164.
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
  /** When the customer last wrote (ms): a channel with a messaging window picks how to send by it. */
  lastInboundAt?: number | null
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
  /**
   * The addresses that took the message (a send to several recipients): kept in its metadata, so
   * when a later report (a bounce) names some of them, Retry goes to those alone.
   */
  deliveredTo?: string[]
}

/**
 * What `send` answers. A thrown error counts as a temporary failure (retried with backoff).
 * - `retry`: the provider asked to try later (rate limit, outage); `retryAfterSeconds` overrides the backoff.
 * - `failed`: it will never go (unknown number, message refused): the message shows `reason` at once, no retry.
 * Either may say which recipients have the message already (`PartialDelivery`): a retry skips them.
 */
export type SendOutcome =
  | SendResult
  | ({ status: 'retry'; reason: string; retryAfterSeconds?: number } & Partial<PartialDelivery>)
  | ({ status: 'failed'; reason: string } & Partial<PartialDelivery>)

/**
 * A mail from the app to one person outside any conversation (a teammate's mention, an
 * invitation, a password reset), sent through the plugin that declares `emailRouting`.
 */
export interface NoticeMail {
  /** Stable across retries and unique: the Message-ID is made from it. */
  id: string
  from: { address: string; name?: string }
  to: { address: string; name?: string }
  subject: string
  text: string
  /** A whole HTML document, every value in it escaped by the caller. */
  html: string
}

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
 * The answer a webhook gets when its plugin has no `respond`: JSON, 201 when something new was
 * stored, 200 for a redelivery. A `respond` that only adds headers (CORS for a listed site) calls
 * it with them.
 */
export function ingestAnswer(results: IngestResultSummary[], headers?: HeadersInit): Response {
  return Response.json({ received: results.length, results }, { status: results.some((result) => result.status !== 'duplicate') ? 201 : 200, headers })
}

/**
 * What a `send` that reached some recipients before failing says, on the Error it throws or on
 * its `retry` / `failed` answer: the recipients that have the message, and those that do not.
 * Both are kept in the message's metadata (`deliveredTo`, `notDeliveredTo`): every later attempt,
 * the queue's or the agent's Retry, skips `deliveredTo`, so nobody gets the same mail twice, and
 * the thread says who is still missing it.
 */
export interface PartialDelivery {
  deliveredTo: string[]
  notDeliveredTo?: string[]
}

/** A person a message goes to, as recipient-carrying `replyOptions` name them. */
export interface Recipient {
  address: string
  name?: string | null
}

/**
 * What a plugin's `replyOptions` returns when its replies name recipients (email): core reads these
 * lists to start a new conversation (`to[0]` becomes its contact) or to forward one (`to`).
 */
export interface ReplyRecipients {
  to?: Recipient[]
  cc?: Recipient[]
  bcc?: Recipient[]
}

/**
 * What the composer renders for a channel with reply options (recipients, attachments …), in the
 * composer's form: the plugin's fields post with it and are parsed by its `replyOptions`.
 */
export interface ComposerFieldsProps {
  /** The conversation answered; absent for a new one. */
  conversationId?: string
  /** `reply` (default): a reply in the thread; `new`: a new conversation (the mail plugin's, from "New email"); `forward`: only who a forward goes to. */
  purpose?: 'reply' | 'new' | 'forward'
  /** What the agent entered, when the server sends the form back; absent for a fresh composer. */
  values?: Record<string, string>
  /**
   * Who a reply goes to by default, when core renders fresh fields at
   * `GET /conversations/<id>/reply-fields` (`?all=1`: everyone on the thread): the fields a
   * fresh reply composer shows may load from there.
   */
  defaults?: { to: Recipient[]; cc: Recipient[] }
  /** Problems with one of these fields (by field name: a `DraftProblem`'s `field`, or the `replyOptions` issue's path), shown beside it. */
  errors?: Record<string, string>
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
  /**
   * Contact details the channel can write to first, without the contact writing to it (an email
   * address, a phone number in E.164): a conversation in another channel of the inbox may hand a
   * reply off through it ("Send as: Email to …"); `send` then gets the detail in `message.to`.
   */
  reaches?: ('email' | 'phone')[]
  /** A conversation can be forwarded to an outside address through this channel. */
  forward?: boolean
  /**
   * The channel has no way back of its own (a web form): a reply goes by email, through the inbox's
   * email channel, to the contact's address, and the answer by mail continues the conversation.
   * The composer says so when the contact has no address.
   */
  replyByEmail?: boolean
}

/** What `replyWindow` is told about a conversation. */
export interface ReplyState {
  conversationId: string
  to: OutboundMessage['to']
  /** When the customer last wrote (ms), null when they never did. */
  lastInboundAt: number | null
}

/** A settings field's or secret's label and help text, in one language. */
export interface FieldText {
  label: string
  help?: string
}

/** Everything a plugin says to people, in one language. */
export interface ChannelTexts {
  name: string
  /** One line under the name in "Connect a channel": what the channel brings in. */
  description?: string
  /** Labels and help for the settings schema's keys. */
  fields?: Record<string, FieldText>
  /** Labels and help for the secrets' keys. */
  secrets?: Record<string, FieldText>
  /**
   * Steps that connect the channel to its provider, shown after saving. Filled in with this
   * deployment's absolute addresses: {webhookUrl} (the inbound endpoint), {routesUrl} (the plugin's
   * own routes for this channel) and {baseUrl}.
   */
  setup?: string[]
  /**
   * The plugin's own sentences (a reply window's reason, a draft's problem, why a send failed), by
   * key, with `{name}` placeholders; read through the kit's `words(texts)`. Every language has the
   * same keys and placeholders (the contract suite checks).
   */
  messages?: Record<string, string>
}

/**
 * A stored message of the plugin's channel, as `messageText` gets it. `metadata` is what `parse`
 * put there (and what core added), read back from the database: absent on old rows, and hostile
 * (parse it defensively).
 */
export interface StoredMessage {
  text: string
  direction: 'in' | 'out'
  metadata: Record<string, unknown> | null
}

/** One thing a channel's settings page checked (or could not check) about its set-up. */
export interface SetupCheck {
  /** `unknown`: this deployment cannot check it (DNS records, a provider's dashboard): `text` says where to look. */
  status: 'ok' | 'problem' | 'unknown'
  text: string
}

/** What a plugin's setup instructions get: the saved channel and where this deployment answers. */
export interface ChannelSetupProps {
  channel: ChannelRecord
  /** The UI language: a plugin's own words for its instructions come in it. */
  locale: 'en' | 'nb'
  /** The settings as stored (validated by the plugin's schema when they are valid). */
  settings: unknown
  /**
   * What runs this deployment: Workers, or the self-host (Node, Bun, Deno) with its own SMTP port
   * and relay. Instructions name the host's own steps (Email Routing there, MX at the port here).
   */
  host: Pick<import('../host/ports').Host, 'kind' | 'smtp'>
  urls: {
    /** This deployment's origin (https://support.example.com), no trailing slash. */
    base: string
    /** POST /channels/<channel id>/inbound, absolute. */
    webhook: string
    /** /channels/<plugin id>/<channel id>, absolute: the plugin's own routes for this channel. */
    routes: string
    /** A page of this deployment that shows the channel's embed (signed-in admins only). */
    preview: string
  }
}

/** What a plugin's own settings fields get (for settings the generic form cannot draw, such as a list of objects). */
export interface SettingsFieldsProps {
  /** The UI language. */
  locale: 'en' | 'nb'
  /** The settings as stored, or as the admin just typed them when the form comes back with errors. */
  values: Record<string, unknown>
  /** Problems by settings key (the first path segment of each zod issue). */
  errors: Record<string, string>
}

/**
 * A value a channel holds on its own (an email address, a widget origin): no two channels of the
 * plugin that are not removed may claim the same one. `values` reads stored settings defensively and
 * returns them normalised (lower case, …); `acrossAccounts` when the value routes globally (mail to an
 * address reaches one channel, whichever workspace it is in).
 */
export interface ExclusiveSetting {
  field: string
  values(settings: unknown): string[]
  acrossAccounts?: boolean
}

/** What the visitor widget needs from a channel's settings (see `ChannelPlugin.widget`). */
export interface WidgetSettings {
  /** Origins of the pages that may embed the widget (`https://shop.example`); empty allows none, not even this app's. */
  allowedOrigins: string[]
  /** The first thing a visitor reads. */
  greeting: string
  /** Shown while nobody is available, instead of the widget's default "leave your email" line. */
  awayMessage?: string
  /** A chatflow (plugins/bots) that answers new conversations first, if any. */
  chatflow?: string
  /** The widget's language, or `auto` to follow each visitor's browser. */
  language: 'auto' | 'en' | 'nb'
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
  reportDelivery(c: import('hono').Context<AppEnv>, ctx: ChannelContext<S>, report: DeliveryReport): Promise<boolean>
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
   * `parse` a `{ type: 'raw' }` input. At most one registered plugin declares it.
   */
  emailRouting?: {
    recipient(settings: unknown, recipient: string): { kind: 'address' } | { kind: 'conversation'; conversationId: string } | null
    /** The address mail from a channel with these settings comes from (notifications, new mail), or null. */
    fromAddress(settings: unknown): string | null
    /** The name that mail carries beside it, when the settings give one (else the channel's name is used). */
    fromName?(settings: unknown): string | null
    /**
     * Sends a notice (`NoticeMail`): mention, invitation and password mails go out here, through
     * the same builder as replies. Answers like `send`: sent (with `raw`), retry, or failed.
     */
    sendNotice(mail: NoticeMail, env: Bindings): Promise<SendOutcome>
  }
  /**
   * The channel is the visitor widget on a customer's site (declare `capabilities.realtime` too):
   * core serves `/widget/<channel id>/` (session, socket, uploads) for its channels, reads what the
   * widget needs from `widget(settings)` (settings validated), and hands each visitor message to
   * `parse` as an `{ type: 'event' }` input (see plugins/chat).
   */
  widget?(settings: z.infer<S>): WidgetSettings
  /** The largest webhook body accepted, in bytes (default 1 MiB); a bigger one gets a 413 and nothing is stored. */
  maxPayloadBytes?: number
  /**
   * Answers a provider's GET on the channel's inbound URL (a subscription handshake such as Meta's
   * hub.challenge), so one callback URL serves the handshake and the events. Without it such a GET
   * gets a 405.
   */
  handshake?(request: Request, ctx: ChannelContext<z.infer<S>>): Response | Promise<Response>
  /** Checks a webhook's signature or token before anything is parsed. */
  verify?(request: Request, ctx: ChannelContext<z.infer<S>>): Promise<boolean>
  parse(input: InboundInput, ctx: ChannelContext<z.infer<S>>): Promise<InboundMessage[]>
  /**
   * The provider's answer to a webhook once its messages are stored (TwiML, an empty 200 …).
   * Without it the answer is `ingestAnswer(results)`: JSON, 201 when something new was stored, 200 for a redelivery.
   * `request` is the webhook's request, for its headers (a browser posting a form asks for HTML).
   */
  respond?(results: IngestResultSummary[], ctx: ChannelContext<z.infer<S>>, request: Request): Response | Promise<Response>
  /**
   * Why no reply can go at all right now (a messaging window has closed), or null. The composer
   * shows the reason as soon as the thread opens, offers no Reply, and a reply posted anyway is
   * refused with it before anything is stored.
   */
  replyWindow?(state: ReplyState, ctx: ChannelContext<z.infer<S>>): string | null
  /**
   * Delivery and read receipts carried by a webhook (the same request `parse` gets): core records
   * them on the replies they name. Messages and receipts may arrive in one body.
   */
  receipts?(input: InboundInput, ctx: ChannelContext<z.infer<S>>): Promise<DeliveryReport[]>
  /**
   * The provider's profile of a sender (`from.externalId`): core asks when a contact is new, has no
   * name, or was last looked up over a week ago, and keeps the answer on the contact.
   */
  profile?(from: InboundContact, ctx: ChannelContext<z.infer<S>>): Promise<ContactProfile | null>
  /**
   * Click-to-call: the provider rings the agent's phone, then the contact. `ready` says whether the
   * channel is set up for it (else the UI offers a plain tel: link); `start` places the call. The
   * call itself is logged when the provider reports it to the webhook.
   */
  dial?: {
    ready(ctx: ChannelContext<z.infer<S>>): boolean
    start(
      call: { to: string; agentPhone?: string | null; conversationId: string | null },
      ctx: ChannelContext<z.infer<S>>,
    ): Promise<{ status: 'ringing'; externalId?: string } | { status: 'failed'; reason: string }>
  }
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
  /** Settings values that two channels may not share (addresses, origins): saving a duplicate is refused next to the field. */
  exclusive?: ExclusiveSetting[]
  /** What the channel's settings page can check about its set-up (bindings, secrets, syntax), and what it cannot. */
  checks?(ctx: ChannelContext<z.infer<S>>, locale: 'en' | 'nb'): SetupCheck[]
  /**
   * For settings keys the generic form cannot draw (a list of objects): reads them from the posted
   * form (values are strings or string arrays); `ui.SettingsFields` draws them.
   */
  settingsFromForm?(body: Record<string, string | string[]>): Record<string, unknown>
  /** Extra routes, mounted under /channels/<id>; `kit.channel` reads the channel a path names. */
  routes?(app: Hono<AppEnv>, kit: PluginRouteKit<z.infer<S>>): void
  /**
   * A message's text in the reader's language, made when it is shown from what `parse` kept in its
   * metadata (a call's outcome and length, how many pictures were left out), with `words(texts)`.
   * `parse` still stores a plain English `text`: search, notifications, previews, exports and the AI
   * read that, and the thread falls back to it when this returns null (a message without the
   * metadata, from before the plugin kept it). Plain text only: core escapes it. Must not throw.
   */
  messageText?(message: StoredMessage): string | null
  /** `Icon` marks the channel's conversations; `ComposerFields` draws what a reply carries besides its text (see ComposerFieldsProps). */
  ui: {
    Icon: FC
    /** Draws the settings keys `settingsFromForm` reads, inside the channel's settings form. */
    SettingsFields?: FC<SettingsFieldsProps>
    /** Instructions after saving, beyond the `texts.setup` steps (an embed snippet, provider steps naming the channel's address). */
    Setup?: FC<ChannelSetupProps>
    /**
     * The HTML a customer's site embeds (a script tag, a form). Its settings page shows it as code
     * to copy, and its preview page (this deployment, admins only) puts it live.
     */
    Embed?: FC<ChannelSetupProps>
    ComposerFields?: FC<ComposerFieldsProps>
  }
}

export const defineChannel = <S extends z.ZodTypeAny>(plugin: ChannelPlugin<S>): ChannelPlugin<S> => plugin

// The kit: what a plugin may use from core besides the types above. Plugins import only this file.
export { constantTimeEqualText, hmacSha1Base64, verifyHmacSha256Hex } from '../lib/hmac'
export { normalizePhone } from '../lib/phone'
export { isValidAddress } from '../lib/email-address'
export { newId } from '../lib/ids'
export { escapeHtml, htmlToText, sanitizeHtml, showRemoteImages } from '../lib/sanitize-html'
export { isForwardSubject, quotedHistoryStart } from '../lib/quoted-text'
/** `t` for core's catalog texts; `words(texts)` for a plugin's own sentences and `currentLocale()` for its own choices, in the viewer's language. */
export { currentLocale, t } from '../i18n'
export { words } from './texts'
/** The chatflows (plugins/bots) a realtime channel may let answer new conversations first. */
export { chatflows } from '../../plugins/bots'
/** The host's ports (mail out, blobs, …) for a plugin's `ctx.env`: the same plugin runs on Workers and self-hosted. */
export { hostOf } from '../host'
export type { Host } from '../host/ports'
