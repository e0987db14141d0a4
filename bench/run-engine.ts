// Child process of the benchmark: one engine workload (engine-topologies.ts) on our engine, with the
// engine's Prometheus metrics on as a deployment would have them. Configured by environment: KAFKA_BROKERS,
// KAFKA_CLIENT, APPLICATION_ID, STATE_DIR, PROCESSING_GUARANTEE, COMMIT_INTERVAL_MS, WORKLOAD, SOURCE_TOPIC,
// OTHER_TOPIC, TABLE_TOPIC, SINK_TOPIC, JOIN_WINDOW_MS, WINDOW_SIZE_MS, WINDOW_ADVANCE_MS, GRACE_MS; for
// several instances of one application (the failover benchmark) INSTANCE_ID (default APPLICATION_ID),
// NUM_STANDBY_REPLICAS (default 0) and GROUP_INSTANCE_ID (static membership; default none);
// CACHE_MAX_BYTES (the record cache; default 10 MiB, Kafka Streams' default — the engine's own is 0).
// Reports as run-service.ts does.
import { collectDefaultMetrics, Registry } from 'prom-client'
import { clientKindFromEnv, createKafkaClient } from '../kafka/index.js'
import { KafkaStreams, processingGuarantees, type ProcessingGuarantee } from '../topology/index.js'
import { PrometheusStreamsMetrics } from '../topology/runtime/prometheus-metrics.js'
import { profileAllocations } from './alloc-profile.js'
import { exitWithParent, onTermination } from './child-protocol.js'
import { answerMetricsSignal, stateReporter } from './child-streams.js'
import { traceDrain } from './drain-trace.js'
import { engineTopology } from './engine-topologies.js'
import { engineWorkloadIds, type EngineWorkloadId } from './keyed-workload.js'

exitWithParent()
profileAllocations()
const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback
  if (value === undefined || value === '') throw new Error(`${name} must be set`)
  return value
}
const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback?: T): T => {
  const value = env(name, fallback)
  if (!(allowed as readonly string[]).includes(value))
    throw new Error(`${name}=${value}; expected one of ${allowed.join(', ')}`)
  return value as T
}

const applicationId = env('APPLICATION_ID')
const workload: EngineWorkloadId = oneOf('WORKLOAD', engineWorkloadIds)
const guarantee: ProcessingGuarantee = oneOf('PROCESSING_GUARANTEE', processingGuarantees, 'exactly_once')
const topology = engineTopology(
  workload,
  {
    source: env('SOURCE_TOPIC'),
    other: env('OTHER_TOPIC'),
    table: env('TABLE_TOPIC'),
    sink: env('SINK_TOPIC'),
  },
  {
    joinDifferenceMs: Number(env('JOIN_WINDOW_MS')),
    windowSizeMs: Number(env('WINDOW_SIZE_MS')),
    windowAdvanceMs: Number(env('WINDOW_ADVANCE_MS')),
    graceMs: Number(env('GRACE_MS')),
  },
)
const registry = new Registry()
collectDefaultMetrics({ register: registry })
let lastError = 'the engine went to ERROR'
const streams = new KafkaStreams(topology, {
  applicationId,
  client: createKafkaClient({
    kind: clientKindFromEnv(),
    brokers: env('KAFKA_BROKERS').split(','),
    clientId: `${applicationId}-engine`,
  }),
  stateDir: env('STATE_DIR'),
  processingGuarantee: guarantee,
  commitIntervalMs: Number(env('COMMIT_INTERVAL_MS')),
  instanceId: process.env['INSTANCE_ID'] || applicationId,
  numStandbyReplicas: Number(process.env['NUM_STANDBY_REPLICAS'] ?? '0'),
  cacheMaxBytes: Number(process.env['CACHE_MAX_BYTES'] ?? String(10 * 1024 * 1024)),
  ...(process.env['GROUP_INSTANCE_ID'] ? { groupInstanceId: process.env['GROUP_INSTANCE_ID'] } : {}),
  metrics: traceDrain(new PrometheusStreamsMetrics(registry)),
  log: (level, message) => {
    if (level === 'error') lastError = message
    if (level !== 'info') process.stderr.write(`[${level}] ${message}\n`)
  },
})
streams.onStateChange(
  stateReporter(
    async () => streams.restores,
    () => streams.error?.message ?? lastError,
  ),
)
onTermination(() => streams.close())
answerMetricsSignal(registry)
await streams.start()
