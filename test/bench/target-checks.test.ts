// The benchmark report's verdicts on issue 15's targets (bench/target-checks.ts).
import { describe, expect, it } from 'vitest'
import type { ScenarioResult, SystemSummary } from '../../bench/report.js'
import { targetChecks } from '../../bench/target-checks.js'

function scenario(ours: Partial<SystemSummary>, kstreams: Partial<SystemSummary>): ScenarioResult {
  const summary = (system: SystemSummary['system'], label: string, figures: Partial<SystemSummary>) => ({
    system,
    label,
    runs: 1,
    ok: 1,
    failures: [],
    ...figures,
  })
  return {
    id: 'reservation-uniform-eos',
    description: 'reservation',
    workload: 'reservation',
    guarantee: 'exactly_once',
    keys: 1000,
    distribution: { kind: 'uniform' },
    commitIntervalMs: 100,
    partitions: 6,
    records: 20_000,
    runs: [],
    summary: [
      summary('service-confluent', 'reservation service (confluent)', ours),
      summary('kstreams', 'Kafka Streams', kstreams),
    ],
  }
}

const p99Check = (result: ScenarioResult) =>
  targetChecks(result, 'confluent').find((c) => c.target.startsWith('p99'))!

describe('the p99 target at the common rate', () => {
  it('compares the two p99s when the rate is well below both drain rates', () => {
    const lower = p99Check(
      scenario(
        { throughput: 5000, commonRate: 1000, commonP99Ms: 250 },
        { throughput: 6000, commonRate: 1000, commonP99Ms: 300 },
      ),
    )
    expect(lower).toMatchObject({ met: true, measured: '250 vs 300 ms at 1,000/s' })
    const higher = p99Check(
      scenario(
        { throughput: 5000, commonRate: 1000, commonP99Ms: 400 },
        { throughput: 6000, commonRate: 1000, commonP99Ms: 300 },
      ),
    )
    expect(higher.met).toBe(false)
  })

  it('gives no verdict when the rate saturates either side, and says which and why', () => {
    const check = p99Check(
      scenario(
        { throughput: 1166, commonRate: 1000, commonP99Ms: 2600 },
        { throughput: 1159, commonRate: 1000, commonP99Ms: 4285 },
      ),
    )
    expect(check.met).toBeUndefined()
    expect(check.measured).toBe(
      "2,600 vs 4,285 ms at 1,000/s; not comparable: the rate is 86% of reservation service (confluent)'s drain rate (1,166/s)",
    )
    // saturating only Kafka Streams' side is enough
    expect(
      p99Check(
        scenario(
          { throughput: 5000, commonRate: 1000, commonP99Ms: 250 },
          { throughput: 1200, commonRate: 1000, commonP99Ms: 4000 },
        ),
      ).met,
    ).toBeUndefined()
  })
})
