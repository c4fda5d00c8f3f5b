import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without type declarations
import { startSelfHost } from '../../scripts/lib/self-host.mjs'
// @ts-expect-error: a plain .mjs script without type declarations
import { buildSelfHost } from '../../scripts/build-self.mjs'
// @ts-expect-error: a plain .mjs script without type declarations
import { freePort } from '../../scripts/lib/free-port.mjs'

/**
 * The built self-host (dist/self/server.mjs, as main.ts wires it) behind a TLS proxy, as
 * docs/self-host.md sets it up: the proxy forwards plain HTTP with the public Host, and
 * APP_URL=https://support.example.test names the public address. A browser on that address posts
 * with Origin https://support.example.test; the request reaching the process is http://.
 */
describe('self-host behind a TLS proxy (APP_URL)', () => {
  const publicUrl = 'https://support.example.test'
  let host: { url: string; output(): string; stop(): Promise<number> }
  let dataDir: string

  beforeAll(async () => {
    await buildSelfHost()
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-proxy-'))
    // The runtime this suite runs on (npm run test:node, test:bun, test:deno) runs the server too.
    const runtime = 'Deno' in globalThis ? 'deno' : 'Bun' in globalThis ? 'bun' : 'node'
    host = await startSelfHost(runtime, {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      SMTP_PORT: String(await freePort()),
      APP_URL: publicUrl,
      DEMO_SEED: 'true',
    })
  }, 120_000)
  afterAll(async () => {
    await host?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  /**
   * What the proxy forwards of a browser's request on the public address: the public Host (which
   * fetch() will not set, hence node:http).
   */
  const proxied = (path: string, init: { method: string; headers?: Record<string, string>; body: URLSearchParams }) =>
    new Promise<{ status: number; headers: Headers }>((resolve, reject) => {
      const body = init.body.toString()
      const request = httpRequest(
        `${host.url}${path}`,
        {
          method: init.method,
          headers: {
            Host: 'support.example.test',
            'X-Forwarded-Proto': 'https',
            'Sec-Fetch-Site': 'same-origin',
            Origin: publicUrl,
            'Content-Length': String(Buffer.byteLength(body)),
            ...init.headers,
          },
        },
        (response) => {
          response.resume()
          const headers = new Headers()
          for (const [name, value] of Object.entries(response.headers)) for (const item of [value ?? []].flat()) headers.append(name, item)
          resolve({ status: response.statusCode ?? 0, headers })
        },
      )
      request.on('error', reject)
      request.end(body)
    })

  it('a login form posted from the public https address signs in (not refused as cross-origin)', async () => {
    const response = await proxied('/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'ada@demo.switchboard.test', password: 'switchboard-demo' }),
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('Set-Cookie')).toMatch(/sb_session=/)
  })

  it('the start-up banner names the public address beside the one it listens on', () => {
    expect(host.output()).toContain(`is running at ${host.url}, public address ${publicUrl}`)
  })

  it('a post from another site is still refused', async () => {
    const response = await proxied('/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
      body: new URLSearchParams({ email: 'ada@demo.switchboard.test', password: 'switchboard-demo' }),
    })
    expect(response.status).toBe(403)
  })

  it('the process reached straight at its own address (before the proxy is set up) still takes its forms', async () => {
    const response = await fetch(`${host.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin', Origin: host.url },
      body: new URLSearchParams({ email: 'ada@demo.switchboard.test', password: 'switchboard-demo' }),
    })
    expect(response.status).toBe(303)
  })
})
