// Where tasks' output goes, and how one commit closes it: the producers behind the commit protocol.
//
// - `SharedProducer`: one transactional (or idempotent) producer for the whole instance, transactional id
//   `<applicationId>-<instanceId>` (Kafka Streams' exactly_once_v2). A zombie that lost its tasks in a
//   rebalance is fenced by the consumer group metadata sent with the offsets (KIP-447): the group
//   coordinator refuses offsets of a member of an old generation.
// - `ProducerPerTask`: one transactional producer per task, transactional id `<applicationId>-<taskId>`
//   (Kafka Streams' old exactly_once, "eos-alpha", StreamsProducer before KIP-447). Used where the client
//   cannot send the group metadata with the offsets (kafkajs: its TxnOffsetCommit carries the group id
//   only, so the coordinator takes offsets from anyone). Then the transactional id fences: the new owner
//   of a task initializes the task's producer (InitProducerId), which bumps the epoch — every later send
//   or commit of the old owner fails with a fenced producer — and waits until the old owner's transaction
//   in flight is complete (committed or aborted), so the offsets read after it are the final ones. A
//   commit is every dirty task's transaction committed with that task's offsets; one task's failure does
//   not undo another's success, but each task's output, changelog and offsets stay atomic.
import type {
  KafkaClient,
  KafkaConsumer,
  KafkaProducer,
  TopicPartition,
  TopicPartitionOffset,
} from '../../kafka/index.js'
import { retryBroker } from './broker-retry.js'
import { RecordCollector } from './record-collector.js'
import type { RecordSink } from './record-sink.js'
import type { ResolvedConfig } from './streams-config.js'
import { transactionalId } from './topic-names.js'

/** What the runtime's commit protocol needs of the output side (record-collector.ts has the details). */
export interface TaskProducers {
  /**
   * Whether a new task's producer fences the previous owner when the task opens, so its committed offsets
   * are known only after that (and the inputs must be sought to them again).
   */
  readonly fencesOnOpen: boolean
  /** The sink of a task's output; resolved at each send, so it follows a replaced producer. */
  sinkFor(taskId: string): RecordSink
  /** Before a task is restored: its producer, if it has one of its own (fences the previous owner). */
  openTask(taskId: string): Promise<void>
  /** After a task is closed (committed or abandoned): its own producer goes. */
  closeTask(taskId: string): Promise<void>
  flush(): void
  seal(): void
  unseal(): void
  drain(): Promise<void>
  /** Exactly-once: everything sent plus `offsets`, atomically per producer. */
  commitTransaction(consumer: KafkaConsumer, offsets: readonly TopicPartitionOffset[]): Promise<void>
  abort(): Promise<void>
  /** After a failed commit: producers that a failed transaction may have left unusable are replaced. */
  replaceProducers(): Promise<void>
  /** The next offset after our last write to a partition in this commit cycle, as the client reported it. */
  position(topic: string, partition: number): number | undefined
  /** Records written to a partition in this commit cycle whose offsets the client did not report. */
  unreportedWrites(topic: string, partition: number): number
  clearPositions(): void
  close(): Promise<void>
}

type ProducerConfig = Pick<
  ResolvedConfig,
  | 'client'
  | 'applicationId'
  | 'instanceId'
  | 'processingGuarantee'
  | 'transactionTimeoutMs'
  | 'producerBatchSize'
  | 'metrics'
  | 'taskTimeoutMs'
  | 'log'
>

/** True when this client's exactly-once needs a producer per task (see the top of this file). */
export function needsProducerPerTask(
  config: Pick<ResolvedConfig, 'client' | 'processingGuarantee'>,
): boolean {
  return config.processingGuarantee === 'exactly_once' && !canFenceByGroupMetadata(config.client)
}

/** Whether the client sends the consumer's group metadata (generation, member) with transactional offsets. */
function canFenceByGroupMetadata(client: KafkaClient): boolean {
  return client.kind === 'confluent'
}

async function connected(producer: KafkaProducer): Promise<KafkaProducer> {
  try {
    await producer.connect()
  } catch (error) {
    await producer.disconnect().catch(() => undefined)
    throw error
  }
  return producer
}

export class SharedProducer implements TaskProducers {
  readonly fencesOnOpen = false
  private constructor(
    private readonly config: ProducerConfig,
    private producer: KafkaProducer,
    private readonly collector: RecordCollector,
  ) {}

  static async create(config: ProducerConfig): Promise<SharedProducer> {
    const producer = await SharedProducer.newProducer(config)
    const exactlyOnce = config.processingGuarantee === 'exactly_once'
    return new SharedProducer(
      config,
      producer,
      new RecordCollector(producer, exactlyOnce, config.producerBatchSize, config.metrics),
    )
  }

  private static newProducer(config: ProducerConfig): Promise<KafkaProducer> {
    const exactlyOnce = config.processingGuarantee === 'exactly_once'
    return connected(
      config.client.producer(
        exactlyOnce
          ? {
              transactionalId: transactionalId(config.applicationId, config.instanceId),
              transactionTimeoutMs: config.transactionTimeoutMs,
            }
          : // acknowledged by the commit's flush, not record by record (confluent-producer.ts)
            { idempotent: true, acknowledgedBy: 'flush' },
      ),
    )
  }

