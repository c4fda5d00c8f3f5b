import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

// `npm run test:plugin -- <id>` sets TEST_PLUGIN: only the shared contract suite (for that plugin)
// and the plugin's own tests run. Unset, everything runs and the contract covers every plugin.
const plugin = process.env.TEST_PLUGIN ?? ''
if (plugin && !/^[a-z0-9-]+$/.test(plugin)) throw new Error(`Not a plugin id: ${plugin}`)

// The workerd suite: the real runtime with local D1, R2 and Durable Objects from wrangler.toml.
export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations('./migrations'),
          TEST_PLUGIN: plugin,
        },
      },
    })),
  ],
  test: {
    // A plugin keeps its own tests in its folder (plugins/<id>/test/).
    include: plugin
      ? ['test/contract/**/*.test.{ts,tsx}', `plugins/${plugin}/test/**/*.test.{ts,tsx}`]
      : ['test/workers/**/*.test.{ts,tsx}', 'test/contract/**/*.test.{ts,tsx}', 'plugins/*/test/**/*.test.{ts,tsx}'],
    setupFiles: ['./test/workers/setup.ts'],
    testTimeout: 20_000,
  },
})
