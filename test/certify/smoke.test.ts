// Apache Kafka's StreamsSmokeTest judges the DSL: its driver generates 20,000 records over 90 s and
// verifies, while our port of SmokeTestClient (certify/apps/smoke-test-client.ts) runs, every windowed
// min / max / sum / count with and without suppress, the sliding-window reduce, the table–table joins `dif`
// and `avg` and (exactly-once) the `tagg` re-grouping. The suite runs the plain exactly-once mode on the
// confluent client; the other modes run with `npm run certify -- smoke <scenario>` (README, Certification).
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { oracles } from '../../certify/oracles/index.js'
import { certify } from '../../certify/runner.js'
import { scenarios } from '../../certify/scenarios.js'

describe('the DSL by Kafka’s StreamsSmokeTest', () => {
  it('plain, exactly-once, confluent client: SUCCESS', async () => {
    const lines: string[] = []
    const runDir = await mkdtemp(path.join(os.tmpdir(), 'certify-smoke-plain-'))
    const result = await certify({
      oracle: oracles['smoke']!,
      scenario: scenarios.plain,
      client: 'confluent',
      oracleOptions: { guarantee: 'exactly_once' },
      quick: true,
      runDir,
      log: (line) => lines.push(line),
    })
    expect(result.passed, `${result.summary}\n${lines.join('\n')}`).toBe(true)
    expect(result.verdict?.passed).toBe(true)
    await rm(runDir, { recursive: true, force: true }) // kept when the run failed: its logs say why
  }, 600_000)
})
