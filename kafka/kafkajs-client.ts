// Adapter: the Kafka port on kafkajs (pure JavaScript).
// Limits, shown by the contract tests and written in the README: no revocation callback (onRevoked runs
// after the rebalance), eager rebalancing only, and transactional offset commits carry only the group id
// (no generation), so zombie fencing relies on the transactional id alone.
import kafkajs from 'kafkajs'
import type {
  Admin as KjsAdmin,
  Consumer as KjsConsumer,
  IHeaders,
  Kafka as KjsKafka,
  Producer as KjsProducer,
  RecordMetadata,
  Transaction as KjsTransaction,
} from 'kafkajs'
import { toKafkaError } from './kafka-error.js'
import { KafkajsPartitionReader } from './kafkajs-partition-reader.js'
import type {
  ConsumedRecord,
  ConsumerHandlers,
  ConsumerOptions,
  Headers,
  KafkaAdmin,
  KafkaClient,
  KafkaClientConfig,
  KafkaConsumer,
  KafkaProducer,
  KafkaTransaction,
  OutgoingRecord,
  ProducerOptions,
  RecordPosition,
  TopicDescription,
  TopicPartition,
  TopicPartitionOffset,
  TopicSpec,
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
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5000 },
  })
  return {
    kind: 'kafkajs',
    admin: () => new KafkajsAdmin(kafka.admin()),
    producer: (options = {}) => new KafkajsProducer(kafka, options),
    consumer: (options) => new KafkajsConsumer(kafka, options),
    reader: (options = {}) => new KafkajsPartitionReader(kafka, options),
  }
}

async function translate<T>(during: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw toKafkaError(error, during)
  }
}

class KafkajsAdmin implements KafkaAdmin {
  constructor(private readonly admin: KjsAdmin) {}
  connect = () => translate('admin connect', () => this.admin.connect())
  disconnect = () => translate('admin disconnect', () => this.admin.disconnect())

  async createTopics(topics: readonly TopicSpec[]): Promise<string[]> {
    return translate('create topics', async () => {
      const existing = new Set(await this.admin.listTopics())
      const missing = topics.filter((t) => !existing.has(t.topic))
      if (missing.length === 0) return []
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? -1,
          configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      })
      return missing.map((t) => t.topic)
    })
  }

  async describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    return translate('describe topics', async () => {
      const metadata = await this.admin.fetchTopicMetadata({ topics: [...topics] })
      return metadata.topics.map((t) => ({
        topic: t.name,
        partitions: t.partitions
          .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas }))
          .sort((a, b) => a.partition - b.partition),
      }))
    })
  }

  listTopics = () => translate('list topics', () => this.admin.listTopics())

  deleteTopics = (topics: readonly string[]) =>
    translate('delete topics', () => this.admin.deleteTopics({ topics: [...topics] }))

  async committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    return translate('fetch committed offsets', async () => {
      const result = await this.admin.fetchOffsets({ groupId, topics: [topic] })
      return result.flatMap((t) =>
        t.partitions
          .filter((p) => Number(p.offset) >= 0)
          .map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })),
      )
    })
  }

  async endOffsets(topic: string): Promise<TopicPartitionOffset[]> {
    return translate('fetch end offsets', async () =>
      (await this.admin.fetchTopicOffsets(topic))
        .map((p) => ({ topic, partition: p.partition, offset: Number(p.high) }))
        .sort((a, b) => a.partition - b.partition),
    )
  }

  async startOffsets(topic: string): Promise<TopicPartitionOffset[]> {
    return translate('fetch start offsets', async () =>
      (await this.admin.fetchTopicOffsets(topic))
        .map((p) => ({ topic, partition: p.partition, offset: Number(p.low) }))
        .sort((a, b) => a.partition - b.partition),
    )
  }
}

function toKjsMessages(records: readonly OutgoingRecord[]) {
  const byTopic = new Map<
    string,
    { key: Buffer | null; value: Buffer | null; partition?: number; headers?: IHeaders; timestamp?: string }[]
  >()
  for (const record of records) {
    let messages = byTopic.get(record.topic)
    if (!messages) byTopic.set(record.topic, (messages = []))
    messages.push({
      key: record.key,
      value: record.value,
      ...(record.partition === undefined ? {} : { partition: record.partition }),
      ...(record.headers === undefined ? {} : { headers: { ...record.headers } }),
      ...(record.timestamp === undefined ? {} : { timestamp: String(record.timestamp) }),
    })
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }))
}

function toPositions(metadata: RecordMetadata[]): RecordPosition[] {
  return metadata.map((m) => ({
    topic: m.topicName,
    partition: m.partition,
    offset: Number(m.baseOffset ?? m.offset ?? -1),
  }))
}

