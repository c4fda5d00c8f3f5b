import { env, evictDurableObject, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { asc, eq } from 'drizzle-orm'
import { messages } from '../../src/db/schema'
import { visitorBurst } from '../../src/rooms/rate-limit'
import { db, origin } from './helpers'
import { chatWorkspace, send, session, siteOrigin, visitorSocket } from './widget-helpers'

type Frame = Record<string, unknown>
const answered = (frame: Frame, clientId: string) =>
  (frame.type === 'ack' || (frame.type === 'error' && frame.code === 'rate_limited')) && frame.clientId === clientId
const storedTexts = async (conversationId: string) =>
  (await db().select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(asc(messages.seq))).map((row) => row.text)

describe('a visitor’s message budget', () => {
  it('is one budget for all of a visitor’s sockets: ten sockets with one token get the burst once, not ten times', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const sockets = await Promise.all(Array.from({ length: 10 }, () => visitorSocket(ws, visit.token)))
    for (const [index, tab] of sockets.entries()) for (let n = 0; n < 5; n++) send(tab.socket!, `s${index}m${n}`, `socket ${index} message ${n}`)
    const answers = await Promise.all(
      sockets.flatMap((tab, index) => Array.from({ length: 5 }, (_, n) => tab.next((frame) => answered(frame, `s${index}m${n}`), 15_000))),
    )
    const accepted = answers.filter((frame) => frame.type === 'ack').length
    // The burst, and at most a refill or two while the fifty frames are handled.
    expect(accepted).toBeGreaterThanOrEqual(visitorBurst)
    expect(accepted).toBeLessThanOrEqual(visitorBurst + 2)
    expect((await storedTexts(visit.conversationId)).length).toBe(accepted)
    for (const frame of answers.filter((frame) => frame.type === 'error')) expect(frame.retryAfterMs).toBeGreaterThan(0)
    for (const tab of sockets) tab.socket!.close(1000)
  })

  it('is not refilled by the room’s eviction, and a refused message resent after the stated delay is stored', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const first = await visitorSocket(ws, visit.token)
    for (let n = 0; n < visitorBurst; n++) send(first.socket!, `e${n}`, `early ${n}`)
    await first.next((frame) => answered(frame, `e${visitorBurst - 1}`))
    first.socket!.close(1000)
    await evictDurableObject(env.CONVERSATION_ROOM.get(env.CONVERSATION_ROOM.idFromName(visit.conversationId)))
    const again = await visitorSocket(ws, visit.token)
    send(again.socket!, 'late', 'after the eviction')
    const refused = await again.next((frame) => answered(frame, 'late'))
    expect(refused).toMatchObject({ type: 'error', code: 'rate_limited' })
    await new Promise((resolve) => setTimeout(resolve, refused.retryAfterMs as number))
    again.frames.length = 0
    send(again.socket!, 'late', 'after the eviction')
    expect(await again.next((frame) => answered(frame, 'late'))).toMatchObject({ type: 'ack', duplicate: false })
    expect((await storedTexts(visit.conversationId)).at(-1)).toBe('after the eviction')
    again.socket!.close(1000)
  })
})

describe('files from the widget', () => {
  it('count against the same budget: once it is spent an upload answers 429 with Retry-After and stores nothing', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const tab = await visitorSocket(ws, visit.token)
    for (let n = 0; n < visitorBurst; n++) send(tab.socket!, `u${n}`, `text ${n}`)
    await tab.next((frame) => answered(frame, `u${visitorBurst - 1}`))
    // The bucket refills 2 a second, so a slow machine may have earned a token back by now: upload
    // until one is refused. Were files not counted, none would be.
    let refused: { response: Response; name: string } | undefined
    for (let n = 0; n < 12 && !refused; n++) {
      const name = `note-${n}.txt`
      const body = new FormData()
      body.append('file', new File(['hello'], name, { type: 'text/plain' }))
      body.append('clientId', `file${n}`)
      const upload = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/upload?token=${encodeURIComponent(visit.token)}`, {
        method: 'POST',
        body,
        headers: { Origin: siteOrigin },
      })
      if (upload.status === 429) refused = { response: upload, name }
      else expect(upload.status).toBe(200)
    }
    expect(refused, 'an upload refused once the budget is spent').toBeDefined()
    expect(Number(refused!.response.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(await storedTexts(visit.conversationId)).not.toContain(`Sent a file: ${refused!.name}`)
    tab.socket!.close(1000)
  })
})

describe('resending', () => {
  it('stores a resent client id once, also when the room was evicted in between, and acks it with the same seq', async () => {
    const ws = await chatWorkspace()
    const visit = (await session(ws)).body!
    const first = await visitorSocket(ws, visit.token)
    send(first.socket!, 'once', 'only once please')
    const ack = await first.next((frame) => answered(frame, 'once'))
    send(first.socket!, 'twice', 'and this')
    await first.next((frame) => answered(frame, 'twice'))
    first.socket!.close(1000)
    await evictDurableObject(env.CONVERSATION_ROOM.get(env.CONVERSATION_ROOM.idFromName(visit.conversationId)))
    // The widget lost both acks (say) and sends its queue again, in order.
    const again = await visitorSocket(ws, visit.token)
    send(again.socket!, 'once', 'only once please')
    expect(await again.next((frame) => answered(frame, 'once'))).toMatchObject({ type: 'ack', seq: ack.seq, duplicate: true })
    send(again.socket!, 'twice', 'and this')
    expect(await again.next((frame) => answered(frame, 'twice'))).toMatchObject({ type: 'ack', seq: 2, duplicate: true })
    expect(await storedTexts(visit.conversationId)).toEqual(['only once please', 'and this'])
    again.socket!.close(1000)
  })
})
