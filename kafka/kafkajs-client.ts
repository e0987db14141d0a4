// Adapter: the Kafka port on kafkajs (pure JavaScript).
// Limits, shown by the contract tests and written in the README: no revocation callback (onRevoked runs
// after the rebalance), eager rebalancing only, and transactional offset commits carry only the group id
// (no generation), so zombie fencing relies on the transactional id alone.
import kafkajs from './kafkajs.js'
import type {
  Consumer as KjsConsumer,
  Kafka as KjsKafka,
  Producer as KjsProducer,
  Transaction as KjsTransaction,
} from 'kafkajs'
import { clientLog } from './client-logs.js'
import { KafkaError } from './kafka-error.js'
import {
  fromHeaders,
  KafkajsStyleAdmin,
  offsetsByTopic,
  toPositions,
  toStringOffsets,
  toTopicMessages,
  translate,
} from './kafkajs-style.js'
import { kafkajsSecurityOptions } from './kafka-security.js'
import { KafkajsPartitionReader } from './kafkajs-partition-reader.js'
import { KafkajsRestartWindow } from './kafkajs-restart-window.js'
import { TopicPartitionMap } from './topic-partition-map.js'
import { rangeAssigner } from './kafkajs-range-assigner.js'
import { taskAssigner } from './kafkajs-task-assigner.js'
import type {
  ConsumedRecord,
  ConsumerHandlers,
  ConsumerOptions,
  KafkaClient,
  KafkaClientConfig,
  KafkaConsumer,
  KafkaProducer,
  KafkaTransaction,
  OutgoingRecord,
  ProducerOptions,
  RecordPosition,
  TopicPartition,
  TopicPartitionOffset,
} from './kafka-port.js'

const { Kafka, logLevel: kjsLogLevel } = kafkajs

export function createKafkajsClient(config: KafkaClientConfig): KafkaClient {
  const levels = {
    error: kjsLogLevel.ERROR,
    warn: kjsLogLevel.WARN,
    info: kjsLogLevel.INFO,
    debug: kjsLogLevel.DEBUG,
  }
  const kafka = new Kafka({
    brokers: [...config.brokers],
    clientId: config.clientId,
    logLevel: levels[config.logLevel ?? 'error'],
    logCreator: clientLog(config, 'kafkajs').kafkajsLogCreator(),
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5000 },
    ...kafkajsSecurityOptions(config.security),
  })
  return {
    kind: 'kafkajs',
    admin: () => {
      const admin = kafka.admin()
      return new KafkajsStyleAdmin(admin, {
        describe: async (topics) => (await admin.fetchTopicMetadata({ topics })).topics,
        fetchOffsets: (groupId, topic) => admin.fetchOffsets({ groupId, topics: [topic] }),
      })
    },
    producer: (options = {}) => new KafkajsProducer(kafka, options),
    consumer: (options) => new KafkajsConsumer(kafka, options),
    reader: (options = {}) => new KafkajsPartitionReader(kafka, options, config.clientId),
    settleProducers: () => Promise.resolve(0),
  }
}

/**
 * The records of one send split into `sendBatch` calls of one partition each. kafkajs 2.2.4 keeps the
 * progress of a `sendBatch` that spans several partitions per broker object, and a retry after a metadata
 * refresh (a leader change, a broker leaving or rejoining the metadata) can send a partition again, with
 * new sequence numbers the broker cannot de-duplicate, when its leader counts as not yet answered — or
 * leave it out when it moved to a broker already answered. Kafka's EosTestDriver found 42 records of
 * `echo-0` twice in one committed transaction (same producer epoch, consecutive sequence numbers) during
 * a rolling broker restart (issue 10). With one partition per call a retry re-sends that partition alone,
 * with the sequence numbers it had. The calls run concurrently (a partition's sequence numbers are never
 * shared); every call is settled before the first failure is thrown, so that no call of this send outlives
 * it. Records without a partition (null keys, dead letters: the runtime partitions every keyed record) go
 * last, in one call that kafkajs partitions — still exposed to that retry.
 */
export async function sendPerPartition<T>(
  records: readonly OutgoingRecord[],
  sendBatch: (group: readonly OutgoingRecord[]) => Promise<readonly T[]>,
): Promise<T[]> {
  const groups = new Map<string, OutgoingRecord[]>()
  const unpartitioned: OutgoingRecord[] = []
  for (const record of records) {
    if (record.partition === undefined) {
      unpartitioned.push(record)
      continue
    }
    const key = `${record.partition}:${record.topic}`
    let group = groups.get(key)
    if (!group) groups.set(key, (group = []))
    group.push(record)
  }
  const sent = await Promise.allSettled([...groups.values()].map((group) => sendBatch(group)))
  const failed = sent.find((result) => result.status === 'rejected')
  if (failed) throw failed.reason
  const results = sent.flatMap((result) => (result.status === 'fulfilled' ? result.value : []))
  // after the others: kafkajs may put them on a partition a call above was sending to
  if (unpartitioned.length > 0) results.push(...(await sendBatch(unpartitioned)))
  return results
}

