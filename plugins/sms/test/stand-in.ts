import { vi } from 'vitest'

/** The base URL the test workspace's SMS channel calls instead of api.twilio.com. */
export const standInBase = 'https://sms-stand-in.test'

export interface StandInRequest {
  path: string
  authorization: string | null
  form: Record<string, string>
}

/**
 * A stand-in for Twilio's Messages API inside the test worker: the plugin's `fetch` to
 * `standInBase` is answered here (never the internet), every request is recorded, and a test
 * can script the next answers (an error, a rate limit). Unscripted requests get a new "SM…" sid.
 */
export function installSmsStandIn() {
  const requests: StandInRequest[] = []
  const scripted: Response[] = []
  const realFetch = globalThis.fetch
  let counter = 0
  let refused = 0
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    if (!request.url.startsWith(standInBase)) return realFetch(input, init)
    const form = Object.fromEntries(new URLSearchParams(await request.text()))
    requests.push({ path: new URL(request.url).pathname, authorization: request.headers.get('Authorization'), form })
    const next = scripted.shift()
    if (next) {
      refused += 1
      return next
    }
    counter += 1
    return Response.json({ sid: `SM${String(counter).padStart(32, '0')}`, status: 'queued' }, { status: 201 })
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
