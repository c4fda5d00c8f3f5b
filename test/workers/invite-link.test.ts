import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { invitations } from '../../src/db/schema'
import { db, form, login, origin, workspace } from './helpers'
import { linkIn, recordingWorker } from './team-helpers'

describe('the invitation link for the admin to copy', () => {
  it('shows the admin the new invitation link once, to copy, for when the mail does not reach the teammate', async () => {
    const ws = await workspace()
    const admin = await login(ws.users.admin.email)
    const { jobs, call } = recordingWorker()
    const email = `copied.${ws.tag}@example.test`
    const invited = await call('/settings/users/invite', { method: 'POST', cookie: admin, body: form({ email, role: 'agent' }) })
    const answer = await invited.text()
    const token = linkIn(jobs[0], 'invite')
    // The same link the mail carries, in the invitation's row, with its copy button; never cached.
    const [row] = await db().select().from(invitations).where(eq(invitations.email, email))
    const ownRow = answer.slice(answer.indexOf(`id="invitation-${row!.id}"`))
    expect(ownRow.slice(0, ownRow.indexOf('</tr>'))).toContain(`<code id="invite-link">${origin}/invite/${token}</code>`)
    expect(answer).toContain('data-copy-text="invite-link"')
    expect(answer).toContain('Copy invite link')
    expect(invited.headers.get('Cache-Control')).toBe('no-store')
    // Shown once: the page itself (a reload) no longer has it; the link works.
    const later = await (await call('/settings/users', { cookie: admin })).text()
    expect(later).toContain(email)
    expect(later).not.toContain(token.split('.')[1])
    expect(later).not.toContain('Copy invite link')
    expect((await call(`/invite/${token}`)).status).toBe(200)
    // An agent cannot reach it at all.
    const agent = await login(ws.users.agent.email)
    expect(
      (await call('/settings/users/invite', { method: 'POST', cookie: agent, body: form({ email: `x.${ws.tag}@example.test`, role: 'agent' }) })).status,
    ).toBe(403)
  })
})
