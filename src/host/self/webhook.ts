import { constantTimeEqualText } from '../../lib/hmac'

/**
 * Mail posted by a provider (an inbound-parse webhook sending raw MIME): `POST /inbound/email?to=…&from=…`
 * with the shared secret in `X-Inbound-Secret`, the message as the body. Answers 202 when filed,
 * 422 with the reason when no inbox takes the recipient. Off when INBOUND_WEBHOOK_SECRET is unset.
 */
export function inboundWebhook(options: {
  secret?: string
  deliver: (from: string, to: string, raw: Uint8Array) => Promise<string | null>
  maxBytes?: number
}) {
  const maxBytes = options.maxBytes ?? 25 * 1024 * 1024
  return async (request: Request): Promise<Response | null> => {
    const url = new URL(request.url)
    if (url.pathname !== '/inbound/email') return null
    if (!options.secret) return new Response('Not found', { status: 404 })
    if (request.method !== 'POST') return new Response('Method not allowed', { status: 405, headers: { Allow: 'POST' } })
    const given = request.headers.get('X-Inbound-Secret') ?? ''
    if (!constantTimeEqualText(given, options.secret)) return new Response('Unauthorized', { status: 401 })
    const to = url.searchParams.get('to') ?? ''
    const from = url.searchParams.get('from') ?? ''
    if (!to || to.length > 320 || from.length > 320) return Response.json({ error: 'to (and from) are required' }, { status: 400 })
    const length = Number(request.headers.get('Content-Length') ?? 0)
    if (length > maxBytes) return Response.json({ error: 'message too large' }, { status: 413 })
    const raw = new Uint8Array(await request.arrayBuffer())
    if (raw.byteLength === 0) return Response.json({ error: 'the body must be the raw message' }, { status: 400 })
    if (raw.byteLength > maxBytes) return Response.json({ error: 'message too large' }, { status: 413 })
    const rejected = await options.deliver(from, to, raw)
    return rejected ? Response.json({ rejected }, { status: 422 }) : Response.json({ accepted: true }, { status: 202 })
  }
}
