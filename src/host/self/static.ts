import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
}

/**
 * A file of the static directory for this path, as Workers assets answer before the worker runs:
 * with a content type, an ETag (size and time) and 304 for a matching If-None-Match; null when
 * there is no such file (the app answers).
 */
export async function staticFile(root: string, pathname: string, request: Request): Promise<Response | null> {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.endsWith('/')) return null
  const file = normalize(join(root, decoded))
  if (!file.startsWith(normalize(root) + sep)) return null
  const info = await stat(file).catch(() => null)
  if (!info?.isFile()) return null
  const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`
  const headers = new Headers({
    'Content-Type': types[extname(file)] ?? 'application/octet-stream',
    ETag: etag,
    'Cache-Control': 'public, max-age=0, must-revalidate',
  })
  if (request.headers.get('If-None-Match') === etag) return new Response(null, { status: 304, headers })
  if (request.method === 'HEAD') return new Response(null, { headers })
  return new Response(new Uint8Array(await readFile(file)), { headers })
}
