// Offsets on librdkafka through a consumer's watermark query (kafka/confluent-watermarks.ts), against the
// real broker: with a transaction left open the end under read_committed is the last stable offset and
// under read_uncommitted the high watermark — for the query itself, the partition reader's read to the end
// and the admin's end offsets; and calls that time out at once leave nothing running that could bring the
// process down (librdkafka's admin ListOffsets corrupted the heap so).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfluentWatermarks } from '../../kafka/confluent-watermarks.js'
import type { KafkaClient, KafkaProducer, KafkaTransaction } from '../../kafka/index.js'
import { brokers, client, createTopic, onBroker, uniqueName } from '../support/kafka.js'

const committedRecords = 10
const openRecords = 5
// offsets 0–9 committed, 10 their commit marker, 11–15 in the open transaction
const lastStable = committedRecords + 1
const highWatermark = lastStable + openRecords

describe('end offsets on confluent with a transaction open', () => {
  let kafka: KafkaClient
  let producer: KafkaProducer
  let open: KafkaTransaction
  const topic = uniqueName('watermarks')

  beforeAll(async () => {
    kafka = client('confluent')
    await createTopic(kafka, topic, 2)
    producer = kafka.producer({ transactionalId: uniqueName('watermarks-txn') })
    await producer.connect()
    const record = (i: number) => ({ topic, partition: 0, key: null, value: Buffer.from(`v${i}`) })
    const committed = await producer.beginTransaction()
    await committed.send(Array.from({ length: committedRecords }, (_, i) => record(i)))
    await committed.commit()
    open = await producer.beginTransaction()
    await open.send(Array.from({ length: openRecords }, (_, i) => record(committedRecords + i)))
    await onBroker(kafka, topic, 0, highWatermark) // queued until then (see onBroker)
  })

  afterAll(async () => {
    await open?.abort()
    await producer?.disconnect()
  })

  it('reads the last stable offset under read_committed and the high watermark under read_uncommitted', async () => {
    for (const [isolation, end] of [
      ['read_committed', lastStable],
      ['read_uncommitted', highWatermark],
    ] as const) {
      const watermarks = ConfluentWatermarks.ownConsumer(brokers(), 'test-watermarks', isolation)
      try {
        expect(await watermarks.topic(topic)).toEqual([
          { partition: 0, low: 0, high: end },
          { partition: 1, low: 0, high: 0 },
        ])
        expect(await watermarks.partitions(topic, [0])).toEqual([{ partition: 0, low: 0, high: end }])
      } finally {
        await watermarks.close()
      }
    }
  })

  it('the reader reads to the last stable offset under read_committed, past the open transaction otherwise', async () => {
    for (const [isolation, end, records] of [
      ['read_committed', lastStable, committedRecords],
      ['read_uncommitted', highWatermark, committedRecords + openRecords],
    ] as const) {
      const reader = kafka.reader({ isolation })
      let read = 0
      try {
        const next = await reader.readToEnd({ topic, partition: 0 }, 'earliest', (batch) => {
          read += batch.length
        })
        expect({ isolation, next, read }).toEqual({ isolation, next: end, read: records })
      } finally {
        await reader.close()
      }
    }
  })

  it("the admin's end offsets are the high watermarks", async () => {
    const admin = kafka.admin()
    await admin.connect()
    try {
      expect(await admin.endOffsets(topic)).toEqual([
        { topic, partition: 0, offset: highWatermark },
        { topic, partition: 1, offset: 0 },
      ])
      expect(await admin.startOffsets(topic)).toEqual([
        { topic, partition: 0, offset: 0 },
        { topic, partition: 1, offset: 0 },
      ])
    } finally {
      await admin.disconnect()
    }
  })

  it('an unknown topic is an error, never a topic with no records', async () => {
    const watermarks = ConfluentWatermarks.ownConsumer(brokers(), 'test-watermarks', 'read_committed')
    try {
      await expect(watermarks.topic(uniqueName('absent'))).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' })
    } finally {
      await watermarks.close()
    }
  })

  it('calls timing out at once, many at a time, leave nothing running: the handle closes and the process lives', async () => {
    // a 1 ms bound: most calls time out inside librdkafka while their requests are still out
    const hasty = ConfluentWatermarks.ownConsumer(brokers(), 'test-watermarks', 'read_committed', {}, 1)
    const outcomes = new Map<string, number>()
    try {
      for (let round = 0; round < 100; round++) {
        const results = await Promise.allSettled([0, 1, 2, 3].map(() => hasty.partitions(topic, [0, 1])))
        for (const result of results) {
          const outcome =
            result.status === 'fulfilled' ? 'answered' : String((result.reason as { code?: string }).code)
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
        }
      }
    } finally {
      await hasty.close()
    }
    // every call ends: answered, timed out, or — on a loaded machine, the 1 ms metadata request failing as
    // librdkafka's `_TRANSPORT` — a retriable BROKER_UNAVAILABLE; nothing else, and no crash
    const expected = new Set(['answered', 'TIMEOUT', 'BROKER_UNAVAILABLE'])
    expect([...outcomes.keys()].filter((o) => !expected.has(o))).toEqual([])
    expect(outcomes.get('TIMEOUT')).toBeGreaterThan(0)
    // the late answers of the timed-out calls arrive after this; a fresh client still answers
    const fresh = ConfluentWatermarks.ownConsumer(brokers(), 'test-watermarks', 'read_committed')
    try {
      expect(await fresh.partitions(topic, [0])).toEqual([{ partition: 0, low: 0, high: lastStable }])
    } finally {
      await fresh.close()
    }
  })
})
