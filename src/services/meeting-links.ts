import { and, asc, eq, isNull, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { meetingLinks, users } from '../db/schema'
import { InputError } from '../lib/errors'
import { newId } from '../lib/ids'
import { t } from '../i18n'
import { isAdmin, NotAllowedError, type ContentActor } from './content-access'

export type MeetingLink = typeof meetingLinks.$inferSelect

export interface MeetingLinkInput {
  name: string
  url: string
  /** A team link (everyone's picker shows it); only admins make and change those. */
  team: boolean
}

/** Only https: a booking page is a web page the contact opens, and http would invite tampering. */
export function httpsUrl(value: string): string | null {
  const trimmed = value.trim()
  try {
    const url = new URL(trimmed)
    return url.protocol === 'https:' && url.hostname !== '' && !url.username && !url.password ? url.href : null
  } catch {
    return null
  }
}

/** Each user manages their own links; admins also manage the team's. */
function assertCanManageLink(actor: ContentActor, link: Pick<MeetingLink, 'userId'>) {
  const allowed = link.userId === null ? isAdmin(actor) : link.userId === actor.id
  if (!allowed) throw new NotAllowedError(t('content.error.not_yours'))
}

function cleanLink(actor: ContentActor, input: MeetingLinkInput) {
  const url = httpsUrl(input.url)
  if (!url) throw new InputError(t('content.error.https_only'))
  const userId = input.team ? null : actor.id
  assertCanManageLink(actor, { userId })
  return { name: input.name.trim(), url, userId }
}

export async function createMeetingLink(db: Db, actor: ContentActor, input: MeetingLinkInput, nowMs = Date.now()): Promise<MeetingLink> {
  const [row] = await db
    .insert(meetingLinks)
    .values({ id: newId(), accountId: actor.accountId, ...cleanLink(actor, input), createdAt: nowMs })
    .returning()
  return row!
}

export async function getMeetingLink(db: Db, accountId: string, id: string): Promise<MeetingLink | null> {
  const [row] = await db
    .select()
    .from(meetingLinks)
    .where(and(eq(meetingLinks.accountId, accountId), eq(meetingLinks.id, id)))
    .limit(1)
  return row ?? null
}

export async function updateMeetingLink(db: Db, actor: ContentActor, id: string, input: MeetingLinkInput): Promise<MeetingLink> {
  const existing = await getMeetingLink(db, actor.accountId, id)
  if (!existing) throw new InputError(t('content.error.gone'))
  assertCanManageLink(actor, existing)
  const [row] = await db
    .update(meetingLinks)
    .set(cleanLink(actor, input))
    .where(and(eq(meetingLinks.accountId, actor.accountId), eq(meetingLinks.id, id)))
    .returning()
  return row!
}

export async function deleteMeetingLink(db: Db, actor: ContentActor, id: string): Promise<void> {
  const existing = await getMeetingLink(db, actor.accountId, id)
  if (!existing) return
  assertCanManageLink(actor, existing)
  await db.delete(meetingLinks).where(and(eq(meetingLinks.accountId, actor.accountId), eq(meetingLinks.id, id)))
}

/** The links a user sees and inserts: their own and the team's (own first). */
export async function meetingLinksFor(db: Db, accountId: string, userId: string) {
  return db
    .select({ link: meetingLinks, ownerName: users.name })
    .from(meetingLinks)
    .leftJoin(users, eq(users.id, meetingLinks.userId))
    .where(and(eq(meetingLinks.accountId, accountId), or(eq(meetingLinks.userId, userId), isNull(meetingLinks.userId))))
    .orderBy(sql`${meetingLinks.userId} IS NULL`, asc(meetingLinks.name))
}

export const canManageMeetingLink = (actor: ContentActor, link: Pick<MeetingLink, 'userId'>) =>
  link.userId === null ? isAdmin(actor) : link.userId === actor.id
