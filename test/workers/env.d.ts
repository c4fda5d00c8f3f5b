import type { D1Migration } from '@cloudflare/vitest-plugin'

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[]
      /** The plugin `npm run test:plugin -- <id>` checks; empty: every plugin. */
      TEST_PLUGIN: string
    }
  }
}
