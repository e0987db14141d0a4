// Adapter: the Kafka port on @confluentinc/kafka-javascript (librdkafka): consumer and admin through its
// KafkaJS-style API, the producer on librdkafka's own API (confluent-producer.ts).
// Revocation runs before partitions move (an awaited rebalance_cb), cooperative-sticky rebalancing is
// available, and transactional offset commits carry the consumer's group metadata (KIP-447 fencing).
import { clientLog } from './client-logs.js'
import { watchConsumeErrors } from './confluent-consume-errors.js'
import { ConfluentPartitionReader } from './confluent-partition-reader.js'
import { ConfluentWatermarks } from './confluent-watermarks.js'
import { ConfluentProducer, type NativeConsumerSource } from './confluent-producer.js'
import { settleConfluentProducers } from './deferred-destroys.js'
import { librdkafkaSecurityProperties } from './kafka-security.js'
import { librdkafkaCodeName } from './librdkafka-code-name.js'
import { nativeClient, type NativeClientModule } from './native-client.js'
import {
  fromHeaders,
  KafkajsStyleAdmin,
  toStringOffsets,
  translate,
  type KafkajsStyleAdminApi,
} from './kafkajs-style.js'
import { RenewingAdmin } from './renewing-admin.js'
import { TopicPartitionMap } from './topic-partition-map.js'
import type {
  ConsumedRecord,
  ConsumerHandlers,
  ConsumerOptions,
  KafkaClient,
  KafkaClientConfig,
  KafkaConsumer,
  TopicPartition,
  TopicPartitionOffset,
} from './kafka-port.js'

type CkjsKafka = InstanceType<NativeClientModule['KafkaJS']['Kafka']>
type NativeKafkaConsumer = InstanceType<NativeClientModule['KafkaConsumer']>
type CkjsConsumer = ReturnType<CkjsKafka['consumer']>

/** Throws CLIENT_UNAVAILABLE when the native client is not installed (native-client.ts). */
export function createConfluentClient(config: KafkaClientConfig): KafkaClient {
  const { KafkaJS } = nativeClient()
  const levels = {
    error: KafkaJS.logLevel.ERROR,
    warn: KafkaJS.logLevel.WARN,
    info: KafkaJS.logLevel.INFO,
    debug: KafkaJS.logLevel.DEBUG,
  }
  const security = librdkafkaSecurityProperties(config.security)
  const log = clientLog(config, 'confluent')
  const kafka = new KafkaJS.Kafka({
    ...security,
    kafkaJS: {
      brokers: [...config.brokers],
      clientId: config.clientId,
      logLevel: levels[config.logLevel ?? 'error'],
      logger: log.confluentLogger(),
    },
  })
  return {
    kind: 'confluent',
    admin: () =>
      new RenewingAdmin(() => {
        const admin = kafka.admin()
        // offsets through a consumer, never librdkafka's admin ListOffsets (confluent-watermarks.ts);
        // read_uncommitted: the high watermarks the port promises
        const watermarks = ConfluentWatermarks.ownConsumer(
          config.brokers,
          config.clientId,
          'read_uncommitted',
          security,
        )
        // committed offsets through a consumer of the group, never the admin's ListConsumerGroupOffsets
        // (confluent-watermarks.ts); read_committed: stable offsets only, as requireStableOffsets
        const groups = new Map<string, ConfluentWatermarks>()
        const ofGroup = (groupId: string) => {
          let group = groups.get(groupId)
          if (!group)
            groups.set(
              groupId,
              (group = new ConfluentWatermarks({
                properties: {
                  ...security,
                  'bootstrap.servers': config.brokers.join(','),
                  'client.id': config.clientId,
                  // never subscribes: it only asks the group's coordinator for the group's offsets
                  'group.id': groupId,
                  'enable.auto.commit': false,
                  'isolation.level': 'read_committed',
                },
              })),
            )
          return group
        }
        const api: KafkajsStyleAdminApi = {
          connect: async () => {
            watermarks.open()
            await admin.connect()
          },
          disconnect: async () => {
            try {
              await admin.disconnect()
            } finally {
              await watermarks.close()
              for (const group of groups.values()) await group.close()
              groups.clear()
            }
          },
          listTopics: () => admin.listTopics(),
          createTopics: (options) => admin.createTopics(options),
          deleteTopics: (options) => admin.deleteTopics(options),
          fetchTopicOffsets: async (topic) =>
            (await watermarks.topic(topic)).map((p) => ({
              partition: p.partition,
              high: String(p.high),
              low: String(p.low),
            })),
        }
        return new KafkajsStyleAdmin(api, {
          describe: (topics) => admin.fetchTopicMetadata({ topics }),
          fetchOffsets: async (groupId, topic) => [
            {
              topic,
              partitions: (await ofGroup(groupId).committed(topic)).map((p) => ({
                partition: p.partition,
                offset: String(p.offset),
              })),
            },
          ],
          codeName: librdkafkaCodeName,
        })
      }),
    producer: (options = {}) =>
      new ConfluentProducer(config.brokers, config.clientId, options, security, log),
    consumer: (options) => new ConfluentConsumer(kafka, options),
    reader: (options = {}) =>
      new ConfluentPartitionReader(config.brokers, config.clientId, options, security, log),
    settleProducers: settleConfluentProducers,
  }
}

