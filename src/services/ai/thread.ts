import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { contacts, conversations, messages, snippets, users } from '../../db/schema'
import { findPlugin } from '../../channels/registry'
import { sanitizeRichText } from '../../lib/rich-text'
import { escapeHtml } from '../../lib/sanitize-html'
import type { AiMessage, AiThread } from './provider'

/** The newest messages a summary or draft reads; older ones rarely change what is asked now. */
export const maxMessagesForAi = 400

/**
 * A conversation as the AI helpers see it: messages and internal comments in order, as plain
 * text, never hidden ones or activity lines, and none of the copies we mailed out of it
 * (transcripts, forwards, surveys) which repeat the thread or say nothing new.
 */
export async function loadAiThread(db: Db, accountId: string, conversationId: string): Promise<AiThread | null> {
  const [row] = await db
    .select({ conversation: conversations, contactName: contacts.name, contactEmail: contacts.email, assigneeName: users.name })
    .from(conversations)
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(users, eq(users.id, conversations.assigneeId))
    .where(and(eq(conversations.accountId, accountId), eq(conversations.id, conversationId)))
    .limit(1)
  if (!row) return null
  const rows = await db
    .select({
      kind: messages.kind,
      direction: messages.direction,
      authorUserId: messages.authorUserId,
      authorName: messages.authorName,
      userName: users.name,
      text: messages.text,
      metadata: messages.metadata,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorUserId))
    .where(
      and(
        eq(messages.accountId, accountId),
        eq(messages.conversationId, conversationId),
        inArray(messages.kind, ['message', 'comment']),
        isNull(messages.hiddenAt),
      ),
    )
    .orderBy(desc(messages.seq))
    .limit(maxMessagesForAi)
  const thread: AiMessage[] = rows
    .reverse()
    .filter((message) => !message.metadata?.transcript && !message.metadata?.forward && !message.metadata?.survey && message.text.trim())
    .map((message) => ({
      kind: message.kind === 'comment' ? 'comment' : 'message',
      from: message.direction === 'in' ? 'customer' : message.authorUserId ? 'agent' : 'bot',
      name: message.direction === 'in' ? (row.contactName ?? row.contactEmail) : (message.userName ?? message.authorName),
      text: message.text,
      at: message.createdAt,
    }))
  return {
    subject: row.conversation.subject,
    channel: findPlugin(row.conversation.pluginId)?.name ?? row.conversation.pluginId,
    status: row.conversation.status,
    contact: row.contactName || row.contactEmail ? { name: row.contactName, email: row.contactEmail } : null,
    assignee: row.assigneeName,
    messages: thread,
  }
}

/** The account's snippets for the "Write for me" select, by name. */
export function listSnippetChoices(db: Db, accountId: string) {
  return db
    .select({ id: snippets.id, name: snippets.name, shortcut: snippets.shortcut })
    .from(snippets)
    .where(eq(snippets.accountId, accountId))
    .orderBy(asc(snippets.name))
    .limit(200)
}

export async function getSnippet(db: Db, accountId: string, snippetId: string) {
  const [row] = await db
    .select({ id: snippets.id, name: snippets.name, body: snippets.body })
    .from(snippets)
    .where(and(eq(snippets.accountId, accountId), eq(snippets.id, snippetId)))
    .limit(1)
  return row ?? null
}

/**
 * Fills the `{{contact.*}}` / `{{agent.*}}` placeholders a snippet may carry, as text (escaped),
 * and sanitises the result. Unknown placeholders stay for the agent to see and fix.
 */
export function fillSnippet(body: string, values: { contact?: { name: string | null; email: string | null } | null; agent: { name: string } }): string {
  const contactName = values.contact?.name?.trim() ?? ''
  const [contactFirst = '', ...contactRest] = contactName.split(/\s+/)
  const [agentFirst = '', ...agentRest] = values.agent.name.trim().split(/\s+/)
  const known: Record<string, string> = {
    'contact.firstname': contactFirst,
    'contact.lastname': contactRest.join(' '),
    'contact.name': contactName,
    'contact.email': values.contact?.email ?? '',
    'agent.firstname': agentFirst,
    'agent.lastname': agentRest.join(' '),
    'agent.name': values.agent.name,
    'user.firstname': agentFirst,
    'user.name': values.agent.name,
  }
  const filled = body.replace(/\{\{\s*([a-z]+\.[a-z_]+)\s*\}\}/gi, (whole, key: string) =>
    key.toLowerCase() in known ? escapeHtml(known[key.toLowerCase()]!) : whole,
  )
  return sanitizeRichText(filled)
}
