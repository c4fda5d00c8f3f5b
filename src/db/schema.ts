import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

// Every `*At` column holds milliseconds since the Unix epoch (UTC).
const createdAt = () => integer('created_at').notNull()

export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: createdAt(),
})

/** Minutes since local midnight, per weekday (0 = Sunday): [[start, end], …]. */
export interface OfficeHours {
  enabled: boolean
  days: Record<string, [number, number][]>
}

export const userRoles = ['super_admin', 'admin', 'agent'] as const
export type UserRole = (typeof userRoles)[number]
export const userStatuses = ['active', 'deactivated', 'removed'] as const
export type UserStatus = (typeof userStatuses)[number]

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    // Stored lower-cased: the login form looks users up by address.
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: userRoles }).notNull().default('agent'),
    status: text('status', { enum: userStatuses }).notNull().default('active'),
    availability: text('availability', { enum: ['available', 'away'] })
      .notNull()
      .default('available'),
    timeZone: text('time_zone').notNull().default('UTC'),
    // Weekly working hours in the user's time zone; outside them the user counts as away.
    officeHours: text('office_hours', { mode: 'json' }).$type<OfficeHours | null>(),
    locale: text('locale').notNull().default('en'),
    // The agent's own phone (E.164): click-to-call rings it first, then the contact.
    phone: text('phone'),
    createdAt: createdAt(),
  },
  // An address is unique within a workspace only: one workspace must not learn, from a refused
  // "add user", that an address has an account elsewhere. Login finds every account by address.
  (t) => [uniqueIndex('users_account_email_unique').on(t.accountId, t.email), index('users_email_idx').on(t.email)],
)

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    // Hex SHA-256 of the token's secret half; the secret itself is never stored.
    secretHash: text('secret_hash').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
)

/**
 * Invitations to join a workspace. The link carries `<id>.<secret>`; only a SHA-256 of the secret
 * is kept, so a leaked table opens nothing. Used once (acceptedAt), revocable, expires.
 */
export const invitations = sqliteTable(
  'invitations',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: userRoles }).notNull().default('agent'),
    inboxIds: text('inbox_ids', { mode: 'json' }).$type<string[]>().notNull().default([]),
    // The language of the invitation mail (the inviter's at the time), and of the new user.
    locale: text('locale').notNull().default('en'),
    secretHash: text('secret_hash').notNull(),
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: integer('expires_at').notNull(),
    acceptedAt: integer('accepted_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('invitations_account_email_idx').on(t.accountId, t.email)],
)

/** One-time password reset links: same token shape as invitations, one account each. */
export const passwordResets = sqliteTable(
  'password_resets',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    secretHash: text('secret_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [index('password_resets_user_idx').on(t.userId)],
)

/**
 * Login attempts per key (an address from unknown devices, a client IP, a known device), counted
 * before the password is checked; see auth/login-throttle.ts.
 */
export const loginAttempts = sqliteTable('login_attempts', {
  key: text('key').primaryKey(),
  // Attempts counted since the key was last quiet or cleared by a success.
  failures: integer('failures').notNull(),
  // When the last counted attempt was made.
  windowStartedAt: integer('window_started_at').notNull(),
  // No attempt is counted (or checked) before this time: the growing delay.
  blockedUntil: integer('blocked_until').notNull().default(0),
  // The request that made the last counted attempt: tells a request whether its attempt counted.
  lastAttemptId: text('last_attempt_id'),
})

/**
 * Browsers that signed in as a user before (OWASP's device cookie): the cookie holds a random
 * token, this table a SHA-256 of it. A known device is not held back by attempts from others.
 */
export const knownDevices = sqliteTable(
  'known_devices',
  {
    tokenHash: text('token_hash').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lastUsedAt: integer('last_used_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tokenHash, t.userId] }), index('known_devices_user_idx').on(t.userId)],
)

export const inboxes = sqliteTable(
  'inboxes',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    // Who a new conversation goes to: nobody, the members in turn, or one person.
    defaultAssignment: text('default_assignment', { enum: ['none', 'round_robin', 'user'] })
      .notNull()
      .default('none'),
    defaultAssigneeId: text('default_assignee_id'),
    createdAt: createdAt(),
  },
  (t) => [index('inboxes_account_idx').on(t.accountId)],
)

export const inboxMembers = sqliteTable(
  'inbox_members',
  {
    inboxId: text('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // Round-robin assignment picks the member who got one longest ago.
    lastAssignedAt: integer('last_assigned_at').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.inboxId, t.userId] }), index('inbox_members_user_idx').on(t.userId)],
)