/**
 * How long librdkafka's position may stay ahead of what was delivered before the difference counts as
 * control records rather than messages on their way to `eachBatch` (see `currentLag`).
 */
const gapGraceMs = 200

/**
 * The consumer's fetch ahead, in milliseconds of consumption at the rate the KafkaJS-style layer measured
 * (`js.consumer.max.cache.size.per.worker.ms`): each fetch hands the main thread at most that much work.
 * Its default, 1,500 ms, let one fetch after a pause take a whole 200,000-record backlog and turn it into
 * JavaScript objects in one go on the main thread: a second with no processing and no commit.
 */
const fetchAheadMs = 20

/** How often librdkafka reports the last stable offsets (its statistics have a 1 s granularity). */
const stableOffsetsIntervalMs = 1000

/** The part of librdkafka's statistics JSON (STATISTICS.md) that `currentLag` reads. */
interface LibrdkafkaStatistics {
  readonly topics?: Record<string, { readonly partitions?: Record<string, { readonly ls_offset: number }> }>
}

interface PartitionView {
  /** Offset after the last record delivered since the last assignment or seek. */
  readonly delivered?: number
  /** librdkafka's position when a seek was asked for: until it changes, the seek has not run. */
  readonly soughtAt?: number | 'none'
  /** The position ahead of `delivered`, and since when it is. */
  readonly gap?: { readonly position: number; readonly since: number }
}

interface RebalanceAssignment {
  topic: string
  partition: number
}

