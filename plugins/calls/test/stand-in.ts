import { vi } from 'vitest'

/** The base URL the test workspace's calls channel calls instead of api.twilio.com. */
export const callsStandInBase = 'https://calls-stand-in.test'

export interface TwilioRequest {
  resource: 'Messages' | 'Calls'
  path: string
  authorization: string | null
  form: Record<string, string>
}

/**
 * A stand-in for Twilio's REST API inside the test worker (Messages API for texts, Calls API for
 * click-to-call), following its documented shapes: Basic auth with the account sid and auth token,
 * form-encoded bodies, `{ sid, status }` answers, `{ code, message }` errors. Every request is
 * recorded; a test scripts failures with `answerNext`.
 */
export function installCallsStandIn(options: { accountSid?: string; authToken?: string } = {}) {
  const requests: TwilioRequest[] = []
  // Kept as data, not Responses: a Response made in the test is unreadable inside a request the worker serves.
  const scripted: { status: number; body: unknown; headers?: Record<string, string> }[] = []
  const realFetch = globalThis.fetch
  let counter = 0
  let refused = 0
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    if (!request.url.startsWith(callsStandInBase)) return realFetch(input, init)
    const path = new URL(request.url).pathname
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(path)
    const form = Object.fromEntries(new URLSearchParams(await request.text()))
    const authorization = request.headers.get('Authorization')
    if (!match) return Response.json({ code: 20404, message: 'The requested resource was not found' }, { status: 404 })
    requests.push({ resource: match[2] as 'Messages' | 'Calls', path, authorization, form })
    if (options.accountSid && options.authToken && authorization !== `Basic ${btoa(`${options.accountSid}:${options.authToken}`)}`) {
      refused += 1
      return Response.json({ code: 20003, message: 'Authenticate' }, { status: 401 })
    }
    const next = scripted.shift()
    if (next) {
      refused += 1
      return Response.json(next.body, { status: next.status, headers: next.headers })
    }
    counter += 1
    const prefix = match[2] === 'Messages' ? 'SM' : 'CA'
    return Response.json({ sid: `${prefix}${String(counter).padStart(32, '0')}`, status: 'queued' }, { status: 201 })
  })
  return {
    requests,
    refused: () => refused,
    /** The next request gets this error answer (Twilio's `{ code, message }` body). */
    answerNext(status: number, body: { code: number; message: string }, headers?: Record<string, string>) {
      scripted.push({ status, body, headers })
    },
    restore() {
      spy.mockRestore()
    },
  }
}
