import { vi } from 'vitest'

/** The base URL the test workspace's Telegram channel calls instead of api.telegram.org. */
export const standInBase = 'https://telegram-stand-in.test'

export interface StandInRequest {
  /** The path as called, token included (/bot<token>/sendMessage). */
  path: string
  contentType: string | null
  body: Record<string, unknown>
}

/** Telegram's error answer: `{ ok: false, error_code, description, parameters? }` with the same HTTP status. */
export function telegramError(errorCode: number, description: string, parameters?: { retry_after?: number }) {
  return Response.json({ ok: false, error_code: errorCode, description, ...(parameters ? { parameters } : {}) }, { status: errorCode })
}

/**
 * A stand-in for the Bot API's sendMessage inside the test worker: the plugin's `fetch` to
 * `standInBase` is answered here (never the internet), every request is recorded, and a test can
 * script the next answers. Unscripted requests get `{ ok: true, result: { message_id } }`.
 */
export function installTelegramStandIn() {
  const requests: StandInRequest[] = []
  const scripted: Response[] = []
  const realFetch = globalThis.fetch
  let nextMessageId = 1000
  let refused = 0
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    if (!request.url.startsWith(standInBase)) return realFetch(input, init)
    const body = (await request.json().catch(() => ({}))) as Record<string, unknown>
    requests.push({ path: new URL(request.url).pathname, contentType: request.headers.get('Content-Type'), body })
    const next = scripted.shift()
    if (next) {
      refused += 1
      return next
    }
    if (!/^\/bot[^/]+\/sendMessage$/.test(new URL(request.url).pathname)) return telegramError(404, 'Not Found')
    if (typeof body.text !== 'string' || body.text.length === 0) return telegramError(400, 'Bad Request: message text is empty')
    nextMessageId += 1
    return Response.json({
      ok: true,
      result: { message_id: nextMessageId, date: Math.floor(Date.now() / 1000), chat: { id: body.chat_id, type: 'private' }, text: body.text },
    })
  })
  return {
    requests,
    /** How many requests got a scripted (failing) answer. */
    refused: () => refused,
    /** The next call gets this answer instead of a success. */
    answerNext(response: Response) {
      scripted.push(response)
    },
    restore() {
      spy.mockRestore()
    },
  }
}
