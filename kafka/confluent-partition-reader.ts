// PartitionReader on librdkafka's assign-mode consumer (the node-rdkafka API of @confluentinc/kafka-javascript):
// no group join, so a restore starts reading at once. The end of each partition is its end offset listed
// before reading, with the reader's isolation (under read_committed the last stable offset), as Kafka
// Streams takes it; reached by the records read or by librdkafka's partition EOF (past a final transaction
// marker). Not EOF alone: a replica just made leader can report a lower high watermark than its
// predecessor until its followers catch up, and the read would stop short.
// The end offsets are asked of the reader's own consumer (confluent-watermarks.ts: never librdkafka's admin
// ListOffsets, whose timeout path frees memory its caller still reads), so they follow its isolation.level.
import type { Message as NativeMessage } from '@confluentinc/kafka-javascript'
import { randomUUID } from 'node:crypto'
import type { ClientLog, LibrdkafkaLogEvent } from './client-logs.js'
import { librdkafkaCodeName } from './librdkafka-code-name.js'
import { ConfluentWatermarks } from './confluent-watermarks.js'
import { KafkaError, translateClientError } from './kafka-error.js'
import { nativeClient, type NativeClientModule } from './native-client.js'
import { retrying } from './retry.js'
import { TopicPartitionMap } from './topic-partition-map.js'
import type {
  ConsumedRecord,
  PartitionRead,
  PartitionReader,
  ReaderOptions,
  TopicPartition,
} from './kafka-port.js'

type NativeConsumer = InstanceType<NativeClientModule['KafkaConsumer']>

const OFFSET_BEGINNING = -2

