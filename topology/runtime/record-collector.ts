// Collects every task's output (sink records, changelog records, dead letters) and produces it in batches
// without per-record awaits. Under exactly-once the batches go into the open transaction, which the commit
// closes together with the consumed offsets.
//
// A commit seals the collector: what was sent so far belongs to the transaction being committed, and what
// tasks send meanwhile is held back, then sent into the next transaction once the commit is complete. That
// lets the runtime go on processing while a transaction commits.
import type {
  KafkaConsumer,
  KafkaProducer,
  KafkaTransaction,
  OutgoingRecord,
  RecordPosition,
  TopicPartitionOffset,
} from '../../kafka/index.js'
import { TopicPartitionMap } from '../../kafka/index.js'
import type { RecordSink } from './record-sink.js'
import type { StreamsMetrics } from './streams-metrics.js'

/** Bytes buffered before a produce call is started (well under the broker's default 1 MB request limit). */
const maxBatchBytes = 512 * 1024

export class RecordCollector implements RecordSink {
  private buffer: OutgoingRecord[] = []
  private bufferedBytes = 0
  private inflight: Promise<void>[] = []
  private failure: unknown
  private transaction: Promise<KafkaTransaction> | undefined
  /** A commit is in progress: records are buffered, not sent (they belong to the next transaction). */
  private sealed = false
  /** Next offset after the last record we wrote, per partition, in this commit cycle (as reported). */
  private readonly positions = new TopicPartitionMap<number>()
  /**
   * Records written per partition in this commit cycle whose offsets the client did not report (confluent
   * transactions, see `KafkaTransaction.send`); a commit then checkpoints by `ChangelogAdvance`.
   */
  private readonly unreported = new TopicPartitionMap<number>()

  constructor(
    private producer: KafkaProducer,
    private readonly transactional: boolean,
    private readonly batchSize: number,
    private readonly metrics: StreamsMetrics,
  ) {}

  /** A fenced producer cannot be used again: the runtime makes a new one. */
  replaceProducer(producer: KafkaProducer): void {
    this.producer = producer
    this.transaction = undefined
  }

  send(record: OutgoingRecord): void {
    this.buffer.push(record)
    this.bufferedBytes += sizeOf(record)
    // a byte bound too: kafkajs sends one request per call and the broker refuses requests over 1 MB
    if (this.buffer.length >= this.batchSize || this.bufferedBytes >= maxBatchBytes) this.flush()
  }

  /** Starts producing what is buffered (unless sealed); does not wait for the acknowledgements. */
  flush(): void {
    if (this.sealed) return
    this.produceBuffered()
  }

  /** Commit step 2 begins: sends what is buffered and holds back what comes after, until `unseal`. */
  seal(): void {
    this.flush()
    this.sealed = true
  }

  /** The commit is complete: what was held back goes into the next transaction. */
  unseal(): void {
    this.sealed = false
    this.flush()
  }

  /** Sends the buffer in produce calls of at most `batchSize` records and `maxBatchBytes` bytes. */
  private produceBuffered(): void {
    const buffer = this.buffer
    this.buffer = []
    this.bufferedBytes = 0
    let start = 0
    let bytes = 0
    for (let i = 0; i < buffer.length; i++) {
      bytes += sizeOf(buffer[i]!)
      if (i + 1 - start >= this.batchSize || bytes >= maxBatchBytes || i === buffer.length - 1) {
        this.produce(buffer.slice(start, i + 1))
        start = i + 1
        bytes = 0
      }
    }
  }

  private produce(records: OutgoingRecord[]): void {
    // what `track` needs of the records, taken now: holding the records themselves until the
    // acknowledgements come (hundreds of ms during a commit) made them outlive V8's young generation
    const summary = summarize(records)
    const sent = this.transactional
      ? (this.transaction ??= this.producer.beginTransaction()).then((txn) => txn.send(records))
      : this.producer.send(records)
    this.inflight.push(
      sent.then(
        (positions) => this.track(summary, positions),
        (error: unknown) => {
          this.failure ??= error
        },
      ),
    )
  }

