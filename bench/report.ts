// The benchmark's results: per-run figures, their medians per system, the markdown tables (an overview
// row per workload and system with its ratios, then one table per scenario) and the targets of issue 15
// with the measured ratios.
import type { LatencyResult } from './latency.js'
import type { MachineInfo } from './machine-info.js'
import type { BenchSettings, ScenarioSpec } from './scenarios.js'
import { fmt, ratio } from './report-format.js'
import { median } from './stats.js'
import { systems, type SystemId } from './systems.js'
import { targetChecks } from './target-checks.js'

export interface RestoreResult {
  /** Changelog records applied. */
  readonly records: number
  /** From the first store's restore start to the last one's end. */
  readonly seconds: number
  readonly rate: number
  /** From process start to RUNNING. */
  readonly readySeconds: number
  /** The process's CPU time from its REBALANCING to its RUNNING state, as the harness saw them. */
  readonly cpuSeconds?: number
}

export interface RunResult {
  readonly system: SystemId
  readonly rep: number
  /** The code measured (the engine may change under a long run). */
  readonly revision?: string
  readonly ok: boolean
  readonly reason?: string
  readonly records?: number
  /** Input records per second draining the backlog (from RUNNING to fully committed). */
  readonly throughput?: number
  readonly drainSeconds?: number
  /** Process start to RUNNING, with local state present. */
  readonly startupSeconds?: number
  /** Records drained (and not measured) before the backlog, and how long that took from RUNNING. */
  readonly warmupRecords?: number
  readonly warmupSeconds?: number
  /** How long the system was paused while the backlog was produced. */
  readonly pausedSeconds?: number
  readonly appCpuPerMillion?: number
  readonly brokerCpuPerMillion?: number
  readonly peakRssMb?: number
  /** At half the drain rate (capped; full mode). */
  readonly latency?: LatencyResult
  /** At the rate common to every system. */
  readonly latencyCommon?: LatencyResult
  readonly restore?: RestoreResult
  /** Output records per input record, warm-up and backlog (events for the reservation services). */
  readonly outputPerInput?: number
  /** The service's commits during the drain: how many, and the share of the drain's wall time they took. */
  readonly commits?: { readonly count: number; readonly seconds: number; readonly shareOfDrain: number }
  /** The service's memory right after the drain (from its own metrics). */
  readonly memory?: {
    readonly rssMb: number
    readonly heapTotalMb: number
    readonly heapUsedMb: number
    readonly externalMb: number
  }
  /** Output records of the backlog by type (the services' event mix). */
  readonly outputTypes?: Readonly<Record<string, number>>
}

export interface SystemSummary {
  readonly system: SystemId
  readonly label: string
  readonly runs: number
  readonly ok: number
  readonly failures: readonly string[]
  readonly throughput?: number
  readonly latencyRate?: number
  readonly p50Ms?: number
  readonly p99Ms?: number
  readonly commonRate?: number
  readonly commonP50Ms?: number
  readonly commonP99Ms?: number
  readonly appCpuPerMillion?: number
  readonly brokerCpuPerMillion?: number
  readonly peakRssMb?: number
  readonly restoreRate?: number
  readonly restoreRecords?: number
  readonly restoreReadySeconds?: number
  readonly outputPerInput?: number
}

export interface ScenarioResult extends ScenarioSpec {
  readonly commitIntervalMs: number
  readonly partitions: number
  readonly records: number
  readonly runs: RunResult[]
  summary: SystemSummary[]
}

export interface BenchResults {
  readonly mode: 'quick' | 'full'
  readonly startedAt: string
  finishedAt?: string
  readonly machine: MachineInfo
  readonly settings: BenchSettings
  readonly scenarios: ScenarioResult[]
}

function medianOf(
  runs: readonly RunResult[],
  pick: (run: RunResult) => number | undefined,
): number | undefined {
  return median(runs.map(pick).filter((v): v is number => v !== undefined))
}

/** Each summary figure and how it is read from a run; the summary holds the median over the ok runs. */
const figures: readonly (readonly [keyof SystemSummary, (run: RunResult) => number | undefined])[] = [
  ['throughput', (r) => r.throughput],
  ['latencyRate', (r) => r.latency?.rate],
  ['p50Ms', (r) => r.latency?.p50Ms],
  ['p99Ms', (r) => r.latency?.p99Ms],
  ['commonRate', (r) => r.latencyCommon?.rate],
  ['commonP50Ms', (r) => r.latencyCommon?.p50Ms],
  ['commonP99Ms', (r) => r.latencyCommon?.p99Ms],
  ['appCpuPerMillion', (r) => r.appCpuPerMillion],
  ['brokerCpuPerMillion', (r) => r.brokerCpuPerMillion],
  ['peakRssMb', (r) => r.peakRssMb],
  ['restoreRate', (r) => r.restore?.rate],
  ['restoreRecords', (r) => r.restore?.records],
  ['restoreReadySeconds', (r) => r.restore?.readySeconds],
  ['outputPerInput', (r) => r.outputPerInput],
]