class KafkajsProducer implements KafkaProducer {
  private readonly producer: KjsProducer
  constructor(
    kafka: KjsKafka,
    private readonly options: ProducerOptions,
  ) {
    const transactional = options.transactionalId !== undefined
    this.producer = kafka.producer({
      idempotent: transactional || (options.idempotent ?? true),
      maxInFlightRequests: transactional || (options.idempotent ?? true) ? 1 : 5,
      ...(transactional ? { transactionalId: options.transactionalId } : {}),
      transactionTimeout: options.transactionTimeoutMs ?? 60_000,
      allowAutoTopicCreation: false,
    })
  }
  connect = () => translate('producer connect', () => this.producer.connect())
  disconnect = () => translate('producer disconnect', () => this.producer.disconnect())

  async send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0) return []
    return translate('produce', async () =>
      toPositions(await this.producer.sendBatch({ acks: -1, topicMessages: toKjsMessages(records) })),
    )
  }

  async beginTransaction(): Promise<KafkaTransaction> {
    if (this.options.transactionalId === undefined) {
      throw toKafkaError(new Error('INVALID_ARG: producer has no transactionalId'), 'begin transaction')
    }
    return new KafkajsTransaction(await translate('begin transaction', () => this.producer.transaction()))
  }
}

class KafkajsTransaction implements KafkaTransaction {
  constructor(private readonly txn: KjsTransaction) {}

  async send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0) return []
    return translate('transactional produce', async () =>
      toPositions(await this.txn.sendBatch({ acks: -1, topicMessages: toKjsMessages(records) })),
    )
  }

  async sendOffsets(consumer: KafkaConsumer, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (!(consumer instanceof KafkajsConsumer))
      throw new TypeError('sendOffsets needs a consumer of the same client')
    if (offsets.length === 0) return
    const topics = new Map<string, { partition: number; offset: string }[]>()
    for (const o of offsets) {
      let list = topics.get(o.topic)
      if (!list) topics.set(o.topic, (list = []))
      list.push({ partition: o.partition, offset: String(o.offset) })
    }
    await translate('send offsets to transaction', () =>
      this.txn.sendOffsets({
        consumerGroupId: consumer.groupId,
        topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      }),
    )
  }

  commit = () => translate('commit transaction', () => this.txn.commit())
  abort = () => translate('abort transaction', () => this.txn.abort())
}

function fromKjsHeaders(headers: IHeaders | undefined): Headers {
  const out: Record<string, Buffer> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue
    const first = Array.isArray(value) ? value[0] : value
    if (first !== undefined) out[name] = Buffer.isBuffer(first) ? first : Buffer.from(first)
  }
  return out
}

const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`

class KafkajsConsumer implements KafkaConsumer {
  private readonly consumer: KjsConsumer
  private assigned = new Map<string, TopicPartition>()
  private rebalances: Promise<void> = Promise.resolve()
  private handlers: ConsumerHandlers | undefined

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
    })
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const next = new Map<string, TopicPartition>()
      for (const [topic, partitions] of Object.entries(event.payload.memberAssignment)) {
        for (const partition of partitions) next.set(key({ topic, partition }), { topic, partition })
      }
      const revoked = [...this.assigned].filter(([k]) => !next.has(k)).map(([, tp]) => tp)
      const added = [...next].filter(([k]) => !this.assigned.has(k)).map(([, tp]) => tp)
      this.assigned = next
      this.rebalances = this.rebalances.then(async () => {
        if (revoked.length > 0) await this.handlers?.onRevoked?.(revoked)
        if (added.length > 0) await this.handlers?.onAssigned?.(added)
      })
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
      this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch: async (payload) => {
          const { batch } = payload
          await this.rebalances
          if (!payload.isRunning() || payload.isStale()) return
          const max = this.options.maxBatchSize ?? Number.POSITIVE_INFINITY
          const records: ConsumedRecord[] = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key,
            value: m.value,
            headers: fromKjsHeaders(m.headers),
            timestamp: Number(m.timestamp),
          }))
          for (let i = 0; i < records.length; i += Number.isFinite(max) ? max : records.length) {
            await handlers.eachBatch({
              topic: batch.topic,
              partition: batch.partition,
              records: records.slice(i, i + max),
            })
          }
        },
      }),
    )
  }

  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return
    await translate('commit offsets', () =>
      this.consumer.commitOffsets(
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
      ),
    )
  }

  seek(position: TopicPartitionOffset): void {
    this.consumer.seek({
      topic: position.topic,
      partition: position.partition,
      offset: String(position.offset),
    })
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.consumer.pause(partitions.map((p) => ({ topic: p.topic, partitions: [p.partition] })))
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.consumer.resume(partitions.map((p) => ({ topic: p.topic, partitions: [p.partition] })))
  }

  assignment(): TopicPartition[] {
    return [...this.assigned.values()]
  }

  async disconnect(): Promise<void> {
    await translate('consumer disconnect', () => this.consumer.disconnect())
  }
}
