import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BlobStore } from '../../src/host/ports'
import { directoryBlobStore } from '../../src/host/self/blobs'
import { bucketUrl, s3BlobStore, s3ConfigFromEnv } from '../../src/host/self/s3-blobs'
import { type S3StandIn, startS3StandIn } from './s3-standin'

let standIn: S3StandIn
beforeAll(async () => {
  standIn = await startS3StandIn()
})
afterAll(() => standIn.close())

const s3Of = (overrides: { secretAccessKey?: string; bucket?: string; timeoutMs?: number } = {}) =>
  s3BlobStore({
    endpoint: standIn.endpoint,
    bucket: overrides.bucket ?? standIn.bucket,
    region: standIn.region,
    accessKeyId: standIn.accessKeyId,
    secretAccessKey: overrides.secretAccessKey ?? standIn.secretAccessKey,
    forcePathStyle: true,
    timeoutMs: overrides.timeoutMs,
  })

/** Each test gets an empty store: a new directory, or the stand-in's bucket emptied. */
const stores: [string, () => BlobStore][] = [
  ['directory', () => directoryBlobStore(mkdtempSync(join(tmpdir(), 'switchboard-blobs-')))],
  [
    'S3 (stand-in)',
    () => {
      standIn.objects.clear()
      standIn.latencyMs = 0
      standIn.failNext = 0
      return s3Of()
    },
  ],
]

