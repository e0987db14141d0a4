// KafkaConsumer (a group member) on librdkafka's own consumer API (the node-rdkafka API of
// @confluentinc/kafka-javascript), not its KafkaJS-style layer: that layer copies every message into a
// second object with string offsets and timestamps, caches and re-batches them, and runs its fetch loop
// inside an `AsyncLocalStorage` (its lock), which on Node 20 switches promise hooks on for every promise
// the process makes. Measured with the raw pipe (bench/README, fourteenth session): 1.22× the records/s on
// 0.73× the CPU per record.
//
// Consume loop, one step at a time:
//   1. Wait for a rebalance in progress (its `onAssigned` / `onRevoked`, then the assignment applied).
//   2. Run what touches librdkafka's fetch state, in the order asked: seeks, pauses' seeks back.
//   3. `consume` up to `maxBatchSize` messages (waiting at most 100 ms for the first).
//   4. Deliver them partition by partition to `eachBatch`, each awaited. A partition sought, paused or
//      revoked since step 3 began (its epoch moved) gets nothing more of what was fetched: a seek set its
//      position; a pause seeks it back to its first message dropped (step 2 of the next turn), as
//      librdkafka's own position is already past it; a revoked partition is someone else's; one revoked
//      and assigned again (the eager protocol) is sought to its committed offset (step 2): what was
//      dropped may be the first messages of its new assignment, and librdkafka's position is past them.
// Rebalances: librdkafka calls `rebalance_cb` while serving `consume`; the assignment is applied only
// once `onAssigned` (with the seeks it asked for as the assignment's offsets) or `onRevoked` resolved, so
// revoked partitions are still ours while the caller commits.
import type { LibrdKafkaError, Message as NativeMessage } from '@confluentinc/kafka-javascript'
import { errorMessage, StreamsError } from '../errors/index.js'
import type { ClientLog, LibrdkafkaLogEvent } from './client-logs.js'
import { ConfluentLag, stableOffsetsIntervalMs } from './confluent-lag.js'
import type { NativeConsumerSource } from './confluent-producer.js'
import { translateClientError } from './kafka-error.js'
import { librdkafkaCodeName } from './librdkafka-code-name.js'
import { nativeClient, type NativeClientModule } from './native-client.js'
import { partitionBatches } from './confluent-partition-batches.js'
import { TopicPartitionMap } from './topic-partition-map.js'
import type {
  ConsumerHandlers,
  ConsumerOptions,
  KafkaConsumer,
  TopicPartition,
  TopicPartitionOffset,
} from './kafka-port.js'

type NativeKafkaConsumer = InstanceType<NativeClientModule['KafkaConsumer']>

/** What the binding has and its typings leave out. */
interface NativeGroupApi {
  rebalanceProtocol(): 'COOPERATIVE' | 'EAGER' | 'NONE'
  incrementalAssign(partitions: readonly (TopicPartition & { offset?: number })[]): void
  incrementalUnassign(partitions: readonly TopicPartition[]): void
  commitCb(
    offsets: readonly TopicPartitionOffset[],
    done: (error: LibrdKafkaError | null | undefined) => void,
  ): void
  setDefaultIsTimeoutOnlyForFirstMessage(on: boolean): void
}

/** How long `consume` waits for a first message; past it the loop turns (rebalances, seeks, stop). */
const consumeWaitMs = 100
/** After a failed `consume` (the error is the client's to log, or `onFatal`'s), before the next. */
const consumeRetryMs = 100

/** How long asking for a re-assigned partition's committed offset may take before it is asked again. */
const committedTimeoutMs = 5000
/** How long a seek may take librdkafka. */
const seekTimeoutMs = 1000

/** A partition's counters when a `consume` began (see `epochs`). */
interface FetchedAt {
  readonly epoch: number
  readonly seeks: number
  readonly rebalances: number
}

