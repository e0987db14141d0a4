import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { defineConfig } from 'vitest/config'

/**
 * Kafka's oracles (test/certify/) first: their files are small, so on a machine without vitest's cache of
 * durations (every fresh clone, CI) the default order — larger files first — started them last, and the
 * EosTestDriver's four runs, minutes each and one after another, ended the suite alone: 1,077 s, and
 * 934 s with them first (2 cores; the files' test time adds up to ~1,700 s).
 */
class OraclesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const oracle = (file: TestSpecification) => file.moduleId.includes('/test/certify/')
    return [...sorted.filter(oracle), ...sorted.filter((file) => !oracle(file))]
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    sequence: { sequencer: OraclesFirst },
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
    // the engine's info lines (state changes, restores) would fill the test output; a test that reads them sets its own
    env: { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' },
  },
})
