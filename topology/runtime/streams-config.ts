// Configuration of a KafkaStreams instance, with Kafka Streams' defaults where they exist.
import { createHash } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import type { KafkaClient } from '../../kafka/index.js'
import { defaultStoreCacheMaxBytes } from '../../state/index.js'
import { logTo, rootLogger, type LogFields } from '../../logging/logger.js'
import { StreamsError } from '../errors.js'
import type { FailureHandling, FailureStage } from './record-sink.js'
import { noopStreamsMetrics, type StreamsMetrics } from './streams-metrics.js'

export const processingGuarantees = ['exactly_once', 'at_least_once'] as const
export type ProcessingGuarantee = (typeof processingGuarantees)[number]

export interface StreamsConfig {
  readonly applicationId: string
  readonly client: KafkaClient
  /** Root of local state; a task's stores live in `<stateDir>/<applicationId>/<taskId>/`. */
  readonly stateDir: string
  readonly processingGuarantee?: ProcessingGuarantee
  /** Default 100 ms under exactly-once and 30 s under at-least-once, as in Kafka Streams. */
  readonly commitIntervalMs?: number
  /**
   * Stable identity of this instance: the suffix of its transactional id, so a restarted instance fences
   * its previous incarnation at once. Default: derived from the host name and the state directory.
   */
  readonly instanceId?: string
  readonly deadLetterTopic?: string
  readonly handling?: Partial<Record<FailureStage, FailureHandling>>
  /** Replication factor of internal topics (default: the broker's). */
  readonly replicationFactor?: number
  /** Records per produce call (default 2000). */
  readonly producerBatchSize?: number
  /** Session timeout of the consumer group member, ms (default 10 s). */
  readonly sessionTimeoutMs?: number
  /** Transaction timeout (default 10 s, as Kafka Streams under exactly-once). */
  readonly transactionTimeoutMs?: number
  /**
   * How long the broker calls of a restore or a recovery are retried while they fail with retriable errors
   * (a broker down, leadership or a coordinator moving) before the instance stops, ms (default 5 min, as
   * Kafka Streams' task.timeout.ms).
   */
  readonly taskTimeoutMs?: number
  readonly metrics?: StreamsMetrics
  /** Window and session changelogs keep records this much longer than their store's retention (default 1 day). */
  readonly windowStoreChangelogAdditionalRetentionMs?: number
  /** Where this instance answers interactive queries (announced to the other instances), e.g. http://host:8080. */
  readonly advertisedUrl?: string
  /**
   * Kafka Streams' max.task.idle.ms: how long a task with records buffered for some input partitions
   * waits for an empty one that is caught up (lag 0), so that its records are chosen in timestamp order
   * (default 0: wait only while records are known to be on their way; -1: never wait).
   */
  readonly maxTaskIdleMs?: number
  /** Records buffered per input partition before its consumption pauses (default 1000, as Kafka Streams). */
  readonly bufferedRecordsPerPartition?: number
  /**
   * Kafka Streams' num.standby.replicas: how many other instances keep a warm copy of each task's
   * persistent state (standby-tasks.ts), default 0.
   */
  readonly numStandbyReplicas?: number
  /**
   * Kafka Streams' statestore.cache.max.bytes: the bytes this instance's record cache may hold, over the
   * stores of its DSL tables and aggregations (key-value stores; windowed ones forward every update).
   * Updates of a key are deduplicated in the cache and forwarded downstream — and written to the store and
   * its changelog — on every commit and when the cache evicts the key (least recently used, over this
   * size). Default 0: every update is forwarded as it is made (Kafka Streams' default is 10 MiB). A store
   * with `cacheMaxEntries: 0` never caches records.
   */
  readonly cacheMaxBytes?: number
  /**
   * The bytes this instance's key-value stores may hold together in their caches of deserialized values
   * (outside record-caching mode; each store also holds at most its `cacheMaxEntries`), counted as Kafka
   * Streams counts its cache: each entry's serialized key and value and 64 bytes. A store that takes an entry
   * while they hold more evicts its own least recently used entries, written down first. The heap those
   * entries take is about twice what is counted (deserialized values, the map). Default 16 MiB (faster than
   * 64 on the reservation benchmark: less for V8's collector to mark); 0 keeps no entry past the store's
   * next read or write.
   */
  readonly storeCacheMaxBytes?: number
  /**
   * Static membership (Kafka Streams' group.instance.id, KIP-345): an instance restarted with the same id
   * within `sessionTimeoutMs` takes its tasks back without a rebalance, and a stop does not rebalance
   * either (its partitions wait for it for the session timeout). Unique per instance; '' (default) for
   * dynamic membership. The confluent client only: kafkajs has no static membership.
   */
  readonly groupInstanceId?: string
  /** How often consumer lag and store sizes are refreshed, ms (default 5000). */
  readonly metricsRefreshMs?: number
  /** Where the engine's lines go, with fields such as `task` and `partition`; the process's logger by default. */
  readonly log?: StreamsLog
  /**
   * The error the instance reports for one that stops it (the ERROR state's `error`, the rejection of
   * `start()`, the "stopping on error" line): an application may add what its operator should do, e.g. the
   * command that prints the ACLs it needs. The error itself by default.
   */
  readonly describeFailure?: (error: Error) => Error
}

