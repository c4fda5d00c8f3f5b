import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { encodeBase64urlNoPadding } from '@oslojs/encoding'
import { channels, visitorTokens } from '../../src/db/schema'
import { deleteExpiredVisitorTokens, resumeVisit, rotatedTokenGraceMs, visitorTokenMaxAgeSeconds } from '../../src/services/visitors'
import { db, hmacHex, origin } from './helpers'
import { chatWorkspace, send, session, siteOrigin, visitorSocket, type Workspace } from './widget-helpers'

/** The widget's HTTP calls that take the token: a file of the conversation (none here: 404 when the token is good). */
const fileStatus = async (ws: Workspace, token: string) =>
  (await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/files/nosuchfile?token=${encodeURIComponent(token)}`, { headers: { Origin: siteOrigin } })).status

async function chatChannel(ws: Workspace) {
  const [channel] = await db().select().from(channels).where(eq(channels.id, ws.channels.chat.id))
  return channel!
}

describe('visitor token rotation', () => {
  it('revokes the old token: refused on the socket and over HTTP; the new one works and still reaches the conversation', async () => {
    const ws = await chatWorkspace()
    const first = (await session(ws)).body!
    const before = await visitorSocket(ws, first.token)
    send(before.socket!, 'h1', 'Where is my order?')
    await before.next((frame) => frame.type === 'ack' && frame.clientId === 'h1')
    before.socket!.close(1000)

    const rotated = (await session(ws, first.token)).body!
    expect(rotated).toMatchObject({ visitorId: first.visitorId, conversationId: first.conversationId, returning: true })

    expect((await visitorSocket(ws, first.token)).response.status).toBe(401)
    expect(await fileStatus(ws, first.token)).toBe(401)
    expect(await fileStatus(ws, rotated.token)).toBe(404)

    const after = await visitorSocket(ws, rotated.token)
    const history = await after.next((frame) => frame.type === 'history')
    expect((history.messages as { text: string }[]).map((message) => message.text)).toEqual(['Where is my order?'])
    send(after.socket!, 'h2', 'Still here')
    expect(await after.next((frame) => frame.type === 'ack' && frame.clientId === 'h2')).toMatchObject({ seq: 2 })
    after.socket!.close(1000)
  })

  it('an old token that comes back after the grace starts a new visitor; within it (another tab) it gets the current token', async () => {
    const ws = await chatWorkspace()
    const nowMs = Date.now()
    const first = (await resumeVisit(db(), await chatChannel(ws), undefined, { nowMs }))!
    // As each request does: the channel read afresh, with the signing key the first visit made.
    const channel = await chatChannel(ws)
    const second = (await resumeVisit(db(), channel, first.token, { nowMs: nowMs + 1000 }))!
    expect(second.visitorId).toBe(first.visitorId)
    // The other tab, a moment later, with the token the first tab just rotated.
    const sibling = (await resumeVisit(db(), channel, first.token, { nowMs: nowMs + 2000 }))!
    expect(sibling).toMatchObject({ visitorId: first.visitorId, returning: true })
    expect((await visitorSocket(ws, sibling.token)).response.status).toBe(101)
    expect((await visitorSocket(ws, second.token)).response.status).toBe(101)
    const late = (await resumeVisit(db(), channel, first.token, { nowMs: nowMs + 1000 + rotatedTokenGraceMs + 1 }))!
    expect(late.returning).toBe(false)
    expect(late.visitorId).not.toBe(first.visitorId)
  })

  it('two tabs resuming with the same token at once both keep the visitor, with a token that works', async () => {
    const ws = await chatWorkspace()
    const first = (await session(ws)).body!
    const [a, b] = await Promise.all([session(ws, first.token), session(ws, first.token)])
    for (const tab of [a.body!, b.body!]) {
      expect(tab).toMatchObject({ visitorId: first.visitorId, returning: true })
      const socket = await visitorSocket(ws, tab.token)
      expect(socket.response.status).toBe(101)
      socket.socket!.close(1000)
    }
  })

  it('a token from before revocation existed resumes once, then only its successor works', async () => {
    const ws = await chatWorkspace()
    const first = (await session(ws)).body!
    const key = (await chatChannel(ws)).secrets.visitorTokenKey!
    const payload = encodeBase64urlNoPadding(
      new TextEncoder().encode(JSON.stringify({ v: 'legacyvisitor0001', c: ws.channels.chat.id, k: 'legacyconversat01', iat: Date.now() - 1000 })),
    )
    const legacy = `${payload}.${await hmacHex(key, payload)}`
    expect((await visitorSocket(ws, legacy)).response.status).toBe(401)
    const resumed = (await session(ws, legacy)).body!
    expect(resumed).toMatchObject({ visitorId: 'legacyvisitor0001', conversationId: 'legacyconversat01', returning: true })
    expect((await session(ws, legacy)).body!.visitorId).not.toBe('legacyvisitor0001')
    expect(first.visitorId).not.toBe('legacyvisitor0001')
  })
})

describe('expired visitor tokens', () => {
  it('are forgotten by the daily clean-up once every token of the visitor has expired, and not before', async () => {
    const ws = await chatWorkspace()
    const nowMs = Date.now()
    const old = (await resumeVisit(db(), await chatChannel(ws), undefined, { nowMs: nowMs - visitorTokenMaxAgeSeconds * 1000 - 1000 }))!
    const recent = (await resumeVisit(db(), await chatChannel(ws), undefined, { nowMs }))!
    await deleteExpiredVisitorTokens(db(), nowMs)
    const left = (await db().select().from(visitorTokens).where(eq(visitorTokens.channelId, ws.channels.chat.id))).map((row) => row.visitorId)
    expect(left).toContain(recent.visitorId)
    expect(left).not.toContain(old.visitorId)
  })
})

describe('new visitor sessions per client address', () => {
  it('answers 429 with Retry-After once an address started 20 visits in a minute; other addresses and returning visitors go on', async () => {
    const ws = await chatWorkspace()
    const ip = `203.0.113.${Math.floor(Math.random() * 250) + 1}`
    const tokens: string[] = []
    for (let index = 0; index < 20; index++) {
      const started = await session(ws, undefined, siteOrigin, { 'CF-Connecting-IP': ip })
      expect(started.response.status, `visit ${index + 1}`).toBe(200)
      tokens.push(started.body!.token)
    }
    const refused = await session(ws, undefined, siteOrigin, { 'CF-Connecting-IP': ip })
    expect(refused.response.status).toBe(429)
    expect(refused.response.headers.get('Retry-After')).toBe('60')
    // The widget on the customer's site can read the refusal.
    expect(refused.response.headers.get('Access-Control-Allow-Origin')).toBe(siteOrigin)
    expect(await refused.response.json()).toEqual({ error: 'Try again in a few seconds.' })
    // A forged token is a new visit too: also refused.
    expect((await session(ws, 'forged.token', siteOrigin, { 'CF-Connecting-IP': ip })).response.status).toBe(429)
    // A returning visitor from the same address resumes.
    expect((await session(ws, tokens[0], siteOrigin, { 'CF-Connecting-IP': ip })).body?.returning).toBe(true)
    expect((await session(ws, undefined, siteOrigin, { 'CF-Connecting-IP': '198.51.100.7' })).response.status).toBe(200)
  })
})