export const channels = sqliteTable(
  'channels',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    inboxId: text('inbox_id')
      .notNull()
      .references(() => inboxes.id),
    pluginId: text('plugin_id').notNull(),
    name: text('name').notNull(),
    // JSON validated by the plugin's settings schema.
    settings: text('settings', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
    secrets: text('secrets', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    /**
     * `disabled`: inbound is refused, everything else stays (it can be enabled again). `removed`: gone
     * for good; its conversations and views stay readable, nothing arrives and no reply goes out, and
     * its addresses are free for another channel.
     */
    status: text('status', { enum: ['active', 'disabled', 'removed'] })
      .notNull()
      .default('active'),
    createdAt: createdAt(),
  },
  (t) => [index('channels_inbox_idx').on(t.accountId, t.inboxId)],
)

/**
 * The one live widget token of each chat visitor. A token names its id (`j`); only the current
 * one is honoured, so issuing a new token (every visit rotates it) revokes the one before it.
 * The previous id is kept for a short grace after a rotation: two tabs resuming with the same
 * token at once both end up with the current one instead of one of them losing the visitor.
 */
export const visitorTokens = sqliteTable(
  'visitor_tokens',
  {
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    visitorId: text('visitor_id').notNull(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    tokenId: text('token_id').notNull(),
    previousTokenId: text('previous_token_id'),
    rotatedAt: integer('rotated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.visitorId] })],
)

export const companies = sqliteTable(
  'companies',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    domain: text('domain'),
    properties: text('properties', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('companies_domain_unique').on(t.accountId, t.domain)],
)

export const contacts = sqliteTable(
  'contacts',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    companyId: text('company_id').references(() => companies.id, { onDelete: 'set null' }),
    name: text('name'),
    email: text('email'),
    phone: text('phone'),
    properties: text('properties', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    blocked: integer('blocked', { mode: 'boolean' }).notNull().default(false),
    // Set when mail to this address bounced; cleared when the contact writes again.
    bouncingAt: integer('bouncing_at'),
    // The language mail to them is written in (transcripts, surveys), when a channel learned it
    // (the chat widget's); English when unknown.
    locale: text('locale'),
    // A channel's profile of them (Messenger's Graph API): their picture, and when it was last asked.
    avatarUrl: text('avatar_url'),
    profileRefreshedAt: integer('profile_refreshed_at'),
    createdAt: createdAt(),
  },
  // Phones are kept in E.164 (see lib/phone.ts): an SMS and a call from one number find one contact.
  (t) => [uniqueIndex('contacts_email_unique').on(t.accountId, t.email), index('contacts_phone_idx').on(t.accountId, t.phone)],
)

export const contactIdentities = sqliteTable(
  'contact_identities',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    pluginId: text('plugin_id').notNull(),
    externalId: text('external_id').notNull(),
    contactId: text('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.pluginId, t.externalId] }), index('contact_identities_contact_idx').on(t.contactId)],
)

export const conversationStatuses = ['open', 'closed'] as const
export type ConversationStatus = (typeof conversationStatuses)[number]
export const conversationFolders = ['inbox', 'sent', 'spam', 'filtered', 'trash'] as const
export type ConversationFolder = (typeof conversationFolders)[number]

/** What kind of machine wrote an automated message: a bounce (DSN), an auto-reply (RFC 3834), or other automatic mail. */
export const automatedKinds = ['bounce', 'auto_reply', 'automated'] as const
export type AutomatedKind = (typeof automatedKinds)[number]

export const conversations = sqliteTable(
  'conversations',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    inboxId: text('inbox_id')
      .notNull()
      .references(() => inboxes.id),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    // Copied from the channel so views by channel need no join.
    pluginId: text('plugin_id').notNull(),
    contactId: text('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    assigneeId: text('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    // A chatflow that owns the conversation until a person takes it over.
    assigneeBot: text('assignee_bot'),
    status: text('status', { enum: conversationStatuses }).notNull().default('open'),
    folder: text('folder', { enum: conversationFolders }).notNull().default('inbox'),
    subject: text('subject'),
    preview: text('preview').notNull().default(''),
    // A key the channel uses to find the conversation again (a chat session, a Messenger thread).
    externalKey: text('external_key'),
    lastSeq: integer('last_seq').notNull().default(0),
    lastMessageAt: integer('last_message_at').notNull(),
    closedAt: integer('closed_at'),
    trashedAt: integer('trashed_at'),
    ticketId: text('ticket_id'),
    // An agent has the thread open (its ConversationRoom holds an agent socket), kept by the room.
    // Inbound deliveries read it in their write transaction and wake the room only when set.
    watched: integer('watched', { mode: 'boolean' }).notNull().default(false),
    // The newest message was written by a machine (a bounce, an out-of-office): the list row says
    // so. Set with every message (null for a person's), like the preview.
    lastAutomated: text('last_automated', { enum: automatedKinds }),
    createdAt: createdAt(),
  },
  (t) => [
    index('conversations_list_idx').on(t.accountId, t.inboxId, t.folder, t.status, t.lastMessageAt),
    // countViews groups an inbox's conversations by every column a built-in view tests; this
    // index covers that, so the count reads small index entries instead of whole rows.
    index('conversations_counts_idx').on(t.accountId, t.inboxId, t.folder, t.status, t.pluginId, t.assigneeId, t.assigneeBot),
    // The assignee filter lists an inbox's chatflows: without this it scans the whole inbox.
    index('conversations_bot_idx').on(t.accountId, t.inboxId, t.assigneeBot),
    index('conversations_contact_idx').on(t.contactId),
    index('conversations_assignee_idx').on(t.assigneeId),
    uniqueIndex('conversations_external_key_unique').on(t.channelId, t.externalKey),
  ],
)

export const messageDirections = ['in', 'out'] as const
export const messageKinds = ['message', 'comment', 'activity'] as const
export type MessageKind = (typeof messageKinds)[number]

export const messages = sqliteTable(
  'messages',
  {
    // An integer key: it doubles as the FTS5 rowid, which must stay stable.
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    channelId: text('channel_id').notNull(),
    seq: integer('seq').notNull(),
    direction: text('direction', { enum: messageDirections }).notNull(),
    kind: text('kind', { enum: messageKinds }).notNull().default('message'),
    authorUserId: text('author_user_id').references(() => users.id, { onDelete: 'set null' }),
    authorContactId: text('author_contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    authorName: text('author_name'),
    text: text('text').notNull().default(''),
    // Sanitised HTML, shown only inside a sandboxed iframe.
    html: text('html'),
    externalId: text('external_id'),
    contentHash: text('content_hash'),
    hiddenBy: text('hidden_by').references(() => users.id),
    hiddenAt: integer('hidden_at'),
    deliveryStatus: text('delivery_status', { enum: ['none', 'pending', 'sent', 'failed'] })
      .notNull()
      .default('none'),
    deliveryError: text('delivery_error'),
    deliveryAttempts: integer('delivery_attempts').notNull().default(0),
    // When the delivery last moved (queued, an attempt started or ended): a pending message that
    // has not moved for a while lost its queue job and is swept back (services/outbound.ts).
    deliveryUpdatedAt: integer('delivery_updated_at'),
    // Set while one consumer is sending it, so a second job for the same message cannot send twice.
    deliveryClaimedAt: integer('delivery_claimed_at'),
    // The original as received (an .eml in R2), kept for download and re-parsing.
    rawKey: text('raw_key'),
    // Sent by a machine (auto-reply, bounce, list mail): never answered automatically.
    automated: integer('automated', { mode: 'boolean' }).notNull().default(false),
    // Channel-specific details a plugin shows with the message (To/Cc lists, call length, …).
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('messages_conversation_seq_unique').on(t.conversationId, t.seq),
    uniqueIndex('messages_external_id_unique').on(t.channelId, t.externalId),
    // Threading looks a reply's references up across the whole account's messages.
    index('messages_account_external_idx').on(t.accountId, t.externalId),
    // The sweep's look-up: only pending messages are in it (a handful), however large messages grows.
    index('messages_pending_delivery_idx').on(t.deliveryUpdatedAt).where(sql`delivery_status = 'pending'`),
  ],
)

export const attachments = sqliteTable(
  'attachments',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    messageId: integer('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    r2Key: text('r2_key').notNull(),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    contentId: text('content_id'),
    createdAt: createdAt(),
  },
  (t) => [index('attachments_message_idx').on(t.messageId)],
)

/** Per-user read position in a conversation; unread means lastSeq is past it. */
export const conversationReads = sqliteTable(
  'conversation_reads',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    readSeq: integer('read_seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.conversationId] })],
)

export const views = sqliteTable(
  'views',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    inboxId: text('inbox_id').references(() => inboxes.id, { onDelete: 'cascade' }),
    // null owner: shared with the team.
    ownerUserId: text('owner_user_id').references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    filters: text('filters', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('views_account_idx').on(t.accountId, t.inboxId)],
)

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    actorUserId: text('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('audit_log_account_idx').on(t.accountId, t.createdAt)],
)

/** Everyone on a conversation besides the agents: the contact, and for email every To/Cc address. */
export const conversationParticipants = sqliteTable(
  'conversation_participants',
  {
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    address: text('address').notNull(),
    name: text('name'),
    role: text('role', { enum: ['from', 'to', 'cc'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.address] }), index('conversation_participants_address_idx').on(t.address)],
)

export const tickets = sqliteTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    contactId: text('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    status: text('status', { enum: ['open', 'closed'] })
      .notNull()
      .default('open'),
    priority: text('priority', { enum: ['low', 'medium', 'high'] })
      .notNull()
      .default('medium'),
    properties: text('properties', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    description: text('description'),
    ownerId: text('owner_id').references(() => users.id, { onDelete: 'set null' }),
    // The conversation it was created from; that link cannot be removed.
    conversationId: text('conversation_id'),
    closedAt: integer('closed_at'),
    createdAt: createdAt(),
  },
  (t) => [index('tickets_contact_idx').on(t.accountId, t.contactId)],
)

/** An address or visitor whose messages are filtered from now on. */
export const blockedSenders = sqliteTable(
  'blocked_senders',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    // An email address (lower-cased), or `<plugin id>:<external id>` for other channels.
    identifier: text('identifier').notNull(),
    blockedBy: text('blocked_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.identifier] })],
)

/** A chatflow's progress in one conversation: where the bot is, what it collected, and when the visitor last did anything. */
export const botSessions = sqliteTable('bot_sessions', {
  conversationId: text('conversation_id')
    .primaryKey()
    .references(() => conversations.id, { onDelete: 'cascade' }),
  accountId: text('account_id')
    .notNull()
    .references(() => accounts.id),
  flowId: text('flow_id').notNull(),
  stepId: text('step_id').notNull(),
  collected: text('collected', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
  // Set when the visitor reached the "send to a team member" step.
  handedOffAt: integer('handed_off_at'),
  lastVisitorActivityAt: integer('last_visitor_activity_at').notNull(),
  createdAt: createdAt(),
})

/**
 * Conversations per inbox and per combination of the columns views test, kept exact by triggers
 * (migration 0007) on every insert, update and delete of a conversation. View counts read these
 * few hundred rows instead of stepping through every conversation of the inbox. Nullable columns
 * are stored as '' (a primary key cannot tell NULLs apart).
 */
export const conversationCounts = sqliteTable(
  'conversation_counts',
  {
    accountId: text('account_id').notNull(),
    inboxId: text('inbox_id').notNull(),
    folder: text('folder').notNull(),
    status: text('status').notNull(),
    pluginId: text('plugin_id').notNull(),
    assigneeId: text('assignee_id').notNull(),
    assigneeBot: text('assignee_bot').notNull(),
    count: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.inboxId, t.folder, t.status, t.pluginId, t.assigneeId, t.assigneeBot] })],
)

// ---------------------------------------------------------------------------------------------
// The conversation workspace (issue 6): drafts, insertable content, comments' notifications,
// CRM objects shown in the sidebar, satisfaction surveys, per-account card settings.

export const draftKinds = ['reply', 'comment'] as const
export type DraftKind = (typeof draftKinds)[number]

/** What a user is writing in a conversation, saved as they type so a reload keeps it. */
export const drafts = sqliteTable(
  'drafts',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: draftKinds }).notNull(),
    // Editor HTML, sanitised on save like a sent reply.
    html: text('html').notNull().default(''),
    // Other composer fields (to, cc, subject, format, via …) as the form posts them.
    fields: text('fields', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.conversationId, t.kind] })],
)

/** A short reusable text, inserted by `#shortcut` or from the Insert menu. Body is sanitised HTML with {{placeholders}}. */
export const snippets = sqliteTable(
  'snippets',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    shortcut: text('shortcut').notNull(),
    body: text('body').notNull(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('snippets_shortcut_unique').on(t.accountId, t.shortcut)],
)

/** An email template: subject and body (sanitised HTML with {{placeholders}}). */
export const emailTemplates = sqliteTable(
  'email_templates',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    subject: text('subject').notNull().default(''),
    body: text('body').notNull(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('email_templates_account_idx').on(t.accountId)],
)

/** A knowledge-base article; published ones are readable without login at /kb/<account>/<slug>. */
export const articles = sqliteTable(
  'articles',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    title: text('title').notNull(),
    slug: text('slug').notNull(),
    // Sanitised HTML.
    body: text('body').notNull(),
    published: integer('published', { mode: 'boolean' }).notNull().default(true),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('articles_slug_unique').on(t.accountId, t.slug)],
)

