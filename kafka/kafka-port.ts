// The one port through which the engine and the service talk to Kafka. Two adapters implement it:
// confluent-client.ts (@confluentinc/kafka-javascript, librdkafka) and kafkajs-client.ts (pure JS).
// Nothing outside kafka/ imports a Kafka client library.
import type { StreamsError } from '../errors/index.js'
import type { KafkaSecurity } from './kafka-security.js'
import type { Logger } from '../logging/logger.js'
import type { TopicPartitionMap } from './topic-partition-map.js'

export type Headers = Readonly<Record<string, Buffer>>

export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

/** An offset to commit: the offset of the NEXT record to read (last processed + 1), as Kafka defines it. */
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number
}

/** A record to produce. Without `partition` the client partitions by key (murmur2, as the Java client). */
export interface OutgoingRecord {
  readonly topic: string
  readonly key: Buffer | null
  readonly value: Buffer | null
  /** undefined: the client's partitioner chooses. */
  readonly partition?: number | undefined
  readonly headers?: Headers | undefined
  readonly timestamp?: number | undefined
}

/** Where a produced record landed. */
export interface RecordPosition extends TopicPartition {
  readonly offset: number
}

export interface ConsumedRecord extends TopicPartition {
  readonly offset: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: Headers
  readonly timestamp: number
}

/** Records of one partition, in offset order. */
export interface ConsumedBatch extends TopicPartition {
  readonly records: readonly ConsumedRecord[]
  /**
   * True once the partition was sought (or taken away) after this batch was fetched: its records must be
   * dropped, the consumer delivers them again from the new position. A batch can wait for its turn while
   * another piece of work seeks — a recovery rewinding its inputs — and would otherwise be processed twice.
   */
  readonly isStale: () => boolean
}

export const clientKinds = ['confluent', 'kafkajs'] as const
export type ClientKind = (typeof clientKinds)[number]

export interface KafkaClientConfig {
  readonly brokers: readonly string[]
  readonly clientId: string
  /** The clients' own lines below this level are dropped: 'error' by default (their warnings are retries in progress); 'debug' shows them all. */
  readonly logLevel?: 'error' | 'warn' | 'info' | 'debug'
  /** TLS and SASL (kafka-security.ts); absent: PLAINTEXT. */
  readonly security?: KafkaSecurity
  /** Where the clients' lines go (rate limited, see client-logs.ts); the process's logger by default. */
  readonly logger?: Logger
}

export interface KafkaClient {
  readonly kind: ClientKind
  admin(): KafkaAdmin
  producer(options?: ProducerOptions): KafkaProducer
  consumer(options: ConsumerOptions): KafkaConsumer
  /** Reads single partitions by offset, outside any consumer group: changelog restore, verifiers, tools. */
  reader(options?: ReaderOptions): PartitionReader
  /**
   * Resolves once every producer of this kind that was disconnected is gone, or after `timeoutMs`, with how
   * many are left. A confluent producer's destroy can wait for librdkafka to answer a transactional call
   * (confluent-producer.ts), and the process cannot exit before it (Node's exit joins the thread that
   * runs the call); kafkajs has none.
   */
  settleProducers(timeoutMs: number): Promise<number>
}

export interface ReaderOptions {
  readonly isolation?: IsolationLevel
}

export interface PartitionRead {
  readonly partition: TopicPartition
  readonly from: number | 'earliest'
}

export interface PartitionReader {
  /**
   * Delivers the records of one partition from `from` to its current end — the last stable offset under
   * read_committed, so an open transaction is waited for — in offset order, and resolves with the offset
   * it stopped at (the next one to read). `onBatch` is awaited before the next batch is delivered.
   */
  readToEnd(
    partition: TopicPartition,
    from: number | 'earliest',
    onBatch: (records: readonly ConsumedRecord[]) => void | Promise<void>,
  ): Promise<number>
  /**
   * The same for several partitions in one pass (a restore of many changelogs pays the set-up once);
   * `onBatch` gets each partition's records in offset order. Resolves with where each one stopped.
   * `onEnd` is called once for each partition that reached its end, after its last batch up to the end
   * was handed on (a restore starts a task whose changelogs all ended); a partition that ended may still
   * deliver records written after its end while the others are read — a caller that stops at the end
   * ignores them.
   */
  readAllToEnd(
    requests: readonly PartitionRead[],
    onBatch: (partition: TopicPartition, records: readonly ConsumedRecord[]) => void | Promise<void>,
    onEnd?: (partition: TopicPartition) => void,
  ): Promise<TopicPartitionMap<number>>
  close(): Promise<void>
}

