import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { db, form, login, messages, request, workspace } from '../../../test/shared/plugin-test-kit'

type Workspace = Awaited<ReturnType<typeof workspace>>

function submit(ws: Workspace, fields: Record<string, string>) {
  const body = new FormData()
  for (const [key, value] of Object.entries(fields)) body.append(key, value)
  return request(`/channels/${ws.channels.forms.id}/inbound`, { method: 'POST', body, headers: { Origin: `https://shop-${ws.tag}.example` } })
}

async function threadIn(ws: Workspace, email: string, locale: 'en' | 'nb', conversationId: string) {
  const cookie = await login(email)
  await request('/me/locale', { method: 'POST', cookie, body: form({ locale }) })
  return (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()
}

const stored = (ws: Workspace) => db().select().from(messages).where(eq(messages.channelId, ws.channels.forms.id)).orderBy(messages.id)

describe('Forms channel: an empty submission in the reader’s language', () => {
  it('a Norwegian agent reads "(tom innsending)" for a submission with no fields; an English agent "(empty submission)"', async () => {
    const ws = await workspace()
    expect((await submit(ws, { email: 'lena@example.com' })).status).toBe(201)
    const [submission] = await stored(ws)
    // Filed in English for search, previews and the AI.
    expect(submission!.text).toBe('(empty submission)')
    expect(await threadIn(ws, ws.users.agent.email, 'nb', submission!.conversationId)).toContain('<div class="message-text">(tom innsending)</div>')
    expect(await threadIn(ws, ws.users.admin.email, 'en', submission!.conversationId)).toContain('<div class="message-text">(empty submission)</div>')
  })

  it('what the sender wrote is shown as written, and a submission filed before the marker was kept shows its stored text', async () => {
    const ws = await workspace()
    await submit(ws, { email: 'lena@example.com', message: '(empty submission)' })
    await submit(ws, { email: 'lena@example.com', submissionId: 'old-1' })
    const [written, old] = await stored(ws)
    await db().update(messages).set({ text: '(empty submission, long ago)', metadata: {} }).where(eq(messages.id, old!.id))
    const page = await threadIn(ws, ws.users.agent.email, 'nb', written!.conversationId)
    expect(page).toContain('<div class="message-text">(empty submission)</div>')
    const oldPage = await threadIn(ws, ws.users.agent.email, 'nb', old!.conversationId)
    expect(oldPage).toContain('<div class="message-text">(empty submission, long ago)</div>')
  })
})
