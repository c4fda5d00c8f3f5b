import { vi } from 'vitest'

/** The Graph API base URL the test workspace's Messenger channel calls instead of graph.facebook.com. */
export const graphStandInBase = 'https://graph-stand-in.test'

export interface GraphSend {
  path: string
  accessToken: string | null
  /** The JSON body of a text message, or the multipart fields of a file upload (the file as `filedata`). */
  body: Record<string, unknown>
  file?: { name: string; type: string; size: number }
}

/**
 * A stand-in for Meta's Graph API inside the test worker, following Meta's documented contract:
 * POST /v21.0/me/messages (Send API: JSON for text, multipart with `filedata` for a file) answers
 * `{ recipient_id, message_id }`; GET /v21.0/<psid>?fields=… (User Profile API) answers the
 * profile it was given; a wrong access token (any but `accessToken`; without it, a missing one) gets Meta's OAuthException (code 190); files under
 * /cdn/ are the attachments customers send. A test scripts failures with `answerNext`.
 */
export function installGraphStandIn(options: {
  accessToken?: string
  profiles?: Record<string, { first_name: string; last_name: string; profile_pic: string }>
}) {
  const sends: GraphSend[] = []
  const profileLookups: string[] = []
  const scripted: Response[] = []
  const files = new Map<string, { type: string; bytes: Uint8Array }>()
  const realFetch = globalThis.fetch
  let counter = 0
  let refused = 0
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    if (!request.url.startsWith(graphStandInBase)) return realFetch(input, init)
    const url = new URL(request.url)
    if (url.pathname.startsWith('/cdn/')) {
      const file = files.get(url.pathname)
      return file ? new Response(file.bytes, { headers: { 'Content-Type': file.type } }) : new Response('not found', { status: 404 })
    }
    const token = url.searchParams.get('access_token')
    const tokenOk = options.accessToken === undefined ? Boolean(token) : token === options.accessToken
    const oauth = () =>
      Response.json({ error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190, fbtrace_id: 'AbC' } }, { status: 400 })
    if (request.method === 'POST' && url.pathname === '/v21.0/me/messages') {
      const type = request.headers.get('Content-Type') ?? ''
      let body: Record<string, unknown>
      let file: GraphSend['file']
      if (type.includes('multipart/form-data')) {
        const form = await request.formData()
        body = {}
        for (const [key, value] of form.entries()) {
          if (typeof value === 'string') body[key] = JSON.parse(value.startsWith('{') ? value : JSON.stringify(value))
          else file = { name: value.name, type: value.type, size: value.size }
        }
      } else {
        body = (await request.json()) as Record<string, unknown>
      }
      sends.push({ path: url.pathname, accessToken: token, body, file })
      if (!tokenOk) {
        refused += 1
        return oauth()
      }
      const next = scripted.shift()
      if (next) {
        refused += 1
        return next
      }
      counter += 1
      return Response.json({ recipient_id: (body.recipient as { id: string }).id, message_id: `m_stand_in_${counter}` })
    }
    if (request.method === 'GET' && /^\/v21\.0\/[\w-]+$/.test(url.pathname)) {
      const psid = url.pathname.split('/').pop()!
      profileLookups.push(psid)
      if (!tokenOk) return oauth()
      const profile = options.profiles?.[psid]
      if (!profile)
        return Response.json({ error: { message: 'Unsupported get request.', type: 'GraphMethodException', code: 100, error_subcode: 33 } }, { status: 400 })
      return Response.json({ ...profile, id: psid })
    }
    return Response.json({ error: { message: 'Unknown path', code: 100 } }, { status: 400 })
  })
  return {
    sends,
    profileLookups,
    refused: () => refused,
    /** Serves a file a customer sent at `${graphStandInBase}${path}`. */
    serve(path: string, type: string, bytes: Uint8Array) {
      files.set(path, { type, bytes })
      return `${graphStandInBase}${path}`
    },
    answerNext(response: Response) {
      scripted.push(response)
    },
    restore() {
      spy.mockRestore()
    },
  }
}

/** Meta's error answers, as documented (Send API error codes). */
export const graphErrors = {
  outsideWindow: () =>
    Response.json(
      {
        error: {
          message: '(#10) This message is sent outside of allowed window.',
          type: 'OAuthException',
          code: 10,
          error_subcode: 2018278,
          fbtrace_id: 'Ab1',
        },
      },
      { status: 400 },
    ),
  unavailable: () =>
    Response.json(
      { error: { message: '(#551) This person isn’t available right now.', type: 'OAuthException', code: 551, error_subcode: 1545041 } },
      { status: 400 },
    ),
  rateLimited: () =>
    Response.json({ error: { message: '(#613) Calls to this api have exceeded the rate limit.', type: 'OAuthException', code: 613 } }, { status: 400 }),
  serverError: () => Response.json({ error: { message: 'An unexpected error has occurred.', type: 'OAuthException', code: 2 } }, { status: 500 }),
}

async function hmacHex(secret: string, body: string) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body)))
  return [...signature].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** Meta's webhook signature: HMAC-SHA256 of the raw body with the app secret, hex, in X-Hub-Signature-256. */
export async function metaSignature(appSecret: string, body: string) {
  return { 'X-Hub-Signature-256': `sha256=${await hmacHex(appSecret, body)}` }
}
