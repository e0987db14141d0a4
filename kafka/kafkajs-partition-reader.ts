// PartitionReader on kafkajs. kafkajs has no assign mode, so each read joins a private, never-committing
// group, pauses the topic's other partitions and seeks. The end is the partition's end offset taken
// before reading (kafkajs lists offsets read_committed: the last stable offset), reached when a processed
// batch (kafkajs reports batches emptied by transaction markers too) ends there. Not the high watermark
// of the batches: a replica just made leader can report a lower one than its predecessor, until its
// followers catch up, and the read would stop short.
import { randomUUID } from 'node:crypto'
import type { Kafka as KjsKafka } from 'kafkajs'
import { KafkaError, translateClientError } from './kafka-error.js'
import { fromHeaders } from './kafkajs-style.js'
import { retrying } from './retry.js'
import { TopicPartitionMap } from './topic-partition-map.js'
import type {
  ConsumedRecord,
  PartitionRead,
  PartitionReader,
  ReaderOptions,
  TopicPartition,
} from './kafka-port.js'

export class KafkajsPartitionReader implements PartitionReader {
  constructor(
    private readonly kafka: KjsKafka,
    private readonly options: ReaderOptions,
    private readonly clientId: string,
  ) {}

  async readToEnd(
    tp: TopicPartition,
    from: number | 'earliest',
    onBatch: (records: readonly ConsumedRecord[]) => void | Promise<void>,
  ): Promise<number> {
    const offsets = await retrying('restore end offsets', async () => {
      const admin = this.kafka.admin()
      await admin.connect()
      return admin.fetchTopicOffsets(tp.topic).finally(() => admin.disconnect())
    })
    const bounds = offsets.find((o) => o.partition === tp.partition)
    if (!bounds)
      throw new KafkaError('TOPIC_NOT_FOUND', `restore read: ${tp.topic}/${tp.partition} does not exist`)
    const start = from === 'earliest' ? Number(bounds.low) : Math.max(from, Number(bounds.low))
    const end = Number(bounds.high)
    if (start >= end) return start

    const consumer = this.kafka.consumer({
      // named after the client: under ACLs the application's group prefix covers it
      groupId: `${this.clientId}-reader-${randomUUID()}`,
      readUncommitted: this.options.isolation === 'read_uncommitted',
      maxWaitTimeInMs: 50,
      // a restart after a broker failure rejoins the private group, which waits for the member before it
      // to time out: keep that short (the broker's minimum)
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      allowAutoTopicCreation: false,
    })
    let next = start
    let resumeAt = start
    let finish: () => void = () => {}
    let fail: (error: unknown) => void = () => {}
    /** What the caller's `onBatch` threw: the read ends with it, as it is (never retried by kafkajs). */
    let callerError: { error: unknown } | undefined
    const done = new Promise<void>((resolve, reject) => {
      finish = resolve
      fail = reject
    })
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const others = (event.payload.memberAssignment[tp.topic] ?? []).filter((p) => p !== tp.partition)
      if (others.length > 0) consumer.pause([{ topic: tp.topic, partitions: others }])
      // after a restart too: from the first record not yet handed on
      consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(resumeAt) })
    })
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { partition, lastOffset } = event.payload
      if (partition !== tp.partition) return
      next = Math.max(next, Number(lastOffset) + 1)
      if (next >= end) finish()
    })
    // kafkajs restarts the consumer after a retriable error (NOT_LEADER_OR_FOLLOWER while leadership moves,
    // a broker connection lost) and says so: the read goes on; only a crash it does not restart from ends it
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) fail(event.payload.error)
    })
    try {
      await consumer.connect()
      await consumer.subscribe({ topics: [tp.topic], fromBeginning: true })
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.partition !== tp.partition || callerError) return
          const records = batch.messages
            .filter((m) => Number(m.offset) >= resumeAt)
            .map((m): ConsumedRecord => ({
              topic: tp.topic,
              partition: tp.partition,
              offset: Number(m.offset),
              key: m.key,
              value: m.value,
              headers: fromHeaders(m.headers),
              timestamp: Number(m.timestamp),
            }))
          if (records.length === 0) return
          try {
            await onBatch(records)
          } catch (error) {
            // thrown back to kafkajs it would be retried, and the consumer restarted, reading on
            callerError = { error }
            fail(error)
            return
          }
          resumeAt = records.at(-1)!.offset + 1
        },
      })
      await done
      return next
    } catch (error) {
      if (callerError) throw callerError.error
      throw translateClientError(error, 'restore read')
    } finally {
      await consumer.disconnect()
    }
  }

  /** kafkajs has no assign mode: one private-group read per partition, in turn. */
  async readAllToEnd(
    requests: readonly PartitionRead[],
    onBatch: (partition: TopicPartition, records: readonly ConsumedRecord[]) => void | Promise<void>,
    onEnd?: (partition: TopicPartition) => void,
  ): Promise<TopicPartitionMap<number>> {
    const next = new TopicPartitionMap<number>()
    for (const r of requests) {
      next.set(
        r.partition,
        await this.readToEnd(r.partition, r.from, (records) => onBatch(r.partition, records)),
      )
      onEnd?.(r.partition)
    }
    return next
  }

  async close(): Promise<void> {}
}