/** A booking link (a user's own, or the team's when userId is null). */
export const meetingLinks = sqliteTable(
  'meeting_links',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    url: text('url').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('meeting_links_account_idx').on(t.accountId)],
)

/** A file in R2 that agents insert into replies as a share link (/d/<shareToken>). */
export const documents = sqliteTable(
  'documents',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    r2Key: text('r2_key').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    // Unguessable: anyone with the link may download the document.
    shareToken: text('share_token').notNull(),
    uploadedBy: text('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('documents_share_token_unique').on(t.shareToken), index('documents_account_idx').on(t.accountId)],
)

/** An in-app notification (the bell): for now a mention in a comment. */
export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['mention'] }).notNull(),
    actorUserId: text('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    conversationId: text('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
    messageId: integer('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    // Plain text shown in the list (e.g. the start of the comment).
    excerpt: text('excerpt').notNull().default(''),
    readAt: integer('read_at'),
    emailedAt: integer('emailed_at'),
    createdAt: createdAt(),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.readAt, t.createdAt)],
)

export const dealStages = ['appointment', 'qualified', 'presentation', 'decision', 'contract', 'won', 'lost'] as const
export type DealStage = (typeof dealStages)[number]

export const deals = sqliteTable(
  'deals',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    contactId: text('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    companyId: text('company_id').references(() => companies.id, { onDelete: 'set null' }),
    conversationId: text('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    // Minor units (cents, øre) to keep sums exact.
    amountMinor: integer('amount_minor'),
    currency: text('currency').notNull().default('USD'),
    stage: text('stage', { enum: dealStages }).notNull().default('appointment'),
    ownerId: text('owner_id').references(() => users.id, { onDelete: 'set null' }),
    properties: text('properties', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    closedAt: integer('closed_at'),
    createdAt: createdAt(),
  },
  (t) => [index('deals_contact_idx').on(t.accountId, t.contactId)],
)

export const propertyObjects = ['contact', 'company', 'ticket', 'deal'] as const
export type PropertyObject = (typeof propertyObjects)[number]

/** An account's own property on contacts, companies, tickets or deals; values live in the object's `properties` JSON. */
export const propertyDefinitions = sqliteTable(
  'property_definitions',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    object: text('object', { enum: propertyObjects }).notNull(),
    // The key in `properties`: lower-case letters, digits and underscores.
    name: text('name').notNull(),
    label: text('label').notNull(),
    type: text('type', { enum: ['text', 'number', 'date', 'select'] })
      .notNull()
      .default('text'),
    options: text('options', { mode: 'json' }).$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('property_definitions_name_unique').on(t.accountId, t.object, t.name)],
)

/**
 * Per-account workspace settings: which properties the sidebar cards show (ordered lists of
 * property names, built-in or custom) and whether satisfaction surveys go out after close.
 */
export const accountSettings = sqliteTable('account_settings', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id, { onDelete: 'cascade' }),
  contactCardProperties: text('contact_card_properties', { mode: 'json' }).$type<string[] | null>(),
  ticketCardProperties: text('ticket_card_properties', { mode: 'json' }).$type<string[] | null>(),
  ticketPanelProperties: text('ticket_panel_properties', { mode: 'json' }).$type<string[] | null>(),
  surveyEnabled: integer('survey_enabled', { mode: 'boolean' }).notNull().default(true),
  surveyQuestion: text('survey_question'),
  updatedAt: integer('updated_at').notNull(),
})