/** One line of the engine's log: a level, a message, and fields a log pipeline can filter on. */
export type StreamsLog = (level: 'info' | 'warn' | 'error', message: string, fields?: LogFields) => void

export type ResolvedConfig = Required<Omit<StreamsConfig, 'deadLetterTopic' | 'handling'>> & {
  readonly deadLetterTopic: string | undefined
  readonly handling: Readonly<Record<FailureStage, FailureHandling>>
}

export function resolveConfig(config: StreamsConfig): ResolvedConfig {
  if (!/^[A-Za-z0-9._-]+$/.test(config.applicationId)) {
    throw new StreamsError(
      'CONFIG_INVALID',
      `applicationId '${config.applicationId}' may only contain letters, digits, '.', '_' and '-'`,
    )
  }
  const guarantee = config.processingGuarantee ?? 'exactly_once'
  if (!(processingGuarantees as readonly string[]).includes(guarantee)) {
    throw new StreamsError(
      'CONFIG_INVALID',
      `processingGuarantee must be one of ${processingGuarantees.join(', ')}, got '${guarantee}'`,
    )
  }
  if (config.maxTaskIdleMs !== undefined && !(config.maxTaskIdleMs >= -1)) {
    throw new StreamsError('CONFIG_INVALID', `maxTaskIdleMs must be -1 or more, got ${config.maxTaskIdleMs}`)
  }
  if (config.bufferedRecordsPerPartition !== undefined && !(config.bufferedRecordsPerPartition >= 1)) {
    throw new StreamsError(
      'CONFIG_INVALID',
      `bufferedRecordsPerPartition must be 1 or more, got ${config.bufferedRecordsPerPartition}`,
    )
  }
  if (
    config.numStandbyReplicas !== undefined &&
    !(Number.isInteger(config.numStandbyReplicas) && config.numStandbyReplicas >= 0)
  ) {
    throw new StreamsError(
      'CONFIG_INVALID',
      `numStandbyReplicas must be a whole number, 0 or more, got ${config.numStandbyReplicas}`,
    )
  }
  for (const name of ['cacheMaxBytes', 'storeCacheMaxBytes'] as const) {
    const bytes = config[name]
    if (bytes !== undefined && !(Number.isSafeInteger(bytes) && bytes >= 0))
      throw new StreamsError('CONFIG_INVALID', `${name} must be an integer >= 0, got ${bytes}`)
  }
  const deadLetter: FailureHandling = config.deadLetterTopic ? 'dead-letter' : 'fail'
  return {
    applicationId: config.applicationId,
    client: config.client,
    stateDir: path.resolve(config.stateDir),
    processingGuarantee: guarantee,
    commitIntervalMs: config.commitIntervalMs ?? (guarantee === 'exactly_once' ? 100 : 30_000),
    instanceId:
      config.instanceId ??
      createHash('sha256')
        .update(`${os.hostname()}:${path.resolve(config.stateDir)}`)
        .digest('hex')
        .slice(0, 12),
    deadLetterTopic: config.deadLetterTopic,
    handling: { deserialization: deadLetter, processing: 'fail', production: 'fail', ...config.handling },
    replicationFactor: config.replicationFactor ?? -1,
    producerBatchSize: config.producerBatchSize ?? 2000,
    sessionTimeoutMs: config.sessionTimeoutMs ?? 10_000,
    transactionTimeoutMs: config.transactionTimeoutMs ?? 10_000,
    taskTimeoutMs: config.taskTimeoutMs ?? 300_000,
    metrics: config.metrics ?? noopStreamsMetrics,
    windowStoreChangelogAdditionalRetentionMs: config.windowStoreChangelogAdditionalRetentionMs ?? 86_400_000,
    advertisedUrl: config.advertisedUrl ?? '',
    metricsRefreshMs: config.metricsRefreshMs ?? 5000,
    maxTaskIdleMs: config.maxTaskIdleMs ?? 0,
    bufferedRecordsPerPartition: config.bufferedRecordsPerPartition ?? 1000,
    numStandbyReplicas: config.numStandbyReplicas ?? 0,
    groupInstanceId: config.groupInstanceId ?? '',
    cacheMaxBytes: config.cacheMaxBytes ?? 0,
    storeCacheMaxBytes: config.storeCacheMaxBytes ?? defaultStoreCacheMaxBytes,
    log: config.log ?? logTo(rootLogger().child({ component: 'streams' })),
    describeFailure: config.describeFailure ?? ((error) => error),
  }
}
