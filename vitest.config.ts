import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
    // the engine's info lines (state changes, restores) would fill the test output; a test that reads them sets its own
    env: { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' },
  },
})
