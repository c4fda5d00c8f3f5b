import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { idChunks } from '../db/chunk'
import { channels, conversations, inboxes, inboxMembers, users } from '../db/schema'
import { InputError } from '../lib/errors'
import { t } from '../i18n'
import { recordAudit, type User } from './users'
import { isAvailable } from './availability'
import { compiled, statementBuilder, boundValue } from '../db/compiled'

export type DefaultAssignment = (typeof inboxes.$inferSelect)['defaultAssignment']

export async function listMemberIds(db: Db, inboxId: string): Promise<string[]> {
  const rows = await db.select({ userId: inboxMembers.userId }).from(inboxMembers).where(eq(inboxMembers.inboxId, inboxId))
  return rows.map((row) => row.userId)
}

export function listChannelsOfInbox(db: Db, accountId: string, inboxId: string) {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.accountId, accountId), eq(channels.inboxId, inboxId)))
    .orderBy(asc(channels.createdAt), asc(channels.name))
}

export async function updateInbox(
  db: Db,
  actor: User,
  inboxId: string,
  input: { name: string; memberIds: string[]; defaultAssignment: DefaultAssignment; defaultAssigneeId: string | null },
) {
  const name = input.name.trim()
  if (!name || name.length > 80) throw new InputError(t('errors.inbox_name_length'))
  const [inbox] = await db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.accountId, actor.accountId), eq(inboxes.id, inboxId)))
    .limit(1)
  if (!inbox) throw new InputError(t('errors.no_such_inbox'))
  const memberIds = [...new Set(input.memberIds)]
  const active: { id: string }[] = []
  for (const part of idChunks(memberIds)) {
    active.push(
      ...(await db
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.accountId, actor.accountId), eq(users.status, 'active'), inArray(users.id, part)))),
    )
  }
  if (active.length !== memberIds.length) throw new InputError(t('errors.members_active'))
  if (input.defaultAssignment === 'round_robin' && memberIds.length === 0) {
    throw new InputError(t('errors.round_robin_members'))
  }
  if (input.defaultAssignment === 'user' && !(input.defaultAssigneeId && memberIds.includes(input.defaultAssigneeId))) {
    throw new InputError(t('errors.choose_member'))
  }
  const existing = await listMemberIds(db, inboxId)
  await db.batch([
    db
      .update(inboxes)
      .set({ name, defaultAssignment: input.defaultAssignment, defaultAssigneeId: input.defaultAssignment === 'user' ? input.defaultAssigneeId : null })
      .where(eq(inboxes.id, inboxId)),
    db.delete(inboxMembers).where(eq(inboxMembers.inboxId, inboxId)),
    ...memberIds.map((userId) => db.insert(inboxMembers).values({ inboxId, userId }).onConflictDoNothing()),
  ])
  await recordAudit(db, actor.accountId, actor.id, 'inbox:update', inboxId, {
    added: memberIds.filter((id) => !existing.includes(id)),
    removed: existing.filter((id) => !memberIds.includes(id)),
    defaultAssignment: input.defaultAssignment,
  })
}

// The look-ups and writes of default assignment, compiled once (src/db/compiled.ts): every new
// conversation runs them, and the one-batch paths of the pipeline put them in their own batches.
/** The inbox's mode, and its chosen assignee when it has one who is still active. */
const inboxAssignment = compiled<{ defaultAssignment: DefaultAssignment; chosenUserId: string | null }[]>(() => {
  const fields = {
    defaultAssignment: inboxes.defaultAssignment,
    chosenUserId: sql<string | null>`(select ${users.id} from ${users} where ${users.id} = ${inboxes.defaultAssigneeId} and ${users.status} = 'active')`,
  }
  return {
    query: statementBuilder
      .select(fields)
      .from(inboxes)
      .where(eq(inboxes.id, sql.placeholder('inboxId')))
      .limit(1),
    fields,
  }
})

/** Active members in the order they last got a conversation (round robin's queue). */
const assignmentQueue = compiled<AssignmentCandidate[]>(() => {
  const fields = {
    userId: inboxMembers.userId,
    availability: users.availability,
    officeHours: users.officeHours,
    timeZone: users.timeZone,
    status: users.status,
  }
  return {
    query: statementBuilder
      .select(fields)
      .from(inboxMembers)
      .innerJoin(users, eq(users.id, inboxMembers.userId))
      .where(and(eq(inboxMembers.inboxId, sql.placeholder('inboxId')), eq(users.status, 'active')))
      .orderBy(asc(inboxMembers.lastAssignedAt), asc(inboxMembers.userId)),
    fields,
  }
})

