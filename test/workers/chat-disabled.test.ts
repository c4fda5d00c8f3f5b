import { env, evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { channels, messages } from '../../src/db/schema'
import { db } from './helpers'
import { chatWorkspace, send, session, visitorSocket } from './widget-helpers'

describe('a chat channel disabled while a visitor is connected', () => {
  it('refuses the open socket’s next message with a clear notice, stores nothing, and closes it', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const tab = await visitorSocket(ws, visit.token)
    send(tab.socket!, 'before', 'Is the shop open today?')
    await tab.next((frame) => frame.type === 'ack' && frame.clientId === 'before')
    await db().update(channels).set({ status: 'disabled' }).where(eq(channels.id, ws.channels.chat.id))
    // The room re-reads its channel at most once a minute; an eviction (as after a quiet minute) makes it read now.
    await evictDurableObject(env.CONVERSATION_ROOM.get(env.CONVERSATION_ROOM.idFromName(visit.conversationId)))
    const closed = new Promise<number>((resolve) => tab.socket!.addEventListener('close', (event) => resolve(event.code)))
    send(tab.socket!, 'after', 'Hello?')
    const refusal = await tab.next((frame) => frame.type === 'error' && frame.clientId === 'after')
    expect(refusal.code).toBe('channel_closed')
    expect(String(refusal.message)).toContain('closed')
    expect(await closed).toBe(1008)
    const stored = await db().select().from(messages).where(eq(messages.conversationId, visit.conversationId))
    expect(stored.map((row) => row.text)).toEqual(['Is the shop open today?'])
  })
})
