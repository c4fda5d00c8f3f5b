import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'

/**
 * A stand-in for an S3-compatible store, following AWS's documented contract so the self-host's
 * S3 blob store (src/host/self/s3-blobs.ts) is exercised offline:
 *
 * - every request must carry a Signature Version 4 `Authorization` header, which is verified
 *   independently here with node:crypto as docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 *   and docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html describe it: the
 *   canonical request (method, the path's segments URI-encoded once, the sorted encoded query,
 *   the signed headers' trimmed values, the payload hash), the string to sign with the credential
 *   scope date/region/s3/aws4_request, and the key derived by HMAC from "AWS4"+secret through
 *   date, region, service and "aws4_request". A mismatch answers 403 SignatureDoesNotMatch;
 *   x-amz-content-sha256 must match the body unless it is UNSIGNED-PAYLOAD;
 * - path-style URLs: PUT, GET, HEAD, DELETE /bucket/key (Content-Type, Content-Disposition and
 *   x-amz-meta-* kept as sent), and GET /bucket?list-type=2 (ListObjectsV2: prefix, max-keys,
 *   continuation-token, IsTruncated, NextContinuationToken, keys XML-escaped, UTF-8 byte order);
 * - errors as S3 answers them: an <Error> document with <Code> and <Message>.
 *
 * `failNext` makes the next requests answer 500 InternalError; `latencyMs` delays every answer
 * (to see requests overlap: `maxInFlight`).
 */
export interface StoredObject {
  body: Buffer
  contentType?: string
  contentDisposition?: string
  metadata: Record<string, string>
  etag: string
  lastModified: Date
}

export interface S3StandIn {
  endpoint: string
  bucket: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  objects: Map<string, StoredObject>
  requests: string[]
  failNext: number
  latencyMs: number
  maxInFlight: number
  close(): Promise<void>
}

export async function startS3StandIn(options: { bucket?: string; region?: string } = {}): Promise<S3StandIn> {
  const bucket = options.bucket ?? 'switchboard-test'
  const region = options.region ?? 'auto'
  const accessKeyId = 'AKIDSTANDIN'
  const secretAccessKey = 'standin-secret/with+chars'
  const objects = new Map<string, StoredObject>()
  let inFlight = 0

  const server = createServer(async (request, response) => {
    inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, inFlight)
    try {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      const body = Buffer.concat(chunks)
      if (state.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.latencyMs))
      const [rawPath = '/', rawQuery = ''] = (request.url ?? '/').split(/\?(.*)/s)
      state.requests.push(`${request.method} ${rawPath}${rawQuery ? `?${rawQuery}` : ''}`)
      if (state.failNext > 0) {
        state.failNext--
        return fail(response, request, 500, 'InternalError', 'We encountered an internal error. Please try again.')
      }
      const denied = verify(request, rawPath, rawQuery, body, { accessKeyId, secretAccessKey, region })
      if (denied) return fail(response, request, denied.status, denied.code, denied.message)
      const segments = rawPath.split('/').slice(1)
      if (decodeURIComponent(segments[0] ?? '') !== bucket) return fail(response, request, 404, 'NoSuchBucket', 'The specified bucket does not exist')
      const key = segments.slice(1).map(decodeURIComponent).join('/')
      if (!key && request.method === 'GET') return list(response, new URLSearchParams(rawQuery.replace(/\+/g, '%2B')))
      if (!key) return fail(response, request, 501, 'NotImplemented', 'A header you provided implies functionality that is not implemented')
      if (request.method === 'PUT') {
        const metadata: Record<string, string> = {}
        for (const [name, value] of Object.entries(request.headers)) if (name.startsWith('x-amz-meta-')) metadata[name] = String(value)
        const etag = `"${createHash('md5').update(body).digest('hex')}"`
        objects.set(key, {
          body,
          contentType: request.headers['content-type'],
          contentDisposition: request.headers['content-disposition'],
          metadata,
          etag,
          // S3's Last-Modified has whole seconds.
          lastModified: new Date(Math.floor(Date.now() / 1000) * 1000),
        })
        response.writeHead(200, { ETag: etag }).end()
        return
      }
      if (request.method === 'DELETE') {
        objects.delete(key)
        response.writeHead(204).end()
        return
      }
      if (request.method === 'GET' || request.method === 'HEAD') {
        const object = objects.get(key)
        if (!object) return fail(response, request, 404, 'NoSuchKey', 'The specified key does not exist.')
        response.writeHead(200, {
          'Content-Type': object.contentType ?? 'binary/octet-stream',
          ...(object.contentDisposition ? { 'Content-Disposition': object.contentDisposition } : {}),
          'Content-Length': String(object.body.byteLength),
          ETag: object.etag,
          'Last-Modified': object.lastModified.toUTCString(),
          ...object.metadata,
        })
        response.end(request.method === 'GET' ? object.body : undefined)
        return
      }
      fail(response, request, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.')
    } catch (error) {
      fail(response, request, 500, 'InternalError', String(error))
    } finally {
      inFlight--
    }
  })

  /** ListObjectsV2: keys in UTF-8 byte order; the continuation token is opaque (here the last key listed, base64). */
  function list(response: ServerResponse, query: URLSearchParams) {
    if (query.get('list-type') !== '2') return fail(response, null, 501, 'NotImplemented', 'Only ListObjectsV2 is implemented here')
    const prefix = query.get('prefix') ?? ''
    const maxKeys = Math.min(Number(query.get('max-keys') ?? 1000), 1000)
    const token = query.get('continuation-token')
    const after = token === null ? null : Buffer.from(token, 'base64').toString('utf8')
    const keys = [...objects.keys()]
      .filter((key) => key.startsWith(prefix) && (after === null || Buffer.compare(Buffer.from(key), Buffer.from(after)) > 0))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    const page = keys.slice(0, maxKeys)
    const truncated = keys.length > page.length
    const contents = page
      .map((key) => {
        const object = objects.get(key)!
        return `<Contents><Key>${escapeXml(key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>${escapeXml(object.etag)}</ETag><Size>${object.body.byteLength}</Size><StorageClass>STANDARD</StorageClass></Contents>`
      })
      .join('')
    const next = truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1]!).toString('base64')}</NextContinuationToken>` : ''
    const echoed = token === null ? '' : `<ContinuationToken>${escapeXml(token)}</ContinuationToken>`
    response.writeHead(200, { 'Content-Type': 'application/xml' })
    response.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${echoed}${next}${contents}</ListBucketResult>`,
    )
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  const state: S3StandIn = {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    region,
    accessKeyId,
    secretAccessKey,
    objects,
    requests: [],
    failNext: 0,
    latencyMs: 0,
    maxInFlight: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  return state
}

