// Apache Kafka's own exactly-once oracle (StreamsEosTest's EosTestDriver, `verify-complex`) judges the
// engine on one broker, for both clients: `plain` (one instance, no faults) and `crash` (three instances,
// one SIGKILLed and restarted, three times), in the runner's quick form. The other scenarios (rebalance,
// broker-loss, broker-down) run with `npm run certify`; the README has their results.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { clientKinds } from '../../kafka/index.js'
import { oracles } from '../../certify/oracles/index.js'
import { certify } from '../../certify/runner.js'
import { scenarios, type ScenarioName } from '../../certify/scenarios.js'

const cases: readonly ScenarioName[] = ['plain', 'crash']

describe.each(clientKinds)('exactly-once by Kafka’s EosTestDriver, %s client', (client) => {
  it.each(cases)(
    '%s ends in ALL-RECORDS-DELIVERED',
    async (scenario) => {
      const lines: string[] = []
      const runDir = await mkdtemp(path.join(os.tmpdir(), `certify-eos-${scenario}-${client}-`))
      const result = await certify({
        oracle: oracles['eos']!,
        scenario: scenarios[scenario],
        client,
        quick: true,
        runDir,
        log: (line) => lines.push(line),
      })
      expect(result.passed, `${result.summary}\n${lines.join('\n')}`).toBe(true)
      expect(result.verdict?.passed).toBe(true)
      await rm(runDir, { recursive: true, force: true }) // kept when the run failed: its logs say why
    },
    420_000,
  )
})
