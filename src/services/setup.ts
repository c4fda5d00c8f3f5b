import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { accounts, inboxes, inboxMembers, users } from '../db/schema'
import { hashPassword } from '../auth/password'
import { isValidAddress } from '../lib/email-address'
import { FieldError } from '../lib/errors'
import { newId } from '../lib/ids'
import { normalizeEmail } from '../lib/text'
import { isLocale, t, withLocale } from '../i18n'
import { checkNewPassword } from './invitations'
import { recordAudit, type User } from './users'

/** Whether any workspace exists: the first-run setup page is open only while none does. */
export async function workspaceExists(db: Db): Promise<boolean> {
  const [row] = await db.select({ id: accounts.id }).from(accounts).limit(1)
  return row !== undefined
}

export interface SetupInput {
  workspaceName: string
  name: string
  email: string
  password: string
  locale: string
  inboxName?: string
}

/**
 * First run: the workspace, its super admin and a first inbox (the admin a member of it). The
 * workspace row is inserted only while the table is empty, in one statement, so of two setup
 * requests at once exactly one gets a workspace; the other gets a FieldError, never a second owner.
 */
export async function setUpWorkspace(db: Db, input: SetupInput, nowMs = Date.now()): Promise<{ user: User; inboxId: string; accountId: string }> {
  const workspaceName = input.workspaceName.trim()
  const name = input.name.trim()
  const email = normalizeEmail(input.email)
  if (!workspaceName || workspaceName.length > 120) throw new FieldError('workspaceName', t('setup.error.workspace_name'))
  if (!name || name.length > 120) throw new FieldError('name', t('users.add.name_missing'))
  if (!isValidAddress(email)) throw new FieldError('email', t('invite.error.email_invalid'))
  checkNewPassword(input.password)
  if (await workspaceExists(db)) throw new FieldError('form', t('setup.error.done'))
  const passwordHash = await hashPassword(input.password)
  const accountId = newId()
  const claimed = await db.all<{ id: string }>(
    sql`insert into ${accounts} (id, name, created_at) select ${accountId}, ${workspaceName}, ${nowMs} where not exists (select 1 from ${accounts}) returning id`,
  )
  if (claimed.length === 0) throw new FieldError('form', t('setup.error.done'))
  const userId = newId()
  const inboxId = newId()
  const [created] = await db.batch([
    db
      .insert(users)
      .values({ id: userId, accountId, name, email, passwordHash, role: 'super_admin', locale: isLocale(input.locale) ? input.locale : 'en', createdAt: nowMs })
      .returning(),
    db
      .insert(inboxes)
      .values({ id: inboxId, accountId, name: input.inboxName?.trim() || withLocale(input.locale, () => t('setup.default_inbox')), createdAt: nowMs }),
    db.insert(inboxMembers).values({ inboxId, userId }),
  ])
  await recordAudit(db, accountId, userId, 'account:setup', accountId, {}, nowMs)
  return { user: created[0]!, inboxId, accountId }
}
