/**
 * The client's address as the app reads it: Cloudflare sets CF-Connecting-IP and no client can
 * forge it there; here the header is always replaced, by the socket's peer address, or by the
 * header a trusted proxy in front sets (CLIENT_IP_HEADER, e.g. X-Real-IP). Login throttling and
 * the widget's new-visitor limit count per this address.
 */
export function withClientAddress(request: Request, address: string | null): Request {
  const headers = new Headers(request.headers)
  headers.delete('CF-Connecting-IP')
  const trimmed = address
    ?.split(',')[0]
    ?.trim()
    .replace(/^::ffff:/, '')
  if (trimmed) headers.set('CF-Connecting-IP', trimmed.slice(0, 64))
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  return new Request(request.url, {
    method: request.method,
    headers,
    body: hasBody ? request.body : undefined,
    redirect: request.redirect,
    signal: request.signal,
    ...(hasBody ? { duplex: 'half' } : {}),
  } as RequestInit)
}