export class ConfluentGroupConsumer implements KafkaConsumer, NativeConsumerSource {
  private readonly consumer: NativeKafkaConsumer
  private readonly lag: ConfluentLag
  private handlers: ConsumerHandlers | undefined
  private readonly owned = new TopicPartitionMap<TopicPartition>()
  /**
   * Per partition, moved by every seek, pause and rebalance: what was fetched before is not delivered.
   * Only a drop that no seek or rebalance explains is sought back to (a pause's).
   */
  private readonly epochs = new TopicPartitionMap<number>()
  private readonly seeks = new TopicPartitionMap<number>()
  private readonly rebalances = new TopicPartitionMap<number>()
  private readonly paused = new TopicPartitionMap<TopicPartition>()
  /** Paused partitions' first dropped offsets: sought back to at step 2, so they are fetched again. */
  private readonly seekBacks = new TopicPartitionMap<number>()
  /**
   * Partitions assigned again while a `consume` ran (eager protocol) whose messages it returned were
   * dropped: sought to their committed offsets at step 2, where their new assignment starts.
   */
  private readonly reseeks = new TopicPartitionMap<TopicPartition>()
  /**
   * Each partition's counters when its assignment was applied: what a `consume` that began before it
   * was ours (a rebalance served during that very call) is judged by.
   */
  private readonly assignedAt = new TopicPartitionMap<FetchedAt>()
  /** Seeks of partitions not assigned (yet): the offsets of their assignment. */
  private readonly pendingSeeks = new TopicPartitionMap<number>()
  /** Step 2's work, in the order asked. */
  private operations: (() => Promise<void>)[] = []
  /** Step 1: the rebalance callbacks not finished yet, in order. */
  private rebalancing: Promise<void> = Promise.resolve()
  private loop: Promise<void> | undefined
  private stopped = false
  /** Set when `disconnect()` starts: the consumer is leaving the group (see `rebalance`). */
  private leaving = false
  /** `onFatal` was called (see `reportFatal`). */
  private fatalReported = false

  constructor(
    brokers: readonly string[],
    clientId: string,
    private readonly options: ConsumerOptions,
    /** TLS and SASL properties (kafka-security.ts). */
    security: Readonly<Record<string, string>> = {},
    private readonly log?: ClientLog,
  ) {
    const readCommitted = options.isolation !== 'read_uncommitted'
    const cooperative = (options.rebalance ?? 'cooperative') === 'cooperative'
    this.consumer = new (nativeClient().KafkaConsumer)(
      {
        ...security,
        'bootstrap.servers': brokers.join(','),
        'client.id': clientId,
        'group.id': options.groupId,
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        'isolation.level': readCommitted ? 'read_committed' : 'read_uncommitted',
        'session.timeout.ms': options.sessionTimeoutMs ?? 10_000,
        'heartbeat.interval.ms': 1000,
        'fetch.wait.max.ms': 100,
        'allow.auto.create.topics': false,
        // eager: range keeps partition p of co-partitioned topics on one member (round-robin splits them)
        'partition.assignment.strategy': cooperative ? 'cooperative-sticky' : 'range',
        ...(options.groupInstanceId ? { 'group.instance.id': options.groupInstanceId } : {}),
        // read_committed: the last stable offsets come only with librdkafka's statistics (confluent-lag.ts)
        ...(readCommitted ? { 'statistics.interval.ms': stableOffsetsIntervalMs } : {}),
        rebalance_cb: (error: LibrdKafkaError, assignment: TopicPartition[]) =>
          this.onRebalance(error, assignment),
      },
      { 'auto.offset.reset': options.autoOffsetReset ?? 'earliest' },
    )
    this.lag = new ConfluentLag(() => this.consumer, readCommitted)
    if (readCommitted)
      this.consumer.on('event.stats', (event: { message: string }) => this.lag.onStatistics(event.message))
    if (log) {
      this.consumer.on('event.log', (event: LibrdkafkaLogEvent) => log.librdkafka(event))
      this.consumer.on('event.error', (error: LibrdKafkaError) => log.librdkafkaError(error, 'consumer'))
    }
  }