/** A note on a contact record. */
export const contactNotes = sqliteTable(
  'contact_notes',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    contactId: text('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    authorId: text('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('contact_notes_contact_idx').on(t.contactId, t.createdAt)],
)

/** A to-do on a contact record. */
export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    contactId: text('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    dueAt: integer('due_at'),
    assigneeId: text('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    doneAt: integer('done_at'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('tasks_contact_idx').on(t.contactId), index('tasks_assignee_idx').on(t.assigneeId, t.doneAt)],
)

/** A one-question satisfaction survey sent after a conversation closed, and its answer. */
export const feedback = sqliteTable(
  'feedback',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    conversationId: text('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    contactId: text('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    // Where the question went: an email with a link, or the chat widget.
    via: text('via', { enum: ['email', 'widget'] }).notNull(),
    // Unguessable: the answer link carries it.
    token: text('token').notNull(),
    // 1 (very unsatisfied) … 5 (very satisfied); null until answered.
    score: integer('score'),
    comment: text('comment'),
    sentAt: integer('sent_at').notNull(),
    answeredAt: integer('answered_at'),
  },
  (t) => [
    uniqueIndex('feedback_token_unique').on(t.token),
    index('feedback_contact_idx').on(t.contactId, t.sentAt),
    index('feedback_conversation_idx').on(t.conversationId),
  ],
)