// Round robin moves the member to the back of the queue, if the conversation did go to them.
const markAssigned = compiled(() => ({
  query: statementBuilder
    .update(inboxMembers)
    .set({ lastAssignedAt: boundValue('nowMs', inboxMembers.lastAssignedAt) })
    .where(
      and(
        eq(inboxMembers.inboxId, sql.placeholder('inboxId')),
        eq(inboxMembers.userId, sql.placeholder('userId')),
        sql`exists (select 1 from ${conversations} where ${conversations.id} = ${sql.placeholder('conversationId')} and ${conversations.assigneeId} = ${sql.placeholder('userId')})`,
      ),
    ),
}))

export interface AssignmentCandidate {
  userId: string
  availability: (typeof users.$inferSelect)['availability']
  officeHours: (typeof users.$inferSelect)['officeHours']
  timeZone: string
  status: (typeof users.$inferSelect)['status']
}

/**
 * The look-ups default assignment needs, as statements for the caller's own batch (with
 * `pickDefaultAssignee` on their results): the inbox's mode and chosen assignee, and the
 * round-robin queue.
 */
export function defaultAssignmentLookups(db: Db, inboxId: string) {
  return [inboxAssignment().bind(db, { inboxId }), assignmentQueue().bind(db, { inboxId })] as const
}

/**
 * Who a new conversation in this inbox goes to: nobody, one chosen member (while active), or the
 * first active member in round-robin order who is available now (status, away switch and office
 * hours). `roundRobin` says the queue must move on.
 */
export function pickDefaultAssignee(
  results: readonly [readonly { defaultAssignment: DefaultAssignment; chosenUserId: string | null }[], readonly AssignmentCandidate[]],
  nowMs: number,
): { userId: string; roundRobin: boolean } | null {
  const [[inbox], queue] = results
  if (!inbox || inbox.defaultAssignment === 'none') return null
  if (inbox.defaultAssignment === 'user') return inbox.chosenUserId ? { userId: inbox.chosenUserId, roundRobin: false } : null
  const next = queue.find((member) => isAvailable(member, nowMs))
  return next ? { userId: next.userId, roundRobin: true } : null
}

/**
 * A conversation created with the picked owner (its insert sets `assignee_id`) moves the round-robin
 * queue on, in the same transaction, after that insert: only if the conversation did go to them.
 */
export function roundRobinStatements(db: Db, conversationId: string, inboxId: string, pick: { userId: string; roundRobin: boolean }, nowMs: number) {
  return pick.roundRobin ? [markAssigned().bind(db, { inboxId, userId: pick.userId, conversationId, nowMs })] : []
}

/** Picks the default assignee of a conversation on its own (see `pickDefaultAssignee`), moving the round-robin queue. */
export async function chooseDefaultAssignee(db: Db, inboxId: string, nowMs = Date.now()): Promise<string | null> {
  const results = (await db.batch(defaultAssignmentLookups(db, inboxId) as unknown as Parameters<Db['batch']>[0])) as unknown as Parameters<
    typeof pickDefaultAssignee
  >[0]
  const pick = pickDefaultAssignee(results, nowMs)
  if (!pick) return null
  if (pick.roundRobin)
    await db
      .update(inboxMembers)
      .set({ lastAssignedAt: nowMs })
      .where(and(eq(inboxMembers.inboxId, inboxId), eq(inboxMembers.userId, pick.userId)))
  return pick.userId
}

/** Applies the inbox's default assignment to a conversation nobody owns yet. */
export async function applyDefaultAssignment(db: Db, conversationId: string, inboxId: string, nowMs = Date.now()) {
  const assigneeId = await chooseDefaultAssignee(db, inboxId, nowMs)
  if (!assigneeId) return null
  await db
    .update(conversations)
    .set({ assigneeId })
    .where(and(eq(conversations.id, conversationId), sql`${conversations.assigneeId} is null`, sql`${conversations.assigneeBot} is null`))
  return assigneeId
}
