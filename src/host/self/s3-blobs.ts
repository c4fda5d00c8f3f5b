import { AwsClient } from 'aws4fetch'
import { Parser } from 'htmlparser2'
import type { BlobStore } from '../ports'
import { bytesOf, checkedKey } from './blobs'

export interface S3Config {
  /** https://<account>.r2.cloudflarestorage.com, https://s3.eu-west-1.amazonaws.com, http://minio:9000 */
  endpoint: string
  bucket: string
  /** `auto` for R2; the bucket's region for AWS. */
  region: string
  accessKeyId: string
  secretAccessKey: string
  /** https://endpoint/bucket/key when true; https://bucket.endpoint/key (virtual-hosted) when false. */
  forcePathStyle: boolean
  /** How long one request (retries included) may take before it fails; 60 s by default. */
  timeoutMs?: number
}

/** Requests in flight at once for a many-key delete or a list that reads metadata. */
const concurrency = 8
const emptyHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/**
 * The R2 subset the app uses (put, get, head, delete, list) over any S3-compatible store, each
 * request signed with SigV4 by aws4fetch. Behaves like the directory store (src/host/self/blobs.ts):
 * the same key check, a missing object is null, and every other answer that is not a success is
 * an Error naming the operation, the key, the status and S3's error code.
 */
