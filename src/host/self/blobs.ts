import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import type { BlobStore } from '../ports'

interface Meta {
  httpMetadata?: R2HTTPMetadata
  customMetadata?: Record<string, string>
  uploaded: number
}

/**
 * The R2 subset the app uses, over a directory: each object a file under `objects/` named by its
 * key, its metadata a JSON file beside it under `meta/`. Keys are the app's own (account/raw/…);
 * one that would climb out of the directory is refused.
 */
export function directoryBlobStore(root: string): BlobStore {
  const objects = join(root, 'objects')
  const metas = join(root, 'meta')
  const pathOf = (base: string, key: string) => join(base, checkedKey(key))
  const readMeta = async (key: string): Promise<Meta | null> => {
    try {
      return JSON.parse(await readFile(pathOf(metas, `${key}.json`), 'utf8')) as Meta
    } catch {
      return null
    }
  }
  const headOf = async (key: string) => {
    const meta = await readMeta(key)
    if (!meta) return null
    const info = await stat(pathOf(objects, key)).catch(() => null)
    if (!info) return null
    return objectOf(key, info.size, meta)
  }

  const store = {
    async put(key: string, value: unknown, options?: R2PutOptions) {
      const bytes = await bytesOf(value)
      const file = pathOf(objects, key)
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, bytes)
      const meta: Meta = { httpMetadata: options?.httpMetadata as R2HTTPMetadata | undefined, customMetadata: options?.customMetadata, uploaded: Date.now() }
      const metaFile = pathOf(metas, `${key}.json`)
      await mkdir(dirname(metaFile), { recursive: true })
      await writeFile(metaFile, JSON.stringify(meta))
      return objectOf(key, bytes.byteLength, meta)
    },
    async get(key: string) {
      const head = await headOf(key)
      if (!head) return null
      const bytes = await readFile(pathOf(objects, key)).catch(() => null)
      if (!bytes) return null
      const body = new Uint8Array(bytes)
      return {
        ...head,
        get body() {
          return new Response(body).body
        },
        bodyUsed: false,
        arrayBuffer: async () => body.slice().buffer,
        bytes: async () => body.slice(),
        text: async () => new TextDecoder().decode(body),
        json: async () => JSON.parse(new TextDecoder().decode(body)),
        blob: async () => new Blob([body]),
      }
    },
    head: headOf,
    async delete(keys: string | string[]) {
      for (const key of Array.isArray(keys) ? keys : [keys]) {
        await rm(pathOf(objects, key), { force: true })
        await rm(pathOf(metas, `${key}.json`), { force: true })
      }
    },
    async list(options?: R2ListOptions) {
      const prefix = options?.prefix ?? ''
      const limit = Math.min(options?.limit ?? 1000, 1000)
      const keys = (await walk(objects)).map((file) => relative(objects, file).split(sep).join('/')).filter((key) => key.startsWith(prefix))
      keys.sort()
      const start = options?.cursor ? keys.findIndex((key) => key > options.cursor!) : 0
      const page = start < 0 ? [] : keys.slice(start, start + limit)
      const listed = (await Promise.all(page.map(headOf))).filter((object) => object !== null)
      const truncated = start >= 0 && start + limit < keys.length
      return { objects: listed, truncated, cursor: truncated ? page[page.length - 1] : undefined, delimitedPrefixes: [] }
    },
  }
  return store as unknown as BlobStore
}

/**
 * A key both stores accept: path segments that are neither empty, `.` nor `..`, no NUL and no
 * backslash. The directory store would otherwise climb out of its directory; an S3 store would
 * send a key that URL normalization rewrites (`a/../b` becomes `b`) or that other stores refuse,
 * so a blob copied between the two keeps its key. The app's keys (account/raw/…) always pass.
 */
export function checkedKey(key: string): string {
  if (!key || key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.' || part === '') || key.includes('\0') || key.includes('\\'))
    throw new TypeError(`Invalid object key: ${key}`)
  return key
}

function objectOf(key: string, size: number, meta: Meta) {
  return {
    key,
    size,
    version: String(meta.uploaded),
    etag: `${meta.uploaded.toString(36)}-${size.toString(36)}`,
    httpEtag: `"${meta.uploaded.toString(36)}-${size.toString(36)}"`,
    uploaded: new Date(meta.uploaded),
    httpMetadata: meta.httpMetadata ?? {},
    customMetadata: meta.customMetadata ?? {},
    storageClass: 'Standard',
    writeHttpMetadata(headers: Headers) {
      if (meta.httpMetadata?.contentType) headers.set('Content-Type', meta.httpMetadata.contentType)
      if (meta.httpMetadata?.contentDisposition) headers.set('Content-Disposition', meta.httpMetadata.contentDisposition)
    },
  }
}

/** A put's value (string, bytes, stream, Blob) as bytes. */
export async function bytesOf(value: unknown): Promise<Uint8Array> {
  if (value === null || value === undefined) return new Uint8Array()
  if (typeof value === 'string') return new TextEncoder().encode(value)
  if (value instanceof Uint8Array) return value
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  return new Uint8Array(await new Response(value as BodyInit).arrayBuffer())
}

async function walk(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => [])
  const files = await Promise.all(entries.map((entry) => (entry.isDirectory() ? walk(join(directory, entry.name)) : [join(directory, entry.name)])))
  return files.flat()
}
