// The systems under test and how each is started: the raw pipe with either client, the Reservation Service
// (this project) with either client, and the Kafka Streams application in bench/kstreams/.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ClientKind } from '../kafka/index.js'
import { RunningChild } from './child-runner.js'
import { internalRepartitionTopics, type RunTopics } from './kafka-bench.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.dirname(here)
const kstreamsDir = path.join(here, 'kstreams')
const watchdog = path.join(repoRoot, 'tools', 'local-kafka', 'jvm-watchdog.sh')

export const systemIds = [
  'pipe-confluent',
  'pipe-kafkajs',
  'service-confluent',
  'service-kafkajs',
  'kstreams',
] as const
export type SystemId = (typeof systemIds)[number]

export interface SystemSpec {
  readonly id: SystemId
  readonly label: string
  readonly kind: 'pipe' | 'service' | 'kstreams'
  readonly client?: ClientKind
  /** Has state (restore is measured) and reads the resources topic. */
  readonly stateful: boolean
}

export const systems: Readonly<Record<SystemId, SystemSpec>> = {
  'pipe-confluent': {
    id: 'pipe-confluent',
    label: 'raw pipe (confluent)',
    kind: 'pipe',
    client: 'confluent',
    stateful: false,
  },
  'pipe-kafkajs': {
    id: 'pipe-kafkajs',
    label: 'raw pipe (kafkajs)',
    kind: 'pipe',
    client: 'kafkajs',
    stateful: false,
  },
  'service-confluent': {
    id: 'service-confluent',
    label: 'reservation service (confluent)',
    kind: 'service',
    client: 'confluent',
    stateful: true,
  },
  'service-kafkajs': {
    id: 'service-kafkajs',
    label: 'reservation service (kafkajs)',
    kind: 'service',
    client: 'kafkajs',
    stateful: true,
  },
  kstreams: { id: 'kstreams', label: 'Kafka Streams 4.1.2 (Java)', kind: 'kstreams', stateful: true },
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
}

/** Topics the system writes and reads back itself (drained too before a backlog counts as processed). */
export function internalTopicsOf(spec: SystemSpec, applicationId: string): string[] {
  return spec.stateful ? internalRepartitionTopics(applicationId) : []
}

/** Input topics of the backlog and the topic the latency probe reads. */
export function outputTopicOf(spec: SystemSpec, topics: RunTopics): string {
  return spec.kind === 'pipe' ? topics.pipeOut : topics.events
}

export function launch(spec: SystemSpec, s: LaunchSettings, name: string): RunningChild {
  const common = {
    KAFKA_BROKERS: s.brokers,
    APPLICATION_ID: s.applicationId,
    PROCESSING_GUARANTEE: s.guarantee,
    COMMIT_INTERVAL_MS: String(s.commitIntervalMs),
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
  // BENCH_CPU_PROF_DIR: every Node child writes a V8 CPU profile there when it exits;
  // BENCH_NODE_FLAGS: V8/Node flags for every Node child (heap and GC experiments)
  const profile = process.env['BENCH_CPU_PROF_DIR']
  const flags = (process.env['BENCH_NODE_FLAGS'] ?? '').split(/\s+/).filter(Boolean)
  const node = (script: string) =>
    [
      process.execPath,
      [
        ...flags,
        ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
        '--import',
        'tsx',
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
          KAFKA_CLIENT: spec.client ?? 'confluent',
          PIPE_INPUTS: [s.topics.commands, s.topics.payments].join(','),
          PIPE_OUTPUT: s.topics.pipeOut,
        },
        s.logFile,
      )
    }
    case 'service': {
      // BENCH_SERVICE_SCRIPT: another service entry point (experiments with engine settings)
      const [command, args] = node(process.env['BENCH_SERVICE_SCRIPT'] ?? 'run-service.ts')
      return new RunningChild(
        name,
        command,
        args,
        {
          ...reservation,
          KAFKA_CLIENT: spec.client ?? 'confluent',
          INSTANCE_ID: s.applicationId,
          HTTP_PORT: '0',
        },
        s.logFile,
      )
    }
    case 'kstreams':
      return new RunningChild(
        name,
        watchdog,
        [
          '20',
          javaCommand(),
          `-Xmx${s.javaHeapMb}m`,
          '-cp',
          `${path.join(kstreamsDir, 'target', 'classes')}:${path.join(kstreamsDir, 'target', 'lib', '*')}`,
          'bench.kstreams.ReservationStreamsApp',
        ],
        reservation,
        s.logFile,
        true,
      )
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
