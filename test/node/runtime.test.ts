import { expect, it } from 'vitest'

/**
 * The Node suite also runs under Bun and Deno (npm run test:bun, test:deno set EXPECT_RUNTIME):
 * this proves the files ran on the runtime the script names, not on Node by a detour.
 */
it('runs on the runtime the script names', () => {
  const runtime = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node'
  expect(runtime).toBe(process.env.EXPECT_RUNTIME ?? 'node')
})
