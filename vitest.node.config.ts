import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The Node suite: the same service tests against a libSQL `file:` database.
export default defineConfig({
  // As scripts/build-self.mjs bundles the self-host: the rooms' DurableObject base class is the
  // in-process shim, so a test can run the whole app host (createAppHost).
  resolve: { alias: { 'cloudflare:workers': fileURLToPath(new URL('./src/host/self/durable-object.ts', import.meta.url)) } },
  test: {
    include: ['test/node/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 20_000,
  },
})