  sinkFor(): RecordSink {
    return this.collector
  }
  openTask = () => Promise.resolve()
  closeTask = () => Promise.resolve()
  flush = () => this.collector.flush()
  seal = () => this.collector.seal()
  unseal = () => this.collector.unseal()
  drain = () => this.collector.drain()
  commitTransaction = (consumer: KafkaConsumer, offsets: readonly TopicPartitionOffset[]) =>
    this.collector.commitTransaction(consumer, offsets)
  abort = () => this.collector.abort()
  position = (topic: string, partition: number) => this.collector.position(topic, partition)
  unreportedWrites = (topic: string, partition: number) => this.collector.unreportedWrites(topic, partition)
  clearPositions = () => this.collector.clearPositions()

  // a new producer every time, not only when fenced: after a failed transaction a client can be left in a
  // state it does not leave (librdkafka's fatal errors; kafkajs's sequence numbers after an abort)
  async replaceProducers(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined)
    this.producer = await retryBroker(this.config, 'new producer', () =>
      SharedProducer.newProducer(this.config),
    )
    this.collector.replaceProducer(this.producer)
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined)
  }
}

/**
 * The least transaction timeout of a task's producer (kafkajs). Kafka Streams sets 10 s (StreamsConfig's
 * producer override for exactly-once). After a broker is SIGKILLed its partitions get a new leader only
 * when its session with the controller expires (~9 s), and kafkajs' retry backoff (up to 5 s between
 * retries) adds to that: produce calls stalled ~20 s, the transactions they were in expired
 * (INVALID_PRODUCER_EPOCH every ~20 s while instances caught up after a rolling broker restart, each
 * followed by a recovery that started the same work again). A long timeout costs nothing after a crash:
 * a task's next owner aborts what the previous one left open at once (its InitProducerId fences it).
 */
const perTaskTransactionTimeoutMs = 60_000

export class ProducerPerTask implements TaskProducers {
  readonly fencesOnOpen = true
  private readonly tasks = new Map<string, { producer: KafkaProducer; collector: RecordCollector }>()
  private sealed = false

  constructor(
    private readonly config: ProducerConfig,
    /** The task that consumes an input partition (its offsets go into that task's transaction). */
    private readonly taskOf: (partition: TopicPartition) => string | undefined,
  ) {}

  sinkFor(taskId: string): RecordSink {
    return {
      send: (record) => {
        const task = this.tasks.get(taskId)
        if (!task) throw new Error(`task ${taskId} has no producer (closed)`)
        task.collector.send(record)
      },
    }
  }

  async openTask(taskId: string): Promise<void> {
    if (this.tasks.has(taskId)) return
    // InitProducerId: fences the task's previous owner and waits for its transaction in flight to complete
    const producer = await retryBroker(this.config, `producer of task ${taskId}`, () =>
      connected(
        this.config.client.producer({
          transactionalId: transactionalId(this.config.applicationId, taskId),
          transactionTimeoutMs: Math.max(this.config.transactionTimeoutMs, perTaskTransactionTimeoutMs),
        }),
      ),
    )
    const collector = new RecordCollector(producer, true, this.config.producerBatchSize, this.config.metrics)
    if (this.sealed) collector.seal()
    this.tasks.set(taskId, { producer, collector })
  }

  async closeTask(taskId: string): Promise<void> {
    const task = this.tasks.get(taskId)
    if (!task) return
    this.tasks.delete(taskId)
    await task.collector.abort()
    await task.producer.disconnect().catch(() => undefined)
  }

  flush(): void {
    for (const { collector } of this.tasks.values()) collector.flush()
  }

  seal(): void {
    this.sealed = true
    for (const { collector } of this.tasks.values()) collector.seal()
  }

  unseal(): void {
    this.sealed = false
    for (const { collector } of this.tasks.values()) collector.unseal()
  }

  async drain(): Promise<void> {
    await Promise.all([...this.tasks.values()].map(({ collector }) => collector.drain()))
  }

  async commitTransaction(consumer: KafkaConsumer, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const byTask = new Map<string, TopicPartitionOffset[]>()
    for (const offset of offsets) {
      const taskId = this.taskOf(offset)
      if (taskId === undefined || !this.tasks.has(taskId))
        throw new Error(`offsets of ${offset.topic}-${offset.partition}: no task of this instance`)
      byTask.set(taskId, [...(byTask.get(taskId) ?? []), offset])
    }
    const results = await Promise.allSettled(
      [...this.tasks].map(([taskId, { collector }]) =>
        collector.commitTransaction(consumer, byTask.get(taskId) ?? []),
      ),
    )
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
  }

  async abort(): Promise<void> {
    this.sealed = false
    await Promise.all([...this.tasks.values()].map(({ collector }) => collector.abort()))
  }

  /**
   * Every task's producer is replaced when its task is rebuilt (the task manager closes and opens each
   * task): a new InitProducerId per task, which also waits for anything of the old one still in flight.
   */
  async replaceProducers(): Promise<void> {
    const ids = [...this.tasks.keys()]
    for (const id of ids) await this.closeTask(id)
  }

  position(topic: string, partition: number): number | undefined {
    for (const { collector } of this.tasks.values()) {
      const position = collector.position(topic, partition)
      if (position !== undefined) return position
    }
    return undefined
  }

  unreportedWrites(topic: string, partition: number): number {
    let written = 0
    for (const { collector } of this.tasks.values()) written += collector.unreportedWrites(topic, partition)
    return written
  }

  clearPositions(): void {
    for (const { collector } of this.tasks.values()) collector.clearPositions()
  }

  async close(): Promise<void> {
    for (const id of [...this.tasks.keys()]) await this.closeTask(id)
  }
}
