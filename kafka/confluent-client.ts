// Adapter: the Kafka port on @confluentinc/kafka-javascript (librdkafka), through its KafkaJS-style API.
// Revocation runs before partitions move (an awaited rebalance_cb), cooperative-sticky rebalancing is
// available, and transactional offset commits carry the consumer's group metadata (KIP-447 fencing).
import confluent from '@confluentinc/kafka-javascript'
import { ConfluentPartitionReader } from './confluent-partition-reader.js'
import { toKafkaError } from './kafka-error.js'
import {
  fromHeaders,
  KafkajsStyleAdmin,
  offsetsByTopic,
  toPositions,
  toStringOffsets,
  toTopicMessages,
  translate,
} from './kafkajs-style.js'
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

const { KafkaJS } = confluent

type CkjsKafka = InstanceType<typeof KafkaJS.Kafka>
type CkjsProducer = ReturnType<CkjsKafka['producer']>
type CkjsConsumer = ReturnType<CkjsKafka['consumer']>
type CkjsTransaction = Awaited<ReturnType<CkjsProducer['transaction']>>

export function createConfluentClient(config: KafkaClientConfig): KafkaClient {
  const levels = {
    error: KafkaJS.logLevel.ERROR,
    warn: KafkaJS.logLevel.WARN,
    info: KafkaJS.logLevel.INFO,
    debug: KafkaJS.logLevel.DEBUG,
  }
  const kafka = new KafkaJS.Kafka({
    kafkaJS: {
      brokers: [...config.brokers],
      clientId: config.clientId,
      logLevel: levels[config.logLevel ?? 'error'],
    },
  })
  return {
    kind: 'confluent',
    admin: () => {
      const admin = kafka.admin()
      return new KafkajsStyleAdmin(admin, {
        describe: (topics) => admin.fetchTopicMetadata({ topics }),
        fetchOffsets: (groupId, topic) =>
          admin.fetchOffsets({ groupId, topics: [topic], requireStableOffsets: true }),
      })
    },
    producer: (options = {}) => new ConfluentProducer(kafka, options),
    consumer: (options) => new ConfluentConsumer(kafka, options),
    reader: (options = {}) => new ConfluentPartitionReader(config.brokers, config.clientId, options),
  }
}

class ConfluentProducer implements KafkaProducer {
  private readonly producer: CkjsProducer
  constructor(
    kafka: CkjsKafka,
    private readonly options: ProducerOptions,
  ) {
    const transactional = options.transactionalId !== undefined
    this.producer = kafka.producer({
      kafkaJS: {
        idempotent: transactional || (options.idempotent ?? true),
        ...(transactional ? { transactionalId: options.transactionalId } : {}),
        transactionTimeout: options.transactionTimeoutMs ?? 60_000,
        allowAutoTopicCreation: false,
        acks: -1,
      },
      'linger.ms': options.lingerMs ?? 5,
      // Java-compatible key hashing, so records land where Kafka Streams, kafkajs and kcat -X partitioner=murmur2 put them.
      partitioner: 'murmur2_random',
    })
  }
  connect = () => translate('producer connect', () => this.producer.connect())
  disconnect = () => translate('producer disconnect', () => this.producer.disconnect())

  async send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0) return []
    return translate('produce', async () =>
      toPositions(
        await this.producer.sendBatch({
          topicMessages: toTopicMessages(records),
        }),
      ),
    )
  }

  async beginTransaction(): Promise<KafkaTransaction> {
    if (this.options.transactionalId === undefined) {
      throw toKafkaError(new Error('INVALID_ARG: producer has no transactionalId'), 'begin transaction')
    }
    return new ConfluentTransaction(await translate('begin transaction', () => this.producer.transaction()))
  }
}

class ConfluentTransaction implements KafkaTransaction {
  constructor(private readonly txn: CkjsTransaction) {}

  async send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0) return []
    return translate('transactional produce', async () =>
      toPositions(await this.txn.sendBatch({ topicMessages: toTopicMessages(records) })),
    )
  }

  async sendOffsets(consumer: KafkaConsumer, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (!(consumer instanceof ConfluentConsumer))
      throw new TypeError('sendOffsets needs a consumer of the same client')
    if (offsets.length === 0) return
    await translate('send offsets to transaction', () =>
      this.txn.sendOffsets({ consumer: consumer.native, topics: offsetsByTopic(offsets) }),
    )
  }

  commit = () => translate('commit transaction', () => this.txn.commit())
  abort = () => translate('abort transaction', () => this.txn.abort())
}

interface RebalanceAssignment {
  topic: string
  partition: number
}

class ConfluentConsumer implements KafkaConsumer {
  readonly native: CkjsConsumer
  private handlers: ConsumerHandlers | undefined
  private readonly owned = new Map<string, TopicPartition>()

  constructor(
    kafka: CkjsKafka,
    private readonly options: ConsumerOptions,
  ) {
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
        partitionAssigners: [
          cooperative ? KafkaJS.PartitionAssigners.cooperativeSticky : KafkaJS.PartitionAssigners.roundRobin,
        ],
      },
      'js.consumer.max.batch.size': options.maxBatchSize ?? 1000,
      rebalance_cb: (error: { code: number }, assignment: RebalanceAssignment[]) =>
        this.onRebalance(error, assignment),
    })
  }

  /** Awaited by the client before it applies the new assignment: revoked partitions are still ours here. */
  private async onRebalance(error: { code: number }, assignment: RebalanceAssignment[]): Promise<void> {
    const partitions = assignment.map((a) => ({ topic: a.topic, partition: a.partition }))
    if (error.code === KafkaJS.ErrorCodes.ERR__ASSIGN_PARTITIONS) {
      for (const tp of partitions) this.owned.set(`${tp.topic}\u0000${tp.partition}`, tp)
      await this.handlers?.onAssigned?.(partitions)
    } else {
      for (const tp of partitions) this.owned.delete(`${tp.topic}\u0000${tp.partition}`)
      await this.handlers?.onRevoked?.(partitions)
    }
  }

  connect = () => translate('consumer connect', () => this.native.connect())

  async subscribe(topics: readonly string[]): Promise<void> {
    await translate('subscribe', () => this.native.subscribe({ topics: [...topics] }))
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    this.handlers = handlers
    await translate('consumer run', () =>
      this.native.run({
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch }) => {
          const records: ConsumedRecord[] = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key ?? null,
            value: m.value ?? null,
            headers: fromHeaders(m.headers),
            timestamp: Number(m.timestamp),
          }))
          await handlers.eachBatch({ topic: batch.topic, partition: batch.partition, records })
        },
      }),
    )
  }

  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return
    await translate('commit offsets', () => this.native.commitOffsets(toStringOffsets(offsets)))
  }

  seek(position: TopicPartitionOffset): void {
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

  assignment(): TopicPartition[] {
    return [...this.owned.values()]
  }

  async disconnect(): Promise<void> {
    await translate('consumer disconnect', () => this.native.disconnect())
  }
}
