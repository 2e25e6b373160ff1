import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/cleanup-temp-folders.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here: more workers only contend for the same PostgreSQL server.
    maxWorkers: 2,
  },
})
