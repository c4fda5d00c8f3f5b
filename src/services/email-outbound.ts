import { and, asc, desc, eq, ne } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { channels, contacts, conversationParticipants, conversations, inboxes, messages } from '../db/schema'
import type { Bindings } from '../env'
import { hostOf } from '../host'
import { newId } from '../lib/ids'
import { escapeHtml } from '../lib/sanitize-html'
import { normalizeEmail } from '../lib/text'
import { findPlugin } from '../channels/registry'
import { mailPlugin, mailPluginId } from '../channels/mail'
import { resolveContact } from './contacts'
import { appendMessage, type Message } from './messages'
import { queueDelivery, storeOutboundAttachments } from './outbound'
import { t, withLocale } from '../i18n'

/**
 * Email that starts from our side: a new conversation composed from the inbox, a conversation
 * forwarded to an outside address, a chat transcript for the contact. Each is stored as an
 * outbound message first and sent by the delivery queue like any reply.
 */

export interface Recipient {
  address: string
  name?: string | null
}

export interface Recipients {
  to: Recipient[]
  cc: Recipient[]
  bcc: Recipient[]
}

/** The email channels of an inbox, oldest first: the first is where mail from the inbox goes out (never a removed one). */
export function emailChannelsOf(db: Db, accountId: string, inboxId: string) {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.accountId, accountId), eq(channels.inboxId, inboxId), eq(channels.pluginId, mailPluginId()), ne(channels.status, 'removed')))
    .orderBy(asc(channels.createdAt), asc(channels.id))
}

/** Whether the channel takes mail at `address` (one of its own, or a reply address): never a recipient of ours. */
function isOwnAddress(channel: { settings: Record<string, unknown> } | undefined, address: string): boolean {
  return Boolean(channel && mailPlugin()?.emailRouting.recipient(channel.settings, address))
}

/**
 * Who a reply goes to by default: the author of the newest message from outside (a Cc'd person
 * may have answered), else the contact; reply all adds everyone else on the thread as Cc, never
 * our own addresses.
 */
export async function replyDefaults(db: Db, accountId: string, conversationId: string, all: boolean): Promise<{ to: Recipient[]; cc: Recipient[] }> {
  const [conversation] = await db
    .select({ contactId: conversations.contactId, channelId: conversations.channelId })
    .from(conversations)
    .where(and(eq(conversations.accountId, accountId), eq(conversations.id, conversationId)))
    .limit(1)
  if (!conversation) return { to: [], cc: [] }
  const [latest] = await db
    .select({ name: contacts.name, email: contacts.email })
    .from(messages)
    .innerJoin(contacts, eq(contacts.id, messages.authorContactId))
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'in'), eq(messages.kind, 'message'), eq(messages.automated, false)))
    .orderBy(desc(messages.seq))
    .limit(1)
  const [contact] = conversation.contactId
    ? await db.select({ name: contacts.name, email: contacts.email }).from(contacts).where(eq(contacts.id, conversation.contactId)).limit(1)
    : []
  const primary = latest?.email ? latest : contact?.email ? contact : null
  const to: Recipient[] = primary?.email ? [{ address: primary.email, name: primary.name }] : []
  if (!all) return { to, cc: [] }
  const [channel] = await db.select({ settings: channels.settings }).from(channels).where(eq(channels.id, conversation.channelId)).limit(1)
  const taken = new Set(to.map((recipient) => normalizeEmail(recipient.address)))
  const participants = await db.select().from(conversationParticipants).where(eq(conversationParticipants.conversationId, conversationId))
  const cc = participants
    .filter((participant) => !taken.has(participant.address) && !isOwnAddress(channel, participant.address))
    .map((participant) => ({ address: participant.address, name: participant.name }))
  if (!primary && contact?.email) to.push({ address: contact.email, name: contact.name })
  return { to, cc }
}

export interface ComposeInput {
  accountId: string
  inboxId: string
  channelId?: string
  user: { id: string; name: string }
  recipients: Recipients
  subject: string
  text: string
  /** Already sanitised. */
  html?: string | null
  /** The html came from the rich-text editor (sanitizeRichText): the thread shows it inline. */
  richText?: boolean
  files?: File[]
  nowMs?: number
}

/**
 * A new email conversation from the inbox: filed in Sent (it moves to the inbox when the contact
 * answers; the pipeline does that), with the first To recipient as its contact and the agent who
 * wrote it as its owner.
 */
