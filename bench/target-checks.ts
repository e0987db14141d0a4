// Issue 15's targets, judged from one scenario's summary (the benchmark report prints them: report.ts).
import type { ScenarioResult, SystemSummary } from './report.js'
import { fmt, ratio } from './report-format.js'
import type { SystemId } from './systems.js'

export interface TargetCheck {
  readonly target: string
  readonly measured: string
  readonly met: boolean | undefined
}

/**
 * Issue 15's targets for our system with `client` in one scenario: throughput against Kafka Streams
 * (≥ 1.5× for the reservation topology under exactly-once, ≥ 1.0× for the engine workloads), the engine's
 * pipe against the raw pipe (≥ 0.8×), p99 at the common rate (no verdict where that rate saturates a
 * side), peak RSS (≤ ½×) and restore (≥ 1.0×).
 */
export function targetChecks(scenario: ScenarioResult, client: 'confluent' | 'kafkajs'): TargetCheck[] {
  const find = (id: SystemId) => scenario.summary.find((s) => s.system === id)
  const ours = find(scenario.workload === 'reservation' ? `service-${client}` : `engine-${client}`)
  const kstreams = find('kstreams')
  if (!ours || !kstreams) return []
  const verdict = (value: number | undefined, ok: (v: number) => boolean) =>
    value === undefined ? undefined : ok(value)
  const against = (a: number | undefined, b: number | undefined, unit: string) => {
    const r = ratio(a, b)
    return r === undefined ? '–' : `${r.toFixed(2)}× (${fmt(a)} vs ${fmt(b)} ${unit})`
  }
  const minimum = scenario.workload === 'reservation' && scenario.guarantee === 'exactly_once' ? 1.5 : 1.0
  const checks: TargetCheck[] = [
    {
      target: `throughput ≥ ${minimum.toFixed(1)}× Kafka Streams`,
      measured: against(ours.throughput, kstreams.throughput, 'records/s'),
      met: verdict(ratio(ours.throughput, kstreams.throughput), (v) => v >= minimum),
    },
  ]
  const pipe = scenario.workload === 'pipe' ? find(`pipe-${client}`) : undefined
  if (pipe)
    checks.push({
      target: `throughput ≥ 0.8× the raw pipe (${client})`,
      measured: against(ours.throughput, pipe.throughput, 'records/s'),
      met: verdict(ratio(ours.throughput, pipe.throughput), (v) => v >= 0.8),
    })
  checks.push(commonP99Check(ours, kstreams), {
    target: "peak RSS ≤ ½ of Kafka Streams'",
    measured: against(ours.peakRssMb, kstreams.peakRssMb, 'MB'),
    met: verdict(ratio(ours.peakRssMb, kstreams.peakRssMb), (v) => v <= 0.5),
  })
  if (ours.restoreRate !== undefined)
    checks.push({
      target: "restore ≥ 1.0× Kafka Streams' records/s",
      measured: against(ours.restoreRate, kstreams.restoreRate, 'records/s'),
      met: verdict(ratio(ours.restoreRate, kstreams.restoreRate), (v) => v >= 1),
    })
  return checks
}

/**
 * A common rate at or above this share of a side's drain rate runs that side at or near saturation: its p99
 * then measures a queue that grows for the whole probe, not the latency at equal load the target compares.
 */
const saturatedShare = 0.8

/** The p99 target at the common rate; no verdict when that rate saturates either side. */
function commonP99Check(ours: SystemSummary, kstreams: SystemSummary): TargetCheck {
  const target = "p99 latency no worse than Kafka Streams' (at the common rate)"
  if (ours.commonP99Ms === undefined || kstreams.commonP99Ms === undefined)
    return { target, measured: '–', met: undefined }
  const measured = `${fmt(ours.commonP99Ms)} vs ${fmt(kstreams.commonP99Ms)} ms at ${fmt(ours.commonRate)}/s`
  const rate = ours.commonRate ?? kstreams.commonRate
  const saturated = [ours, kstreams].find(
    (s) => rate !== undefined && s.throughput !== undefined && rate >= saturatedShare * s.throughput,
  )
  if (rate !== undefined && saturated?.throughput !== undefined)
    return {
      target,
      measured: `${measured}; not comparable: the rate is ${Math.round((100 * rate) / saturated.throughput)}% of ${saturated.label}'s drain rate (${fmt(saturated.throughput)}/s)`,
      met: undefined,
    }
  return { target, measured, met: ours.commonP99Ms <= kstreams.commonP99Ms }
}
