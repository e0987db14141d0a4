// Shared helpers for tests against the real broker: client factories, unique names, and a consumer
// that collects records until a condition holds (or fails with what it saw after a timeout).
import { randomUUID } from 'node:crypto'
import { inject } from 'vitest'
import { until } from './until.js'
import {
  createKafkaClient,
  type ClientKind,
  type ConsumedRecord,
  type IsolationLevel,
  type KafkaClient,
} from '../../kafka/index.js'

export function brokers(): string[] {
  return inject('brokers').split(',')
}

export function client(kind: ClientKind = 'confluent'): KafkaClient {
  return createKafkaClient({ kind, brokers: brokers(), clientId: `test-${kind}` })
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

/**
 * The base timestamp for records a test writes to the broker: ten minutes ago, on a whole minute (so
 * windows start on it). Never a fixed date: the broker deletes records stamped longer ago than their
 * topic's retention.ms (7 days by default; a window store's retention plus one day for its changelog) at
 * its next retention check or log-cleaner pass — in the middle of a test, which then loses input, output
 * or changelog records at random. Nor more than an hour ahead: the broker refuses those
 * (log.message.timestamp.after.max.ms).
 */
export function recentTimestamp(): number {
  const minute = 60_000
  return Math.floor(Date.now() / minute) * minute - 10 * minute
}

export async function createTopic(
  kafka: KafkaClient,
  topic: string,
  partitions = 1,
  config?: Record<string, string>,
) {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics([{ topic, partitions, replicationFactor: 1, ...(config ? { config } : {}) }])
  } finally {
    await admin.disconnect()
  }
}

/**
 * Waits until partition `partition` of `topic` holds `offset` offsets (records and transaction markers).
 * A transactional send on confluent resolves once its records are queued, and an abort purges what is
 * still queued: a test that needs records of a transaction it aborts on the broker (for read_committed to
 * skip them) waits here first. kafkajs acknowledges a send before it resolves (and its admin's end offsets
 * are read_committed, which stop at an open transaction), so on kafkajs this returns at once.
 */
export async function onBroker(kafka: KafkaClient, topic: string, partition: number, offset: number) {
  if (kafka.kind !== 'confluent') return
  const admin = kafka.admin()
  await admin.connect()
  try {
    await until(`${topic}-${partition} at offset ${offset}`, async () => {
      const end = (await admin.endOffsets(topic)).find((o) => o.partition === partition)
      return (end?.offset ?? 0) >= offset
    })
  } finally {
    await admin.disconnect()
  }
}

export interface CollectOptions {
  readonly isolation?: IsolationLevel
  readonly timeoutMs?: number
  readonly groupId?: string
  /** Keep reading this long after `until` holds, to catch records that should not be there. */
  readonly settleMs?: number
}

/** Reads `topics` from the beginning with a fresh group until `until(records)` holds. */
export async function collect(
  kafka: KafkaClient,
  topics: string[],
  until: (records: readonly ConsumedRecord[]) => boolean,
  options: CollectOptions = {},
): Promise<ConsumedRecord[]> {
  const consumer = kafka.consumer({
    groupId: options.groupId ?? uniqueName('collector'),
    isolation: options.isolation ?? 'read_committed',
    autoOffsetReset: 'earliest',
  })
  const records: ConsumedRecord[] = []
  await consumer.connect()
  await consumer.subscribe(topics)
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => (done = resolve))
  await consumer.run({
    eachBatch: async (batch) => {
      records.push(...batch.records)
      if (until(records)) done()
    },
  })
  const timeoutMs = options.timeoutMs ?? 30_000
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      finished,
      new Promise<void>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `collect(${topics.join(',')}): condition not met after ${timeoutMs} ms; got ${records.length} records`,
              ),
            ),
          timeoutMs,
        )
      }),
    ])
    if (options.settleMs) await new Promise((resolve) => setTimeout(resolve, options.settleMs))
  } finally {
    clearTimeout(timer)
    await consumer.disconnect()
  }
  return records
}