describe.each(stores)('blob store: %s', (_name, open) => {
  it('gives back the bytes, content type, disposition and metadata it was given, from get and head', async () => {
    const blobs = open()
    const before = Date.now()
    await blobs.put('acct/raw/2026/a.eml', new TextEncoder().encode('raw mail ✓'), {
      httpMetadata: { contentType: 'message/rfc822', contentDisposition: 'attachment; filename="a.eml"' },
      customMetadata: { to: 'x@y.z', subject: 'Invitasjon til Ærlig & co 😀', tricky: '=?UTF-8?B?not-encoded?=', padded: '  two  spaces ' },
    })
    const object = await blobs.get('acct/raw/2026/a.eml')
    expect(object).not.toBeNull()
    expect(object!.size).toBe(12)
    expect(object!.httpMetadata).toMatchObject({ contentType: 'message/rfc822', contentDisposition: 'attachment; filename="a.eml"' })
    expect(object!.customMetadata).toEqual({
      to: 'x@y.z',
      subject: 'Invitasjon til Ærlig & co 😀',
      tricky: '=?UTF-8?B?not-encoded?=',
      padded: '  two  spaces ',
    })
    expect(object!.httpEtag).toMatch(/^".+"$/)
    expect(object!.uploaded.getTime()).toBeGreaterThanOrEqual(before - 1000)
    expect(object!.uploaded.getTime()).toBeLessThanOrEqual(Date.now() + 1000)
    const headers = new Headers()
    object!.writeHttpMetadata(headers)
    expect([headers.get('Content-Type'), headers.get('Content-Disposition')]).toEqual(['message/rfc822', 'attachment; filename="a.eml"'])
    expect(await object!.text()).toBe('raw mail ✓')
    const head = await blobs.head('acct/raw/2026/a.eml')
    expect([head?.size, head?.httpMetadata?.contentType, head?.customMetadata?.to]).toEqual([12, 'message/rfc822', 'x@y.z'])
    expect(await new Response((await blobs.get('acct/raw/2026/a.eml'))!.body).text()).toBe('raw mail ✓')
    expect(await (await blobs.get('acct/raw/2026/a.eml'))!.json().catch(() => 'not json')).toBe('not json')
  })

  it('keeps a key with spaces, unicode, &, +, = and quotes exactly, and lists it as written', async () => {
    const blobs = open()
    const key = "acct/files/a b+c&d=e ø 😀 (1)!'*~%20.txt"
    await blobs.put(key, 'hello', { httpMetadata: { contentType: 'text/plain' } })
    expect(await (await blobs.get(key))?.text()).toBe('hello')
    expect(await blobs.get("acct/files/a b c&d=e ø 😀 (1)!'*~%20.txt")).toBeNull()
    expect(await blobs.get("acct/files/a b+c&d=e ø 😀 (1)!'*~ .txt")).toBeNull()
    const listed = await blobs.list({ prefix: 'acct/files/a b+' })
    expect(listed.objects.map((object) => [object.key, object.size])).toEqual([[key, 5]])
  })

  it('answers null for a key that was never stored, from get and head', async () => {
    const blobs = open()
    expect(await blobs.get('acct/raw/missing.eml')).toBeNull()
    expect(await blobs.head('acct/raw/missing.eml')).toBeNull()
  })

  it('deletes one key, then many at once, and a missing key without complaint', async () => {
    const blobs = open()
    const keys = Array.from({ length: 20 }, (_, index) => `acct/attachments/${String(index).padStart(2, '0')}.bin`)
    for (const key of keys) await blobs.put(key, key)
    await blobs.delete(keys[0]!)
    expect(await blobs.get(keys[0]!)).toBeNull()
    expect(await (await blobs.get(keys[1]!))?.text()).toBe(keys[1])
    await blobs.delete([...keys.slice(1), 'acct/attachments/never.bin'])
    expect((await blobs.list({ prefix: 'acct/' })).objects).toEqual([])
  })

  it('lists by prefix in pages with a cursor, all keys once, with metadata when asked', async () => {
    const blobs = open()
    const keys = Array.from({ length: 25 }, (_, index) => `acct/outbox/${String(index).padStart(3, '0')}.eml`)
    for (const key of keys) await blobs.put(key, 'x', { customMetadata: { to: `${key}@example.com` } })
    for (const key of ['acct/other/1', 'acct/outboxes/1', 'zzz']) await blobs.put(key, 'y')
    const seen: string[] = []
    const pages: boolean[] = []
    let cursor: string | undefined
    do {
      const page = await blobs.list({ prefix: 'acct/outbox/', limit: 10, cursor, include: ['customMetadata'] } as R2ListOptions)
      seen.push(...page.objects.map((object) => object.key))
      for (const object of page.objects) expect(object.customMetadata?.to).toBe(`${object.key}@example.com`)
      pages.push(page.truncated)
      cursor = page.truncated ? page.cursor : undefined
    } while (cursor && pages.length < 5)
    expect(seen).toEqual(keys)
    expect(pages).toEqual([true, true, false])
    const all = await blobs.list()
    expect(all.objects.map((object) => object.key)).toEqual([...keys, 'acct/other/1', 'acct/outboxes/1', 'zzz'].sort())
    expect(all.truncated).toBe(false)
  })

  it('keeps a 2 MB binary object intact, through arrayBuffer and through the body stream', async () => {
    const blobs = open()
    const bytes = new Uint8Array(2 * 1024 * 1024)
    for (let offset = 0; offset < bytes.length; offset += 65536) crypto.getRandomValues(bytes.subarray(offset, offset + 65536))
    await blobs.put('acct/attachments/big.bin', bytes, { httpMetadata: { contentType: 'application/octet-stream' } })
    const object = await blobs.get('acct/attachments/big.bin')
    expect(object?.size).toBe(bytes.length)
    expect(Buffer.from(await object!.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true)
    const streamed = new Uint8Array(await new Response((await blobs.get('acct/attachments/big.bin'))!.body).arrayBuffer())
    expect(Buffer.from(streamed).equals(Buffer.from(bytes))).toBe(true)
  })

  it('refuses a hostile key: put and delete throw, get and head find nothing', async () => {
    const blobs = open()
    const requestsBefore = standIn.requests.length
    for (const key of ['../outside', 'acct/../../etc/passwd', 'acct//double', 'acct/./here', 'acct\\win', 'acct/nul\0', '/absolute', '', 'acct/']) {
      await expect(blobs.put(key, 'x'), key).rejects.toThrow(/Invalid object key/)
      await expect(blobs.delete([`acct/fine`, key]), key).rejects.toThrow(/Invalid object key/)
      expect(await blobs.get(key), key).toBeNull()
      expect(await blobs.head(key), key).toBeNull()
    }
    // The S3 store refuses before sending anything (the directory store never sends).
    expect(standIn.requests.length).toBe(requestsBefore)
  })
})

describe('S3 blob store against the stand-in', () => {
  it('a wrong secret is a clear error naming the operation, key, 403 and SignatureDoesNotMatch, never a silent null', async () => {
    standIn.objects.clear()
    await s3Of().put('acct/raw/a.eml', 'mail')
    const wrong = s3Of({ secretAccessKey: 'not-the-secret' })
    await expect(wrong.put('acct/raw/b.eml', 'mail')).rejects.toThrow(/S3 put of "acct\/raw\/b\.eml" failed: 403 SignatureDoesNotMatch/)
    await expect(wrong.get('acct/raw/a.eml')).rejects.toThrow(/S3 get of "acct\/raw\/a\.eml" failed: 403 SignatureDoesNotMatch/)
    await expect(wrong.head('acct/raw/a.eml')).rejects.toThrow(/S3 head of "acct\/raw\/a\.eml" failed: 403/)
    await expect(wrong.list({ prefix: 'acct/' })).rejects.toThrow(/S3 list of "acct\/" failed: 403 SignatureDoesNotMatch/)
    await expect(wrong.delete('acct/raw/a.eml')).rejects.toThrow(/403 SignatureDoesNotMatch/)
    expect([...standIn.objects.keys()]).toEqual(['acct/raw/a.eml'])
  })

  it('retries a passing 500 and then succeeds; a store that keeps failing is an error with 500 InternalError', async () => {
    const blobs = s3Of()
    standIn.failNext = 1
    await blobs.put('acct/raw/retry.eml', 'mail')
    expect(standIn.objects.has('acct/raw/retry.eml')).toBe(true)
    standIn.failNext = 10
    await expect(blobs.get('acct/raw/retry.eml')).rejects.toThrow(/S3 get of "acct\/raw\/retry\.eml" failed: 500 InternalError/)
    standIn.failNext = 0
  })

  it('a store that stops answering fails the request after the timeout instead of holding it', async () => {
    standIn.objects.clear()
    standIn.failNext = 0
    standIn.latencyMs = 800
    const startedAt = Date.now()
    await expect(s3Of({ timeoutMs: 100 }).get('slow/key')).rejects.toThrow(/S3 get of "slow\/key" failed: .*(abort|timed? ?out)/i)
    expect(Date.now() - startedAt).toBeLessThan(600)
    standIn.latencyMs = 0
    // The stand-in still answers the abandoned request; let it, so no later test counts it in flight.
    while (!standIn.requests.some((line) => line.includes('/slow/key'))) await new Promise((resolve) => setTimeout(resolve, 20))
  })

  it('a bucket that does not exist is an error, not a missing object', async () => {
    await expect(s3Of({ bucket: 'no-such-bucket' }).get('acct/raw/a.eml')).rejects.toThrow(/404 NoSuchBucket/)
  })

  it('deletes many keys with requests in parallel, not one round trip after another', async () => {
    standIn.objects.clear()
    const blobs = s3Of()
    const keys = Array.from({ length: 16 }, (_, index) => `acct/many/${index}`)
    for (const key of keys) await blobs.put(key, 'x')
    standIn.latencyMs = 30
    standIn.maxInFlight = 0
    await blobs.delete(keys)
    standIn.latencyMs = 0
    expect(standIn.objects.size).toBe(0)
    expect(standIn.maxInFlight).toBeGreaterThan(1)
    expect(standIn.maxInFlight).toBeLessThanOrEqual(8)
  })

  it('addresses the bucket path-style or virtual-hosted, keys encoded per segment', () => {
    const config = { endpoint: 'https://acc.r2.cloudflarestorage.com', bucket: 'mail', forcePathStyle: true }
    expect(bucketUrl(config)).toBe('https://acc.r2.cloudflarestorage.com/mail/')
    expect(bucketUrl({ ...config, endpoint: 'https://s3.eu-west-1.amazonaws.com/', forcePathStyle: false })).toBe('https://mail.s3.eu-west-1.amazonaws.com/')
    expect(bucketUrl({ ...config, endpoint: 'http://minio:9000' })).toBe('http://minio:9000/mail/')
    expect(() => bucketUrl({ ...config, endpoint: 'ftp://x' })).toThrow(/S3_ENDPOINT/)
    expect(() => bucketUrl({ ...config, bucket: 'a/b' })).toThrow(/S3_BUCKET/)
  })

  it('reads its configuration from S3_* variables; a partial one names what is missing', () => {
    expect(s3ConfigFromEnv({})).toBeNull()
    expect(() => s3ConfigFromEnv({ S3_BUCKET: 'mail' })).toThrow(/S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY/)
    const full = { S3_ENDPOINT: 'http://minio:9000', S3_BUCKET: 'mail', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret' }
    expect(s3ConfigFromEnv(full)).toEqual({
      ...{ endpoint: 'http://minio:9000', bucket: 'mail', accessKeyId: 'id', secretAccessKey: 'secret' },
      region: 'auto',
      forcePathStyle: true,
    })
    expect(s3ConfigFromEnv({ ...full, S3_REGION: 'eu-west-1', S3_FORCE_PATH_STYLE: 'false' })).toMatchObject({ region: 'eu-west-1', forcePathStyle: false })
    expect(() => s3ConfigFromEnv({ ...full, S3_FORCE_PATH_STYLE: 'yes' })).toThrow(/S3_FORCE_PATH_STYLE/)
  })
})
