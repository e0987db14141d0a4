// The contract both adapters of the Kafka port pass against the real broker: the plaintext one of the run,
// and a secured one of this file (SASL_SSL, SCRAM-SHA-512, TLS verified against the run's CA).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  clientKinds,
  type KafkaClient,
  type KafkaConsumer,
  type TopicPartition,
  type TopicPartitionOffset,
} from '../../kafka/index.js'
import { partitionForKey } from '../../topology/runtime/partitioner.js'
import { client, collect, createTopic, onBroker, recentTimestamp, uniqueName } from '../support/kafka.js'
import { securedClient, stopSecuredKafka } from '../support/secured-kafka.js'
import { until } from '../support/until.js'

const targets = clientKinds.flatMap((kind) => [
  { kind, listener: 'PLAINTEXT' },
  { kind, listener: 'SASL_SSL' },
])

afterAll(() => stopSecuredKafka())

describe.each(targets)('Kafka port contract: $kind over $listener', ({ kind, listener }) => {
  let kafka: KafkaClient
  beforeAll(async () => {
    kafka = listener === 'PLAINTEXT' ? client(kind) : await securedClient(kind)
  })

  it('produces and consumes keys, values, headers and timestamps unchanged', async () => {
    const topic = uniqueName(`kv-${kind}`)
    await createTopic(kafka, topic, 1)
    const producer = kafka.producer()
    await producer.connect()
    const timestamp = recentTimestamp() + 4_005
    await producer.send([
      {
        topic,
        key: Buffer.from('k1'),
        value: Buffer.from('v1'),
        headers: { h: Buffer.from('x'), bin: Buffer.from([0, 255]) },
        timestamp,
      },
      { topic, key: null, value: null, timestamp: timestamp + 1 },
    ])
    await producer.disconnect()
    const records = await collect(kafka, [topic], (r) => r.length >= 2)
    expect(
      records.map((r) => [r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp, r.offset]),
    ).toEqual([
      ['k1', 'v1', timestamp, 0],
      [null, null, timestamp + 1, 1],
    ])
    expect(records[0]!.headers['h']).toEqual(Buffer.from('x'))
    expect(records[0]!.headers['bin']).toEqual(Buffer.from([0, 255]))
  })

  it('produces a batch across partitions, keeps per-key order and partitions keys like the Java client', async () => {
    const topic = uniqueName(`batch-${kind}`)
    await createTopic(kafka, topic, 3)
    const producer = kafka.producer()
    await producer.connect()
    const batch = Array.from({ length: 300 }, (_, i) => ({
      topic,
      key: Buffer.from(`key-${i % 10}`),
      value: Buffer.from(String(i)),
    }))
    const positions = await producer.send(batch)
    await producer.disconnect()
    expect(new Set(positions.map((p) => p.partition)).size).toBeGreaterThan(1)
    const records = await collect(kafka, [topic], (r) => r.length >= 300)
    expect(records).toHaveLength(300)
    for (let k = 0; k < 10; k++) {
      const ofKey = records.filter((r) => r.key?.toString() === `key-${k}`)
      expect(new Set(ofKey.map((r) => r.partition)).size).toBe(1)
      expect(ofKey.map((r) => Number(r.value!.toString()))).toEqual(
        ofKey.map((r) => Number(r.value!.toString())).sort((a, b) => a - b),
      )
    }
    // murmur2 of "key-0" with 3 partitions, as org.apache.kafka.common.utils.Utils.murmur2 computes it
    const key0 = records.find((r) => r.key?.toString() === 'key-0')!
    expect(key0.partition).toBe(partitionForKey(Buffer.from('key-0'), 3))
  })

  it('commits consumed offsets atomically with transactional output; read_committed never sees an aborted record', async () => {
    const input = uniqueName(`tx-in-${kind}`)
    const output = uniqueName(`tx-out-${kind}`)
    const groupId = uniqueName(`tx-group-${kind}`)
    await createTopic(kafka, input, 1)
    await createTopic(kafka, output, 1)
    const plain = kafka.producer()
    await plain.connect()
    await plain.send(
      Array.from({ length: 6 }, (_, i) => ({
        topic: input,
        key: Buffer.from('k'),
        value: Buffer.from(`in-${i}`),
      })),
    )
    await plain.disconnect()

    const producer = kafka.producer({ transactionalId: uniqueName(`tx-${kind}`) })
    await producer.connect()
    const consumer = kafka.consumer({ groupId, isolation: 'read_committed' })
    await consumer.connect()
    await consumer.subscribe([input])
    const seen: number[] = []
    let round = 0
    let finished: () => void = () => {}
    const done = new Promise<void>((resolve) => (finished = resolve))
    await consumer.run({
      eachBatch: async (batch) => {
        for (const record of batch.records) {
          if (seen.includes(record.offset)) continue
          seen.push(record.offset)
          const txn = await producer.beginTransaction()
          await txn.send([
            { topic: output, key: record.key, value: Buffer.from(`out-${record.value!.toString()}`) },
          ])
          await txn.sendOffsets(consumer, [
            { topic: input, partition: batch.partition, offset: record.offset + 1 },
          ])
          // abort every odd record: its output must never be visible, its offset never committed
          if (round++ % 2 === 1) {
            // on the broker before the abort (see onBroker): one output per record seen, a marker per
            // transaction ended before
            await onBroker(kafka, output, 0, seen.length + round - 1)
            await txn.abort()
            consumer.seek({ topic: input, partition: batch.partition, offset: record.offset + 1 })
            break
          }
          await txn.commit()
        }
        if (seen.length >= 6) finished()
      },
    })
    await done
    await consumer.disconnect()
    await producer.disconnect()

    const committed = await collect(kafka, [output], (r) => r.length >= 3, {
      isolation: 'read_committed',
      settleMs: 1500,
    })
    expect(committed.map((r) => r.value!.toString())).toEqual(['out-in-0', 'out-in-2', 'out-in-4'])
    const uncommitted = await collect(kafka, [output], (r) => r.length >= 6, {
      isolation: 'read_uncommitted',
    })
    expect(uncommitted.map((r) => r.value!.toString()).sort()).toEqual(
      ['out-in-0', 'out-in-1', 'out-in-2', 'out-in-3', 'out-in-4', 'out-in-5'].sort(),
    )
    const admin = kafka.admin()
    await admin.connect()
    // the last committed transaction consumed in-4, so the group's committed position is 5
    expect(await admin.committedOffsets(groupId, input)).toEqual([{ topic: input, partition: 0, offset: 5 }])
    await admin.disconnect()
  })

  it('marks the batch in hand stale once its partition is sought, and delivers the records again from there', async () => {
    const topic = uniqueName(`stale-${kind}`)
    await createTopic(kafka, topic, 1)
    const producer = kafka.producer()
    await producer.connect()
    await producer.send(
      Array.from({ length: 5 }, (_, i) => ({ topic, key: null, value: Buffer.from(`v${i}`) })),
    )
    await producer.disconnect()
    const consumer = kafka.consumer({ groupId: uniqueName(`stale-group-${kind}`) })
    await consumer.connect()
    await consumer.subscribe([topic])
    const deliveries: number[][] = []
    const staleness: boolean[] = []
    let finished: () => void = () => {}
    const done = new Promise<void>((resolve) => (finished = resolve))
    await consumer.run({
      eachBatch: async (batch) => {
        deliveries.push(batch.records.map((r) => r.offset))
        if (deliveries.length === 1) {
          staleness.push(batch.isStale())
          consumer.seek({ topic, partition: 0, offset: 0 })
          staleness.push(batch.isStale())
        }
        if (deliveries.slice(1).flat().includes(4)) finished()
        await Promise.resolve()
      },
    })
    await done
    await consumer.disconnect()
    expect(staleness).toEqual([false, true])
    // after the seek, the records come again from offset 0, each once
    expect(deliveries.slice(1).flat()).toEqual([0, 1, 2, 3, 4])
  })

  it('leaves the group on disconnect without reporting that revocation to onRevoked; a seek then does nothing', async () => {
    const topic = uniqueName(`leave-${kind}`)
    await createTopic(kafka, topic, 1)
    const consumer = kafka.consumer({ groupId: uniqueName(`leave-group-${kind}`) })
    await consumer.connect()
    await consumer.subscribe([topic])
    const revoked: TopicPartition[][] = []
    let assigned: () => void = () => {}
    const isAssigned = new Promise<void>((resolve) => (assigned = resolve))
    await consumer.run({
      eachBatch: () => Promise.resolve(),
      onAssigned: (partitions) => {
        if (partitions.length > 0) assigned()
        return Promise.resolve()
      },
      onRevoked: (partitions) => {
        revoked.push([...partitions])
        return Promise.resolve()
      },
    })
    await isAssigned
    await consumer.disconnect()
    // the caller commits before it disconnects; a revocation handler would commit and seek on a consumer
    // that can do neither any more (on the confluent client: "Seek can only be called while connected")
    expect(revoked).toEqual([])
    expect(() => consumer.seek({ topic, partition: 0, offset: 0 })).not.toThrow()
  })

  it("reports a partition's lag: unknown before its first fetch and after a seek, above 0 while records are on the broker, 0 once all are delivered, a transaction's control record included", async () => {
    const topic = uniqueName(`current-lag-${kind}`)
    await createTopic(kafka, topic, 1)
    const tp = { topic, partition: 0 }
    // about 3 MB, more than one fetch returns (1 MB per partition), then a transaction of 5: its commit
    // marker is the partition's last offset
    const plain = kafka.producer()
    await plain.connect()
    const kilobyte = Buffer.alloc(1024, 'x')
    for (let i = 0; i < 3; i++)
      await plain.send(Array.from({ length: 1000 }, () => ({ topic, key: null, value: kilobyte })))
    await plain.disconnect()
    const transactional = kafka.producer({ transactionalId: uniqueName(`current-lag-tx-${kind}`) })
    await transactional.connect()
    const txn = await transactional.beginTransaction()
    await txn.send(Array.from({ length: 5 }, () => ({ topic, key: null, value: Buffer.from('t') })))
    await txn.commit()
    await transactional.disconnect()

    const consumer = kafka.consumer({
      groupId: uniqueName(`current-lag-group-${kind}`),
      isolation: 'read_committed',
    })
    await consumer.connect()
    await consumer.subscribe([topic])
    expect(consumer.currentLag(tp)).toBeUndefined()
    const lags: (number | undefined)[] = []
    let delivered = 0
    let sought = false
    let afterSeek: (number | undefined)[] = []
    await consumer.run({
      eachBatch: async (batch) => {
        if (batch.isStale()) return
        delivered += batch.records.length
        lags.push(consumer.currentLag(tp))
        await Promise.resolve()
      },
    })
    const waitFor = (what: string, condition: () => boolean) =>
      until(what, condition, {
        timeoutMs: 30_000,
        intervalMs: 20,
        observed: () =>
          `delivered ${delivered}, lags ${JSON.stringify(lags.slice(-5))}, now ${consumer.currentLag(tp)}`,
      })
    try {
      await waitFor('every record delivered', () => delivered === 3005)
      // behind while the first fetches came in
      expect(lags.some((lag) => lag !== undefined && lag > 0)).toBe(true)
      // caught up: the commit marker after the last record counts as consumed
      await waitFor('lag 0 once caught up', () => consumer.currentLag(tp) === 0)
      consumer.seek({ topic, partition: 0, offset: 3000 })
      sought = true
      afterSeek = [consumer.currentLag(tp)]
      await waitFor('the records after the seek delivered again', () => delivered === 3010)
      await waitFor('lag 0 again', () => consumer.currentLag(tp) === 0)
    } finally {
      await consumer.disconnect()
    }
    expect(sought).toBe(true)
    // right after a seek the position is the old one: the lag is unknown until the next delivery
    expect(afterSeek).toEqual([undefined])
  })

  it('assigns partition p of co-partitioned topics to one member under eager rebalancing (range)', async () => {
    const [a, b] = [uniqueName(`copart-a-${kind}`), uniqueName(`copart-b-${kind}`)]
    await createTopic(kafka, a, 5)
    await createTopic(kafka, b, 5)
    const groupId = uniqueName('copart')
    const consumers: KafkaConsumer[] = []
    try {
      for (let i = 0; i < 2; i++) {
        const consumer = kafka.consumer({ groupId, rebalance: 'eager', autoOffsetReset: 'earliest' })
        consumers.push(consumer)
        await consumer.connect()
        await consumer.subscribe([a, b])
        await consumer.run({ eachBatch: async () => {} })
      }
      const deadline = Date.now() + 30_000
      let seen = ''
      for (;;) {
        const assignments = consumers.map((c) => c.assignment())
        seen = JSON.stringify(assignments)
        if (assignments.every((x) => x.length > 0) && assignments.flat().length === 10) break
        if (Date.now() > deadline)
          throw new Error(`no settled assignment of 10 partitions within 30 s: ${seen}`)
        await new Promise((r) => setTimeout(r, 200))
      }
      for (const consumer of consumers) {
        const partitionsOf = (topic: string) =>
          consumer
            .assignment()
            .filter((tp) => tp.topic === topic)
            .map((tp) => tp.partition)
            .sort()
        expect(partitionsOf(a), seen).toEqual(partitionsOf(b))
      }
    } finally {
      for (const consumer of consumers) await consumer.disconnect()
    }
  })

  it('reads a partition by offset to its end without a group, skipping aborted records under read_committed', async () => {
    const topic = uniqueName(`reader-${kind}`)
    await createTopic(kafka, topic, 2)
    const plain = kafka.producer()
    await plain.connect()
    await plain.send(
      Array.from({ length: 5 }, (_, i) => ({
        topic,
        partition: 1,
        key: null,
        value: Buffer.from(`p${i}`),
        ...(i === 1 ? { headers: { h: Buffer.from('x') } } : {}),
      })),
    )
    await plain.disconnect()
    const producer = kafka.producer({ transactionalId: uniqueName(`reader-tx-${kind}`) })
    await producer.connect()
    const committed = await producer.beginTransaction()
    await committed.send([0, 1].map((i) => ({ topic, partition: 1, key: null, value: Buffer.from(`c${i}`) })))
    await committed.commit()
    const aborted = await producer.beginTransaction()
    await aborted.send(
      [0, 1, 2].map((i) => ({ topic, partition: 1, key: null, value: Buffer.from(`a${i}`) })),
    )
    // the aborted records on the log before the abort: confluent only queues them, and an abort that purges
    // them unsent leaves nothing to skip (a fresh-clone run once failed such an abort with INVALID_TXN_STATE)
    await producer.flush()
    await aborted.abort()
    await producer.disconnect()

    const reader = kafka.reader({ isolation: 'read_committed' })
    try {
      const all: string[] = []
      const headers: Record<string, string>[] = []
      const end = await reader.readToEnd({ topic, partition: 1 }, 'earliest', (records) => {
        all.push(...records.map((r) => r.value!.toString()))
        headers.push(
          ...records.map((r) =>
            Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()])),
          ),
        )
      })
      expect(all).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'c0', 'c1'])
      expect(headers).toEqual([{}, { h: 'x' }, {}, {}, {}, {}, {}])
      const admin = kafka.admin()
      await admin.connect()
      const [, p1] = await admin.endOffsets(topic)
      await admin.disconnect()
      expect(end).toBe(p1!.offset)
      const tail: string[] = []
      await reader.readToEnd({ topic, partition: 1 }, 3, (records) => {
        tail.push(...records.map((r) => r.value!.toString()))
      })
      expect(tail).toEqual(['p3', 'p4', 'c0', 'c1'])
      expect(await reader.readToEnd({ topic, partition: 0 }, 'earliest', () => {})).toBe(0)
      // several partitions in one pass; each one's end told once, after its last batch
      const seen: string[] = []
      const ends = await reader.readAllToEnd(
        [
          { partition: { topic, partition: 0 }, from: 'earliest' },
          { partition: { topic, partition: 1 }, from: 4 },
        ],
        (tp, records) => void seen.push(...records.map((r) => `${tp.partition}:${r.value!.toString()}`)),
        (tp) => void seen.push(`${tp.partition}:end`),
      )
      expect(seen.filter((s) => s.startsWith('1:'))).toEqual(['1:p4', '1:c0', '1:c1', '1:end'])
      expect(seen.filter((s) => s.startsWith('0:'))).toEqual(['0:end'])
      expect(ends.get({ topic, partition: 0 })).toBe(0)
      expect(ends.get({ topic, partition: 1 })).toBe(p1!.offset)
      // what onBatch throws ends the read with that very error (a cancelled restore), and the reader reads on
      class Stop extends Error {}
      const stopped = await reader
        .readAllToEnd([{ partition: { topic, partition: 1 }, from: 'earliest' }], () => {
          throw new Stop('stop')
        })
        .then(
          () => 'read to the end',
          (error: unknown) => error,
        )
      expect(stopped).toBeInstanceOf(Stop)
      const again: string[] = []
      await reader.readToEnd({ topic, partition: 1 }, 5, (records) => {
        again.push(...records.map((r) => r.value!.toString()))
      })
      expect(again).toEqual(['c0', 'c1'])
    } finally {
      await reader.close()
    }
  })

  it('reads many batches of several partitions to their ends: each record once, in offset order, a stopped read leaving the reader usable', async () => {
    const topic = uniqueName(`reader-many-${kind}`)
    const partitions = 3
    const perPartition = 12_000 // a few of the reader's batches per partition, more than two in all
    await createTopic(kafka, topic, partitions)
    const plain = kafka.producer()
    await plain.connect()
    for (let from = 0; from < perPartition - 10; from += 4000)
      await plain.send(
        Array.from({ length: partitions * Math.min(4000, perPartition - 10 - from) }, (_, i) => ({
          topic,
          partition: i % partitions,
          key: Buffer.from(`k${i % 97}`),
          value: Buffer.from(String(from + Math.floor(i / partitions))),
        })),
      )
    await plain.disconnect()
    // the last records of each partition in a committed transaction: each end lies past its marker
    const producer = kafka.producer({ transactionalId: uniqueName(`reader-many-tx-${kind}`) })
    await producer.connect()
    const txn = await producer.beginTransaction()
    await txn.send(
      Array.from({ length: partitions * 10 }, (_, i) => ({
        topic,
        partition: i % partitions,
        key: null,
        value: Buffer.from(String(perPartition - 10 + Math.floor(i / partitions))),
      })),
    )
    await txn.commit()
    await producer.disconnect()
    const admin = kafka.admin()
    await admin.connect()
    // the commit returns once the coordinator has logged it; the markers reach the partitions just after
    // (Kafka writes them asynchronously): each end is past its marker from then on
    const brokerEnds = await until('the commit markers written', async () => {
      const ends = await admin.endOffsets(topic)
      return ends.length === partitions && ends.every((e) => e.offset === perPartition + 1) ? ends : undefined
    })
    await admin.disconnect()
    const requests = Array.from({ length: partitions }, (_, partition) => ({
      partition: { topic, partition },
      from: 'earliest' as const,
    }))

    const reader = kafka.reader({ isolation: 'read_committed' })
    try {
      class Stop extends Error {}
      const stopped = await reader
        .readAllToEnd(requests, () => {
          throw new Stop('stop')
        })
        .then(
          () => 'read to the end',
          (error: unknown) => error,
        )
      expect(stopped).toBeInstanceOf(Stop)
      const values = Array.from({ length: partitions }, () => [] as number[])
      const offsets = Array.from({ length: partitions }, () => [] as number[])
      const endedAfter: number[] = []
      const ends = await reader.readAllToEnd(
        requests,
        (tp, records) => {
          expect(endedAfter[tp.partition]).toBeUndefined() // nothing handed on after a partition's end
          for (const r of records) {
            values[tp.partition]!.push(Number(r.value!.toString()))
            offsets[tp.partition]!.push(r.offset)
          }
        },
        (tp) => void (endedAfter[tp.partition] = values[tp.partition]!.length),
      )
      const expected = Array.from({ length: perPartition }, (_, i) => i)
      for (let p = 0; p < partitions; p++) {
        expect(values[p]).toEqual(expected)
        expect(offsets[p]).toEqual([...offsets[p]!].sort((a, b) => a - b))
        expect(endedAfter[p]).toBe(perPartition)
        expect(ends.get({ topic, partition: p })).toBe(brokerEnds[p]!.offset)
      }
    } finally {
      await reader.close()
    }
  })

  it('reports PRODUCER_FENCED to a transactional producer whose id a newer producer took over on connect', async () => {
    const topic = uniqueName(`fence-${kind}`)
    await createTopic(kafka, topic, 1)
    const transactionalId = uniqueName(`fence-tx-${kind}`)
    const old = kafka.producer({ transactionalId })
    await old.connect()
    const txn = await old.beginTransaction()
    await txn.send([{ topic, partition: 0, key: null, value: Buffer.from('from the old producer') }])
    const newer = kafka.producer({ transactionalId })
    // connecting takes the id over (a task's new owner restores its stores right after): the old epoch is stale
    await newer.connect()
    try {
      const outcome = await txn.commit().then(
        () => 'committed',
        (error: unknown) => error,
      )
      expect(outcome).toMatchObject({ code: 'PRODUCER_FENCED', name: 'ProducerFencedError' })
      const newerTxn = await newer.beginTransaction()
      await newerTxn.send([{ topic, partition: 0, key: null, value: Buffer.from('from the newer producer') }])
      await newerTxn.commit()
    } finally {
      await old.disconnect().catch(() => undefined)
      await newer.disconnect()
    }
  })

  it("fails a transaction's commit, at the latest, with the error of a record the broker refused; nothing of it is read", async () => {
    const topic = uniqueName(`refused-${kind}`)
    await createTopic(kafka, topic, 1, { 'max.message.bytes': '1024' })
    const producer = kafka.producer({ transactionalId: uniqueName(`refused-tx-${kind}`) })
    await producer.connect()
    try {
      const txn = await producer.beginTransaction()
      const outcome = await txn
        .send([
          { topic, partition: 0, key: null, value: Buffer.from('fits') },
          { topic, partition: 0, key: null, value: Buffer.alloc(4096, 'x') },
        ])
        .then(() => txn.commit())
        .then(
          () => 'committed',
          (error: unknown) => error,
        )
      expect(outcome).toBeInstanceOf(Error)
      expect((outcome as Error).message).toMatch(/too large|MESSAGE_TOO_LARGE|MSG_SIZE_TOO_LARGE/i)
      await txn.abort().catch(() => undefined)
    } finally {
      await producer.disconnect().catch(() => undefined)
    }
    // a later transaction (a new producer: the failed one may be unusable) commits; a reader sees only it
    const next = kafka.producer({ transactionalId: uniqueName(`refused-next-${kind}`) })
    await next.connect()
    try {
      const txn = await next.beginTransaction()
      await txn.send([{ topic, partition: 0, key: null, value: Buffer.from('after') }])
      await txn.commit()
    } finally {
      await next.disconnect()
    }
    const seen = await collect(kafka, [topic], (records) => records.length >= 1)
    expect(seen.map((r) => r.value?.toString())).toEqual(['after'])
  })

  it('acknowledges by flush a producer made so: a record the broker refused fails the next flush, once, whatever its place among thousands; every other record is written', async () => {
    const topic = uniqueName(`flushed-${kind}`)
    const refusing = uniqueName(`flush-refused-${kind}`)
    await createTopic(kafka, topic, 2)
    await createTopic(kafka, refusing, 1, { 'max.message.bytes': '1024' })
    const producer = kafka.producer({ idempotent: true, acknowledgedBy: 'flush' })
    await producer.connect()
    const written: string[] = []
    const good = (round: number, count: number) =>
      Array.from({ length: count }, (_, i) => {
        const value = `r${round}-${i}`
        written.push(value)
        return { topic, partition: i % 2, key: null, value: Buffer.from(value) }
      })
    try {
      // the refused record at another place each round: its report must reach the flush however the
      // delivery reports and the flush's completion interleave
      for (let round = 0; round < 5; round++) {
        const records = good(round, 3000)
        const refused = { topic: refusing, partition: 0, key: null, value: Buffer.alloc(4096, 'x') }
        records.splice(round * 700, 0, refused)
        // kafkajs acknowledges each send itself: its send fails as well
        await producer.send(records).catch(() => undefined)
        const flushed = await producer.flush().then(
          () => 'flushed',
          (error: unknown) => error,
        )
        expect(flushed).toBeInstanceOf(Error)
        expect((flushed as Error).message).toMatch(/too large|MESSAGE_TOO_LARGE|MSG_SIZE_TOO_LARGE/i)
        await expect(producer.flush()).resolves.toBeUndefined() // each failure reported once
      }
      await producer.send(good(5, 3000))
      await expect(producer.flush()).resolves.toBeUndefined()
    } finally {
      await producer.disconnect()
    }
    const seen = await collect(kafka, [topic], (records) => records.length >= written.length)
    expect(seen.map((r) => r.value!.toString()).sort()).toEqual([...written].sort())
  })

  it('creates, lists and describes topics, and creating an existing topic is a no-op', async () => {
    const topic = uniqueName(`admin-${kind}`)
    const admin = kafka.admin()
    await admin.connect()
    try {
      expect(
        await admin.createTopics([
          { topic, partitions: 4, replicationFactor: 1, config: { 'cleanup.policy': 'compact' } },
        ]),
      ).toEqual([topic])
      expect(await admin.createTopics([{ topic, partitions: 4 }])).toEqual([])
      expect(await admin.listTopics()).toContain(topic)
      const [description] = await admin.describeTopics([topic])
      expect(description?.topic).toBe(topic)
      expect(description?.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3])
      expect(description?.partitions.every((p) => p.replicas.length === 1 && p.leader >= 0)).toBe(true)
    } finally {
      await admin.disconnect()
    }
  })

  it('reports committed offsets and end offsets, from which lag is computed', async () => {
    const topic = uniqueName(`lag-${kind}`)
    const groupId = uniqueName(`lag-group-${kind}`)
    await createTopic(kafka, topic, 2)
    const producer = kafka.producer()
    await producer.connect()
    await producer.send([
      ...Array.from({ length: 5 }, () => ({ topic, partition: 0, key: null, value: Buffer.from('a') })),
      ...Array.from({ length: 3 }, () => ({ topic, partition: 1, key: null, value: Buffer.from('b') })),
    ])
    await producer.disconnect()
    const consumer: KafkaConsumer = kafka.consumer({ groupId })
    await consumer.connect()
    await consumer.subscribe([topic])
    let resolveDone: () => void = () => {}
    const done = new Promise<void>((resolve) => (resolveDone = resolve))
    const commits: TopicPartitionOffset[] = []
    await consumer.run({
      eachBatch: async (batch) => {
        if (batch.partition === 0 && !commits.some((c) => c.partition === 0)) {
          const position = { topic, partition: 0, offset: 2 }
          await consumer.commitOffsets([position])
          commits.push(position)
          resolveDone()
        }
      },
    })
    await done
    await consumer.disconnect()
    const admin = kafka.admin()
    await admin.connect()
    const end = await admin.endOffsets(topic)
    const committed = await admin.committedOffsets(groupId, topic)
    await admin.disconnect()
    expect(end).toEqual([
      { topic, partition: 0, offset: 5 },
      { topic, partition: 1, offset: 3 },
    ])
    expect(committed).toEqual([{ topic, partition: 0, offset: 2 }])
    const lag = end.map((e) => e.offset - (committed.find((c) => c.partition === e.partition)?.offset ?? 0))
    expect(lag).toEqual([3, 3])
  })
})
