import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { botSessions, channels, contacts, conversations, inboxes, inboxMembers, users } from '../../src/db/schema'
import { isWithinOfficeHours, nextOfficeHoursStart, teamAvailability } from '../../src/services/availability'
import { chooseDefaultAssignee, updateInbox } from '../../src/services/inbox-settings'
import { insertInChunks, runInOneBatch } from '../../src/db/chunk'
import { advance, welcomeFlow } from '../../plugins/bots'
import { db, form, login, origin, request, workspace } from './helpers'

type Workspace = Awaited<ReturnType<typeof workspace>>

const nineToFive = { enabled: true, days: { mon: [[540, 1020]], tue: [[540, 1020]], wed: [[540, 1020]], thu: [[540, 1020]], fri: [[540, 1020]] } } as {
  enabled: boolean
  days: Record<string, [number, number][]>
}

describe('office hours', () => {
  it('counts hours in the user’s own time zone and finds when they start again', () => {
    // Thursday 26 Nov 2026, 07:30 UTC = 08:30 in Oslo (before work) and 02:30 in New York.
    const at = Date.parse('2026-11-26T07:30:00Z')
    expect(isWithinOfficeHours(nineToFive, 'Europe/Oslo', at)).toBe(false)
    expect(isWithinOfficeHours(nineToFive, 'Europe/Oslo', at + 30 * 60_000)).toBe(true)
    expect(new Date(nextOfficeHoursStart(nineToFive, 'Europe/Oslo', at)!).toISOString()).toBe('2026-11-26T08:00:00.000Z')
    // Friday 17:00 Oslo → Monday 09:00 Oslo.
    expect(new Date(nextOfficeHoursStart(nineToFive, 'Europe/Oslo', Date.parse('2026-11-27T16:00:00Z'))!).toISOString()).toBe('2026-11-30T08:00:00.000Z')
    expect(isWithinOfficeHours({ enabled: false, days: {} }, 'UTC', at)).toBe(true)
  })

  it('saves a time zone and hours from the profile page, refusing nonsense', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.agent.email)
    const bad = await request('/me/hours', {
      method: 'POST',
      cookie,
      body: form({ timeZone: 'Mars/Olympus', enabled: '1', 'mon.from': '09:00', 'mon.to': '17:00' }),
    })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Choose a valid time zone.')
    const backwards = await request('/me/hours', {
      method: 'POST',
      cookie,
      body: form({ timeZone: 'Europe/Oslo', enabled: '1', 'mon.from': '17:00', 'mon.to': '09:00' }),
    })
    expect(await backwards.text()).toContain('Monday: the end comes before the start.')
    const ok = await request('/me/hours', {
      method: 'POST',
      cookie,
      body: form({ timeZone: 'Europe/Oslo', enabled: '1', 'mon.from': '09:00', 'mon.to': '17:00', 'tue.from': '09:00', 'tue.to': '23:59' }),
    })
    expect(ok.status).toBe(200)
    const [user] = await db().select().from(users).where(eq(users.id, ws.users.agent.id))
    expect(user).toMatchObject({ timeZone: 'Europe/Oslo', officeHours: { enabled: true, days: { mon: [[540, 1020]], tue: [[540, 1440]] } } })
  })
})

describe('availability', () => {
  it('switches an agent away and back, and the widget hears when the team is back', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.agent.email)
    const away = await request('/me/availability', { method: 'POST', cookie, hx: 'availability', body: form({ availability: 'away' }) })
    expect(await away.text()).toContain('You are away')
    await db().update(users).set({ availability: 'away' }).where(eq(users.accountId, ws.accountId))
    expect(await teamAvailability(db(), ws.accountId, ws.inboxId)).toEqual({ available: false })
    // One colleague is "available" but outside office hours: the widget can say when they are back.
    await db().update(users).set({ availability: 'available', timeZone: 'Europe/Oslo', officeHours: nineToFive }).where(eq(users.id, ws.users.admin.id))
    const saturday = Date.parse('2026-11-28T12:00:00Z')
    const team = await teamAvailability(db(), ws.accountId, ws.inboxId, { nowMs: saturday })
    expect(team).toMatchObject({ available: false, backAtMs: Date.parse('2026-11-30T08:00:00Z'), backAtText: 'Monday 09:00 (Europe/Oslo)' })
    const back = await request('/me/availability', { method: 'POST', cookie, hx: 'availability', body: form({ availability: 'available' }) })
    expect(await back.text()).toContain('You are available')
    expect((await teamAvailability(db(), ws.accountId, ws.inboxId)).available).toBe(true)
  })

  it('round robin skips members who are away, and an away owner still counts for their own chat', async () => {
    const ws = await workspace()
    for (const user of [ws.users.agent, ws.users.admin]) await db().insert(inboxMembers).values({ inboxId: ws.inboxId, userId: user.id })
    await db().update(inboxes).set({ defaultAssignment: 'round_robin' }).where(eq(inboxes.id, ws.inboxId))
    await db().update(users).set({ availability: 'away' }).where(eq(users.id, ws.users.agent.id))
    const picks = [await chooseDefaultAssignee(db(), ws.inboxId), await chooseDefaultAssignee(db(), ws.inboxId)]
    expect(picks).toEqual([ws.users.admin.id, ws.users.admin.id])

    // A visitor whose chat Kim owns: Kim is away, the rest of the team too, yet the chat shows available.
    await db()
      .update(channels)
      .set({ settings: { allowedOrigins: [origin] } })
      .where(eq(channels.id, ws.channels.chat.id))
    const chat = await visitor(ws)
    await chat.say('hello')
    chat.socket.close(1000)
    await db().update(conversations).set({ assigneeId: ws.users.agent.id }).where(eq(conversations.id, chat.session.conversationId))
    await db().update(users).set({ availability: 'away' }).where(eq(users.id, ws.users.admin.id))
    expect((await chatSession(ws)).availability.available).toBe(false)
    expect((await chatSession(ws, chat.session.token)).availability.available).toBe(true)
  })
})

