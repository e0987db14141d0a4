// The systems under test and how each is started: the raw pipe with either client, the Reservation Service
// (this project) with either client, our engine running an engine workload (run-engine.ts) with either
// client, and the Kafka Streams applications in bench/kstreams/ (the reservation app, or the engine
// workloads app). Which systems run which workload, and which of them keep state.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ClientKind } from '../kafka/index.js'
import { RunningChild } from './child-runner.js'
import { internalRepartitionTopics, type RunTopics } from './kafka-bench.js'
import type { EngineWorkloadId } from './keyed-workload.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.dirname(here)
const kstreamsDir = path.join(here, 'kstreams')
const watchdog = path.join(repoRoot, 'tools', 'local-kafka', 'jvm-watchdog.sh')

export const systemIds = [
  'pipe-confluent',
  'pipe-kafkajs',
  'service-confluent',
  'service-kafkajs',
  'engine-confluent',
  'engine-kafkajs',
  'engine-base',
  'service-base',
  'kstreams',
] as const
export type SystemId = (typeof systemIds)[number]

export interface SystemSpec {
  readonly id: SystemId
  readonly label: string
  readonly kind: 'pipe' | 'service' | 'engine' | 'kstreams'
  readonly client?: ClientKind
}

export const systems: Readonly<Record<SystemId, SystemSpec>> = {
  'pipe-confluent': {
    id: 'pipe-confluent',
    label: 'raw pipe (confluent)',
    kind: 'pipe',
    client: 'confluent',
  },
  'pipe-kafkajs': {
    id: 'pipe-kafkajs',
    label: 'raw pipe (kafkajs)',
    kind: 'pipe',
    client: 'kafkajs',
  },
  'service-confluent': {
    id: 'service-confluent',
    label: 'reservation service (confluent)',
    kind: 'service',
    client: 'confluent',
  },
  'service-kafkajs': {
    id: 'service-kafkajs',
    label: 'reservation service (kafkajs)',
    kind: 'service',
    client: 'kafkajs',
  },
  'engine-confluent': {
    id: 'engine-confluent',
    label: 'our engine (confluent)',
    kind: 'engine',
    client: 'confluent',
  },
  'engine-kafkajs': {
    id: 'engine-kafkajs',
    label: 'our engine (kafkajs)',
    kind: 'engine',
    client: 'kafkajs',
  },
  // experiments: the engine of another checkout (BENCH_BASE_ENGINE), interleaved with this one's
  'engine-base': {
    id: 'engine-base',
    label: 'our engine, base revision (confluent)',
    kind: 'engine',
    client: 'confluent',
  },
  // experiments: the Reservation Service of another checkout (BENCH_BASE_SERVICE), interleaved with this one's
  'service-base': {
    id: 'service-base',
    label: 'reservation service, base revision (confluent)',
    kind: 'service',
    client: 'confluent',
  },
  kstreams: { id: 'kstreams', label: 'Kafka Streams 4.1.2 (Java)', kind: 'kstreams' },
}

/** The workloads: the reservation topology, or one of the engine workloads (keyed-workload.ts). */
export type Workload = 'reservation' | EngineWorkloadId

/** Whether a system can run a workload: the services run only the reservation topology, our engine only the engine workloads, the raw pipe the workloads whose job a copy is. */
export function systemRuns(spec: SystemSpec, workload: Workload): boolean {
  switch (spec.kind) {
    case 'pipe':
      return workload === 'reservation' || workload === 'pipe'
    case 'service':
      return workload === 'reservation'
    case 'engine':
      return workload !== 'reservation'
    case 'kstreams':
      return true
  }
}

/** Keeps state for the workload: restore is measured, and tables are loaded before the backlog. */
export function isStateful(spec: SystemSpec, workload: Workload): boolean {
  return spec.kind !== 'pipe' && workload !== 'pipe'
}

export interface LaunchSettings {
  readonly brokers: string
  readonly applicationId: string
  readonly stateDir: string
  readonly topics: RunTopics
  readonly guarantee: 'exactly_once' | 'at_least_once'
  readonly commitIntervalMs: number
  readonly partitions: number
  readonly holdTimeoutMs: number
  readonly punctuationIntervalMs: number
  readonly strayGraceMs: number
  readonly javaHeapMb: number
  readonly logFile: string
  readonly workload: Workload
  /** The topics the raw pipe copies. */
  readonly pipeInputs: readonly string[]
  readonly joinWindowMs: number
  readonly windowSizeMs: number
  readonly windowAdvanceMs: number
  readonly graceMs: number
  /** Set besides the common environment (the failover benchmark: instance ids, standbys, static membership). */
  readonly extraEnv?: Readonly<Record<string, string>>
}

