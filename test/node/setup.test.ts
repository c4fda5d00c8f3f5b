import { describe, expect, it } from 'vitest'
import { accounts, inboxMembers, inboxes, users } from '../../src/db/schema'
import { setUpWorkspace, workspaceExists } from '../../src/services/setup'
import { FieldError } from '../../src/lib/errors'
import { createLibsqlDb } from './libsql'

const input = { workspaceName: 'Acme', name: 'Ada Owner', email: 'Ada@Acme.test', password: 'a long enough password', locale: 'nb' }

describe('first-run setup on an empty database (libSQL)', () => {
  it('creates the workspace, its super admin (in the chosen language) and a first inbox with them as member', async () => {
    const db = await createLibsqlDb()
    expect(await workspaceExists(db)).toBe(false)
    const { user, inboxId, accountId } = await setUpWorkspace(db, input)
    expect(user).toMatchObject({ accountId, email: 'ada@acme.test', role: 'super_admin', locale: 'nb', name: 'Ada Owner' })
    // The first inbox is named in the chosen language.
    expect(await db.select().from(inboxes)).toEqual([expect.objectContaining({ id: inboxId, accountId, name: 'Kundeservice' })])
    expect(await db.select().from(inboxMembers)).toEqual([expect.objectContaining({ inboxId, userId: user.id })])
    expect(await workspaceExists(db)).toBe(true)
  })

  it('refuses a second setup, also two at once: exactly one workspace and one owner', async () => {
    const db = await createLibsqlDb()
    const results = await Promise.allSettled([setUpWorkspace(db, input), setUpWorkspace(db, { ...input, email: 'eve@evil.test', workspaceName: 'Evil' })])
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
    const refused = results.find((result) => result.status === 'rejected') as PromiseRejectedResult
    expect(refused.reason).toBeInstanceOf(FieldError)
    expect((refused.reason as FieldError).field).toBe('form')
    await expect(setUpWorkspace(db, { ...input, email: 'late@x.test' })).rejects.toThrow(/already set up/)
    expect(await db.select().from(accounts)).toHaveLength(1)
    expect(await db.select().from(users)).toHaveLength(1)
  })

  it('names the field of bad input and stores nothing', async () => {
    const db = await createLibsqlDb()
    const fieldOf = (promise: Promise<unknown>) =>
      promise.then(
        () => null,
        (error: FieldError) => error.field,
      )
    expect(await fieldOf(setUpWorkspace(db, { ...input, workspaceName: ' ' }))).toBe('workspaceName')
    expect(await fieldOf(setUpWorkspace(db, { ...input, email: 'no-at-sign' }))).toBe('email')
    expect(await fieldOf(setUpWorkspace(db, { ...input, password: 'short' }))).toBe('password')
    expect(await fieldOf(setUpWorkspace(db, { ...input, name: '' }))).toBe('name')
    expect(await workspaceExists(db)).toBe(false)
  })
})