export async function composeEmail(
  db: Db,
  env: Pick<Bindings, 'OUTBOUND' | 'ATTACHMENTS'>,
  input: ComposeInput,
): Promise<{ conversationId: string; message: Message }> {
  const nowMs = input.nowMs ?? Date.now()
  const candidates = await emailChannelsOf(db, input.accountId, input.inboxId)
  const channel = input.channelId ? candidates.find((candidate) => candidate.id === input.channelId) : candidates[0]
  if (!channel) throw new Error(t('email.error.no_channel'))
  const first = input.recipients.to[0] ?? input.recipients.cc[0] ?? input.recipients.bcc[0]
  if (!first) throw new Error(t('email.error.no_recipient'))
  const contact = await resolveContact(db, input.accountId, channel.pluginId, { email: first.address, name: first.name ?? undefined }, nowMs)
  const conversationId = newId()
  await db.insert(conversations).values({
    id: conversationId,
    accountId: input.accountId,
    inboxId: input.inboxId,
    channelId: channel.id,
    pluginId: channel.pluginId,
    contactId: contact.id,
    // Whoever starts a conversation owns it: the answer lands in their "Assigned to me".
    assigneeId: input.user.id,
    folder: 'sent',
    subject: input.subject.trim().slice(0, 500) || null,
    lastMessageAt: nowMs,
    createdAt: nowMs,
  })
  const message = await appendMessage(db, {
    accountId: input.accountId,
    conversationId,
    channelId: channel.id,
    direction: 'out',
    kind: 'message',
    authorUserId: input.user.id,
    authorName: input.user.name,
    text: input.text,
    html: input.html ?? null,
    metadata: { replyOptions: input.recipients, ...(input.richText ? { richText: true } : {}) },
    createdAt: nowMs,
  })
  if (!message) throw new Error(t('email.error.not_saved'))
  await storeOutboundAttachments(db, hostOf(env).blobs, message, input.files ?? [], nowMs)
  await queueDelivery(db, hostOf(env).jobs, { accountId: input.accountId, messageId: message.id })
  return { conversationId, message }
}

interface RenderedConversation {
  subject: string | null
  contactName: string | null
  text: string
  html: string
}

const utcTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`

/**
 * What the contact (or whoever it is forwarded to) may read of a conversation: its messages only,
 * in order — no internal comments, no activity lines, nothing hidden, and none of the copies we
 * emailed out of it before (forwards and transcripts).
 */
export async function renderConversationForEmail(db: Db, accountId: string, conversationId: string): Promise<RenderedConversation | null> {
  const [row] = await db
    .select({ subject: conversations.subject, contactName: contacts.name, contactEmail: contacts.email, inboxName: inboxes.name })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(conversations.accountId, accountId), eq(conversations.id, conversationId)))
    .limit(1)
  if (!row) return null
  const rows = await db
    .select({
      direction: messages.direction,
      authorName: messages.authorName,
      text: messages.text,
      hiddenAt: messages.hiddenAt,
      metadata: messages.metadata,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .where(and(eq(messages.accountId, accountId), eq(messages.conversationId, conversationId), eq(messages.kind, 'message')))
    .orderBy(asc(messages.seq))
    .limit(2000)
  const visible = rows.filter((message) => !message.hiddenAt && !message.metadata?.forward && !message.metadata?.transcript && !message.metadata?.survey)
  const speaker = (message: (typeof visible)[number]) =>
    message.authorName ?? (message.direction === 'in' ? (row.contactName ?? row.contactEmail ?? 'Visitor') : row.inboxName)
  const text = visible.map((message) => `[${utcTime(message.createdAt)}] ${speaker(message)}:\n${message.text.trim()}`).join('\n\n')
  const html = visible
    .map(
      (message) =>
        `<div style="margin:0 0 16px"><p style="margin:0;color:#555"><strong>${escapeHtml(speaker(message))}</strong> · ${escapeHtml(utcTime(message.createdAt))}</p>` +
        `<p style="margin:4px 0 0">${escapeHtml(message.text.trim()).replace(/\n/g, '<br>')}</p></div>`,
    )
    .join('\n')
  return { subject: row.subject, contactName: row.contactName ?? row.contactEmail, text, html }
}

/** The email channel a conversation's mail goes out through: its own, or its inbox's first. */
export async function emailChannelFor(db: Db, accountId: string, conversationId: string) {
  const [conversation] = await db
    .select({ inboxId: conversations.inboxId, channelId: conversations.channelId, pluginId: conversations.pluginId })
    .from(conversations)
    .where(and(eq(conversations.accountId, accountId), eq(conversations.id, conversationId)))
    .limit(1)
  if (!conversation) return null
  const candidates = await emailChannelsOf(db, accountId, conversation.inboxId)
  // The conversation's own channel when it is an email one, else the inbox's first.
  return candidates.find((candidate) => candidate.id === conversation.channelId) ?? candidates[0] ?? null
}

/**
 * Forwards a conversation to outside addresses: the thread keeps the agent's note and who it went
 * to; the mail carries the note and the conversation. It is sent with our Message-ID, so an answer
 * from the outside address comes back into this conversation.
 */
export async function forwardConversation(
  db: Db,
  env: Pick<Bindings, 'OUTBOUND'>,
  input: { accountId: string; conversationId: string; user: { id: string; name: string }; to: Recipient[]; note: string; nowMs?: number },
): Promise<Message> {
  const channel = await emailChannelFor(db, input.accountId, input.conversationId)
  if (!channel) throw new Error(t('email.error.no_forward_channel'))
  const rendered = await renderConversationForEmail(db, input.accountId, input.conversationId)
  if (!rendered) throw new Error(t('email.error.conversation_missing'))
  const note = input.note.trim()
  const names = input.to.map((recipient) => recipient.address).join(', ')
  const heading = `---------- Forwarded conversation ----------\nSubject: ${rendered.subject ?? '(no subject)'}\nWith: ${rendered.contactName ?? 'unknown'}`
  const message = await appendMessage(db, {
    accountId: input.accountId,
    conversationId: input.conversationId,
    channelId: channel.id,
    direction: 'out',
    kind: 'message',
    authorUserId: input.user.id,
    authorName: input.user.name,
    text: note ? `Forwarded to ${names}:\n\n${note}` : `Forwarded to ${names}.`,
    metadata: {
      forward: true,
      startsThread: true,
      subject: `Fwd: ${rendered.subject ?? '(no subject)'}`,
      replyOptions: { to: input.to, cc: [], bcc: [] },
      sendBody: {
        text: `${note ? `${note}\n\n` : ''}${heading}\n\n${rendered.text}`,
        html: `${note ? `<p>${escapeHtml(note).replace(/\n/g, '<br>')}</p>` : ''}<p style="color:#555">${escapeHtml(heading).replace(/\n/g, '<br>')}</p>${rendered.html}`,
      },
    },
    createdAt: input.nowMs ?? Date.now(),
  })
  if (!message) throw new Error(t('email.error.forward_not_saved'))
  await queueDelivery(db, hostOf(env).jobs, { accountId: input.accountId, messageId: message.id })
  return message
}

/**
 * Emails a conversation's transcript (the chat as the visitor saw it) to `to`, through the inbox's
 * email channel and the delivery queue. `automatic` marks mail nobody clicked for (sent when a
 * chat closes): it gets `Auto-Submitted: auto-generated` so autoresponders stay quiet.
 *
 * @example
 * await sendTranscript(db, env, conversationId, 'visitor@example.com', { automatic: true })
 */
export async function sendTranscript(
  db: Db,
  env: Pick<Bindings, 'OUTBOUND'>,
  conversationId: string,
  to: string,
  options: { user?: { id: string; name: string }; automatic?: boolean; nowMs?: number } = {},
): Promise<Message> {
  const [conversation] = await db
    .select({ accountId: conversations.accountId, inboxName: inboxes.name, contactLocale: contacts.locale })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(eq(conversations.id, conversationId))
    .limit(1)
  if (!conversation) throw new Error(t('email.error.conversation_missing'))
  const parsedAddress = z.string().trim().toLowerCase().email().max(254).safeParse(to)
  if (!parsedAddress.success) throw new Error(t('email.error.transcript_address'))
  const address = parsedAddress.data
  const channel = await emailChannelFor(db, conversation.accountId, conversationId)
  if (!channel) throw new Error(t('email.error.no_transcript_channel'))
  const rendered = await renderConversationForEmail(db, conversation.accountId, conversationId)
  if (!rendered) throw new Error(t('email.error.conversation_missing'))
  // In the contact's language (the chat widget's), whoever clicked.
  const { intro, subject } = withLocale(conversation.contactLocale, () => ({
    intro: t('email.transcript.intro', { team: conversation.inboxName }),
    subject: t('email.transcript.subject', { team: conversation.inboxName }),
  }))
  const message = await appendMessage(db, {
    accountId: conversation.accountId,
    conversationId,
    channelId: channel.id,
    direction: 'out',
    kind: 'message',
    authorUserId: options.user?.id ?? null,
    authorName: options.user?.name ?? conversation.inboxName,
    text: `Transcript of this conversation emailed to ${address}.`,
    automated: options.automatic ?? false,
    metadata: {
      transcript: true,
      startsThread: true,
      ...(options.automatic ? { autoSubmitted: 'auto-generated' } : {}),
      subject,
      replyOptions: { to: [{ address }], cc: [], bcc: [] },
      sendBody: { text: `${intro}\n\n${rendered.text}\n`, html: `<p>${escapeHtml(intro)}</p>${rendered.html}` },
    },
    createdAt: options.nowMs ?? Date.now(),
  })
  if (!message) throw new Error(t('email.error.transcript_not_saved'))
  await queueDelivery(db, hostOf(env).jobs, { accountId: conversation.accountId, messageId: message.id })
  return message
}

/**
 * Chats whose conversation just closed: each visitor with a known address gets the transcript
 * (automatic mail, so it carries Auto-Submitted). Failures are logged, never block the close.
 */
export async function emailTranscriptsOnClose(db: Db, env: Pick<Bindings, 'OUTBOUND'>, accountId: string, conversationIds: string[]) {
  for (const conversationId of conversationIds) {
    const [row] = await db
      .select({ pluginId: conversations.pluginId, email: contacts.email })
      .from(conversations)
      .leftJoin(contacts, eq(contacts.id, conversations.contactId))
      .where(and(eq(conversations.accountId, accountId), eq(conversations.id, conversationId)))
      .limit(1)
    if (!row?.email || !findPlugin(row.pluginId)?.capabilities.realtime) continue
    try {
      await sendTranscript(db, env, conversationId, row.email, { automatic: true })
    } catch (error) {
      console.error('transcript not sent', conversationId, String(error))
    }
  }
}