class ConfluentConsumer implements KafkaConsumer, NativeConsumerSource {
  readonly native: CkjsConsumer
  private handlers: ConsumerHandlers | undefined
  private readonly owned = new TopicPartitionMap<TopicPartition>()
  /** What `currentLag` needs to know of each partition, beyond librdkafka's own bookkeeping. */
  private readonly views = new TopicPartitionMap<PartitionView>()
  /** Last stable offset per partition as of librdkafka's last statistics (read_committed only). */
  private readonly stableOffsets = new TopicPartitionMap<number>()
  private readonly readCommitted: boolean
  /** Set when `disconnect()` starts: the consumer is leaving the group (see `onRebalance`). */
  private leaving = false
  constructor(
    kafka: CkjsKafka,
    private readonly options: ConsumerOptions,
  ) {
    const { KafkaJS } = nativeClient()
    this.readCommitted = options.isolation !== 'read_uncommitted'
    const cooperative = (options.rebalance ?? 'cooperative') === 'cooperative'
    this.native = kafka.consumer({
      kafkaJS: {
        groupId: options.groupId,
        fromBeginning: (options.autoOffsetReset ?? 'earliest') === 'earliest',
        autoCommit: false,
        sessionTimeout: options.sessionTimeoutMs ?? 10_000,
        heartbeatInterval: 1000,
        maxWaitTimeInMs: 100,
        allowAutoTopicCreation: false,
        readUncommitted: options.isolation === 'read_uncommitted',
        // eager: range keeps partition p of co-partitioned topics on one member (round-robin splits them)
        partitionAssigners: [
          cooperative ? KafkaJS.PartitionAssigners.cooperativeSticky : KafkaJS.PartitionAssigners.range,
        ],
      },
      'js.consumer.max.batch.size': options.maxBatchSize ?? 1000,
      'js.consumer.max.cache.size.per.worker.ms': fetchAheadMs,
      ...(options.groupInstanceId ? { 'group.instance.id': options.groupInstanceId } : {}),
      // read_committed: the last stable offsets come only with librdkafka's statistics (see `currentLag`)
      ...(this.readCommitted
        ? {
            'statistics.interval.ms': stableOffsetsIntervalMs,
            stats_cb: (event: { message: string }) => this.onStatistics(event.message),
          }
        : {}),
      rebalance_cb: (error: { code: number }, assignment: RebalanceAssignment[]) =>
        this.onRebalance(error, assignment),
    })
  }

  /** librdkafka's statistics (JSON): each fetched partition's last stable offset (`ls_offset`). */
  private onStatistics(json: string): void {
    let stats: LibrdkafkaStatistics
    try {
      stats = JSON.parse(json) as LibrdkafkaStatistics
    } catch {
      return
    }
    for (const [topic, { partitions }] of Object.entries(stats.topics ?? {})) {
      for (const [id, { ls_offset }] of Object.entries(partitions ?? {})) {
        const partition = Number(id)
        if (partition >= 0 && ls_offset >= 0) this.stableOffsets.set({ topic, partition }, ls_offset)
      }
    }
  }

  /** Awaited by the client before it applies the new assignment: revoked partitions are still ours here. */
  private async onRebalance(error: { code: number }, assignment: RebalanceAssignment[]): Promise<void> {
    const partitions = assignment.map((a) => ({ topic: a.topic, partition: a.partition }))
    for (const tp of partitions) {
      this.views.delete(tp)
      this.stableOffsets.delete(tp)
    }
    if (error.code === nativeClient().KafkaJS.ErrorCodes.ERR__ASSIGN_PARTITIONS) {
      for (const tp of partitions) this.owned.set(tp, tp)
      await this.handlers?.onAssigned?.(partitions)
    } else {
      for (const tp of partitions) this.owned.delete(tp)
      // leaving the group revokes everything; the caller committed before it disconnected (as Kafka
      // Streams' shutdown does), and the KafkaJS-style consumer, already DISCONNECTING, would refuse the
      // commit and then the seeks of the recovery that follows ("Seek can only be called while connected")
      if (!this.leaving) await this.handlers?.onRevoked?.(partitions)
    }
  }

  /** The librdkafka consumer under the KafkaJS-style one (transactional offsets need its group metadata). */
  nativeConsumer(): NativeKafkaConsumer {
    return (this.native as unknown as { _getInternalClient(): NativeKafkaConsumer })._getInternalClient()
  }

  connect = () => translate('consumer connect', () => this.native.connect(), librdkafkaCodeName)