export class ConfluentPartitionReader implements PartitionReader {
  private consumer: NativeConsumer | undefined
  private readonly watermarks = new ConfluentWatermarks({ consumer: () => this.connected() })
  private closed = false
  /** One read at a time: a read re-assigns the one consumer. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly brokers: readonly string[],
    private readonly clientId: string,
    private readonly options: ReaderOptions,
    /** TLS and SASL properties (kafka-security.ts). */
    private readonly security: Readonly<Record<string, string>> = {},
    private readonly log?: ClientLog,
  ) {}

  /** End offsets of the requested partitions, with the reader's isolation (read_committed: the LSO). */
  private async endOffsets(requests: readonly PartitionRead[]): Promise<TopicPartitionMap<number>> {
    const ends = new TopicPartitionMap<number>()
    const byTopic = new Map<string, number[]>()
    for (const { partition: tp } of requests)
      byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition])
    for (const [topic, partitions] of byTopic)
      for (const p of await this.watermarks.partitions(topic, partitions))
        ends.set({ topic, partition: p.partition }, p.high)
    return ends
  }

  private async connected(): Promise<NativeConsumer> {
    if (this.consumer) return this.consumer
    if (this.closed) throw new KafkaError('INVALID_ARGUMENT', 'read on a closed reader')
    const consumer = new (nativeClient().KafkaConsumer)(
      {
        ...this.security,
        'bootstrap.servers': this.brokers.join(','),
        'client.id': this.clientId,
        // named after the client: under ACLs the application's group prefix covers it
        'group.id': `${this.clientId}-reader-${randomUUID()}`,
        'enable.auto.commit': false,
        'enable.partition.eof': true,
        'isolation.level': this.options.isolation ?? 'read_committed',
        'fetch.wait.max.ms': 50,
        'queued.max.messages.kbytes': 65536,
        // a fetch queue past its thresholds (queued.min.messages, 100,000 across the assigned partitions,
        // or the kbytes above) postpones every partition's next fetch by this long; librdkafka's 1,000 ms
        // left a restore idle for most of each second once it read faster than it wrote (500,000 records
        // read with nothing done with them: 113k records/s, against 190k–230k with 10 ms)
        'fetch.queue.backoff.ms': 10,
      },
      { 'auto.offset.reset': 'earliest' },
    )
    await new Promise<void>((resolve, reject) =>
      consumer.connect({ timeout: 30_000 }, (error) =>
        error ? reject(translateClientError(error, 'reader connect', librdkafkaCodeName)) : resolve(),
      ),
    )
    consumer.setDefaultConsumeTimeout(100)
    if (this.log) {
      consumer.on('event.log', (event: LibrdkafkaLogEvent) => this.log?.librdkafka(event))
      consumer.on('event.error', (error) => this.log?.librdkafkaError(error, 'reader'))
    }
    this.consumer = consumer
    return consumer
  }

  async readToEnd(
    tp: TopicPartition,
    from: number | 'earliest',
    onBatch: (records: readonly ConsumedRecord[]) => void | Promise<void>,
  ): Promise<number> {
    const next = await this.readAllToEnd([{ partition: tp, from }], (_, records) => onBatch(records))
    return next.get(tp) ?? 0
  }

  readAllToEnd(
    requests: readonly PartitionRead[],
    onBatch: (partition: TopicPartition, records: readonly ConsumedRecord[]) => void | Promise<void>,
    onEnd?: (partition: TopicPartition) => void,
  ): Promise<TopicPartitionMap<number>> {
    const result = this.queue.then(() => this.read(requests, onBatch, onEnd))
    this.queue = result.catch(() => undefined)
    return result
  }

  /** Assigns every requested partition at once and consumes until each reported EOF. */
  private async read(
    requests: readonly PartitionRead[],
    onBatch: (partition: TopicPartition, records: readonly ConsumedRecord[]) => void | Promise<void>,
    onEnd?: (partition: TopicPartition) => void,
  ): Promise<TopicPartitionMap<number>> {
    const next = new TopicPartitionMap<number>()
    if (requests.length === 0) return next
    const consumer = await this.connected()
    const ends = await retrying('restore end offsets', () => this.endOffsets(requests))
    for (const r of requests) next.set(r.partition, r.from === 'earliest' ? 0 : r.from)
    const ended = new TopicPartitionMap<true>()
    /** True when every partition reached its end; tells `onEnd` of each that just did. */
    const atEnd = () => {
      let all = true
      for (const [tp, offset] of next) {
        if (offset < (ends.get(tp) ?? 0)) all = false
        else if (!ended.has(tp)) {
          ended.set(tp, true)
          onEnd?.(tp)
        }
      }
      return all
    }
    // nothing new (a restore from a checkpoint at the end, a refresh with nothing to read): no fetch
    if (atEnd()) return next
    const eof = new TopicPartitionMap<number>()
    const onEof = (event: { topic: string; partition: number; offset: number }) => {
      eof.set(event, event.offset)
    }
    consumer.on('partition.eof', onEof)
    consumer.assign(
      requests.map((r) => ({
        topic: r.partition.topic,
        partition: r.partition.partition,
        offset: r.from === 'earliest' ? OFFSET_BEGINNING : r.from,
      })),
    )
    try {
      for (;;) {
        const messages = await new Promise<NativeMessage[]>((resolve, reject) =>
          consumer.consume(5000, (error, batch) =>
            error ? reject(translateClientError(error, 'restore read', librdkafkaCodeName)) : resolve(batch),
          ),
        )
        if (messages.length > 0) {
          const byPartition = new TopicPartitionMap<ConsumedRecord[]>()
          for (const message of messages) {
            let list = byPartition.get(message)
            if (!list) byPartition.set(message, (list = []))
            list.push(toRecord(message))
          }
          for (const [tp, records] of byPartition) {
            next.set(tp, records[records.length - 1]!.offset + 1)
            await onBatch(tp, records)
          }
        }
        for (const [tp, offset] of eof) {
          const at = next.get(tp)
          if (at !== undefined) next.set(tp, Math.max(at, offset))
        }
        if (atEnd()) return next
      }
    } finally {
      consumer.removeListener('partition.eof', onEof)
      consumer.unassign()
    }
  }

  async close(): Promise<void> {
    this.closed = true
    await this.watermarks.close()
    const consumer = this.consumer
    this.consumer = undefined
    if (!consumer) return
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()))
  }
}

/** The headers of a message without any (most changelog records): one shared, frozen object. */
const noHeaders: Readonly<Record<string, Buffer>> = Object.freeze({})

function toRecord(message: NativeMessage): ConsumedRecord {
  const headers: Record<string, Buffer> = message.headers?.length ? {} : noHeaders
  for (const header of message.headers ?? []) {
    for (const [name, value] of Object.entries(header)) {
      headers[name] = Buffer.isBuffer(value) ? value : Buffer.from(String(value))
    }
  }
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key:
      message.key === undefined || message.key === null
        ? null
        : Buffer.isBuffer(message.key)
          ? message.key
          : Buffer.from(message.key),
    value: message.value ?? null,
    headers,
    timestamp: message.timestamp ?? 0,
  }
}
