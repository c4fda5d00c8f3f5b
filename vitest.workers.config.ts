import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

// The workerd suite: the real runtime with local D1, R2 and Durable Objects from wrangler.toml.
export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations('./migrations'),
        },
      },
    })),
  ],
  test: {
    include: ['test/workers/**/*.test.{ts,tsx}'],
    setupFiles: ['./test/workers/setup.ts'],
    testTimeout: 20_000,
  },
})