  async subscribe(topics: readonly string[]): Promise<void> {
    await translate('subscribe', () => this.native.subscribe({ topics: [...topics] }), librdkafkaCodeName)
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    this.handlers = handlers
    if (handlers.onFatal) {
      const onFatal = handlers.onFatal.bind(handlers)
      watchConsumeErrors(this.nativeConsumer(), this.options.groupId, () => this.leaving, onFatal)
    }
    await translate(
      'consumer run',
      () =>
        this.native.run({
          eachBatchAutoResolve: true,
          partitionsConsumedConcurrently: 1,
          eachBatch: async (payload) => {
            const { batch } = payload
            const records: ConsumedRecord[] = batch.messages.map((m) => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: Number(m.offset),
              key: m.key ?? null,
              value: m.value ?? null,
              headers: fromHeaders(m.headers),
              timestamp: Number(m.timestamp),
            }))
            const last = records.at(-1)
            if (last && !payload.isStale()) this.views.set(batch, { delivered: last.offset + 1 })
            await handlers.eachBatch({
              topic: batch.topic,
              partition: batch.partition,
              records,
              isStale: () => payload.isStale(),
            })
          },
        }),
      librdkafkaCodeName,
    )
  }

  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return
    await translate(
      'commit offsets',
      () => this.native.commitOffsets(toStringOffsets(offsets)),
      librdkafkaCodeName,
    )
  }

  seek(position: TopicPartitionOffset): void {
    if (this.leaving) return
    this.views.set(position, {
      soughtAt: this.position(position) ?? 'none',
    })
    this.native.seek({
      topic: position.topic,
      partition: position.partition,
      offset: String(position.offset),
    })
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.native.pause(partitions.map((p) => ({ topic: p.topic, partitions: [p.partition] })))
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.native.resume(partitions.map((p) => ({ topic: p.topic, partitions: [p.partition] })))
  }

  /**
   * From librdkafka's bookkeeping, no broker call: the high watermark of the partition's last fetch minus
   * the position after the last record delivered to `eachBatch`. librdkafka's own position runs ahead of
   * that by messages the KafkaJS-style layer holds or has in transit (delivered within moments) and by
   * control records (never delivered): a position ahead is trusted once it stayed so for `gapGraceMs`.
   * Under read_committed the end is the last stable offset, as Java's consumer counts it: records of a
   * transaction still open are not on their way yet, and counted as lag they would keep a task waiting
   * for as long as producers keep a transaction open there (always, for a repartition topic written under
   * exactly-once). librdkafka reports that offset only in its statistics, every `stableOffsetsIntervalMs`:
   * until the first, the high watermark stands in; between two, the lag may be short by what was
   * committed since.
   */
  currentLag(tp: TopicPartition): number | undefined {
    let marks: { highOffset: number; lowOffset: number }
    try {
      marks = this.nativeConsumer().getWatermarkOffsets(tp.topic, tp.partition)
    } catch {
      return undefined
    }
    const stable = this.readCommitted ? this.stableOffsets.get(tp) : undefined
    const high = stable === undefined ? marks.highOffset : Math.min(marks.highOffset, stable)
    if (!(high >= 0)) return undefined
    const view = this.views.get(tp) ?? {}
    const position = this.position(tp)
    // a seek not run yet: the position is still the old one
    if (view.soughtAt !== undefined && (position ?? 'none') === view.soughtAt) return undefined
    const delivered = view.delivered
    if (position === undefined || (delivered !== undefined && position <= delivered)) {
      if (delivered !== undefined) return Math.max(0, high - delivered)
      return high === marks.lowOffset ? 0 : undefined
    }
    const now = Date.now()
    if (view.gap?.position !== position) this.views.set(tp, { ...view, gap: { position, since: now } })
    const since = view.gap?.position === position ? view.gap.since : now
    if (now - since >= gapGraceMs) return Math.max(0, high - position)
    return delivered === undefined ? undefined : Math.max(0, high - delivered)
  }

  /** librdkafka's position of a partition (the offset after the last message consumed), if it has one. */
  private position(tp: TopicPartition): number | undefined {
    try {
      const [found] = this.nativeConsumer().position([{ topic: tp.topic, partition: tp.partition }])
      const offset = Number(found?.offset)
      return offset >= 0 ? offset : undefined
    } catch {
      return undefined
    }
  }

  assignment(): TopicPartition[] {
    return [...this.owned.values()]
  }

  async disconnect(): Promise<void> {
    this.leaving = true
    await translate('consumer disconnect', () => this.native.disconnect(), librdkafkaCodeName)
  }
}
