import { describe, expect, it } from 'vitest'
import { verifyPassword, passwordIterations } from '../../src/auth/password'
// @ts-expect-error: a plain .mjs script without type declarations
import { hashPasswordForWorker } from '../../scripts/lib/password.mjs'

describe('create-workspace password hashing', () => {
  it('makes hashes the worker verifies', async () => {
    const hash: string = hashPasswordForWorker('an operator password')
    expect(hash.startsWith(`pbkdf2-sha256$${passwordIterations}$`)).toBe(true)
    expect(await verifyPassword('an operator password', hash)).toBe(true)
    expect(await verifyPassword('another password', hash)).toBe(false)
  })
})

describe('npm start fires the Cron Triggers wrangler dev leaves alone', () => {
  it('reads every schedule of wrangler.toml and calls the worker’s scheduled handler with it', async () => {
    // @ts-expect-error: a plain .mjs script without type declarations
    const { cronsOf, startLocalCrons } = await import('../../scripts/lib/local-cron.mjs')
    const { readFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const root = join(import.meta.dirname, '..', '..')
    const crons: string[] = cronsOf(readFileSync(join(root, 'wrangler.toml'), 'utf8'))
    expect(crons.length).toBeGreaterThan(0)
    expect(cronsOf('[vars]\ncrons = ["1 1 * * *"]\n[triggers]\ncrons = ["*/5 * * * *", "17 3 * * *"]\n')).toEqual(['*/5 * * * *', '17 3 * * *'])

    const { createServer } = await import('node:http')
    const calls: string[] = []
    const server = createServer((request, response) => {
      calls.push(request.url ?? '')
      response.end('ok')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const { mkdtempSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'cron-'))
    // Croner takes a six-field pattern (with seconds): this one fires every second.
    writeFileSync(join(dir, 'wrangler.toml'), '[triggers]\ncrons = ["* * * * * *"]\n')
    const jobs = startLocalCrons(dir, `http://127.0.0.1:${port}`)
    await new Promise((resolve) => setTimeout(resolve, 2100))
    jobs.stop()
    server.close()
    expect(calls.length).toBeGreaterThanOrEqual(1)
    expect(calls[0]).toBe(`/cdn-cgi/local/scheduled?cron=${encodeURIComponent('* * * * * *')}`)
  })
})

describe('a fresh clone', () => {
  it('runs npm test with nothing beside it: no suite of npm test reads the team’s ../shared folder', async () => {
    const { readFileSync, readdirSync, statSync } = await import('node:fs')
    const { join, relative } = await import('node:path')
    const root = join(import.meta.dirname, '..', '..')
    const filesUnder = (directory: string): string[] =>
      readdirSync(directory).flatMap((name) => {
        const path = join(directory, name)
        return statSync(path).isDirectory() ? filesUnder(path) : [path]
      })
    // What npm test runs: the workerd, Node and browser suites, their shared helpers and configs.
    const files = [
      ...['workers', 'node', 'browser', 'shared'].flatMap((folder) => filesUnder(join(root, 'test', folder))),
      join(root, 'vitest.workers.config.ts'),
      join(root, 'vitest.node.config.ts'),
    ]
    const outside = files.filter((path) => /(\.\.['"`/, ]+){3}shared|['"`]shared['"`]\s*,\s*['"`]corpus/.test(readFileSync(path, 'utf8')))
    expect(outside.map((path) => relative(root, path))).toEqual([])
  })
})