export interface TopicSpec {
  readonly topic: string
  readonly partitions: number
  readonly replicationFactor?: number
  readonly config?: Readonly<Record<string, string>>
}

export interface TopicDescription {
  readonly topic: string
  readonly partitions: readonly {
    readonly partition: number
    readonly leader: number
    readonly replicas: readonly number[]
  }[]
}

export interface KafkaAdmin {
  connect(): Promise<void>
  /** Creates the topics that do not exist yet; returns the names it created. */
  createTopics(topics: readonly TopicSpec[]): Promise<string[]>
  describeTopics(topics: readonly string[]): Promise<TopicDescription[]>
  listTopics(): Promise<string[]>
  deleteTopics(topics: readonly string[]): Promise<void>
  /** Committed offsets of a consumer group for a topic's partitions (absent: none committed). */
  committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]>
  /** Log-end offsets (high watermarks) of every partition of a topic. */
  endOffsets(topic: string): Promise<TopicPartitionOffset[]>
  /** Earliest available offsets of every partition of a topic. */
  startOffsets(topic: string): Promise<TopicPartitionOffset[]>
  disconnect(): Promise<void>
}

export interface ProducerOptions {
  /** Enables transactions. Implies idempotence. */
  readonly transactionalId?: string
  readonly idempotent?: boolean
  readonly transactionTimeoutMs?: number
  readonly lingerMs?: number
  /**
   * What acknowledges a non-transactional send. 'send' (the default): its own promise, once every record
   * of it is written (acks=all), with the lowest offset per partition. 'flush': the producer's next `flush`
   * — a send may then resolve once its records are queued, with no positions (confluent: no delivery
   * report per record, as in a transaction). kafkajs acknowledges every send by its promise either way.
   */
  readonly acknowledgedBy?: 'send' | 'flush'
}

export interface KafkaProducer {
  connect(): Promise<void>
  /**
   * Produces a batch and resolves when every record is acknowledged (acks=all) — or, on a producer made
   * with `acknowledgedBy: 'flush'`, possibly once they are queued, with no positions.
   */
  send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]>
  /**
   * Resolves once every record sent so far (outside a transaction) is written; rejects with the error of
   * the first one since the last flush that was not.
   */
  flush(): Promise<void>
  /** Starts a transaction; only on a producer made with a transactionalId. */
  beginTransaction(): Promise<KafkaTransaction>
  disconnect(): Promise<void>
}

export interface KafkaTransaction {
  /**
   * Adds records to the transaction. kafkajs: resolves when they are acknowledged, with the lowest offset
   * written per partition. confluent: resolves once they are queued, with no positions — the commit is
   * their acknowledgement (it fails if any of them was not written), and a caller that needs positions
   * derives them (the runtime's record collector: changelog checkpoints).
   */
  send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]>
  /**
   * Adds consumed positions to the transaction, so they commit atomically with its output.
   * The consumer's group metadata fences zombies where the client supports it (see README).
   */
  sendOffsets(consumer: KafkaConsumer, offsets: readonly TopicPartitionOffset[]): Promise<void>
  commit(): Promise<void>
  abort(): Promise<void>
}

export const isolationLevels = ['read_committed', 'read_uncommitted'] as const
export type IsolationLevel = (typeof isolationLevels)[number]