async function chatSession(ws: Workspace, token?: string) {
  const response = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/session`, {
    method: 'POST',
    headers: { Origin: origin, 'Content-Type': 'application/json' },
    body: JSON.stringify(token ? { token } : {}),
  })
  return (await response.json()) as { token: string; conversationId: string; availability: { available: boolean; backAtText?: string } }
}

async function visitor(ws: Workspace) {
  const session = await chatSession(ws)
  const response = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/ws?token=${encodeURIComponent(session.token)}`, {
    headers: { Upgrade: 'websocket', Origin: origin },
  })
  const socket = response.webSocket!
  socket.accept()
  const frames: Record<string, unknown>[] = []
  socket.addEventListener('message', (event) => frames.push(JSON.parse(event.data as string)))
  const botMessages = () =>
    frames
      .filter((frame) => frame.type === 'message' && (frame.message as { from: string }).from === 'agent')
      .map((frame) => frame.message as { text: string; buttons?: string[] })
  const say = async (text: string) => {
    const before = frames.filter((frame) => frame.type === 'ack').length
    socket.send(JSON.stringify({ type: 'message', clientId: `m${frames.length}`, text }))
    for (let waited = 0; waited < 5000 && frames.filter((frame) => frame.type === 'ack').length === before; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20))
    // Bot replies are stored and broadcast right after the ack.
    await new Promise((resolve) => setTimeout(resolve, 150))
    // The rate limit allows a burst of 5 and then 1 a second; a bot conversation stays below it.
  }
  return { session, socket, frames, botMessages, say }
}

