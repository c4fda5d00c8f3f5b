import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

/**
 * A socket as the runtime hands it to webSocketClose/webSocketError, recording every write. Like
 * workerd's, close() throws for the codes only the runtime may report (1005, 1006, 1015).
 */
function recordingSocket(attachment: unknown, readyState = WebSocket.OPEN) {
  const writes: unknown[][] = []
  const socket = {
    readyState,
    deserializeAttachment: () => attachment,
    serializeAttachment: () => undefined,
    send: (...args: unknown[]) => void writes.push(['send', ...args]),
    close: (...args: unknown[]) => {
      if ([1005, 1006, 1015].includes(args[0] as number)) throw new TypeError('Invalid WebSocket close code')
      writes.push(['close', ...args])
    },
  }
  return { socket: socket as unknown as WebSocket, writes }
}

type Handlers = { webSocketClose(socket: WebSocket, code: number): Promise<void>; webSocketError?(socket: WebSocket, error: unknown): Promise<void> }

const visitorState = {
  kind: 'visitor',
  accountId: 'a',
  inboxId: 'i',
  channelId: 'c',
  pluginId: 'chat',
  channelName: 'Chat',
  visitorId: 'v',
  conversationId: 'k',
  locale: 'en',
}
const agentState = { accountId: 'a', userId: 'u', name: 'Ada', role: 'agent', timeZone: 'UTC', locale: 'en', inboxId: 'i', viewId: 'all', filterQuery: '' }

describe('a room or hub asked to take a socket with a malformed identity header', () => {
  it('answers 400 instead of throwing (agent and visitor in a room, agent in a hub)', async () => {
    const upgrade = (name: string) => ({ Upgrade: 'websocket', [name]: '{not json' })
    const room = env.CONVERSATION_ROOM.get(env.CONVERSATION_ROOM.idFromName('bad-identity'))
    const hub = env.INBOX_HUB.get(env.INBOX_HUB.idFromName('bad-identity'))
    const answers = [
      await room.fetch('https://room/?conversation=k', { headers: upgrade('X-Switchboard-Agent') }),
      await room.fetch('https://room/', { headers: upgrade('X-Switchboard-Visitor') }),
      await hub.fetch('https://hub/?inbox=i', { headers: upgrade('X-Switchboard-Agent') }),
    ]
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400])
  })
})

describe('closing room and hub sockets', () => {
  const targets = [
    { name: 'conversation room', stub: () => env.CONVERSATION_ROOM.get(env.CONVERSATION_ROOM.idFromName('close-codes')), state: visitorState },
    { name: 'inbox hub', stub: () => env.INBOX_HUB.get(env.INBOX_HUB.idFromName('close-codes')), state: agentState },
  ] as const

  for (const target of targets) {
    it(`${target.name}: a dropped connection (1006, 1015) or a socket error is never written to`, async () => {
      await runInDurableObject(target.stub() as DurableObjectStub, async (object) => {
        const instance = object as unknown as Handlers
        for (const code of [1006, 1015]) {
          const { socket, writes } = recordingSocket(target.state)
          await instance.webSocketClose(socket, code)
          expect(writes, `code ${code}`).toEqual([])
        }
        // The hub leaves errors to the runtime; the room must not write to the failed socket either.
        const { socket, writes } = recordingSocket(target.state)
        await instance.webSocketError?.(socket, new Error('reset'))
        expect(writes).toEqual([])
      })
    })

    it(`${target.name}: a Close frame is answered in kind — without a code for 1005, echoed otherwise, not at all once closed`, async () => {
      await runInDurableObject(target.stub() as DurableObjectStub, async (object) => {
        const instance = object as unknown as Handlers
        const noCode = recordingSocket(target.state)
        await instance.webSocketClose(noCode.socket, 1005)
        expect(noCode.writes).toEqual([['close']])
        const app = recordingSocket(target.state)
        await instance.webSocketClose(app.socket, 4001)
        expect(app.writes).toEqual([['close', 4001, 'closing']])
        const normal = recordingSocket(target.state)
        await instance.webSocketClose(normal.socket, 1000)
        expect(normal.writes).toEqual([['close', 1000, 'closing']])
        const closed = recordingSocket(target.state, WebSocket.CLOSED)
        await instance.webSocketClose(closed.socket, 1000)
        expect(closed.writes).toEqual([])
      })
    })
  }
})