  nativeConsumer(): NativeKafkaConsumer {
    return this.consumer
  }

  private get group(): NativeGroupApi {
    return this.consumer as unknown as NativeGroupApi
  }

  async connect(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.consumer.connect({ timeout: 30_000 }, (error) =>
        error ? reject(translateClientError(error, 'consumer connect', librdkafkaCodeName)) : resolve(),
      ),
    )
    this.consumer.setDefaultConsumeTimeout(consumeWaitMs)
    // wait for the first message only, then take what is there (as the KafkaJS-style layer does)
    this.group.setDefaultIsTimeoutOnlyForFirstMessage(true)
  }

  async subscribe(topics: readonly string[]): Promise<void> {
    try {
      this.consumer.subscribe([...topics])
    } catch (error) {
      throw translateClientError(error, 'subscribe', librdkafkaCodeName)
    }
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    this.handlers = handlers
    this.loop = this.consumeLoop()
  }

  private async consumeLoop(): Promise<void> {
    while (!this.stopped) {
      await this.rebalancing // 1
      const operations = [...this.reseekOperations(), ...this.seekBackOperations(), ...this.operations] // 2
      this.operations = []
      for (const operation of operations) await operation()
      if (this.stopped) return
      const fetchedAt = new TopicPartitionMap<FetchedAt>()
      for (const tp of this.owned.values()) fetchedAt.set(tp, this.countersOf(tp))
      let messages: NativeMessage[]
      try {
        messages = await this.consume() // 3
      } catch (error) {
        this.reportFatal(error)
        if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, consumeRetryMs))
        continue
      }
      await this.deliver(messages, fetchedAt) // 4
    }
  }

  private consume(): Promise<NativeMessage[]> {
    const during = `consume (group ${this.options.groupId})`
    return new Promise((resolve, reject) =>
      this.consumer.consume(this.options.maxBatchSize ?? 1000, (error, messages) =>
        error ? reject(translateClientError(error, during, librdkafkaCodeName)) : resolve(messages),
      ),
    )
  }

  /**
   * Step 3's errors are retried; one retrying cannot fix (GROUP_AUTHORIZATION_FAILED, reported once by
   * librdkafka) goes to `onFatal`, once, or the instance would stay STARTING with nothing to say.
   */
  private reportFatal(error: unknown): void {
    if (this.fatalReported || this.leaving || !this.handlers?.onFatal) return
    if (!(error instanceof StreamsError) || error.code !== 'AUTHORIZATION_FAILED') return
    this.fatalReported = true
    this.handlers.onFatal(error)
  }

  /** Step 4: `messages` in partition batches, each in offset order, each awaited. */
  private async deliver(
    messages: readonly NativeMessage[],
    fetchedAt: TopicPartitionMap<FetchedAt>,
  ): Promise<void> {
    const batches = partitionBatches(messages)
    for (const records of batches.values()) {
      const { topic, partition } = records[0]!
      const tp = { topic, partition }
      const at = fetchedAt.get(tp) ?? this.assignedAt.get(tp)
      const epoch = at?.epoch
      if (
        at === undefined ||
        epoch !== (this.epochs.get(tp) ?? 0) ||
        !this.owned.has(tp) ||
        this.paused.has(tp)
      ) {
        // a partition still ours that no seek moved since the fetch: librdkafka's position is past these.
        // Paused (not rebalanced): seek back to them. Assigned again (revoked and assigned, the eager
        // protocol): they may be its new assignment's first messages — seek to its committed offset.
        if (at !== undefined && this.owned.has(tp) && at.seeks === (this.seeks.get(tp) ?? 0)) {
          if (at.rebalances === (this.rebalances.get(tp) ?? 0))
            this.seekBacks.set(tp, Math.min(this.seekBacks.get(tp) ?? Infinity, records[0]!.offset))
          else this.reseeks.set(tp, tp)
        }
        continue
      }
      this.lag.delivered(tp, records[records.length - 1]!.offset + 1)
      try {
        await this.handlers?.eachBatch({
          topic,
          partition,
          records,
          isStale: () => epoch !== (this.epochs.get(tp) ?? 0) || !this.owned.has(tp),
        })
      } catch (error) {
        // its records are fetched again (as the KafkaJS-style layer does): the loop must not die
        this.log?.write('error', `eachBatch failed for ${topic}-${partition}`, { error: errorMessage(error) })
        this.seekBacks.set(tp, Math.min(this.seekBacks.get(tp) ?? Infinity, records[0]!.offset))
      }
    }
  }

  private countersOf(tp: TopicPartition): FetchedAt {
    return {
      epoch: this.epochs.get(tp) ?? 0,
      seeks: this.seeks.get(tp) ?? 0,
      rebalances: this.rebalances.get(tp) ?? 0,
    }
  }

  /** Step 2: a paused partition's dropped messages are fetched again after its resume. */
  private seekBackOperations(): (() => Promise<void>)[] {
    const operations = [...this.seekBacks].map(
      ([tp, offset]) =>
        () =>
          this.seekNow({ topic: tp.topic, partition: tp.partition, offset }),
    )
    this.seekBacks.clear()
    return operations
  }

  /** Step 2: re-assigned partitions whose fetched messages were dropped start again at their committed offsets. */
  private reseekOperations(): (() => Promise<void>)[] {
    if (this.reseeks.size === 0) return []
    const partitions = [...this.reseeks.values()]
    this.reseeks.clear()
    return [() => this.seekToCommitted(partitions)]
  }

  /**
   * Seeks `partitions` still ours to their committed offsets (stable ones under read_committed), or where
   * `auto.offset.reset` points when none is committed. Asked again until the coordinator answers: fetching
   * on from librdkafka's position would skip what was dropped.
   */
  private async seekToCommitted(partitions: readonly TopicPartition[]): Promise<void> {
    for (;;) {
      const owned = partitions.filter((tp) => this.owned.has(tp))
      if (owned.length === 0 || this.stopped) return
      try {
        const committed = await new Promise<TopicPartitionOffset[]>((resolve, reject) =>
          this.consumer.committed(
            owned.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
            committedTimeoutMs,
            (error, offsets) =>
              error
                ? reject(translateClientError(error, 'committed offsets', librdkafkaCodeName))
                : resolve(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }))),
          ),
        )
        for (const position of committed) {
          if (!this.owned.has(position)) continue
          // no committed offset: auto.offset.reset's end (librdkafka's logical offsets -2 and -1)
          const offset =
            position.offset >= 0
              ? position.offset
              : (this.options.autoOffsetReset ?? 'earliest') === 'earliest'
                ? -2
                : -1
          this.lag.sought(position)
          await this.seekNow({ ...position, offset })
        }
        return
      } catch (error) {
        this.log?.write('warn', 'committed offsets of re-assigned partitions not known yet; asking again', {
          error: errorMessage(error),
        })
        await new Promise((resolve) => setTimeout(resolve, consumeRetryMs))
      }
    }
  }

  private async seekNow(position: TopicPartitionOffset): Promise<void> {
    if (!this.owned.has(position)) {
      this.pendingSeeks.set(position, position.offset)
      return
    }
    await new Promise<void>((resolve) =>
      this.consumer.seek(
        { topic: position.topic, partition: position.partition, offset: position.offset },
        seekTimeoutMs,
        (error) => {
          const { topic, partition, offset } = position
          if (error)
            this.log?.write('warn', `seek ${topic}-${partition} to ${offset} failed`, {
              error: error.message,
            })
          resolve()
        },
      ),
    )
  }

  /** Called by librdkafka while it serves `consume`; step 1 waits for it. */
  private onRebalance(error: LibrdKafkaError, assignment: TopicPartition[]): void {
    const previous = this.rebalancing
    this.rebalancing = previous.then(() =>
      this.rebalance(error, assignment).catch((failure: unknown) => {
        this.log?.write('error', 'rebalance callback failed', { error: errorMessage(failure) })
      }),
    )
  }

  private async rebalance(error: LibrdKafkaError, assignment: TopicPartition[]): Promise<void> {
    const partitions = assignment.map((a) => ({ topic: a.topic, partition: a.partition }))
    for (const tp of partitions) {
      this.lag.forget(tp)
      this.epochs.set(tp, (this.epochs.get(tp) ?? 0) + 1)
      this.rebalances.set(tp, (this.rebalances.get(tp) ?? 0) + 1)
      this.seekBacks.delete(tp)
      this.paused.delete(tp)
    }
    const cooperative = this.group.rebalanceProtocol() === 'COOPERATIVE'
    if (error.code === nativeClient().CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
      for (const tp of partitions) this.owned.set(tp, tp)
      try {
        await this.handlers?.onAssigned?.(partitions)
      } finally {
        // the seeks asked for before the partitions were ours start them there
        const withOffsets = partitions.map((tp) => {
          const offset = this.pendingSeeks.get(tp)
          this.pendingSeeks.delete(tp)
          return offset === undefined ? tp : { ...tp, offset }
        })
        if (cooperative) this.group.incrementalAssign(withOffsets)
        else this.consumer.assign(withOffsets)
        for (const tp of partitions) this.assignedAt.set(tp, this.countersOf(tp))
      }
      return
    }
    for (const tp of partitions) {
      this.owned.delete(tp)
      this.assignedAt.delete(tp)
      this.reseeks.delete(tp)
    }
    try {
      // leaving the group revokes everything; the caller committed before it disconnected (as Kafka
      // Streams' shutdown does)
      if (!this.leaving) await this.handlers?.onRevoked?.(partitions)
    } finally {
      if (cooperative) this.group.incrementalUnassign(partitions)
      else this.consumer.unassign()
    }
  }

  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return
    await new Promise<void>((resolve, reject) =>
      this.group.commitCb(
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })),
        (error) =>
          error ? reject(translateClientError(error, 'commit offsets', librdkafkaCodeName)) : resolve(),
      ),
    )
  }

  seek(position: TopicPartitionOffset): void {
    if (this.leaving) return
    this.lag.sought(position)
    this.epochs.set(position, (this.epochs.get(position) ?? 0) + 1)
    this.seeks.set(position, (this.seeks.get(position) ?? 0) + 1)
    this.seekBacks.delete(position)
    if (!this.owned.has(position)) {
      this.pendingSeeks.set(position, position.offset)
      return
    }
    const { topic, partition, offset } = position
    this.operations.push(() => this.seekNow({ topic, partition, offset }))
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      this.epochs.set(tp, (this.epochs.get(tp) ?? 0) + 1)
      this.paused.set(tp, tp)
    }
    this.consumer.pause(partitions.map((p) => ({ topic: p.topic, partition: p.partition })))
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.delete(tp)
    this.consumer.resume(partitions.map((p) => ({ topic: p.topic, partition: p.partition })))
  }

  currentLag(tp: TopicPartition): number | undefined {
    return this.lag.currentLag(tp)
  }

  assignment(): TopicPartition[] {
    return [...this.owned.values()]
  }

  async disconnect(): Promise<void> {
    this.leaving = true
    this.stopped = true
    await this.loop
    await new Promise<void>((resolve, reject) =>
      this.consumer.disconnect((error) =>
        error ? reject(translateClientError(error, 'consumer disconnect', librdkafkaCodeName)) : resolve(),
      ),
    )
  }
}