  /**
   * Waits for every send so far (sealed: those before the seal) to be written; throws the first failure.
   * Outside a transaction that is the producer's flush: its sends may resolve once queued (the runtime's
   * at-least-once producer is acknowledged by flush, `ProducerOptions.acknowledgedBy`).
   */
  async drain(): Promise<void> {
    this.flush()
    const inflight = this.inflight
    this.inflight = []
    await Promise.all(inflight)
    if (!this.transactional)
      await this.producer.flush().catch((error: unknown) => {
        this.failure ??= error
      })
    if (this.failure !== undefined) {
      const failure = this.failure
      this.failure = undefined
      throw failure instanceof Error ? failure : new Error('produce failed', { cause: failure })
    }
  }

  /** Exactly-once commit: everything sent plus `offsets`, atomically. */
  async commitTransaction(consumer: KafkaConsumer, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.drain()
    if (!this.transaction && offsets.length === 0) return
    const txn = await (this.transaction ??= this.producer.beginTransaction())
    this.transaction = undefined
    await txn.sendOffsets(consumer, offsets)
    await txn.commit()
  }

  /** Aborts the open transaction (best effort) and forgets everything not committed. */
  async abort(): Promise<void> {
    this.buffer = []
    this.bufferedBytes = 0
    this.sealed = false
    const inflight = this.inflight
    this.inflight = []
    await Promise.allSettled(inflight)
    this.failure = undefined
    this.clearPositions()
    const txn = this.transaction
    this.transaction = undefined
    if (txn) await txn.then((t) => t.abort()).catch(() => undefined)
  }

  /** The next offset after our last write to a partition in this cycle, as reported; undefined if none. */
  position(topic: string, partition: number): number | undefined {
    return this.positions.get({ topic, partition })
  }

  /** Records written to a partition in this cycle whose offsets were not reported (0 if none). */
  unreportedWrites(topic: string, partition: number): number {
    return this.unreported.get({ topic, partition }) ?? 0
  }

  clearPositions(): void {
    this.positions.clear()
    this.unreported.clear()
  }

  private track(
    { counts, unpartitioned, oldestByTopic }: SentSummary,
    positions: readonly RecordPosition[],
  ): void {
    if (positions.length === 0) {
      // not reported (confluent: a transaction, or a producer acknowledged by flush): counted by the
      // partitions the records named; the client chose the partition of the others (no key, no
      // partitioner), which it did not say
      for (const [tp, count] of counts) {
        this.metrics.recordsProduced(tp.topic, tp.partition, count)
        this.unreported.set(tp, (this.unreported.get(tp) ?? 0) + count)
      }
      for (const [topic, count] of unpartitioned) this.metrics.recordsProduced(topic, -1, count)
    }
    for (const position of positions) {
      const count = counts.get(position)
      this.metrics.recordsProduced(position.topic, position.partition, count ?? 1)
      if (count === undefined || position.offset < 0) continue
      const next = position.offset + count
      const known = this.positions.get(position)
      if (known === undefined || next > known) this.positions.set(position, next)
    }
    // per topic: a batch mixes outputs, changelogs and dead letters, each with its own latency
    const now = Date.now()
    for (const [topic, oldest] of oldestByTopic)
      this.metrics.endToEnd(topic, Math.max(0, now - oldest) / 1000)
  }
}

/**
 * Of one produce call: records per partition (those with a partition chosen), records per topic left to
 * the client's partitioner, oldest timestamp per topic.
 */
interface SentSummary {
  readonly counts: TopicPartitionMap<number>
  readonly unpartitioned: Map<string, number>
  readonly oldestByTopic: Map<string, number>
}

function summarize(records: readonly OutgoingRecord[]): SentSummary {
  const counts = new TopicPartitionMap<number>()
  const unpartitioned = new Map<string, number>()
  const oldestByTopic = new Map<string, number>()
  for (const record of records) {
    if (record.timestamp !== undefined && record.timestamp < (oldestByTopic.get(record.topic) ?? Infinity)) {
      oldestByTopic.set(record.topic, record.timestamp)
    }
    if (record.partition === undefined) {
      unpartitioned.set(record.topic, (unpartitioned.get(record.topic) ?? 0) + 1)
      continue
    }
    counts.setAt(record.topic, record.partition, (counts.getAt(record.topic, record.partition) ?? 0) + 1)
  }
  return { counts, unpartitioned, oldestByTopic }
}

/** Bytes a record adds to a produce request, roughly (key, value and per-record overhead). */
function sizeOf(record: OutgoingRecord): number {
  return (record.key?.length ?? 0) + (record.value?.length ?? 0) + 64
}
