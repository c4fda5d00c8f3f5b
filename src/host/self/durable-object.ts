/**
 * The Durable Object shapes the rooms use, in process: the self-host bundle resolves
 * `cloudflare:workers` to this module (scripts/build-self.mjs), so ConversationRoom and InboxHub
 * run unchanged. One instance per name for the process's life; `ctx.storage.kv` is in memory
 * (the rooms keep only chat budgets there, which a restart may forget: they refill within
 * seconds); sockets follow the hibernation API (acceptWebSocket, getWebSockets by tag,
 * attachments, webSocketMessage/Close/Error on the object).
 */
import { track } from './wait-until'

type Handler = {
  webSocketMessage?(socket: unknown, data: string | ArrayBuffer): unknown
  webSocketClose?(socket: unknown, code: number, reason: string, wasClean: boolean): unknown
  webSocketError?(socket: unknown, error: unknown): unknown
}

const OPEN = 1
const CLOSING = 2
const CLOSED = 3

/** The runtime's socket, as each server adapter (Node ws, Bun, Deno) hands it over. */
export interface WireSocket {
  send(data: string | ArrayBuffer | Uint8Array): void
  close(code?: number, reason?: string): void
}

/** The server end a room holds: sends go to the wire once it is attached, queued until then. */
export class RoomSocket {
  readyState = OPEN
  #attachment: unknown
  #wire: WireSocket | null = null
  #pending: (string | ArrayBuffer | Uint8Array)[] = []
  #pendingClose: { code?: number; reason?: string } | null = null
  state: RoomState | null = null

