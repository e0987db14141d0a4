// What a benchmark run measures: the scenarios (a workload, a key distribution, a processing guarantee),
// the systems each one runs, and the settings — read from the command line, with the quick and full
// defaults. Pure: no I/O, so the options are unit-tested.
import { engineWorkloadIds, type EngineWorkloadId } from './keyed-workload.js'
import { systemIds, systemRuns, systems, type SystemId, type Workload } from './systems.js'
import type { Distribution } from './workload.js'

export const workloadIds: readonly Workload[] = ['reservation', ...engineWorkloadIds]

export type Guarantee = 'exactly_once' | 'at_least_once'

export interface ScenarioSpec {
  readonly id: string
  readonly description: string
  readonly workload: Workload
  readonly guarantee: Guarantee
  /** Resources of the reservation workload; keys of the engine workloads. */
  readonly keys: number
  readonly distribution: Distribution
  /** Systems run in this scenario besides its base ones (full mode). */
  readonly extraSystems?: readonly SystemId[]
}

export interface BenchSettings {
  readonly partitions: number
  /** Backlog records per scenario, by workload (`--records` sets them all). */
  readonly records: Readonly<Record<Workload, number>>
  /** Records drained before the measured backlog, in the same process, so that JIT compilers are warm. */
  readonly warmupShare: number
  readonly reps: number
  readonly latencySeconds: number
  readonly latencyWarmupMs: number
  /** The first latency probe offers half the drain rate, at most this (the harness shares the 2 cores). */
  readonly maxOfferedRate: number
  /** A latency probe at this rate for every system, so that p99s compare at equal load. */
  readonly commonRate: number
  /** Run the probe at half the drain rate too (full mode). */
  readonly halfRateProbe: boolean
  /** Measure restore (stateful systems; full mode). */
  readonly restore: boolean
  readonly eosCommitIntervalMs: number
  /** Equal for every system; shorter than Kafka Streams' 30 s default so the end of a drain shows within a second. */
  readonly alosCommitIntervalMs: number
  /** Backlog record timestamps are this far apart (stream time). */
  readonly backlogSpacingMs: number
  /**
   * Longer than any run: in a preloaded backlog a decider runs ahead of the repartitioned payments by a
   * system-dependent amount of stream time, so expiring holds would make the systems' event mixes differ.
   */
  readonly holdTimeoutMs: number
  readonly punctuationIntervalMs: number
  readonly javaHeapMb: number
  /** Bytes per value of the engine workloads. */
  readonly valueBytes: number
  /** The stream–stream join window (before and after), ms of stream time. */
  readonly joinWindowMs: number
  /** The windowed count's hopping windows (after SimpleBenchmark's: 1 s advanced by 500 ms). */
  readonly windowSizeMs: number
  readonly windowAdvanceMs: number
  /** Grace of the join and the windows: generous, no record of a run is late. */
  readonly graceMs: number
}

export interface BenchOptions {
  readonly quick: boolean
  readonly settings: BenchSettings
  readonly scenarios: readonly ScenarioSpec[]
  /** The systems of a scenario, in run order. */
  readonly systemsOf: (scenario: ScenarioSpec) => SystemId[]
}

const distributions = {
  uniform: { kind: 'uniform' },
  zipf: { kind: 'zipf', exponent: 1 },
} as const satisfies Record<string, Distribution>
const guarantees = { eos: 'exactly_once', alos: 'at_least_once' } as const satisfies Record<string, Guarantee>

const engineDescriptions: Readonly<Record<EngineWorkloadId, string>> = {
  pipe: 'Stateless pipe (source → mapValues → sink)',
  count: 'Count per key',
  'windowed-count': 'Windowed count per key (1 s windows every 500 ms)',
  'table-join': 'Stream–table join',
  'stream-join': 'Windowed stream–stream join',
}

/** E.g. "10,000 keys, Zipf (s = 1.0), exactly-once". */
function label(distribution: keyof typeof distributions, guarantee: keyof typeof guarantees, keys: string) {
  const spread = distribution === 'uniform' ? 'uniform' : 'Zipf (s = 1.0)'
  return `${keys}, ${spread}, ${guarantee === 'eos' ? 'exactly-once' : 'at-least-once'}`
}

/** Every scenario the harness knows, by id. */
export const allScenarios: readonly ScenarioSpec[] = [
  ...(['eos', 'alos'] as const).flatMap((g) =>
    (['uniform', 'zipf'] as const).map((d): ScenarioSpec => ({
      id: `reservation-${d}-${g}`,
      description: `Reservation topology, ${label(d, g, '1,000 resources')}`,
      workload: 'reservation',
      guarantee: guarantees[g],
      keys: 1000,
      distribution: distributions[d],
      ...(d === 'uniform' && g === 'eos' ? { extraSystems: ['service-kafkajs'] as const } : {}),
    })),
  ),
  {
    id: 'reservation-few-eos',
    description: 'Reservation topology, 20 resources, uniform, exactly-once',
    workload: 'reservation',
    guarantee: 'exactly_once',
    keys: 20,
    distribution: distributions.uniform,
  },
  ...engineWorkloadIds.flatMap((workload) =>
    (['eos', 'alos'] as const).flatMap((g) =>
      (['uniform', 'zipf'] as const).map((d): ScenarioSpec => ({
        id: `${workload}-${d}-${g}`,
        description: `${engineDescriptions[workload]}, ${label(d, g, '10,000 keys')}`,
        workload,
        guarantee: guarantees[g],
        keys: 10_000,
        distribution: distributions[d],
      })),
    ),
  ),
]

