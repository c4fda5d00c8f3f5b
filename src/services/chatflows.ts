import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '../db/client'
import { botSessions, contacts, conversations } from '../db/schema'
import { advance, findChatflow } from '../../plugins/bots'
import type { ChannelRecord } from '../channels/types'
import { applyDefaultAssignment } from './inbox-settings'
import { appendMessage, type Message } from './messages'

/** A bot conversation whose visitor never reached the handoff can be closed this long after their last activity. */
export const botCloseGraceMinutes = 30

export interface ChatflowTurn {
  replies: Message[]
  handedOff: boolean
}

/**
 * Runs the channel's chatflow on a visitor's message: starts it on a new conversation, then
 * answers step by step until the visitor reaches the handoff (the conversation then leaves the
 * Bots view for Unassigned, or goes to whoever default assignment picks). A person taking the
 * conversation over ends the bot's part.
 */
export async function continueChatflow(
  db: Db,
  input: { channel: ChannelRecord; flowId: string | undefined; conversationId: string; contactId: string; visitorText: string; isNewConversation: boolean },
  nowMs = Date.now(),
): Promise<ChatflowTurn> {
  const flow = findChatflow(input.flowId)
  if (!flow) return { replies: [], handedOff: false }
  const [session] = await db.select().from(botSessions).where(eq(botSessions.conversationId, input.conversationId)).limit(1)
  if (!session && !input.isNewConversation) return { replies: [], handedOff: false }
  if (session) {
    await db.update(botSessions).set({ lastVisitorActivityAt: nowMs }).where(eq(botSessions.conversationId, input.conversationId))
    if (session.handedOffAt) return { replies: [], handedOff: false }
    const [conversation] = await db.select({ assigneeBot: conversations.assigneeBot }).from(conversations).where(eq(conversations.id, input.conversationId))
    // Someone took the conversation over: the bot stays quiet from now on.
    if (!conversation?.assigneeBot) return { replies: [], handedOff: false }
  }
  const turn = advance(flow, session ? { stepId: session.stepId, collected: session.collected } : null, input.visitorText)
  if (!session) {
    await db.batch([
      db.insert(botSessions).values({
        conversationId: input.conversationId,
        accountId: input.channel.accountId,
        flowId: flow.id,
        stepId: turn.stepId,
        collected: turn.collected,
        lastVisitorActivityAt: nowMs,
        createdAt: nowMs,
      }),
      db
        .update(conversations)
        .set({ assigneeBot: flow.name })
        .where(and(eq(conversations.id, input.conversationId), isNull(conversations.assigneeId))),
    ])
  } else {
    await db.update(botSessions).set({ stepId: turn.stepId, collected: turn.collected }).where(eq(botSessions.conversationId, input.conversationId))
  }
  // What the bot learned fills in the contact, without overwriting what agents know.
  const learned: Partial<typeof contacts.$inferInsert> = {}
  if (turn.collected.name) learned.name = turn.collected.name
  if (turn.collected.email) learned.email = turn.collected.email
  if (Object.keys(learned).length > 0) {
    const [contact] = await db.select().from(contacts).where(eq(contacts.id, input.contactId))
    const missing = Object.fromEntries(Object.entries(learned).filter(([key]) => !contact?.[key as keyof typeof contact]))
    if (Object.keys(missing).length > 0)
      await db
        .update(contacts)
        .set(missing)
        .where(eq(contacts.id, input.contactId))
        .catch(() => undefined)
  }
  const replies: Message[] = []
  for (const [index, reply] of turn.replies.entries()) {
    const stored = await appendMessage(db, {
      accountId: input.channel.accountId,
      conversationId: input.conversationId,
      channelId: input.channel.id,
      direction: 'out',
      kind: 'message',
      authorName: flow.name,
      text: reply.text,
      metadata: { bot: flow.id, ...(reply.buttons ? { buttons: reply.buttons } : {}) },
      createdAt: nowMs + index,
    })
    if (stored) replies.push(stored)
  }
  if (turn.handoff) {
    await db.update(botSessions).set({ handedOffAt: nowMs }).where(eq(botSessions.conversationId, input.conversationId))
    await db.update(conversations).set({ assigneeBot: null }).where(eq(conversations.id, input.conversationId))
    await applyDefaultAssignment(db, input.conversationId, input.channel.inboxId, nowMs)
  }
  return { replies, handedOff: turn.handoff }
}

/** When a bot conversation may be closed, or null when nothing holds it back. */
export function botCloseAllowedAt(
  session: { handedOffAt: number | null; lastVisitorActivityAt: number } | null | undefined,
  assigneeBot: string | null,
): number | null {
  if (!session || session.handedOffAt || !assigneeBot) return null
  return session.lastVisitorActivityAt + botCloseGraceMinutes * 60_000
}