export function summarize(systemIds: readonly SystemId[], runs: readonly RunResult[]): SystemSummary[] {
  return systemIds.map((system) => {
    const mine = runs.filter((r) => r.system === system)
    const ok = mine.filter((r) => r.ok)
    const medians: Partial<Record<keyof SystemSummary, number>> = {}
    for (const [key, pick] of figures) {
      const value = medianOf(ok, pick)
      if (value !== undefined) medians[key] = value
    }
    return {
      ...medians,
      system,
      label: systems[system].label,
      runs: mine.length,
      ok: ok.length,
      failures: mine.filter((r) => !r.ok).map((r) => r.reason ?? 'failed'),
    }
  })
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`
}

/** Output records per input, where they differ by system (a cached count emits fewer; joins must match). */
function outputColumn(scenario: ScenarioResult): boolean {
  return scenario.workload !== 'reservation'
}

export function scenarioTable(scenario: ScenarioResult): string {
  const withOutput = outputColumn(scenario)
  const warmup = scenario.runs.find((r) => r.warmupRecords !== undefined)?.warmupRecords
  const lines = [
    `### ${scenario.description}`,
    '',
    `${scenario.records.toLocaleString('en-US')} input records preloaded (after a warm-up of ${fmt(warmup)} records), ${scenario.partitions} partitions, ${scenario.guarantee}, commit interval ${scenario.commitIntervalMs} ms; common latency rate ${fmt(scenario.summary.find((s) => s.commonRate !== undefined)?.commonRate)}/s.`,
    '',
    row([
      'system',
      'records/s (drain)',
      'p50 / p99 ms at ½ max',
      '(½ max rate/s)',
      'p50 / p99 ms at common rate',
      'app CPU-s per M records',
      'broker CPU-s per M records',
      'peak RSS MB',
      'restore records/s',
      'restored records (ready after s)',
      ...(withOutput ? ['output per input'] : []),
      'runs ok',
    ]),
    row(['---', ...Array.from({ length: withOutput ? 11 : 10 }, () => '---:')]),
  ]
  for (const s of scenario.summary) {
    lines.push(
      row([
        s.label,
        throughputCell(s),
        `${fmt(s.p50Ms)} / ${fmt(s.p99Ms)}`,
        fmt(s.latencyRate),
        `${fmt(s.commonP50Ms)} / ${fmt(s.commonP99Ms)}`,
        fmt(s.appCpuPerMillion, 1),
        fmt(s.brokerCpuPerMillion, 1),
        fmt(s.peakRssMb),
        fmt(s.restoreRate),
        s.restoreRecords === undefined ? '–' : `${fmt(s.restoreRecords)} (${fmt(s.restoreReadySeconds, 1)})`,
        ...(withOutput ? [fmt(s.outputPerInput, 2)] : []),
        runsCell(s),
      ]),
    )
  }
  return lines.join('\n')
}

function throughputCell(s: SystemSummary): string {
  return s.ok === 0 && s.runs > 0
    ? `failed: ${s.failures[0] ?? ''}`.replace(/\|/g, '/').slice(0, 100)
    : fmt(s.throughput)
}

function runsCell(s: SystemSummary): string {
  const failure =
    s.ok < s.runs && s.ok > 0 ? ` (failed: ${s.failures[0]?.replace(/\|/g, '/').slice(0, 80)})` : ''
  return `${s.ok}/${s.runs}${failure}`
}

const times = (value: number | undefined): string => (value === undefined ? '–' : `${value.toFixed(2)}×`)

/** The system a workload's ratios are taken against: Kafka Streams; for the pipe also the raw pipe of the same client. */
function baselines(scenario: ScenarioResult, s: SystemSummary) {
  const find = (id: SystemId) => scenario.summary.find((x) => x.system === id && x.ok > 0)
  const client = systems[s.system].client
  return {
    kstreams: s.system === 'kstreams' ? undefined : find('kstreams'),
    pipe:
      scenario.workload === 'pipe' && systems[s.system].kind === 'engine' && client
        ? find(`pipe-${client}`)
        : undefined,
  }
}

