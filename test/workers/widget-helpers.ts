import { SELF } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { channels } from '../../src/db/schema'
import { db, origin, workspace } from './helpers'

export type Workspace = Awaited<ReturnType<typeof workspace>>

export const siteOrigin = 'https://shop.example'

export async function chatWorkspace() {
  const ws = await workspace()
  await db()
    .update(channels)
    .set({ settings: { allowedOrigins: [siteOrigin], greeting: 'Hi there!' } })
    .where(eq(channels.id, ws.channels.chat.id))
  return ws
}

export async function session(ws: Workspace, token?: string, from = siteOrigin, headers: Record<string, string> = {}) {
  const response = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/session`, {
    method: 'POST',
    headers: { Origin: from, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(token ? { token } : {}),
  })
  return {
    response,
    body: response.ok
      ? ((await response.json()) as { token: string; visitorId: string; conversationId: string; returning: boolean; availability: { available: boolean } })
      : null,
  }
}

/** A visitor's socket, as the widget opens it. */
export async function visitorSocket(ws: Workspace, token: string, after = 0, from = siteOrigin) {
  const response = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/ws?token=${encodeURIComponent(token)}&after=${after}`, {
    headers: { Upgrade: 'websocket', Origin: from },
  })
  const socket = response.webSocket
  if (!socket) return { response, socket: null, frames: [] as Record<string, unknown>[], next: async () => ({}) as Record<string, unknown> }
  socket.accept()
  const frames: Record<string, unknown>[] = []
  const waiters: { test: (frame: Record<string, unknown>) => boolean; resolve: (frame: Record<string, unknown>) => void }[] = []
  socket.addEventListener('message', (event) => {
    const frame = JSON.parse(event.data as string) as Record<string, unknown>
    frames.push(frame)
    for (const waiter of [...waiters])
      if (waiter.test(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(frame)
      }
  })
  const next = (test: (frame: Record<string, unknown>) => boolean, timeoutMs = 5000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = frames.find(test)
      if (seen) return resolve(seen)
      const timer = setTimeout(() => reject(new Error(`no matching frame; got ${JSON.stringify(frames)}`)), timeoutMs)
      waiters.push({
        test,
        resolve: (frame) => {
          clearTimeout(timer)
          resolve(frame)
        },
      })
    })
  return { response, socket, frames, next }
}

export const send = (socket: WebSocket, clientId: string, text: string) => socket.send(JSON.stringify({ type: 'message', clientId, text }))