export function s3BlobStore(config: S3Config): BlobStore {
  const base = bucketUrl(config)
  // A few quick retries of a 5xx or 429 (aws4fetch re-signs each); its default of 10 would hold a
  // request for a minute against a store that is down.
  const client = new AwsClient({ accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, service: 's3', region: config.region, retries: 2 })
  const urlOf = (key: string) => `${base}${encodeKey(key)}`

  async function send(operation: string, key: string, url: string, init: RequestInit & { headers?: Headers }) {
    const headers = init.headers ?? new Headers()
    if (!headers.has('X-Amz-Content-Sha256')) headers.set('X-Amz-Content-Sha256', emptyHash)
    try {
      // A store that stops answering fails the request (and the mail is retried) instead of holding it.
      return await client.fetch(url, { ...init, headers, signal: AbortSignal.timeout(config.timeoutMs ?? 60_000) })
    } catch (error) {
      throw new Error(`S3 ${operation} of "${key}" failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
  }

  async function head(key: string) {
    if (!isValidKey(key)) return null
    const response = await send('head', key, urlOf(key), { method: 'HEAD' })
    if (response.status === 404) return null
    if (!response.ok) throw await failure('head', key, response)
    return objectOf(key, response.headers)
  }

  const store = {
    async put(key: string, value: unknown, options?: R2PutOptions) {
      checkedKey(key)
      const bytes = await bytesOf(value)
      const http = httpMetadataOf(options?.httpMetadata)
      const headers = new Headers({ 'X-Amz-Content-Sha256': hex(await crypto.subtle.digest('SHA-256', bytes)) })
      if (http.contentType) headers.set('Content-Type', http.contentType)
      if (http.contentDisposition) headers.set('Content-Disposition', http.contentDisposition)
      for (const [name, text] of Object.entries(options?.customMetadata ?? {})) headers.set(`x-amz-meta-${name}`, encodeMetadata(text))
      const response = await send('put', key, urlOf(key), { method: 'PUT', headers, body: bytes })
      if (!response.ok) throw await failure('put', key, response)
      await response.body?.cancel()
      headers.set('Content-Length', String(bytes.byteLength))
      headers.set('ETag', response.headers.get('ETag') ?? '')
      headers.set('Last-Modified', new Date().toUTCString())
      return objectOf(key, headers)
    },
    async get(key: string) {
      if (!isValidKey(key)) return null
      const response = await send('get', key, urlOf(key), { method: 'GET' })
      if (!response.ok) {
        const error = await failure('get', key, response)
        // NoSuchBucket is a 404 too, and a misconfiguration, not a missing object.
        if (response.status === 404 && error.code === 'NoSuchKey') return null
        throw error
      }
      return {
        ...objectOf(key, response.headers),
        get body() {
          return response.body
        },
        get bodyUsed() {
          return response.bodyUsed
        },
        arrayBuffer: () => response.arrayBuffer(),
        bytes: async () => new Uint8Array(await response.arrayBuffer()),
        text: () => response.text(),
        json: () => response.json(),
        blob: () => response.blob(),
      }
    },
    head,
    async delete(keys: string | string[]) {
      const all = (Array.isArray(keys) ? keys : [keys]).map(checkedKey)
      // One DELETE per key, a few at a time: every S3-compatible store has it, where DeleteObjects
      // needs a Content-MD5 some stores insist on and reports failures per key inside a 200.
      await eachLimited(all, async (key) => {
        const response = await send('delete', key, urlOf(key), { method: 'DELETE' })
        if (!response.ok && response.status !== 404) throw await failure('delete', key, response)
        await response.body?.cancel()
      })
    },
    async list(options?: R2ListOptions) {
      const limit = Math.max(1, Math.min(options?.limit ?? 1000, 1000))
      const query = [
        ['list-type', '2'],
        ['max-keys', String(limit)],
      ]
      if (options?.prefix) query.push(['prefix', options.prefix])
      if (options?.cursor) query.push(['continuation-token', options.cursor])
      // The bucket itself: /bucket path-style (as the SDKs send it), / on the bucket's own host.
      const url = `${config.forcePathStyle ? base.slice(0, -1) : base}?${query.map(([name, value]) => `${encodeRfc3986(name!)}=${encodeRfc3986(value!)}`).join('&')}`
      const response = await send('list', options?.prefix ?? '', url, { method: 'GET' })
      if (!response.ok) throw await failure('list', options?.prefix ?? '', response)
      const result = parseXml(await response.text())
      const listing = childOf(result, 'ListBucketResult')
      if (!listing) throw new Error(`S3 list of "${options?.prefix ?? ''}" failed: the answer is not a ListBucketResult`)
      const contents = listing.children.filter((element) => element.name === 'Contents')
      let objects = contents.map((entry) => {
        const headers = new Headers()
        headers.set('Content-Length', textOf(entry, 'Size'))
        headers.set('ETag', textOf(entry, 'ETag'))
        const modified = new Date(textOf(entry, 'LastModified'))
        if (!Number.isNaN(modified.getTime())) headers.set('Last-Modified', modified.toUTCString())
        return objectOf(textOf(entry, 'Key'), headers)
      })
      // ListObjectsV2 carries no metadata: R2 returns it only when asked (include), so do we, with a HEAD each.
      const include = (options as { include?: string[] } | undefined)?.include ?? []
      if (include.length > 0) {
        const headed = await eachLimited(
          objects.map((object) => object.key),
          (key) => (isValidKey(key) ? head(key) : Promise.resolve(null)),
        )
        objects = headed.filter((object) => object !== null)
      }
      const truncated = textOf(listing, 'IsTruncated') === 'true'
      const cursor = truncated ? textOf(listing, 'NextContinuationToken') || undefined : undefined
      return { objects, truncated: truncated && cursor !== undefined, cursor, delimitedPrefixes: [] }
    },
  }
  return store as unknown as BlobStore
}

/** Where requests for the bucket go, ending in `/`: the endpoint's path plus the bucket, or the bucket as a subdomain. */
export function bucketUrl(config: Pick<S3Config, 'endpoint' | 'bucket' | 'forcePathStyle'>): string {
  let endpoint: URL
  try {
    endpoint = new URL(config.endpoint)
  } catch {
    throw new TypeError(`S3_ENDPOINT is not a URL: ${config.endpoint}`)
  }
  if ((endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') || endpoint.search || endpoint.hash || endpoint.username)
    throw new TypeError(`S3_ENDPOINT must be an http(s) URL without query or credentials: ${config.endpoint}`)
  // S3's and R2's bucket naming rules, loosened for older AWS buckets (capitals, underscores).
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/.test(config.bucket)) throw new TypeError(`S3_BUCKET is not a bucket name: ${config.bucket}`)
  const path = endpoint.pathname.replace(/\/+$/, '')
  if (config.forcePathStyle) return `${endpoint.origin}${path}/${encodeRfc3986(config.bucket)}/`
  return `${endpoint.protocol}//${config.bucket}.${endpoint.host}${path}/`
}

/** Each segment percent-encoded as SigV4 canonicalizes it (RFC 3986), so the URL sent is the one signed; `/` kept. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeRfc3986).join('/')
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
}

function isValidKey(key: string): boolean {
  try {
    checkedKey(key)
    return true
  } catch {
    return false
  }
}

function httpMetadataOf(metadata: R2HTTPMetadata | Headers | undefined): { contentType?: string; contentDisposition?: string } {
  if (metadata instanceof Headers)
    return { contentType: metadata.get('Content-Type') ?? undefined, contentDisposition: metadata.get('Content-Disposition') ?? undefined }
  return { contentType: metadata?.contentType, contentDisposition: metadata?.contentDisposition }
}

/** An R2 object from an S3 answer's headers (GET, HEAD, or the ones put and list assemble). */
function objectOf(key: string, headers: Headers) {
  const httpEtag = headers.get('ETag') ?? ''
  const etag = httpEtag.replace(/^(W\/)?"|"$/g, '')
  const httpMetadata: { contentType?: string; contentDisposition?: string } = {}
  const contentType = headers.get('Content-Type')
  const contentDisposition = headers.get('Content-Disposition')
  if (contentType) httpMetadata.contentType = contentType
  if (contentDisposition) httpMetadata.contentDisposition = contentDisposition
  const customMetadata: Record<string, string> = {}
  for (const [name, value] of headers) if (name.startsWith('x-amz-meta-')) customMetadata[name.slice('x-amz-meta-'.length)] = decodeMetadata(value)
  const modified = headers.get('Last-Modified')
  return {
    key,
    size: Number(headers.get('Content-Length') ?? 0),
    version: headers.get('x-amz-version-id') ?? etag,
    etag,
    httpEtag,
    uploaded: modified ? new Date(modified) : new Date(),
    httpMetadata,
    customMetadata,
    storageClass: 'Standard',
    writeHttpMetadata(target: Headers) {
      if (httpMetadata.contentType) target.set('Content-Type', httpMetadata.contentType)
      if (httpMetadata.contentDisposition) target.set('Content-Disposition', httpMetadata.contentDisposition)
    },
  }
}

/**
 * Metadata travels in x-amz-meta-* headers, which carry only ASCII: other text (a subject with
 * "ø") goes as an RFC 2047 encoded word, as AWS documents for its own answers; so does text with
 * spaces at either end (HTTP drops them) and text that already looks like one, so reading it back
 * is never ambiguous. Names arrive lowercased, as S3 keeps them.
 */
function encodeMetadata(text: string): string {
  if (text === '' || (/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(text) && !text.startsWith('=?'))) return text
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return `=?UTF-8?B?${btoa(binary)}?=`
}

function decodeMetadata(value: string): string {
  const words = value.split(/\s+/)
  if (!words.every((word) => /^=\?UTF-8\?[BQ]\?[^?]*\?=$/i.test(word))) return value
  const bytes = words.flatMap((word) => {
    const [, , encoding, data = ''] = word.split('?')
    if (encoding?.toUpperCase() === 'B') return [...atob(data)].map((char) => char.charCodeAt(0))
    return [...data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)))].map((char) =>
      char.charCodeAt(0),
    )
  })
  return new TextDecoder().decode(new Uint8Array(bytes))
}