/** One row per workload and system: throughput, p50/p99 at the common rate, CPU, RSS and the ratios. */
export function overviewTable(scenarios: readonly ScenarioResult[]): string {
  const lines = [
    row([
      'scenario',
      'system',
      'records/s',
      '× Kafka Streams',
      '× raw pipe',
      'p50 / p99 ms at common rate',
      'app CPU-s per M records',
      'peak RSS MB',
      'peak RSS × Kafka Streams',
    ]),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  ]
  for (const scenario of scenarios) {
    for (const s of scenario.summary) {
      const { kstreams, pipe } = baselines(scenario, s)
      lines.push(
        row([
          scenario.id,
          s.label,
          throughputCell(s),
          times(ratio(s.throughput, kstreams?.throughput)),
          times(ratio(s.throughput, pipe?.throughput)),
          `${fmt(s.commonP50Ms)} / ${fmt(s.commonP99Ms)} at ${fmt(s.commonRate)}/s`,
          fmt(s.appCpuPerMillion, 1),
          fmt(s.peakRssMb),
          times(ratio(s.peakRssMb, kstreams?.peakRssMb)),
        ]),
      )
    }
  }
  return lines.join('\n')
}

/** Events of the backlog by type, for the first successful run of each stateful system: the work is comparable. */
export function eventMixTable(scenario: ScenarioResult): string | undefined {
  const firsts = new Map<SystemId, Readonly<Record<string, number>>>()
  for (const run of scenario.runs)
    if (run.ok && run.outputTypes && !firsts.has(run.system)) firsts.set(run.system, run.outputTypes)
  if (firsts.size === 0) return undefined
  const types = [...new Set([...firsts.values()].flatMap((counts) => Object.keys(counts)))].sort()
  const ids = [...firsts.keys()]
  return [
    `Events written for the warm-up and the ${scenario.records.toLocaleString('en-US')} backlog records (first run of each):`,
    '',
    row(['event type', ...ids.map((id) => systems[id].label)]),
    row(['---', ...ids.map(() => '---:')]),
    ...types.map((type) => row([type, ...ids.map((id) => fmt(firsts.get(id)?.[type] ?? 0))])),
  ].join('\n')
}

function settingsLine(settings: BenchSettings): string {
  return Object.entries(settings)
    .map(([k, v]) =>
      typeof v === 'object' && v !== null
        ? `${k}=${Object.entries(v as Record<string, unknown>)
            .map(([a, b]) => `${a}:${String(b)}`)
            .join('/')}`
        : `${k}=${String(v)}`,
    )
    .join(', ')
}

export function markdownReport(results: BenchResults): string {
  const m = results.machine
  const lines = [
    `## Benchmark results — ${results.mode} mode — ${m.date.slice(0, 10)}`,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}. Node ${m.node}, Java ${m.java}, ` +
      `Apache Kafka ${m.kafka} (one local KRaft broker), ${Object.entries(m.clients)
        .map(([name, version]) => `${name} ${version}`)
        .join(', ')}. Revision ${m.revision}.`,
    '',
    `Settings: ${settingsLine(results.settings)}. Each figure is the median over the runs; the systems ran interleaved (A B C A B C …).`,
    '',
  ]
  const revisions = new Map<string, number>()
  for (const run of results.scenarios.flatMap((s) => s.runs))
    if (run.revision) revisions.set(run.revision, (revisions.get(run.revision) ?? 0) + 1)
  if (revisions.size > 1)
    lines.push(
      `The code changed during the run: ${[...revisions].map(([revision, runs]) => `${revision} (${runs} runs)`).join(', ')}.`,
      '',
    )
  lines.push('### Overview', '', overviewTable(results.scenarios), '')
  for (const scenario of results.scenarios) {
    lines.push(scenarioTable(scenario), '')
    const mix = eventMixTable(scenario)
    if (mix && scenario === results.scenarios.find((s) => s.workload === 'reservation')) lines.push(mix, '')
    for (const client of ['confluent', 'kafkajs'] as const) {
      const checks = targetChecks(scenario, client)
      if (checks.length === 0) continue
      lines.push(
        `Targets (${client}):`,
        '',
        row(['target', 'measured', 'met']),
        row(['---', '---', '---']),
        ...checks.map((c) => row([c.target, c.measured, c.met === undefined ? '–' : c.met ? 'yes' : 'no'])),
        '',
      )
    }
  }
  return lines.join('\n')
}
