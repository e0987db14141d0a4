// The benchmark's results: per-run figures, their medians per system, the markdown table and the targets
// of the issue with the measured ratios.
import type { LatencyResult } from './latency.js'
import type { MachineInfo } from './machine-info.js'
import { median } from './stats.js'
import { systems, type SystemId } from './systems.js'

export interface RestoreResult {
  /** Changelog records applied. */
  readonly records: number
  /** From the first store's restore start to the last one's end. */
  readonly seconds: number
  readonly rate: number
  /** From process start to RUNNING. */
  readonly readySeconds: number
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
  readonly appCpuPerMillion?: number
  readonly brokerCpuPerMillion?: number
  readonly peakRssMb?: number
  /** At half the drain rate (capped). */
  readonly latency?: LatencyResult
  /** At the rate common to every system. */
  readonly latencyCommon?: LatencyResult
  readonly restore?: RestoreResult
  /** Records on the system's output topic per input record (events for the services). */
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

export interface ScenarioSpec {
  readonly id: string
  readonly description: string
  readonly guarantee: 'exactly_once' | 'at_least_once'
  readonly resources: number
  readonly distribution: { readonly kind: 'uniform' } | { readonly kind: 'zipf'; readonly exponent: number }
  /** Systems run in this scenario besides the base four (full mode). */
  readonly extraSystems?: readonly SystemId[]
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
  readonly settings: Readonly<Record<string, string | number>>
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

const fmt = (value: number | undefined, digits = 0): string =>
  value === undefined
    ? '–'
    : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`
}

export function scenarioTable(scenario: ScenarioResult): string {
  const lines = [
    `### ${scenario.description}`,
    '',
    `${scenario.records.toLocaleString('en-US')} input records preloaded, ${scenario.partitions} partitions, ${scenario.guarantee}, commit interval ${scenario.commitIntervalMs} ms; common latency rate ${fmt(scenario.summary.find((s) => s.commonRate !== undefined)?.commonRate)}/s.`,
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
      'runs ok',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  ]
  for (const s of scenario.summary) {
    const failed = s.ok === 0 && s.runs > 0
    lines.push(
      row([
        s.label,
        failed ? `failed: ${s.failures[0] ?? ''}`.replace(/\|/g, '/').slice(0, 100) : fmt(s.throughput),
        `${fmt(s.p50Ms)} / ${fmt(s.p99Ms)}`,
        fmt(s.latencyRate),
        `${fmt(s.commonP50Ms)} / ${fmt(s.commonP99Ms)}`,
        fmt(s.appCpuPerMillion, 1),
        fmt(s.brokerCpuPerMillion, 1),
        fmt(s.peakRssMb),
        fmt(s.restoreRate),
        s.restoreRecords === undefined ? '–' : `${fmt(s.restoreRecords)} (${fmt(s.restoreReadySeconds, 1)})`,
        `${s.ok}/${s.runs}${s.ok < s.runs && s.ok > 0 ? ` (failed: ${s.failures[0]?.replace(/\|/g, '/').slice(0, 80)})` : ''}`,
      ]),
    )
  }
  return lines.join('\n')
}

export interface TargetCheck {
  readonly target: string
  readonly measured: string
  readonly met: boolean | undefined
}

/** The issue's targets under exactly-once, for the service with `client` against Kafka Streams and the raw pipe. */
export function targetChecks(scenario: ScenarioResult, client: 'confluent' | 'kafkajs'): TargetCheck[] {
  const find = (id: SystemId) => scenario.summary.find((s) => s.system === id)
  const service = find(`service-${client}`)
  const kstreams = find('kstreams')
  const pipe = find(`pipe-${client}`)
  if (!service) return []
  const ratio = (a: number | undefined, b: number | undefined) =>
    a !== undefined && b !== undefined && b > 0 ? a / b : undefined
  const throughputVsKs = ratio(service.throughput, kstreams?.throughput)
  const throughputVsPipe = ratio(service.throughput, pipe?.throughput)
  const rssRatio = ratio(service.peakRssMb, kstreams?.peakRssMb)
  const verdict = (value: number | undefined, ok: (v: number) => boolean) =>
    value === undefined ? undefined : ok(value)
  return [
    {
      target: 'throughput ≥ 1.0× Kafka Streams',
      measured:
        throughputVsKs === undefined
          ? '–'
          : `${throughputVsKs.toFixed(2)}× (${fmt(service.throughput)} vs ${fmt(kstreams?.throughput)} records/s)`,
      met: verdict(throughputVsKs, (v) => v >= 1),
    },
    {
      target: `throughput ≥ 0.8× the raw pipe (${client})`,
      measured:
        throughputVsPipe === undefined
          ? '–'
          : `${throughputVsPipe.toFixed(2)}× (${fmt(service.throughput)} vs ${fmt(pipe?.throughput)} records/s)`,
      met: verdict(throughputVsPipe, (v) => v >= 0.8),
    },
    {
      target: "p99 latency no worse than Kafka Streams' (at the common rate)",
      measured:
        service.commonP99Ms === undefined || kstreams?.commonP99Ms === undefined
          ? '–'
          : `${fmt(service.commonP99Ms)} vs ${fmt(kstreams.commonP99Ms)} ms at ${fmt(service.commonRate)}/s (at ½ max: ${fmt(service.p99Ms)} ms at ${fmt(service.latencyRate)}/s vs ${fmt(kstreams.p99Ms)} ms at ${fmt(kstreams.latencyRate)}/s)`,
      met:
        service.commonP99Ms === undefined || kstreams?.commonP99Ms === undefined
          ? undefined
          : service.commonP99Ms <= kstreams.commonP99Ms,
    },
    {
      target: "peak RSS ≤ ½ of Kafka Streams'",
      measured:
        rssRatio === undefined
          ? '–'
          : `${rssRatio.toFixed(2)}× (${fmt(service.peakRssMb)} vs ${fmt(kstreams?.peakRssMb)} MB)`,
      met: verdict(rssRatio, (v) => v <= 0.5),
    },
    {
      target: 'restore ≥ 100k keys/s',
      measured:
        service.restoreRate === undefined
          ? '–'
          : `${fmt(service.restoreRate)} records/s (Kafka Streams: ${fmt(kstreams?.restoreRate)})`,
      met: verdict(service.restoreRate, (v) => v >= 100_000),
    },
  ]
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
    `Events written for the ${scenario.records.toLocaleString('en-US')} backlog records (first run of each):`,
    '',
    row(['event type', ...ids.map((id) => systems[id].label)]),
    row(['---', ...ids.map(() => '---:')]),
    ...types.map((type) => row([type, ...ids.map((id) => fmt(firsts.get(id)?.[type] ?? 0))])),
  ].join('\n')
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
    `Settings: ${Object.entries(results.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}. Each figure is the median over the runs; the systems ran interleaved (A B C A B C …).`,
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
  for (const scenario of results.scenarios) {
    lines.push(scenarioTable(scenario), '')
    const mix = eventMixTable(scenario)
    if (mix && scenario === results.scenarios[0]) lines.push(mix, '')
    if (scenario.guarantee !== 'exactly_once') continue
    for (const client of ['confluent', 'kafkajs'] as const) {
      const checks = targetChecks(scenario, client)
      if (checks.length === 0) continue
      lines.push(
        `Targets (exactly-once, service with ${client}):`,
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