/** An Error for an S3 answer that is not a success, with S3's <Code> when the answer has a body. */
async function failure(operation: string, key: string, response: Response): Promise<Error & { code?: string }> {
  const body = await response.text().catch(() => '')
  const error = body.trimStart().startsWith('<') ? childOf(parseXml(body), 'Error') : undefined
  const code = error ? textOf(error, 'Code') : ''
  const message = error ? textOf(error, 'Message').slice(0, 300) : ''
  return Object.assign(new Error(`S3 ${operation} of "${key}" failed: ${response.status}${code ? ` ${code}` : ''}${message ? ` (${message})` : ''}`), {
    code: code || undefined,
  })
}

interface XmlElement {
  name: string
  text: string
  children: XmlElement[]
}

/** S3's XML answer as a tree: htmlparser2 tokenizes it and decodes entities (&amp;, &#x…;) in text. */
function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '', text: '', children: [] }
  const stack = [root]
  const parser = new Parser(
    {
      onopentag(name) {
        const element = { name: name.slice(name.indexOf(':') + 1), text: '', children: [] }
        stack[stack.length - 1]!.children.push(element)
        stack.push(element)
      },
      ontext(text) {
        stack[stack.length - 1]!.text += text
      },
      onclosetag() {
        if (stack.length > 1) stack.pop()
      },
    },
    { xmlMode: true, decodeEntities: true },
  )
  parser.write(xml)
  parser.end()
  return root
}

const childOf = (element: XmlElement, name: string) => element.children.find((child) => child.name === name)
const textOf = (element: XmlElement, name: string) => childOf(element, name)?.text ?? ''

function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** `work` over every item, at most `concurrency` at a time; the first failure stops taking more and is thrown. */
async function eachLimited<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  let failed = false
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++
      try {
        results[index] = await work(items[index]!)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}

/**
 * The S3 store's configuration from S3_* variables, or null when none is set (blobs then go to
 * the data directory). A partial one throws, naming what is missing: a typo must not quietly
 * put the mail on local disk.
 */
export function s3ConfigFromEnv(env: Record<string, string | undefined>): S3Config | null {
  const required = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const
  if (!required.some((name) => env[name])) return null
  const missing = required.filter((name) => !env[name])
  if (missing.length > 0)
    throw new Error(`Blobs on S3 need ${missing.join(', ')} (set all of S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, or none)`)
  const pathStyle = (env.S3_FORCE_PATH_STYLE ?? 'true').toLowerCase()
  if (!['true', 'false', '1', '0'].includes(pathStyle)) throw new Error(`S3_FORCE_PATH_STYLE must be true or false, not ${env.S3_FORCE_PATH_STYLE}`)
  const config = {
    endpoint: env.S3_ENDPOINT!,
    bucket: env.S3_BUCKET!,
    region: env.S3_REGION || 'auto',
    accessKeyId: env.S3_ACCESS_KEY_ID!,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
    forcePathStyle: pathStyle === 'true' || pathStyle === '1',
  }
  bucketUrl(config)
  return config
}
