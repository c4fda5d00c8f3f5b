import { and, asc, eq, isNull, or } from 'drizzle-orm'
import type { Db } from '../db/client'
import { inOneRoundTrip, reads, type Reads } from '../db/round-trip'
import { views } from '../db/schema'
import { InputError } from '../lib/errors'
import { t } from '../i18n'
import { newId } from '../lib/ids'
import { parseFilters, type ListFilters } from './filters'
import { findView } from './views'
import type { User } from './users'

export interface SavedView {
  id: string
  name: string
  /** The built-in view it narrows ('open', 'mine', …). */
  baseViewId: string
  filters: ListFilters
  shared: boolean
  ownerUserId: string | null
}

export const maxViewNameLength = 60

function toSavedView(row: typeof views.$inferSelect): SavedView | null {
  const { base, ...rest } = row.filters
  const parsed = parseFilters(rest)
  const baseView = findView(base ?? '')
  // A view saved by an older version with filters we no longer understand is skipped, not fatal.
  if (!parsed.ok || !baseView) return null
  return { id: row.id, name: row.name, baseViewId: baseView.id, filters: parsed.filters, shared: row.ownerUserId === null, ownerUserId: row.ownerUserId }
}

/** The agent's own views and the team's, for one inbox. */
export function listSavedViews(db: Db, accountId: string, inboxId: string, userId: string): Promise<SavedView[]> {
  return inOneRoundTrip(db, savedViewReads(db, accountId, inboxId, userId))
}

export function savedViewReads(db: Db, accountId: string, inboxId: string, userId: string): Reads<SavedView[]> {
  const statement = db
    .select()
    .from(views)
    .where(and(eq(views.accountId, accountId), eq(views.inboxId, inboxId), or(eq(views.ownerUserId, userId), isNull(views.ownerUserId))))
    .orderBy(asc(views.name))
  return reads(statement, (rows) => rows.map(toSavedView).filter((view): view is SavedView => view !== null))
}

function checkName(name: string) {
  const trimmed = name.trim()
  if (!trimmed) throw new InputError(t('errors.view_name_missing'))
  if (trimmed.length > maxViewNameLength) throw new InputError(t('errors.view_name_length', { max: maxViewNameLength }))
  return trimmed
}

export async function createSavedView(
  db: Db,
  actor: User,
  input: { inboxId: string; name: string; baseViewId: string; filters: ListFilters; shared: boolean },
  nowMs = Date.now(),
) {
  const baseView = findView(input.baseViewId)
  if (!baseView) throw new InputError(t('errors.unknown_view'))
  const filters = Object.fromEntries(Object.entries(input.filters).filter(([, value]) => value !== undefined)) as Record<string, string>
  const id = newId()
  await db.insert(views).values({
    id,
    accountId: actor.accountId,
    inboxId: input.inboxId,
    ownerUserId: input.shared ? null : actor.id,
    name: checkName(input.name),
    filters: { ...filters, base: baseView.id },
    createdAt: nowMs,
  })
  return id
}

/** The owner edits a personal view; a team view is anyone's to keep tidy but an agent's to read. */
async function editableView(db: Db, actor: User, viewId: string) {
  const [row] = await db
    .select()
    .from(views)
    .where(and(eq(views.accountId, actor.accountId), eq(views.id, viewId)))
    .limit(1)
  if (!row) throw new InputError(t('errors.no_such_view'))
  const mayEdit = row.ownerUserId === actor.id || (row.ownerUserId === null && actor.role !== 'agent')
  if (!mayEdit) throw new InputError(row.ownerUserId === null ? t('errors.team_view_admins') : t('errors.someone_elses_view'))
  return row
}

export async function renameSavedView(db: Db, actor: User, viewId: string, name: string) {
  const row = await editableView(db, actor, viewId)
  await db
    .update(views)
    .set({ name: checkName(name) })
    .where(eq(views.id, row.id))
  return row
}

export async function deleteSavedView(db: Db, actor: User, viewId: string) {
  const row = await editableView(db, actor, viewId)
  await db.delete(views).where(eq(views.id, row.id))
  return row
}