export interface ConsumerOptions {
  readonly groupId: string
  readonly isolation?: IsolationLevel
  /** Where to start when the group has no committed offset: 'earliest' (default) or 'latest'. */
  readonly autoOffsetReset?: 'earliest' | 'latest'
  readonly sessionTimeoutMs?: number
  /**
   * Static membership (KIP-345, `group.instance.id`): a member that comes back with the same id within the
   * session timeout gets its partitions back without a rebalance, and leaving does not rebalance either.
   * confluent only: kafkajs has no static membership and ignores it (the engine says so at start).
   */
  readonly groupInstanceId?: string
  /** Max records handed to one eachBatch call. */
  readonly maxBatchSize?: number
  /** Cooperative-sticky where the client supports it (confluent); kafkajs always rebalances eagerly. */
  readonly rebalance?: 'cooperative' | 'eager'
  /**
   * The engine chooses the group's assignment by task (topology/runtime/task-assignor.ts): kafkajs only
   * (librdkafka takes no custom assignor; confluent ignores it and assigns by range / cooperative-sticky).
   */
  readonly taskAssignor?: TaskAssignor
}

/** The tasks a member runs and those it keeps standby copies of, as it tells the group leader. */
export interface MemberTasks {
  readonly active: readonly string[]
  readonly standby: readonly string[]
}

/** An assignment by task, for a client that lets the engine choose the group's assignment. */
export interface TaskAssignor {
  /** The task a partition belongs to: the partitions of one task go to one member. */
  taskOf(topic: string, partition: number): string | undefined
  /** Sent with each join of this member. */
  memberState(): Buffer
  /** The group leader's choice: the member of each task, from what each member sent. */
  assign(
    tasks: readonly string[],
    members: readonly { readonly memberId: string; readonly state: Buffer | undefined }[],
  ): Map<string, string>
}

export interface ConsumerHandlers {
  /** Called with each batch; the consumer fetches no more of that partition until it resolves. */
  eachBatch(batch: ConsumedBatch): Promise<void>
  /** Partitions newly assigned to this member, before any of their records are delivered. */
  onAssigned?(partitions: readonly TopicPartition[]): Promise<void>
  /**
   * Partitions taken away. With the confluent client this runs BEFORE they move, so work can be committed;
   * with kafkajs it runs after the rebalance (kafkajs has no revocation callback), see README. Not called
   * for the revocation `disconnect()` causes: commit before disconnecting.
   */
  onRevoked?(partitions: readonly TopicPartition[]): Promise<void>
  /**
   * The consumer met an error that retrying cannot fix (an ACL of the group missing:
   * `AUTHORIZATION_FAILED`), where its client would only log it and retry for ever, or stop consuming
   * without a word: it delivers nothing more; the caller should stop. Called at most once.
   */
  onFatal?(error: StreamsError): void
}

export interface KafkaConsumer {
  connect(): Promise<void>
  /** Joins the group for these topics; call before run(). */
  subscribe(topics: readonly string[]): Promise<void>
  run(handlers: ConsumerHandlers): Promise<void>
  /** Commits offsets outside a transaction (at-least-once). */
  commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void>
  /** Where the next fetch of the partition starts; nothing once `disconnect()` has started. */
  seek(position: TopicPartitionOffset): void
  /** No batches of these partitions are fetched until they are resumed (the batch in hand still completes). */
  pause(partitions: readonly TopicPartition[]): void
  resume(partitions: readonly TopicPartition[]): void
  /**
   * Records of an assigned partition on the broker beyond what this consumer has delivered (its position),
   * as of the client's last fetch of it, control records counted as delivered — Java's
   * `Consumer.currentLag`. Undefined when the client cannot tell: nothing fetched of the partition since
   * it was assigned or sought. Under read_committed the confluent adapter counts to the last stable offset,
   * as Java does (as of librdkafka's last statistics, at most a second old); kafkajs reports only the high
   * watermark, so there records of a transaction still open count as lag. With kafkajs a fetch
   * that returns nothing leaves the value as the last fetch with records (or skipped records) set it.
   */
  currentLag(partition: TopicPartition): number | undefined
  assignment(): TopicPartition[]
  /** Leaves the group; the revocation that causes is not reported to `onRevoked`. */
  disconnect(): Promise<void>
}
