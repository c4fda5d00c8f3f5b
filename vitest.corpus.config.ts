import { defineConfig } from 'vitest/config'

// The real-world mail corpus (outside the repository, see test/corpus/): `npm run test:corpus`.
export default defineConfig({
  test: {
    include: ['test/corpus/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
})
