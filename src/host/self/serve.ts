import type { ClientEnd, RoomSocket, WireSocket } from './durable-object'

/** Serves `fetch` (HTTP and WebSocket upgrades) with the runtime's own server. */
export type Serve = (options: {
  port: number
  hostname: string
  fetch: (request: Request, peer: string | null) => Promise<Response>
}) => Promise<{ close(): Promise<void> }>

const clientOf = (response: Response) => (response.status === 101 ? ((response as unknown as { webSocket?: ClientEnd | null }).webSocket ?? null) : null)

/** Wires a runtime socket to the room's end: frames in, closes both ways. */
function connect(server: RoomSocket, wire: WireSocket) {
  server.attach(wire)
  return {
    message: (data: string | ArrayBuffer) => server.received(data),
    closed: (code: number, reason: string) => server.ended(code, reason),
  }
}

/** Bun: Bun.serve, whose upgrade hands the socket to `websocket.open`. */
export const serveBun: Serve = async (options) => {
  type Data = { server: RoomSocket; events?: ReturnType<typeof connect> }
  const Bun = (globalThis as unknown as { Bun: { serve(options: unknown): { stop(force?: boolean): Promise<void> | void } } }).Bun
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    idleTimeout: 120,
    async fetch(
      request: Request,
      bun: { upgrade(request: Request, options: { data: Data }): boolean; requestIP(request: Request): { address: string } | null },
    ) {
      const response = await options.fetch(request, bun.requestIP(request)?.address ?? null)
      const client = clientOf(response)
      if (!client) return response
      if (bun.upgrade(request, { data: { server: client.server } })) return undefined
      return new Response('WebSocket upgrade failed', { status: 400 })
    },
    websocket: {
      open(ws: WireSocket & { data: Data }) {
        ws.data.events = connect(ws.data.server, ws)
      },
      message(ws: { data: Data }, message: string | Uint8Array) {
        ws.data.events?.message(typeof message === 'string' ? message : new Uint8Array(message).buffer)
      },
      close(ws: { data: Data }, code: number, reason: string) {
        ws.data.events?.closed(code, reason)
      },
    },
  })
  return { close: async () => void (await server.stop(true)) }
}

/** Deno: Deno.serve with Deno.upgradeWebSocket (a standard WebSocket). */
export const serveDeno: Serve = async (options) => {
  const Deno = (globalThis as unknown as { Deno: DenoApi }).Deno
  const server = Deno.serve({ port: options.port, hostname: options.hostname, onListen() {} }, async (request: Request, info) => {
    const response = await options.fetch(request, info.remoteAddr.hostname ?? null)
    const client = clientOf(response)
    if (!client) return response
    const { socket, response: upgraded } = Deno.upgradeWebSocket(request)
    standardSocket(client.server, socket)
    return upgraded
  })
  return { close: () => server.shutdown() }
}

interface DenoApi {
  serve(
    options: { port: number; hostname: string; onListen(): void },
    handler: (request: Request, info: { remoteAddr: { hostname?: string } }) => Promise<Response>,
  ): { shutdown(): Promise<void> }
  upgradeWebSocket(request: Request): { socket: StandardSocket; response: Response }
}

/** The browser-standard WebSocket Deno hands over (Workers' types lack its on* handlers). */
interface StandardSocket {
  binaryType: string
  send(data: string | ArrayBuffer | Uint8Array): void
  close(code?: number, reason?: string): void
  onopen: (() => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
}

function standardSocket(server: RoomSocket, socket: StandardSocket) {
  socket.binaryType = 'arraybuffer'
  let events: ReturnType<typeof connect> | null = null
  socket.onopen = () => {
    events = connect(server, { send: (data) => socket.send(data), close: (code, reason) => socket.close(code, reason) })
  }
  socket.onmessage = (event) => events?.message(event.data as string | ArrayBuffer)
  socket.onclose = (event) => events?.closed(event.code, event.reason)
}

/** Node: @hono/node-server for HTTP, `ws` for upgrades (answered by the same fetch). */
export const serveNode: Serve = async (options) => {
  const { createServer } = await import('node:http')
  const { getRequestListener } = await import('@hono/node-server')
  const { WebSocketServer } = await import('ws')
  const sockets = new WebSocketServer({ noServer: true })
  const http = createServer(
    getRequestListener(
      (request: Request, env: { incoming?: { socket?: { remoteAddress?: string } } }) => options.fetch(request, env.incoming?.socket?.remoteAddress ?? null),
      { overrideGlobalObjects: false },
    ),
  )
  http.on('upgrade', async (incoming, socket, head) => {
    try {
      const headers = new Headers()
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (typeof value === 'string') headers.set(name, value)
        else if (Array.isArray(value)) for (const item of value) headers.append(name, item)
      }
      const request = new Request(new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? 'localhost'}`), { headers })
      const response = await options.fetch(request, incoming.socket.remoteAddress ?? null)
      const client = clientOf(response)
      if (!client) {
        socket.end(`HTTP/1.1 ${response.status} ${response.statusText || 'Refused'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
        return
      }
      sockets.handleUpgrade(incoming, socket, head, (ws) => {
        const events = connect(client.server, { send: (data) => ws.send(data), close: (code, reason) => ws.close(code, reason) })
        ws.on('message', (data, isBinary) => {
          const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
          events.message(isBinary ? new Uint8Array(buffer).buffer : buffer.toString('utf8'))
        })
        ws.on('close', (code, reason) => events.closed(code, reason.toString('utf8')))
        ws.on('error', () => events.closed(1006, ''))
      })
    } catch (error) {
      console.error('websocket upgrade failed', String(error))
      socket.destroy()
    }
  })
  await new Promise<void>((resolve) => http.listen(options.port, options.hostname, () => resolve()))
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate()
        http.close(() => resolve())
        http.closeAllConnections()
      }),
  }
}