/**
 * Sends of one producer, one after the other. kafkajs runs concurrent `sendBatch` calls independently, so
 * a call that is retried (e.g. on CONCURRENT_TRANSACTIONS) can land after a later one: records of one
 * partition would be written out of order. librdkafka keeps the order itself.
 */
class SendQueue {
  private tail: Promise<unknown> = Promise.resolve()
  run<T>(send: () => Promise<T>): Promise<T> {
    const result = this.tail.then(send)
    this.tail = result.catch(() => undefined)
    return result
  }
  /** Resolves once every send so far has ended. */
  async idle(): Promise<void> {
    await this.tail
  }
}

/**
 * A transactional producer's retries. The first send of a transaction right after the last one committed
 * meets the coordinator still writing that one's markers, and is refused with CONCURRENT_TRANSACTIONS until
 * it is done (milliseconds); Java's producer retries that after 20 ms (`ADD_PARTITIONS_RETRY_BACKOFF_MS`).
 * kafkajs retries every send, the idempotent producer's forever, after the client's backoff (100 ms,
 * doubling). Forever still here, from 20 ms, doubling up to 5 s.
 */
const transactionalRetry = { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 20, maxRetryTime: 5000 }

class KafkajsProducer implements KafkaProducer {
  private readonly producer: KjsProducer
  private readonly sends = new SendQueue()
  /** The first failure of a send outside a transaction since the last `flush`. */
  private unflushedFailure: Error | undefined
  constructor(
    kafka: KjsKafka,
    private readonly options: ProducerOptions,
  ) {
    const transactional = options.transactionalId !== undefined
    this.producer = kafka.producer({
      idempotent: transactional || (options.idempotent ?? true),
      maxInFlightRequests: transactional || (options.idempotent ?? true) ? 1 : 5,
      ...(transactional ? { transactionalId: options.transactionalId, retry: transactionalRetry } : {}),
      transactionTimeout: options.transactionTimeoutMs ?? 60_000,
      allowAutoTopicCreation: false,
    })
  }
  /**
   * A transactional producer takes its transactional id over here (InitProducerId: fences the id's previous
   * producer and waits for that one's transaction in flight to complete), as Java's `initTransactions` and
   * the confluent adapter do. kafkajs itself does it only at the first `transaction()`, which made a task's
   * new owner restore its stores while the previous owner's last commit was still completing (issue 10:
   * Kafka's EosTestDriver found a wrong running `min` after a rebalance, the update committed by the old
   * owner missing from the new owner's restored store); an empty transaction, ended at once, makes kafkajs
   * do it now (it sends no EndTxn for one).
   */
  connect = () =>
    translate('producer connect', async () => {
      await this.producer.connect()
      if (this.options.transactionalId !== undefined) await (await this.producer.transaction()).abort()
    })
  disconnect = () => translate('producer disconnect', () => this.producer.disconnect())
  /** Every send is acknowledged by its own promise too (`acknowledgedBy` changes nothing here). */
  async flush(): Promise<void> {
    await this.sends.idle()
    const failure = this.unflushedFailure
    this.unflushedFailure = undefined
    if (failure !== undefined) throw failure
  }

  async send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0) return []
    try {
      return await this.sends.run(() =>
        translate('produce', async () =>
          toPositions(
            await sendPerPartition(records, (group) =>
              this.producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(group) }),
            ),
          ),
        ),
      )
    } catch (error) {
      this.unflushedFailure ??= error instanceof Error ? error : new Error(String(error))
      throw error
    }
  }

  async beginTransaction(): Promise<KafkaTransaction> {
    if (this.options.transactionalId === undefined) {
      throw new KafkaError('INVALID_ARGUMENT', 'begin transaction: the producer has no transactionalId')
    }
    return new KafkajsTransaction(
      await translate('begin transaction', () => this.producer.transaction()),
      this.sends,
    )
  }
}

class KafkajsTransaction implements KafkaTransaction {
  constructor(
    private readonly txn: KjsTransaction,
    private readonly sends: SendQueue,
  ) {}

  async send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0) return []
    return this.sends.run(() =>
      translate('transactional produce', async () =>
        toPositions(
          await sendPerPartition(records, (group) =>
            this.txn.sendBatch({ acks: -1, topicMessages: toTopicMessages(group) }),
          ),
        ),
      ),
    )
  }

  async sendOffsets(consumer: KafkaConsumer, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (!(consumer instanceof KafkajsConsumer))
      throw new TypeError('sendOffsets needs a consumer of the same client')
    if (offsets.length === 0) return
    await translate('send offsets to transaction', () =>
      this.txn.sendOffsets({ consumerGroupId: consumer.groupId, topics: offsetsByTopic(offsets) }),
    )
  }

  commit = () => translate('commit transaction', () => this.txn.commit())
  abort = () => translate('abort transaction', () => this.txn.abort())
}

class KafkajsConsumer implements KafkaConsumer {
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

  constructor(
    kafka: KjsKafka,
    private readonly options: ConsumerOptions,
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
      if (!payload.restart) this.controls.notRestarted(payload.error)
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
