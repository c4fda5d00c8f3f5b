import type { UserRole } from '../db/schema'
import { InputError } from '../lib/errors'

/**
 * Who may change shared content (snippets, templates, articles, documents): everyone on the team
 * may create it and use it; the person who created an item and admins may edit or delete it, so
 * an agent cannot rewrite a colleague's wording (or a public article) behind their back.
 */
export interface ContentActor {
  id: string
  accountId: string
  role: UserRole
  name: string
}

export const isAdmin = (actor: Pick<ContentActor, 'role'>) => actor.role === 'admin' || actor.role === 'super_admin'

export function canManage(actor: Pick<ContentActor, 'id' | 'role'>, createdBy: string | null): boolean {
  return isAdmin(actor) || (createdBy !== null && createdBy === actor.id)
}

/** Thrown when the actor may see the item but not change it; routes answer 403. */
export class NotAllowedError extends Error {
  override name = 'NotAllowedError'
}

export function assertCanManage(actor: Pick<ContentActor, 'id' | 'role'>, createdBy: string | null, message: string) {
  if (!canManage(actor, createdBy)) throw new NotAllowedError(message)
}

/** A body that is empty once sanitised is not worth saving. */
export function requireBody(body: string, message: string): string {
  if (
    body
      .replace(/<[^>]*>/g, '')
      .replace(/&nbsp;/g, ' ')
      .trim() === ''
  )
    throw new InputError(message)
  return body
}

/** SQLite's own word for a unique index violation (D1 and libSQL alike). */
export function isUniqueViolation(error: unknown): boolean {
  const seen = new Set<unknown>()
  let current: unknown = error
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current)
    if (/UNIQUE constraint failed/i.test(current.message)) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}