describe('chatflow bots', () => {
  it('walks a visitor from greeting to handoff, collecting name and email, then leaves Bots for Unassigned', async () => {
    const ws = await workspace()
    await db()
      .update(channels)
      .set({ settings: { allowedOrigins: [origin], greeting: 'Hi', chatflow: 'welcome' } })
      .where(eq(channels.id, ws.channels.chat.id))
    const chat = await visitor(ws)
    await chat.say('hello?')
    expect(chat.botMessages()[0]).toMatchObject({ text: welcomeFlow.steps.hello!.say, buttons: ['Where is my order?', 'Returns', 'Talk to a person'] })
    const [owned] = await db().select().from(conversations).where(eq(conversations.id, chat.session.conversationId))
    expect(owned?.assigneeBot).toBe('Welcome bot')
    const cookie = await login(ws.users.agent.email)
    const bots = await (await request(`/inbox/${ws.inboxId}/bots`, { cookie, hx: 'list' })).text()
    expect(bots).toContain(`conv-row-${chat.session.conversationId}`)

    await chat.say('Talk to a person')
    expect(chat.botMessages().at(-1)?.text).toBe('Sure. What is your name?')
    await chat.say('Nora')
    expect(chat.botMessages().at(-1)?.text).toContain('Thanks, Nora.')
    await chat.say('not an email')
    expect(chat.botMessages().at(-1)?.text).toContain('does not look like an email address')
    await new Promise((resolve) => setTimeout(resolve, 1000))
    await chat.say('nora@example.com')
    expect(chat.botMessages().at(-1)?.text).toContain('passing you to a team member')
    const [handedOver] = await db().select().from(conversations).where(eq(conversations.id, chat.session.conversationId))
    expect(handedOver?.assigneeBot).toBeNull()
    const [contact] = await db().select().from(contacts).where(eq(contacts.id, handedOver!.contactId!))
    expect(contact).toMatchObject({ name: 'Nora', email: 'nora@example.com' })
    const unassigned = await (await request(`/inbox/${ws.inboxId}/unassigned`, { cookie, hx: 'list' })).text()
    expect(unassigned).toContain(`conv-row-${chat.session.conversationId}`)
    chat.socket.close(1000)
  })

  it('will not close a bot conversation until 30 minutes after the visitor’s last message, and says why', async () => {
    const ws = await workspace()
    await db()
      .update(channels)
      .set({ settings: { allowedOrigins: [origin], greeting: 'Hi', chatflow: 'welcome' } })
      .where(eq(channels.id, ws.channels.chat.id))
    const chat = await visitor(ws)
    await chat.say('hi')
    const cookie = await login(ws.users.agent.email)
    const page = await (await request(`/inbox/${ws.inboxId}/bots/c/${chat.session.conversationId}`, { cookie })).text()
    expect(page).toContain('Welcome bot is still talking with this visitor')
    const refused = await request(`/conversations/${chat.session.conversationId}/status`, {
      method: 'POST',
      cookie,
      hx: 'thread',
      body: form({ status: 'closed' }),
    })
    expect(refused.status).toBe(422)
    expect(refused.headers.get('HX-Trigger')).toContain('30 minutes after their last message')
    // A bulk close leaves it open too.
    await request(`/inbox/${ws.inboxId}/bots/bulk`, {
      method: 'POST',
      cookie,
      hx: 'list',
      body: new URLSearchParams([
        ['action', 'close'],
        ['ids', chat.session.conversationId],
      ]),
    })
    expect((await db().select().from(conversations).where(eq(conversations.id, chat.session.conversationId)))[0]?.status).toBe('open')
    await db()
      .update(botSessions)
      .set({ lastVisitorActivityAt: Date.now() - 31 * 60_000 })
      .where(eq(botSessions.conversationId, chat.session.conversationId))
    const closed = await request(`/conversations/${chat.session.conversationId}/status`, {
      method: 'POST',
      cookie,
      hx: 'thread',
      body: form({ status: 'closed' }),
    })
    expect(closed.status).toBe(200)
    chat.socket.close(1000)
  })

  it('goes quiet once a person takes the conversation over', async () => {
    const ws = await workspace()
    await db()
      .update(channels)
      .set({ settings: { allowedOrigins: [origin], greeting: 'Hi', chatflow: 'welcome' } })
      .where(eq(channels.id, ws.channels.chat.id))
    const chat = await visitor(ws)
    await chat.say('hi')
    const cookie = await login(ws.users.agent.email)
    await request(`/conversations/${chat.session.conversationId}/assign`, {
      method: 'POST',
      cookie,
      hx: 'thread',
      body: form({ assigneeId: ws.users.agent.id }),
    })
    const before = chat.botMessages().length
    await chat.say('Returns')
    expect(chat.botMessages().length).toBe(before)
    expect(
      (await request(`/conversations/${chat.session.conversationId}/status`, { method: 'POST', cookie, hx: 'thread', body: form({ status: 'closed' }) }))
        .status,
    ).toBe(200)
    chat.socket.close(1000)
  })

  it('advances a flow as data: buttons, re-asks, and hops through plain steps', () => {
    const start = advance(welcomeFlow, null, 'hey')
    expect(start).toMatchObject({ stepId: 'hello', handoff: false })
    const unknown = advance(welcomeFlow, { stepId: 'hello', collected: {} }, 'banana')
    expect(unknown.replies[0]?.text).toBe('Please choose one of the options.')
    const bye = advance(welcomeFlow, { stepId: 'order', collected: {} }, 'no, THANKS')
    expect(bye).toMatchObject({ stepId: 'bye', handoff: false })
  })
})

describe('large teams', () => {
  it('saves an inbox of 120 members and reads its availability (more ids than one statement may bind)', async () => {
    const ws = await workspace()
    const team = Array.from({ length: 120 }, (_, index) => ({
      id: `${ws.tag}m${index}`,
      accountId: ws.accountId,
      name: `Member ${index}`,
      email: `m${index}.${ws.tag}@example.test`,
      passwordHash: 'x',
      availability: 'away' as const,
      createdAt: Date.now(),
    }))
    await runInOneBatch(
      db(),
      insertInChunks(users, team, (part) => db().insert(users).values(part)),
    )
    await updateInbox(db(), ws.users.superAdmin, ws.inboxId, {
      name: 'Support',
      memberIds: team.map((user) => user.id),
      defaultAssignment: 'none',
      defaultAssigneeId: null,
    })
    expect((await db().select().from(inboxMembers).where(eq(inboxMembers.inboxId, ws.inboxId))).length).toBe(120)
    expect((await teamAvailability(db(), ws.accountId, ws.inboxId)).available).toBe(false)
    await db().update(users).set({ availability: 'available' }).where(eq(users.id, team[119]!.id))
    expect((await teamAvailability(db(), ws.accountId, ws.inboxId)).available).toBe(true)
  })
})
