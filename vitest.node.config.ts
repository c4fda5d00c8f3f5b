import { defineConfig } from 'vitest/config'

// The Node suite: the same service tests against a libSQL `file:` database.
export default defineConfig({
  test: {
    include: ['test/node/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 20_000,
  },
})
