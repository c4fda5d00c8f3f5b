import { env, SELF } from 'cloudflare:test'
import { createDb } from '../../src/db/client'
import { createTestWorkspace, testPassword } from '../shared/workspace'

export const origin = 'https://switchboard.test'
export const db = () => createDb(env)

export async function workspace(options: { realPasswords?: boolean } = {}) {
  return createTestWorkspace(db(), options)
}

/** A request as a browser on our own origin sends it. */
export function request(path: string, init: RequestInit & { cookie?: string; hx?: string } = {}) {
  const headers = new Headers(init.headers)
  if (init.cookie) headers.set('Cookie', init.cookie)
  if (init.hx) {
    headers.set('HX-Request', 'true')
    headers.set('HX-Target', init.hx)
  }
  if (init.method && init.method !== 'GET' && !headers.has('Origin')) headers.set('Origin', origin)
  return SELF.fetch(`${origin}${path}`, { ...init, headers, redirect: 'manual' })
}

export function form(values: Record<string, string>) {
  return new URLSearchParams(values)
}

/** Logs in through the real form and returns the session cookie. */
export async function login(email: string, password = testPassword): Promise<string> {
  const response = await request('/login', { method: 'POST', body: form({ email, password }) })
  const setCookie = response.headers.get('Set-Cookie') ?? ''
  const match = /sb_session=([^;]+)/.exec(setCookie)
  if (response.status !== 303 || !match) throw new Error(`login failed: ${response.status} ${await response.text()}`)
  return `sb_session=${match[1]}`
}

/** Opens an agent socket the way the browser does (cookie + same Origin). */
export async function openSocket(path: string, cookie: string) {
  const response = await request(path, { cookie, headers: { Upgrade: 'websocket', Origin: origin } })
  const socket = response.webSocket
  if (!socket) throw new Error(`no socket: ${response.status} ${await response.text()}`)
  socket.accept()
  const received: string[] = []
  const waiters: { test: (data: string) => boolean; resolve: (data: string) => void }[] = []
  socket.addEventListener('message', (event) => {
    const data = typeof event.data === 'string' ? event.data : new TextDecoder().decode(event.data as ArrayBuffer)
    received.push(data)
    for (const waiter of [...waiters]) {
      if (waiter.test(data)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(data)
      }
    }
  })
  /** Resolves with the first frame (already received or still to come) that passes the test. */
  const next = (test: (data: string) => boolean, timeoutMs = 5000) =>
    new Promise<string>((resolve, reject) => {
      const seen = received.find(test)
      if (seen) return resolve(seen)
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got:\n${received.join('\n---\n')}`)), timeoutMs)
      waiters.push({
        test,
        resolve: (data) => {
          clearTimeout(timer)
          resolve(data)
        },
      })
    })
  return { socket, received, next }
}

export async function hmacHex(secret: string, body: string) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body)))
  return [...signature].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** A message as Email Routing hands it to the worker's email() handler; `state.rejected` records setReject. */
export function emailMessage(raw: string | Uint8Array, from: string, to: string) {
  const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw
  const state = { rejected: undefined as string | undefined }
  const message: ForwardableEmailMessage = {
    from,
    to,
    raw: new Response(bytes).body!,
    rawSize: bytes.byteLength,
    canBeForwarded: true,
    headers: new Headers(),
    setReject(reason: string) {
      state.rejected = reason
    },
    async forward() {
      return { messageId: '' }
    },
    async reply() {
      return { messageId: '' }
    },
  }
  return { message, state }
}
