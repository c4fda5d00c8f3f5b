import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { db, form, login, messages, request, workspace } from '../../../test/shared/plugin-test-kit'
import { secretTokenHeader } from '../index'
import { textUpdate } from './contract'

type Workspace = Awaited<ReturnType<typeof workspace>>

function postUpdate(ws: Workspace, update: unknown) {
  return request(`/channels/${ws.channels.telegram!.id}/inbound`, {
    method: 'POST',
    body: JSON.stringify(update),
    headers: { 'Content-Type': 'application/json', [secretTokenHeader]: `secret-${ws.tag}` },
  })
}

/** A photo with a caption (the Bot API sends no text then), or a message with nothing we show. */
function photoUpdate(updateId: number, messageId: number, caption?: string) {
  const { text: _none, ...message } = textUpdate(updateId, messageId, '').message
  return {
    update_id: updateId,
    message: { ...message, photo: [{ file_id: 'AgAD1', file_unique_id: 'u1', width: 90, height: 90 }], ...(caption ? { caption } : {}) },
  }
}

async function threadIn(ws: Workspace, email: string, locale: 'en' | 'nb', conversationId: string) {
  const cookie = await login(email)
  await request('/me/locale', { method: 'POST', cookie, body: form({ locale }) })
  return (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()
}

describe('Telegram channel: our notes on a message in the reader’s language', () => {
  it('a Norwegian agent reads that a photo was not shown in Norwegian, under the caption as written; an English agent in English', async () => {
    const ws = await workspace()
    expect((await postUpdate(ws, photoUpdate(910001, 51, 'Se <b>her</b>'))).status).toBeLessThan(300)
    await postUpdate(ws, photoUpdate(910002, 52))
    const stored = await db().select().from(messages).where(eq(messages.channelId, ws.channels.telegram!.id)).orderBy(messages.id)
    expect(stored.map((message) => message.text)).toEqual(['Se <b>her</b>\n(photo not shown)', '(photo not shown)'])
    const norwegian = await threadIn(ws, ws.users.agent.email, 'nb', stored[0]!.conversationId)
    expect(norwegian).toContain('<div class="message-text">Se &lt;b&gt;her&lt;/b&gt;\n(bilde vises ikke)</div>')
    expect(norwegian).toContain('<div class="message-text">(bilde vises ikke)</div>')
    const english = await threadIn(ws, ws.users.admin.email, 'en', stored[0]!.conversationId)
    expect(english).toContain('<div class="message-text">Se &lt;b&gt;her&lt;/b&gt;\n(photo not shown)</div>')
  })
})