/** Topics the system writes and reads back itself (drained too before a backlog counts as processed). */
export function internalTopicsOf(spec: SystemSpec, workload: Workload, applicationId: string): string[] {
  return workload === 'reservation' && isStateful(spec, workload)
    ? internalRepartitionTopics(applicationId)
    : []
}

/** The topic the latency probe reads. */
export function outputTopicOf(spec: SystemSpec, workload: Workload, topics: RunTopics): string {
  if (spec.kind === 'pipe') return topics.pipeOut
  return workload === 'reservation' ? topics.events : topics.sink
}

/**
 * The Kafka Streams JVM's flags: the heap, and the G1 settings of Kafka's documented production JVM
 * arguments (docs/ops.html "Java Version"; G1HeapRegionSize=16M is left out, it is sized for a 6 GB heap).
 * -Xms is not set to -Xmx as there: a heap committed up front would count in peak RSS. BENCH_JAVA_OPTS
 * adds flags (experiments).
 */
export function jvmFlags(heapMb: number): string[] {
  return [
    `-Xmx${heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:MetaspaceSize=96m',
    '-XX:MinMetaspaceFreeRatio=50',
    '-XX:MaxMetaspaceFreeRatio=80',
    ...(process.env['BENCH_JAVA_OPTS'] ?? '').split(/\s+/).filter(Boolean),
  ]
}

export function launch(spec: SystemSpec, s: LaunchSettings, name: string): RunningChild {
  const common = {
    KAFKA_BROKERS: s.brokers,
    APPLICATION_ID: s.applicationId,
    PROCESSING_GUARANTEE: s.guarantee,
    COMMIT_INTERVAL_MS: String(s.commitIntervalMs),
    ...s.extraEnv,
  }
  const reservation = {
    ...common,
    STATE_DIR: s.stateDir,
    RESERVATION_FORMAT: 'json',
    PARTITIONS: String(s.partitions),
    HOLD_TIMEOUT_MS: String(s.holdTimeoutMs),
    PUNCTUATION_INTERVAL_MS: String(s.punctuationIntervalMs),
    STRAY_PAYMENT_GRACE_MS: String(s.strayGraceMs),
    COMMANDS_TOPIC: s.topics.commands,
    PAYMENTS_TOPIC: s.topics.payments,
    RESOURCES_TOPIC: s.topics.resources,
    PROMOTIONS_TOPIC: s.topics.promotions,
    EVENTS_TOPIC: s.topics.events,
    NOTIFICATIONS_TOPIC: s.topics.notifications,
    DLQ_TOPIC: s.topics.dlq,
  }
  const engine = {
    ...common,
    STATE_DIR: s.stateDir,
    WORKLOAD: s.workload,
    SOURCE_TOPIC: s.topics.source,
    OTHER_TOPIC: s.topics.other,
    TABLE_TOPIC: s.topics.table,
    SINK_TOPIC: s.topics.sink,
    JOIN_WINDOW_MS: String(s.joinWindowMs),
    WINDOW_SIZE_MS: String(s.windowSizeMs),
    WINDOW_ADVANCE_MS: String(s.windowAdvanceMs),
    GRACE_MS: String(s.graceMs),
  }
  // BENCH_CPU_PROF_DIR: every Node child writes a V8 CPU profile there when it exits;
  // BENCH_NODE_FLAGS: V8/Node flags for every Node child (heap and GC experiments)
  const profile = process.env['BENCH_CPU_PROF_DIR']
  // engine-base and service-base: the code of another checkout, or this one's under other flags or environment
  const isBase = spec.id === 'engine-base' || spec.id === 'service-base'
  // BENCH_BASE_NODE_FLAGS: engine-base's and service-base's own (experiments with flags: the same code on both sides)
  const flagsVariable =
    isBase && process.env['BENCH_BASE_NODE_FLAGS'] !== undefined
      ? 'BENCH_BASE_NODE_FLAGS'
      : 'BENCH_NODE_FLAGS'
  const flags = (process.env[flagsVariable] ?? '').split(/\s+/).filter(Boolean)
  // BENCH_BASE_ENV: NAME=value pairs for engine-base's and service-base's environment only (experiments
  // with what a process reads at start, e.g. glibc's MALLOC_ARENA_MAX: the same code on both sides)
  const baseEnv: Record<string, string> = {}
  for (const pair of isBase ? (process.env['BENCH_BASE_ENV'] ?? '').split(/\s+/) : []) {
    const at = pair.indexOf('=')
    if (at > 0) baseEnv[pair.slice(0, at)] = pair.slice(at + 1)
  }
  // what the deployment sets for the service's process (k8s/base/reservation/config.yaml): glibc's malloc
  // arenas bounded to 2 (bench/README, ninth session); BENCH_BASE_ENV may override it for the base
  const nodeEnv = { MALLOC_ARENA_MAX: '2' }
  const node = (script: string) =>
    [
      process.execPath,
      [
        // the heap bound the JVM gets (-Xmx): without it V8 sizes its heap limit from the machine's memory
        // (4,144 MB here) and collects garbage late (80,000 records: heap 650 MB, 237 MB of it in use);
        // the flags after it can change it
        `--max-old-space-size=${s.javaHeapMb}`,
        ...flags,
        ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
        // a compiled script (.js) runs without tsx, as the image runs dist/
        ...(script.endsWith('.js') ? [] : ['--import', 'tsx']),
        path.resolve(here, script),
      ],
    ] as const
  switch (spec.kind) {
    case 'pipe': {
      const [command, args] = node('run-pipe.ts')
      return new RunningChild(
        name,
        command,
        args,
        {
          ...common,
          ...nodeEnv,
          KAFKA_CLIENT: spec.client ?? 'confluent',
          PIPE_INPUTS: s.pipeInputs.join(','),
          PIPE_OUTPUT: s.topics.pipeOut,
        },
        s.logFile,
      )
    }
    case 'service': {
      // BENCH_SERVICE_SCRIPT: another service entry point (experiments with engine settings);
      // BENCH_BASE_SERVICE (service-base): the run-service.ts of another checkout, side by side in one run
      const base = process.env['BENCH_BASE_SERVICE']
      if (spec.id === 'service-base' && !base)
        throw new Error('service-base needs BENCH_BASE_SERVICE=<path of run-service.ts>')
      const [command, args] = node(
        spec.id === 'service-base' ? base! : (process.env['BENCH_SERVICE_SCRIPT'] ?? 'run-service.ts'),
      )
      return new RunningChild(
        name,
        command,
        args,
        {
          ...reservation,
          ...nodeEnv,
          KAFKA_CLIENT: spec.client ?? 'confluent',
          INSTANCE_ID: s.applicationId,
          HTTP_PORT: '0',
          ...baseEnv,
        },
        s.logFile,
      )
    }
    case 'engine': {
      // BENCH_BASE_ENGINE (engine-base): the run-engine.ts of another checkout, e.g. a worktree at the
      // revision before a change, so that the two are measured side by side in one run
      const base = process.env['BENCH_BASE_ENGINE']
      if (spec.id === 'engine-base' && !base)
        throw new Error('engine-base needs BENCH_BASE_ENGINE=<path of run-engine.ts>')
      const [command, args] = node(spec.id === 'engine-base' ? base! : 'run-engine.ts')
      return new RunningChild(
        name,
        command,
        args,
        { ...engine, ...nodeEnv, KAFKA_CLIENT: spec.client ?? 'confluent', ...baseEnv },
        s.logFile,
      )
    }
    case 'kstreams': {
      const reservationApp = s.workload === 'reservation'
      return new RunningChild(
        name,
        watchdog,
        [
          '20',
          javaCommand(),
          ...jvmFlags(s.javaHeapMb),
          '-cp',
          `${path.join(kstreamsDir, 'target', 'classes')}:${path.join(kstreamsDir, 'target', 'lib', '*')}`,
          reservationApp ? 'bench.kstreams.ReservationStreamsApp' : 'bench.kstreams.EngineWorkloadsApp',
        ],
        reservationApp ? reservation : engine,
        s.logFile,
        true,
      )
    }
  }
}

export function javaCommand(): string {
  return process.env['JAVA_HOME'] ? path.join(process.env['JAVA_HOME'], 'bin', 'java') : 'java'
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs)
  }
  return newest
}

/**
 * Builds bench/kstreams with Maven unless target/ is newer than every source and the pom (cached).
 * Throws with Maven's output when the build fails.
 */
export function ensureKstreamsBuilt(log: (line: string) => void): void {
  const marker = path.join(kstreamsDir, 'target', 'lib', 'kafka-streams-4.1.2.jar')
  const classes = path.join(
    kstreamsDir,
    'target',
    'classes',
    'bench',
    'kstreams',
    'ReservationStreamsApp.class',
  )
  const sources = Math.max(
    newestMtime(path.join(kstreamsDir, 'src')),
    statSync(path.join(kstreamsDir, 'pom.xml')).mtimeMs,
  )
  if (existsSync(marker) && existsSync(classes) && statSync(classes).mtimeMs >= sources) return
  log(
    'building bench/kstreams (mvn -q -B package; the first build downloads kafka-streams from Maven Central)...',
  )
  const started = Date.now()
  const build = spawnSync('mvn', ['-q', '-B', '-ntp', 'package'], { cwd: kstreamsDir, encoding: 'utf8' })
  if (build.error || build.status !== 0) {
    throw new Error(
      `mvn package failed in bench/kstreams: ${build.error?.message ?? ''}\n${(build.stdout + build.stderr).slice(-3000)}`,
    )
  }
  log(`bench/kstreams built in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
