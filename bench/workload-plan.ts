// What one scenario's runs send and read, whatever the workload: the topics, the tables loaded first, the
// warm-up and measured backlogs, the live records of the latency probes and how their answers are told.
// Built once per scenario (the backlogs are reused by every repetition and system).
import type { OutgoingRecord } from '../kafka/index.js'
import type { RunTopics, TopicRole } from './kafka-bench.js'
import { carriedIds, keyedRecords, tableRecords, type EngineWorkloadId } from './keyed-workload.js'
import { answeredId, idTracker, keyTimeTracker, type LatencyTracker, type ProbeRecord } from './latency.js'
import type { BenchSettings, ScenarioSpec } from './scenarios.js'
import type { SystemSpec } from './systems.js'
import { resourceDefinitions, workloadRecords } from './workload.js'

/** One input record of any workload, its topic named by role. */
export interface BenchRecord {
  readonly topic: TopicRole
  readonly key: string
  readonly value: Buffer
  readonly id: string
  /** Timed by the latency probe: it makes output by itself. */
  readonly answered: boolean
  /** Position in its stream: the backlog's timestamps are `start + position × spacing`. */
  readonly position: number
}

export type ProbePhase = 'half' | 'common'

export interface WorkloadPlan {
  /** Every topic a run of the scenario uses. */
  readonly topicRoles: readonly TopicRole[]
  /** The inputs of the backlog (drained); tables are drained in their own phase. */
  readonly inputRoles: readonly TopicRole[]
  /** Loaded into a stateful system before anything else: the resource definitions, the join's table. */
  readonly tables: readonly BenchRecord[]
  /** Drained by the system in the same process before the measured backlog (JIT warm-up). */
  readonly warmup: readonly BenchRecord[]
  readonly backlog: readonly BenchRecord[]
  /** Live records for a latency probe; `run` keeps ids unique across runs. */
  live(phase: ProbePhase, run: number, rep: number, rate: number, count: number): Iterator<BenchRecord>
  /** How the probe tells which inputs an output of `system` answers. */
  tracker(system: SystemSpec): LatencyTracker
}

export function toOutgoing(record: BenchRecord, topics: RunTopics, timestamp: number): OutgoingRecord {
  return { topic: topics[record.topic], key: Buffer.from(record.key), value: record.value, timestamp }
}

export function toProbeRecord(record: BenchRecord, topics: RunTopics): ProbeRecord {
  return { ...record, topic: topics[record.topic] }
}

export function workloadPlan(scenario: ScenarioSpec, settings: BenchSettings): WorkloadPlan {
  const records = settings.records[scenario.workload]
  const warmup = Math.round(records * settings.warmupShare)
  return scenario.workload === 'reservation'
    ? reservationPlan(scenario, records, warmup)
    : enginePlan(scenario, scenario.workload, settings, records, warmup)
}

function reservationPlan(scenario: ScenarioSpec, records: number, warmup: number): WorkloadPlan {
  const generate = (seed: number, count: number, idPrefix: string, delay: readonly [number, number]) =>
    workloadRecords({
      seed,
      resources: scenario.keys,
      distribution: scenario.distribution,
      records: count,
      idPrefix,
      followUpDelay: delay,
    })
  const asBench = (r: {
    topic: 'commands' | 'payments'
    key: string
    value: Buffer
    id: string
    position: number
  }) =>
    ({ topic: r.topic, key: r.key, value: r.value, id: r.id, answered: true, position: r.position }) as const
  return {
    topicRoles: [
      'commands',
      'payments',
      'resources',
      'promotions',
      'events',
      'notifications',
      'dlq',
      'pipeOut',
    ],
    inputRoles: ['commands', 'payments'],
    tables: resourceDefinitions({
      resources: scenario.keys,
      distribution: scenario.distribution,
      records: records + warmup,
    }).map((r, position) => ({
      topic: 'resources',
      key: r.key,
      value: r.value,
      id: r.key,
      answered: false,
      position,
    })),
    warmup: [...generate(41, warmup, 'w', [500, 5000])].map(asBench),
    backlog: [...generate(42, records, 'b', [500, 5000])].map(asBench),
    live: (phase, run, rep, rate, count) =>
      iterate(
        generate(1000 + 2 * rep + (phase === 'half' ? 0 : 1), count, `l${run}${phase[0]}`, [rate, rate * 3]),
        asBench,
      ),
    tracker: () =>
      idTracker((value) => {
        const id = answeredId(value)
        return id === undefined ? [] : [id]
      }),
  }
}

function enginePlan(
  scenario: ScenarioSpec,
  workload: EngineWorkloadId,
  settings: BenchSettings,
  records: number,
  warmup: number,
): WorkloadPlan {
  const generate = (seed: number, count: number, idPrefix: string, maxDelay: number) =>
    keyedRecords({
      workload,
      seed,
      keys: scenario.keys,
      distribution: scenario.distribution,
      records: count,
      idPrefix,
      valueBytes: settings.valueBytes,
      partnerDelay: [1, maxDelay],
    })
  // a join partner comes at most half the join window later (stream time: 1 position = backlogSpacingMs)
  const backlogDelay = Math.max(1, Math.floor(settings.joinWindowMs / 2 / settings.backlogSpacingMs))
  const inputRoles: TopicRole[] = workload === 'stream-join' ? ['source', 'other'] : ['source']
  return {
    topicRoles: [
      ...inputRoles,
      ...(workload === 'table-join' ? (['table'] as const) : []),
      'sink',
      ...(workload === 'pipe' ? (['pipeOut'] as const) : []),
    ],
    inputRoles,
    tables:
      workload === 'table-join'
        ? tableRecords({ seed: 7, keys: scenario.keys, valueBytes: settings.valueBytes })
        : [],
    warmup: [...generate(41, warmup, 'w', backlogDelay)],
    backlog: [...generate(42, records, 'b', backlogDelay)],
    // live records carry their send time: at `rate` per second, half the window is rate × window / 2000 records
    live: (phase, run, rep, rate, count) =>
      generate(
        1000 + 2 * rep + (phase === 'half' ? 0 : 1),
        count,
        `l${run}${phase[0]}-`,
        Math.max(1, Math.floor((rate * settings.joinWindowMs) / 2000)),
      ),
    tracker: (system) => {
      if (system.kind === 'pipe') return idTracker(carriedIds)
      if (workload === 'count') return keyTimeTracker()
      // a windowed key is the key and the window start (8 bytes); a window's count carries its latest
      // record's timestamp
      if (workload === 'windowed-count')
        return keyTimeTracker((key) => key.subarray(0, key.length - 8).toString('utf8'))
      return idTracker(carriedIds)
    },
  }
}

function* iterate<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item)
}
