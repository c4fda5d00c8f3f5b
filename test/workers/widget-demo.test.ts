import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { and, eq } from 'drizzle-orm'
import { channels } from '../../src/db/schema'
import { db, origin } from './helpers'
import { chatWorkspace, session } from './widget-helpers'

/** The worker as `npm start` runs it: with DEMO_SEED=true. */
async function demoFetch(path: string, init?: RequestInit) {
  const ctx = createExecutionContext()
  const response = await worker.fetch(new Request(`${origin}${path}`, init), { ...env, DEMO_SEED: 'true' }, ctx)
  await waitOnExecutionContext(ctx)
  return response
}

describe('the widget demo page', () => {
  it('does not exist in a deployment without DEMO_SEED, with or without ?channel', async () => {
    const ws = await chatWorkspace()
    expect((await SELF.fetch(`${origin}/widget/demo`)).status).toBe(404)
    const named = await SELF.fetch(`${origin}/widget/demo?channel=${ws.channels.chat.id}`)
    expect(named.status).toBe(404)
    expect(await named.text()).not.toContain(ws.channels.chat.id)
  })

  it('exists with DEMO_SEED, yet its page may chat only with a channel that lists this origin', async () => {
    const ws = await chatWorkspace()
    const page = await demoFetch(`/widget/demo?channel=${ws.channels.chat.id}`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain(`data-channel="${ws.channels.chat.id}"`)
    // The channel allows only the shop's site: the widget on our own demo page is refused.
    const fromDemo = await demoFetch(`/widget/${ws.channels.chat.id}/session`, {
      method: 'POST',
      headers: { Origin: origin, 'Content-Type': 'application/json' },
      body: '{}',
    })
    expect(fromDemo.status).toBe(403)
    expect((await session(ws, undefined, origin)).response.status).toBe(403)
    expect((await session(ws)).response.status).toBe(200)
  })

  it('the demo seed lets its own origin embed the demo workspace’s chat widgets', async () => {
    const seeded = await demoFetch('/dev/seed', { method: 'POST', headers: { Origin: origin } })
    expect(seeded.status).toBe(200)
    const { accountId } = (await seeded.json()) as { accountId: string }
    const chats = await db()
      .select()
      .from(channels)
      .where(and(eq(channels.accountId, accountId), eq(channels.pluginId, 'chat')))
    expect(chats.length).toBe(2)
    for (const chat of chats) {
      expect(chat.settings.allowedOrigins).toEqual([origin])
      const page = await demoFetch(`/widget/demo?channel=${chat.id}`)
      expect(await page.text()).toContain(`data-channel="${chat.id}"`)
      const visit = await demoFetch(`/widget/${chat.id}/session`, {
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'application/json' },
        body: '{}',
      })
      expect(visit.status).toBe(200)
    }
  })
})