  send(data: string | ArrayBuffer | Uint8Array) {
    if (this.readyState !== OPEN) throw new TypeError('WebSocket is not open')
    if (this.#wire) this.#wire.send(data)
    else this.#pending.push(data)
  }

  close(code?: number, reason?: string) {
    if (this.readyState >= CLOSING) return
    this.readyState = CLOSING
    if (this.#wire) this.#wire.close(code, reason)
    else this.#pendingClose = { code, reason }
  }

  serializeAttachment(value: unknown) {
    this.#attachment = structuredClone(value)
  }

  deserializeAttachment() {
    return structuredClone(this.#attachment)
  }

  /** The adapter's socket is open: what the room sent meanwhile goes out first. */
  attach(wire: WireSocket) {
    this.#wire = wire
    for (const data of this.#pending.splice(0)) wire.send(data)
    if (this.#pendingClose) wire.close(this.#pendingClose.code, this.#pendingClose.reason)
  }

  /** A frame from the peer, handed to the room as the runtime would (one at a time per room). */
  received(data: string | ArrayBuffer) {
    if (this.readyState !== OPEN || !this.state) return
    const state = this.state
    state.serially(() => (state.object as Handler | undefined)?.webSocketMessage?.(this, data))
  }

  /** The wire closed (either side); the room hears it once and forgets the socket afterwards. */
  ended(code: number, reason: string) {
    if (this.readyState === CLOSED) return
    const wasOpen = this.readyState === OPEN
    this.readyState = wasOpen ? CLOSING : CLOSED
    const state = this.state
    if (!state) return
    state.serially(async () => {
      try {
        await (state.object as Handler | undefined)?.webSocketClose?.(this, code, reason, true)
      } finally {
        this.readyState = CLOSED
        state.forget(this)
      }
    })
  }
}

/** `new WebSocketPair()`: the client end travels in the 101 response to the server adapter. */
export class WebSocketPair {
  0: ClientEnd
  1: RoomSocket
  constructor() {
    this[1] = new RoomSocket()
    this[0] = new ClientEnd(this[1])
  }
}

export class ClientEnd {
  constructor(readonly server: RoomSocket) {}
  accept() {}
}

/** A room's `ctx`: its sockets with their tags, its storage, and waitUntil. */
export class RoomState {
  object: unknown
  readonly #sockets = new Map<RoomSocket, string[]>()
  #turn: Promise<unknown> = Promise.resolve()
  readonly storage = { kv: memoryKv() }

  constructor(readonly id: RoomId) {}

  acceptWebSocket(socket: RoomSocket, tags: string[] = []) {
    socket.state = this
    this.#sockets.set(socket, tags)
  }

  getWebSockets(tag?: string): RoomSocket[] {
    const sockets: RoomSocket[] = []
    for (const [socket, tags] of this.#sockets) if (socket.readyState !== CLOSED && (tag === undefined || tags.includes(tag))) sockets.push(socket)
    return sockets
  }

  forget(socket: RoomSocket) {
    this.#sockets.delete(socket)
  }

  waitUntil(work: Promise<unknown>) {
    track(work)
  }

  /** Socket events run one after another, as the runtime delivers them to one object. */
  serially(work: () => unknown) {
    const turn = this.#turn.then(work).catch((error) => console.error('room socket handler failed', String(error)))
    this.#turn = turn
    track(turn)
  }
}

function memoryKv() {
  const values = new Map<string, unknown>()
  return {
    get: <T>(key: string) => structuredClone(values.get(key)) as T | undefined,
    put: (key: string, value: unknown) => void values.set(key, structuredClone(value)),
    delete: (key: string) => values.delete(key),
  }
}

export interface RoomId {
  readonly name: string
  toString(): string
  equals(other: RoomId): boolean
}

/** The base class the rooms extend (`cloudflare:workers`' DurableObject). */
export class DurableObject<Env = unknown> {
  constructor(
    protected ctx: RoomState,
    protected env: Env,
  ) {}
}

/**
 * A namespace of one room class: `get(idFromName(name))` is that name's single instance, called
 * through a stub that answers with promises like RPC does. A room with no socket and unused for
 * `idleMs` is dropped, as Workers evicts an idle object (what it keeps in memory is rebuilt: the
 * watched flag is written again on the next socket, chat budgets start full).
 */
export class RoomNamespace<Env> {
  readonly #rooms = new Map<string, { instance: object; state: RoomState; stub: object; usedAt: number }>()
  #sweeper: ReturnType<typeof setInterval> | null = null

  constructor(
    private readonly Room: new (ctx: RoomState, env: Env) => object,
    private readonly env: () => Env,
    private readonly idleMs = 10 * 60_000,
  ) {}

  idFromName(name: string): RoomId {
    return { name, toString: () => name, equals: (other) => other.name === name }
  }

  get(id: RoomId) {
    const known = this.#rooms.get(id.name)
    if (known) {
      known.usedAt = Date.now()
      return known.stub
    }
    const state = new RoomState(id)
    const instance = new this.Room(state, this.env())
    state.object = instance
    const room = { instance, state, stub: instance, usedAt: Date.now() }
    room.stub = new Proxy(instance, {
      get(target, property) {
        const value = Reflect.get(target, property, target)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          room.usedAt = Date.now()
          return Promise.resolve().then(() => value.apply(target, args))
        }
      },
    })
    this.#rooms.set(id.name, room)
    this.#sweeper ??= setInterval(() => this.sweep(), Math.min(this.idleMs, 60_000))
    ;(this.#sweeper as { unref?: () => void }).unref?.()
    return room.stub
  }

  /** Drops rooms without sockets that nothing used for `idleMs`; returns how many are left. */
  sweep(now = Date.now()): number {
    for (const [name, room] of this.#rooms) if (now - room.usedAt >= this.idleMs && room.state.getWebSockets().length === 0) this.#rooms.delete(name)
    return this.#rooms.size
  }

  /** Open sockets over all rooms (shutdown closes them so clients reconnect to the next process). */
  sockets(): RoomSocket[] {
    return [...this.#rooms.values()].flatMap((room) => room.state.getWebSockets())
  }
}

/**
 * Lets a 101 response carry the client end, as Workers' Response does: Node, Bun and Deno refuse
 * status 101 in the constructor, so the self-host swaps in this subclass before serving.
 */
export function allowUpgradeResponses() {
  const Native = globalThis.Response
  if ((Native as { upgradable?: boolean }).upgradable) return
  // A WeakMap, not a private field: the native constructor reads `status` before ours has run.
  const clients = new WeakMap<object, ClientEnd>()
  class UpgradeResponse extends Native {
    static upgradable = true
    constructor(body?: BodyInit | null, init?: ResponseInit & { webSocket?: ClientEnd | null }) {
      const upgrade = init?.status === 101 && init.webSocket instanceof ClientEnd
      super(upgrade ? null : body, upgrade ? { headers: init.headers, status: 200 } : init)
      if (upgrade) clients.set(this, init.webSocket as ClientEnd)
    }
    override get status() {
      return clients.has(this) ? 101 : super.status
    }
    override get webSocket() {
      return (clients.get(this) ?? null) as unknown as WebSocket | null
    }
  }
  globalThis.Response = UpgradeResponse as typeof Response
  ;(globalThis as { WebSocketPair?: unknown }).WebSocketPair = WebSocketPair
}