const defaultScenarios = {
  quick: ['reservation-uniform-eos', ...engineWorkloadIds.map((workload) => `${workload}-uniform-eos`)],
  full: [
    'reservation-uniform-eos',
    'reservation-zipf-eos',
    'reservation-uniform-alos',
    ...engineWorkloadIds.flatMap((workload) =>
      ['uniform-eos', 'zipf-eos', 'uniform-alos', 'zipf-alos'].map((rest) => `${workload}-${rest}`),
    ),
  ],
}

/** The systems of a workload: the raw pipe(s) where they do the same job, our engine, Kafka Streams. */
function baseSystems(workload: Workload, quick: boolean): SystemId[] {
  switch (workload) {
    case 'reservation':
      return quick
        ? ['service-confluent', 'kstreams']
        : ['pipe-confluent', 'pipe-kafkajs', 'service-confluent', 'kstreams']
    case 'pipe':
      return ['pipe-confluent', 'engine-confluent', 'kstreams']
    case 'count':
    case 'windowed-count':
    case 'table-join':
    case 'stream-join':
      return ['engine-confluent', 'kstreams']
  }
}

const fullRecords: Readonly<Record<Workload, number>> = {
  reservation: 50_000,
  pipe: 200_000,
  count: 100_000,
  'windowed-count': 100_000,
  'table-join': 100_000,
  'stream-join': 100_000,
}
const quickRecords: Readonly<Record<Workload, number>> = {
  reservation: 20_000,
  pipe: 40_000,
  count: 40_000,
  'windowed-count': 40_000,
  'table-join': 40_000,
  'stream-join': 40_000,
}

/** Parses `--key=value` / `--flag` arguments (see run-bench.ts); throws naming an unknown scenario or system. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const args = new Map(
    argv.map((arg) => {
      const [key = '', value = 'true'] = arg.replace(/^--/, '').split('=')
      return [key, value] as const
    }),
  )
  const quick = args.has('quick')
  const number = (name: string, fallback: number): number => {
    const text = args.get(name)
    if (text === undefined) return fallback
    const value = Number(text)
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}=${text} is not a number ≥ 0`)
    return value
  }
  const flag = (name: string, fallback: boolean): boolean => {
    const text = args.get(name)
    if (text === undefined) return fallback
    if (text !== 'true' && text !== 'false') throw new Error(`--${name}=${text}: use true or false`)
    return text === 'true'
  }
  const recordsOverride = args.get('records')
  const records = Object.fromEntries(
    workloadIds.map((w) => [
      w,
      recordsOverride === undefined ? (quick ? quickRecords : fullRecords)[w] : number('records', 0),
    ]),
  ) as Record<Workload, number>
  const settings: BenchSettings = {
    partitions: 6,
    records,
    warmupShare: number('warmup-share', 0.2),
    reps: number('reps', quick ? 1 : 3),
    latencySeconds: number('latency-seconds', quick ? 4 : 10),
    latencyWarmupMs: 1000,
    maxOfferedRate: number('max-rate', 4000),
    commonRate: number('common-rate', 1000),
    halfRateProbe: flag('half-rate', !quick),
    restore: flag('restore', !quick),
    eosCommitIntervalMs: 100,
    alosCommitIntervalMs: 1000,
    backlogSpacingMs: 1,
    holdTimeoutMs: 3_600_000,
    punctuationIntervalMs: 10_000,
    javaHeapMb: 512,
    valueBytes: 100,
    joinWindowMs: 100,
    windowSizeMs: 1000,
    windowAdvanceMs: 500,
    graceMs: 300_000,
  }
  const scenarios = (args.get('scenarios')?.split(',') ?? defaultScenarios[quick ? 'quick' : 'full']).map(
    (id) => {
      const found = allScenarios.find((s) => s.id === id)
      if (!found)
        throw new Error(`unknown scenario ${id}; known: ${allScenarios.map((s) => s.id).join(', ')}`)
      return found
    },
  )
  const chosenSystems = args
    .get('systems')
    ?.split(',')
    .map((id) => {
      if (!(systemIds as readonly string[]).includes(id))
        throw new Error(`unknown system ${id}; known: ${systemIds.join(', ')}`)
      return id as SystemId
    })
  const systemsOf = (scenario: ScenarioSpec): SystemId[] => {
    const base = baseSystems(scenario.workload, quick)
    const all = quick ? base : [...base.slice(0, -1), ...(scenario.extraSystems ?? []), ...base.slice(-1)]
    return chosenSystems ? chosenSystems.filter((id) => systemRuns(systems[id], scenario.workload)) : all
  }
  return { quick, settings, scenarios, systemsOf }
}
