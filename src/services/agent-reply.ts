import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '../db/client'
import { insertInChunks } from '../db/chunk'
import { answered, inOneRoundTrip, mapReads, together, type Reads } from '../db/round-trip'
import { notifications } from '../db/schema'
import { conversationDetailReads, type ConversationDetail } from './conversation-detail'
import { deleteDraftStatement, draftReads, type DraftsByKind } from './drafts'
import { handoffReads, type HandoffChannel } from './handoff'
import { teammateReads, type Mention, type Teammate } from './mentions'
import { appendMessageStatements, newestMessageIdIn, newestMessageReads, replyByAnotherAgentReads, type Message, type ThreadMessage } from './messages'
import { mentionNotificationRows } from './notifications'
import { attachmentRowStatements, attachmentsMetadata, type PutAttachment } from './outbound-attachments'
import { replyStateReads } from './outbound'
import type { Channel } from './inboxes'

/**
 * An agent's reply or internal comment costs two round trips after the session: one batch reads
 * everything the checks need (`beforeAgentMessageReads`), one batch stores the message with
 * everything that goes with it and reads back what the fresh composer shows (`storeAgentMessage`).
 * Files go to storage between the two, so no row ever points at bytes that are not there.
 */

export interface BeforeAgentMessage {
  /** Null when the conversation is not in the account (or gone). */
  detail: ConversationDetail | null
  /** Where a reply may go instead of the conversation's own channel (a chat answered by email). */
  handoff: HandoffChannel | null
  /** The agent's drafts in this conversation (the form comes back with them on a refusal). */
  drafts: DraftsByKind
  /** A reply's: the channel and when the customer last wrote, what its window and `validate` are judged on. */
  replyState: { channel: Channel; lastInboundAt: number | null } | null
  /** A reply not yet confirmed: the newest reply another agent sent since this one looked. */
  collision: { id: number; authorName: string | null; seq: number } | null
  /** A comment that may mention someone: the account's active teammates. */
  teammates: Teammate[]
}

/** What posting reads before its checks, as one batch; each part only when this post needs it. */
export function beforeAgentMessageReads(
  db: Db,
  input: { accountId: string; userId: string; conversationId: string; isReply: boolean; seenSeq: number; confirmed: boolean; mayMention: boolean },
): Reads<BeforeAgentMessage> {
  const { accountId, userId, conversationId, isReply } = input
  return mapReads(
    together(
      conversationDetailReads(db, accountId, conversationId),
      handoffReads(db, accountId, conversationId),
      draftReads(db, userId, conversationId),
      isReply ? replyStateReads(db, accountId, conversationId) : answered(null),
      isReply && !input.confirmed ? replyByAnotherAgentReads(db, accountId, conversationId, input.seenSeq, userId) : answered(null),
      !isReply && input.mayMention ? teammateReads(db, accountId) : answered([] as Teammate[]),
    ),
    ([detail, handoff, drafts, replyState, collision, teammates]) => ({ detail, handoff, drafts, replyState, collision, teammates }),
  )
}

export interface AgentMessageInput {
  accountId: string
  conversationId: string
  /** The conversation's channel, or the one a handed-off reply goes through. */
  channelId: string
  kind: 'message' | 'comment'
  author: { id: string; name: string }
  text: string
  html: string | null
  metadata: Record<string, unknown>
  /** Sent by a provider: stored pending, and the caller puts its job on the queue once it is stored. */
  queued: boolean
  /** A comment's mentions (`mentionsAmong` the teammates read before): recorded in its metadata, one notification each. */
  mentions: Mention[]
  /** Files already in storage (`putOutboundAttachments`): their rows and the message's list of them. */
  attachments: PutAttachment[]
  createdAt: number
}

export interface StoredAgentMessage {
  /** The message as the thread shows it (`getMessage`). */
  message: ThreadMessage
  /** The agent's drafts now: the one this message came from is gone. */
  drafts: DraftsByKind
  /** The notifications its mentions created. */
  notifications: { id: string; userId: string }[]
}

/**
 * Stores the message, moves the conversation along (seq taken inside the insert, as every append
 * does: concurrent posts never share one), records its mentions and attachments, marks it pending
 * for the queue, deletes the draft it came from, and reads back the message and the drafts: one
 * batch, so one transaction — a reply is never stored without its queue mark, its files or the
 * notifications of its mentions, nor they without it. Rows that point at the message name it as
 * the conversation's newest (`newestMessageIdIn`), which inside this transaction it is.
 */
export async function storeAgentMessage(db: Db, input: AgentMessageInput): Promise<StoredAgentMessage> {
  const { accountId, conversationId, createdAt } = input
  const metadata: Record<string, unknown> = { ...input.metadata }
  if (input.mentions.length > 0) metadata.mentions = input.mentions
  if (input.attachments.length > 0) metadata.attachments = attachmentsMetadata(input.attachments)
  const append = appendMessageStatements(
    db,
    {
      accountId,
      conversationId,
      channelId: input.channelId,
      direction: 'out',
      kind: input.kind,
      authorUserId: input.author.id,
      authorName: input.author.name,
      text: input.text,
      html: input.html,
      metadata,
      createdAt,
      ...(input.queued ? { deliveryStatus: 'pending' as const, deliveryUpdatedAt: createdAt } : {}),
    },
    // An agent's message has no external id to repeat; whatever makes the insert fail aborts it all.
    { repeat: 'fail' },
  )
  const messageId = newestMessageIdIn(conversationId)
  const notificationRows = mentionNotificationRows({ ...input, id: messageId, authorUserId: input.author.id }, input.mentions, createdAt)
  const readBack = together(draftReads(db, input.author.id, conversationId), newestMessageReads(db, accountId, conversationId))
  const batch = {
    statements: [
      // Compiled statements go into a batch like drizzle's own (src/db/compiled.ts).
      ...(append as unknown as BatchItem<'sqlite'>[]),
      ...insertInChunks(notifications, notificationRows, (part) => db.insert(notifications).values(part)),
      ...attachmentRowStatements(db, accountId, messageId, input.attachments, createdAt),
      deleteDraftStatement(db, input.author.id, conversationId, input.kind === 'message' ? 'reply' : 'comment'),
      ...readBack.statements,
    ],
    result: (raws: readonly unknown[]) => ({
      inserted: (raws[0] as Message[])[0],
      readBack: readBack.result(raws.slice(raws.length - readBack.statements.length)),
    }),
  }
  const {
    inserted,
    readBack: [drafts, message],
  } = await inOneRoundTrip(db, batch)
  // Both name the same row unless the transaction let another writer in between, which it must not.
  if (!inserted || !message || message.id !== inserted.id) throw new Error('the stored message could not be read back')
  return { message, drafts, notifications: notificationRows.map((row) => ({ id: row.id, userId: row.userId })) }
}
