// The kafkajs adapter's group consumer (kafkajs-client.ts makes it).
import type { Consumer as KjsConsumer, Kafka as KjsKafka } from 'kafkajs'
import type { StreamsError } from '../errors/index.js'
import { translateClientError } from './kafka-error.js'
import { isCoordinatorNotFound, type CoordinatorProbe } from './kafkajs-coordinator-probe.js'
import { fromHeaders, toStringOffsets, translate } from './kafkajs-style.js'
import { KafkajsRestartWindow } from './kafkajs-restart-window.js'
import { TopicPartitionMap } from './topic-partition-map.js'
import { rangeAssigner } from './kafkajs-range-assigner.js'
import { taskAssigner } from './kafkajs-task-assigner.js'
import type {
  ConsumedRecord,
  ConsumerHandlers,
  ConsumerOptions,
  KafkaConsumer,
  TopicPartition,
  TopicPartitionOffset,
} from './kafka-port.js'

export class KafkajsConsumer implements KafkaConsumer {
  private readonly consumer: KjsConsumer
  private assigned = new TopicPartitionMap<TopicPartition>()
  private rebalances: Promise<void> = Promise.resolve()
  /** Set when `disconnect()` starts: a seek then has nothing to position. */
  private leaving = false
  private handlers: ConsumerHandlers | undefined
  /** Lag per partition after its last fetched batch (see `currentLag`). */
  private readonly lags = new TopicPartitionMap<number>()
  /** Partitions sought and not delivered since: batches fetched before the seek say nothing of the lag. */
  private readonly sought = new TopicPartitionMap<true>()
  /** Seeks and pauses across kafkajs's restarts of the consumer after a crash. */
  private readonly controls: KafkajsRestartWindow
  /** `onFatal` was called (at most once). */
  private fatalReported = false

  constructor(
    kafka: KjsKafka,
    private readonly options: ConsumerOptions,
    private readonly probe: CoordinatorProbe,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: options.isolation === 'read_uncommitted',
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      retry: { retries: 10 },
      // co-partitioned topics' partition p on one member (round-robin, kafkajs' default, splits them); the
      // engine's assignment by task first, when it gives one (range while a member does not offer it)
      partitionAssigners: options.taskAssignor
        ? [taskAssigner(options.taskAssignor), rangeAssigner]
        : [rangeAssigner],
    })
    this.controls = new KafkajsRestartWindow(this.consumer, () => this.leaving)
    this.consumer.on(this.consumer.events.STOP, () => this.controls.stopped())
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) void this.crashed(payload.error)
    })
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const next = new TopicPartitionMap<TopicPartition>()
      for (const [topic, partitions] of Object.entries(event.payload.memberAssignment)) {
        for (const partition of partitions) next.set({ topic, partition }, { topic, partition })
      }
      this.controls.joined(next)
      const revoked = [...this.assigned.keys()].filter((tp) => !next.has(tp))
      const added = [...next.keys()].filter((tp) => !this.assigned.has(tp))
      for (const tp of [...revoked, ...added]) {
        this.lags.delete(tp)
        this.sought.delete(tp)
      }
      this.assigned = next
      this.rebalances = this.rebalances.then(async () => {
        if (revoked.length > 0) await this.handlers?.onRevoked?.(revoked)
        // after every rebalance, as Java's consumer calls onPartitionsAssigned (also with none): a member
        // that lost partitions, or kept them all (a sticky assignment), learns that a rebalance happened
        // and is over — Kafka Streams passes through REBALANCING on every one
        await this.handlers?.onAssigned?.(added)
      })
    })
    // every fetched batch that was not empty, also one whose records were all control records or aborted
    // (those never reach eachBatch): its lag counts them as consumed
    this.consumer.on(this.consumer.events.START_BATCH_PROCESS, ({ payload }) => {
      const tp = { topic: payload.topic, partition: payload.partition }
      const lag = Number(payload.offsetLag)
      if (!this.sought.has(tp) && Number.isFinite(lag)) this.lags.set(tp, Math.max(0, lag))
    })
  }

  /**
   * kafkajs crashed and will not restart the consumer. "Failed to find group coordinator" is such a crash,
   * both while every broker is down (run again: kafkajs-restart-window.ts) and when the broker refuses the
   * group to this principal (its ACL missing), which kafkajs does not tell apart (kafkajs-coordinator-probe.ts):
   * asked once per such crash. A refusal, or another crash retrying cannot fix, leaves the consumer stopped
   * for good, and the caller hears of it.
   */
  private async crashed(error: Error): Promise<void> {
    const during = `consumer of group ${this.options.groupId}`
    const refused =
      !this.leaving && isCoordinatorNotFound(error)
        ? await this.probe('group', this.options.groupId)
        : undefined
    let fatal: StreamsError | undefined
    if (refused === undefined) fatal = this.controls.notRestarted(error, `${during} crashed`)
    else if (!this.leaving) fatal = translateClientError(refused, `${during}: find its coordinator`)
    if (fatal && !this.fatalReported) {
      this.fatalReported = true
      this.handlers?.onFatal?.(fatal)
    }
  }

  get groupId(): string {
    return this.options.groupId
  }

  connect = () => translate('consumer connect', () => this.consumer.connect())

  async subscribe(topics: readonly string[]): Promise<void> {
    await translate('subscribe', () =>
      this.consumer.subscribe({
        topics: [...topics],
        fromBeginning: (this.options.autoOffsetReset ?? 'earliest') === 'earliest',
      }),
    )
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    this.handlers = handlers
    await translate('consumer run', () =>
      this.consumer.run(
        this.controls.running({
          autoCommit: false,
          eachBatchAutoResolve: true,
          partitionsConsumedConcurrently: 1,
          eachBatch: async (payload) => {
            const { batch } = payload
            await this.rebalances
            // a batch of a partition taken away in the rebalance it waited for is not ours any more
            const isStale = () => !payload.isRunning() || payload.isStale() || !this.assigned.has(batch)
            if (isStale()) return
            this.sought.delete(batch)
            this.lags.set(batch, Math.max(0, Number(batch.offsetLag())))
            const max = this.options.maxBatchSize ?? Number.POSITIVE_INFINITY
            const records: ConsumedRecord[] = batch.messages.map((m) => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: Number(m.offset),
              key: m.key,
              value: m.value,
              headers: fromHeaders(m.headers),
              timestamp: Number(m.timestamp),
            }))
            for (let i = 0; i < records.length; i += Number.isFinite(max) ? max : records.length) {
              if (isStale()) return
              await handlers.eachBatch({
                topic: batch.topic,
                partition: batch.partition,
                records: records.slice(i, i + max),
                isStale,
              })
            }
          },
        }),
      ),
    )
  }

  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return
    await translate('commit offsets', () => this.consumer.commitOffsets(toStringOffsets(offsets)))
  }

  seek(position: TopicPartitionOffset): void {
    if (this.leaving) return
    this.lags.delete(position)
    this.sought.set(position, true)
    this.controls.seek(position)
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.controls.pause(partitions)
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.controls.resume(partitions)
  }

  /** As of the last batch kafkajs fetched with records in it: high watermark minus the offset after it. */
  currentLag(tp: TopicPartition): number | undefined {
    return this.lags.get(tp)
  }

  assignment(): TopicPartition[] {
    return [...this.assigned.values()]
  }

  async disconnect(): Promise<void> {
    this.leaving = true
    await translate('consumer disconnect', () => this.consumer.disconnect())
  }
}
