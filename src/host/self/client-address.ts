/**
 * The client's address as the app reads it: Cloudflare sets CF-Connecting-IP and no client can
 * forge it there; here the header is always replaced, by the socket's peer address, or by the
 * header a trusted proxy in front sets (CLIENT_IP_HEADER, e.g. X-Real-IP). Login throttling and
 * the widget's new-visitor limit count per this address.
 */
/**
 * APP_URL's origin (https://support.example.com) when it is a bare origin, as links in mail read it
 * (baseUrlFor); else null.
 */
export function publicOriginOf(appUrl: string | undefined): string | null {
  const configured = appUrl?.trim().replace(/\/+$/, '')
  return configured && /^https?:\/\/[^/\s]+$/.test(configured) ? new URL(configured).origin : null
}

/**
 * `publicOrigin` (APP_URL's): the process speaks plain HTTP behind a TLS proxy, so the URL it sees
 * is http://host while the browser is on https://host. The app reads its own origin from the
 * request (the same-origin check on every POST, the widget's embed code, links), so the request
 * is given the public origin, path and query kept; without it every form post behind the proxy
 * would be refused as cross-origin. Only requests for the public host name (the proxy passes Host
 * on, as docs/self-host.md's nginx and Caddy do): one straight to http://server:8787 stays as it is.
 */
export function withClientAddress(request: Request, address: string | null, publicOrigin: string | null = null): Request {
  const headers = new Headers(request.headers)
  headers.delete('CF-Connecting-IP')
  const trimmed = address
    ?.split(',')[0]
    ?.trim()
    .replace(/^::ffff:/, '')
  if (trimmed) headers.set('CF-Connecting-IP', trimmed.slice(0, 64))
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  const own = new URL(request.url)
  const url = publicOrigin && own.hostname === new URL(publicOrigin).hostname ? publicOrigin + request.url.slice(own.origin.length) : request.url
  return new Request(url, {
    method: request.method,
    headers,
    body: hasBody ? request.body : undefined,
    redirect: request.redirect,
    signal: request.signal,
    ...(hasBody ? { duplex: 'half' } : {}),
  } as RequestInit)
}
