// The failover benchmark's report: one row per variant and system with the medians over its repetitions,
// and our engine's failover time as a ratio to Kafka Streams'. Pure (unit-tested).
import type { FailoverOptions, FailoverSystem } from './failover-options.js'
import { failoverVariants, variantSpecs } from './failover-options.js'
import type { MachineInfo } from './machine-info.js'
import type { FailoverRunResult } from './phases/measure-failover.js'
import { median } from './stats.js'

export interface FailoverResults {
  readonly mode: 'quick' | 'full'
  readonly startedAt: string
  finishedAt?: string
  readonly machine: MachineInfo
  readonly options: FailoverOptions
  readonly runs: FailoverRunResult[]
}

const labels: Readonly<Record<FailoverSystem, string>> = {
  engine: 'our engine (confluent)',
  kstreams: 'Kafka Streams 4.1.2',
}

const one = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(1))
const whole = (value: number | undefined) =>
  value === undefined ? '–' : Math.round(value).toLocaleString('en-US')

/** The median of `pick` over the successful runs. */
function med(runs: readonly FailoverRunResult[], pick: (run: FailoverRunResult) => number | undefined) {
  return median(runs.flatMap((run) => (run.ok ? [pick(run) ?? Number.NaN] : [])))
}

export function failoverMarkdown(results: FailoverResults): string {
  const { options, machine } = results
  const lines = [
    `### Failover (${results.mode}, ${results.startedAt.slice(0, 10)}, revision ${machine.revision})`,
    '',
    `${options.keys.toLocaleString('en-US')} keys preloaded (count per key, exactly-once, commit interval ${options.commitIntervalMs} ms), ${options.partitions} partitions, ${options.instances} instances, ${options.rate} records/s offered throughout, session timeout ${options.sessionTimeoutMs / 1000} s, our engine's record cache ${options.engineCacheBytes === 0 ? 'off (its default)' : `${options.engineCacheBytes.toLocaleString('en-US')} bytes`} (Kafka Streams': 10 MiB, its default); ${machine.cores} cores (${machine.cpuModel}), Kafka ${machine.kafka}. Medians over the runs; seconds from the kill.`,
    '',
    '| variant | system | every partition processed again (s) | ratio to Kafka Streams | group noticed (s) | noticed → processed again (s) | all RUNNING (s) | restore (s) | records restored | p99 before / during / max during (ms) | runs ok |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  const variants = failoverVariants.filter((variant) => results.runs.some((run) => run.variant === variant))
  for (const variant of variants) {
    const bySystem = (system: FailoverSystem) =>
      results.runs.filter((run) => run.variant === variant && run.system === system)
    const kstreams = med(bySystem('kstreams'), (run) => run.failoverSeconds)
    for (const system of options.systems) {
      const runs = bySystem(system)
      if (runs.length === 0) continue
      const failover = med(runs, (run) => run.failoverSeconds)
      const ratio =
        system === 'kstreams' || failover === undefined || kstreams === undefined || kstreams === 0
          ? '–'
          : `${(failover / kstreams).toFixed(2)}×`
      const restoreStart = med(runs, (r) => r.restoreStartSeconds)
      const restore =
        restoreStart === undefined
          ? 'none'
          : `${one(restoreStart)}–${one(med(runs, (r) => r.restoreEndSeconds))}`
      const afterNoticed = med(runs, (r) =>
        r.failoverSeconds === undefined || r.detectedSeconds === undefined
          ? undefined
          : r.failoverSeconds - r.detectedSeconds,
      )
      const latency = `${whole(med(runs, (r) => r.before?.p99Ms))} / ${whole(med(runs, (r) => r.during?.p99Ms))} / ${whole(med(runs, (r) => r.during?.maxMs))}`
      const running = variantSpecs[variant].restart
        ? `${one(med(runs, (r) => r.restartRunningSeconds))} (restarted)`
        : one(med(runs, (r) => r.runningSeconds))
      lines.push(
        `| ${variantSpecs[variant].label} | ${labels[system]} | ${one(failover)} | ${ratio} | ${one(med(runs, (r) => r.detectedSeconds))} | ${one(afterNoticed)} | ${running} | ${restore} | ${whole(med(runs, (r) => r.restoredRecords))} | ${latency} | ${runs.filter((r) => r.ok).length}/${runs.length} |`,
      )
    }
  }
  const failed = results.runs.filter((run) => !run.ok)
  if (failed.length > 0) {
    lines.push('', 'Failed runs:')
    for (const run of failed)
      lines.push(`- ${run.variant} rep ${run.rep} · ${labels[run.system]}: ${run.reason ?? '?'}`)
  }
  return lines.join('\n')
}
