import { describe, expect, it } from 'vitest'
import { DurableObject, RoomNamespace, type RoomSocket, type RoomState, WebSocketPair, allowUpgradeResponses } from '../../src/host/self/durable-object'

/** A room in the shape ConversationRoom and InboxHub have: accepts sockets with tags, hears their frames and closes. */
class EchoRoom extends DurableObject<{ name: string }> {
  heard: string[] = []
  closed: number[] = []
  declare ctx: RoomState

  async fetch(request: Request) {
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server, ['agent', `user:${new URL(request.url).searchParams.get('user')}`])
    server.serializeAttachment({ user: new URL(request.url).searchParams.get('user') })
    server.send('hello before the wire is attached')
    return new Response(null, { status: 101, webSocket: client as never })
  }

  async webSocketMessage(socket: RoomSocket, data: string) {
    this.heard.push(data)
    for (const other of this.ctx.getWebSockets('agent')) other.send(`${(socket.deserializeAttachment() as { user: string }).user}: ${data}`)
  }

  async webSocketClose(_socket: RoomSocket, code: number) {
    this.closed.push(code)
  }

  count() {
    return this.ctx.getWebSockets('agent').length
  }
}

describe('self-host rooms (the Durable Object shapes in process)', () => {
  allowUpgradeResponses()

  async function connect(rooms: RoomNamespace<{ name: string }>, user: string) {
    const stub = rooms.get(rooms.idFromName('c1')) as unknown as EchoRoom
    const response = await stub.fetch(new Request(`http://x/?user=${user}`))
    expect(response.status).toBe(101)
    const client = (response as unknown as { webSocket: { server: RoomSocket } }).webSocket
    const sent: string[] = []
    client.server.attach({ send: (data) => sent.push(String(data)), close: () => {} })
    return { stub, server: client.server, sent }
  }

  it('one instance per name, reached through promises; sockets by tag with their attachments; queued sends flushed on attach', async () => {
    const rooms = new RoomNamespace(EchoRoom, () => ({ name: 'env' }))
    const ada = await connect(rooms, 'ada')
    const grace = await connect(rooms, 'grace')
    expect(rooms.get(rooms.idFromName('c1'))).toBe(ada.stub)
    expect(rooms.get(rooms.idFromName('c2'))).not.toBe(ada.stub)
    expect(ada.sent).toEqual(['hello before the wire is attached'])
    expect(await ada.stub.count()).toBe(2)
    ada.server.received('hi')
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(grace.sent).toContain('ada: hi')
    expect(ada.sent).toContain('ada: hi')
    // The agent count is what the watched flag follows: one socket leaves, one is left.
    grace.server.ended(1000, 'bye')
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(await ada.stub.count()).toBe(1)
    expect((ada.stub as unknown as EchoRoom).closed).toEqual([1000])
    expect(() => grace.server.send('late')).toThrow()
  })

  it('drops a room nobody used for a while once its sockets are gone', async () => {
    const rooms = new RoomNamespace(EchoRoom, () => ({ name: 'env' }), 1000)
    const ada = await connect(rooms, 'ada')
    rooms.get(rooms.idFromName('idle'))
    expect(rooms.sweep(Date.now() + 2000)).toBe(1)
    expect(rooms.sockets()).toEqual([ada.server])
    ada.server.ended(1001, '')
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(rooms.sweep(Date.now() + 2000)).toBe(0)
    expect(rooms.get(rooms.idFromName('c1'))).not.toBe(ada.stub)
  })
})