interface Credentials {
  accessKeyId: string
  secretAccessKey: string
  region: string
}

/** SigV4 header authentication, checked as S3 checks it; null when the request is signed right. */
function verify(request: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer, credentials: Credentials) {
  const denied = (status: number, code: string, message: string) => ({ status, code, message })
  const authorization = request.headers.authorization ?? ''
  const match = /^AWS4-HMAC-SHA256 Credential=([^/,]+)\/(\d{8})\/([^/,]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
    authorization,
  )
  if (!match) return denied(403, 'AccessDenied', 'Missing or malformed Authorization header')
  const [, accessKeyId, date, region, signedHeaders, signature] = match as unknown as string[]
  if (accessKeyId !== credentials.accessKeyId) return denied(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.')
  if (region !== credentials.region) return denied(400, 'AuthorizationHeaderMalformed', `the region '${region}' is wrong; expecting '${credentials.region}'`)
  const amzDate = String(request.headers['x-amz-date'] ?? '')
  const at = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'))
  if (!amzDate.startsWith(date!) || Number.isNaN(at)) return denied(403, 'AccessDenied', 'X-Amz-Date is missing or does not match the credential scope')
  if (Math.abs(Date.now() - at) > 15 * 60_000)
    return denied(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.')
  const signed = signedHeaders!.split(';')
  if (!signed.includes('host')) return denied(403, 'AccessDenied', 'The host header must be signed')
  for (const name of Object.keys(request.headers))
    if (name.startsWith('x-amz-') && !signed.includes(name))
      return denied(403, 'AccessDenied', `There were headers present in the request which were not signed: ${name}`)
  const payloadHash = String(request.headers['x-amz-content-sha256'] ?? '')
  if (!payloadHash) return denied(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256')
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body))
    return denied(400, 'XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.')

  const canonicalUri = rawPath
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join('/')
  const canonicalQuery = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [name = '', value = ''] = pair.split(/=(.*)/s)
      return [uriEncode(decodeURIComponent(name)), uriEncode(decodeURIComponent(value))] as const
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&')
  const canonicalHeaders = signed
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('')
  const canonicalRequest = [request.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n')
  const scope = `${date}/${region}/s3/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n')
  let key: Buffer = createHmac('sha256', `AWS4${credentials.secretAccessKey}`).update(date!).digest()
  for (const part of [region!, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest()
  const expected = createHmac('sha256', key).update(stringToSign).digest()
  if (!timingSafeEqual(expected, Buffer.from(signature!, 'hex')))
    return denied(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    )
  return null
}

/** URI-encode as SigV4 defines it: every UTF-8 byte except A-Z a-z 0-9 - _ . ~ as %XX (capitals). */
function uriEncode(text: string): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte)
    out += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[char]};`)
}

function fail(response: ServerResponse, request: IncomingMessage | null, status: number, code: string, message: string) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>standin</RequestId></Error>`
  response.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': String(Buffer.byteLength(body)) })
  // A HEAD answer has no body, as S3's: only the status tells.
  response.end(request?.method === 'HEAD' ? undefined : body)
}
