// The engine against the real broker: aggregate, stream–table join and windowed stream–stream join give
// exactly the expected output under exactly-once; restore rebuilds state from changelogs.
import { describe, expect, it } from 'vitest'
import { jsonSerde, stringSerde } from '../../state/index.js'
import {
  KafkaStreams,
  StreamsBuilder,
  TopologyBuilder,
  joinWindows,
  type ProcessorSupplier,
  type Topology,
} from '../../topology/index.js'
import { client, collect, createTopic, recentTimestamp, uniqueName } from '../support/kafka.js'
import { summingTopology } from '../support/summing-topology.js'
import { taskIdOf, transactionalId } from '../../topology/runtime/topic-names.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'
import { until } from '../support/until.js'

const str = stringSerde
const num = jsonSerde<number>()
const cleanup = cleanupAfterAll()

const stateDir = () => cleanup.tempDir('streams-')

async function produce(
  topic: string,
  records: { key: string; value: unknown; timestamp?: number; partition?: number }[],
) {
  const producer = client().producer()
  await producer.connect()
  await producer.send(
    records.map((r) => ({
      topic,
      key: Buffer.from(r.key),
      value: Buffer.from(JSON.stringify(r.value)),
      ...(r.timestamp === undefined ? {} : { timestamp: r.timestamp }),
      ...(r.partition === undefined ? {} : { partition: r.partition }),
    })),
  )
  await producer.disconnect()
}

async function run(
  topology: Topology,
  applicationId: string,
  dir: string,
  extra: Partial<ConstructorParameters<typeof KafkaStreams>[1]> = {},
) {
  const streams = new KafkaStreams(topology, {
    applicationId,
    client: client(),
    stateDir: dir,
    commitIntervalMs: 100,
    ...extra,
  })
  await streams.start()
  return streams
}

/** Waits until the group has committed each topic's partition 0 up to the given offset. */
async function committedUpTo(groupId: string, offsets: Record<string, number>) {
  const admin = client().admin()
  await admin.connect()
  try {
    await until(
      `group ${groupId} committed ${JSON.stringify(offsets)}`,
      async () => {
        const reached = await Promise.all(
          Object.entries(offsets).map(async ([topic, offset]) => {
            const committed = await admin.committedOffsets(groupId, topic)
            return (committed.find((c) => c.partition === 0)?.offset ?? 0) >= offset
          }),
        )
        return reached.every(Boolean)
      },
      { timeoutMs: 30_000 },
    )
  } finally {
    await admin.disconnect()
  }
}

/** Input and output topics of 2 partitions, and a topology summing the values per key into the output. */
async function sumPerKeyApp(app: string, storeName: string) {
  const input = `${app}-in`
  const output = `${app}-out`
  await createTopic(client(), input, 2)
  await createTopic(client(), output, 2)
  return { input, output, topology: summingTopology(input, output, storeName) }
}

describe('KafkaStreams against a real broker (exactly-once)', () => {
  it.each(['confluent', 'kafkajs'] as const)(
    'aggregates per key with exactly the expected output (%s client)',
    async (kind) => {
      const app = uniqueName(`agg-${kind}`)
      const { input, output, topology } = await sumPerKeyApp(app, 'sums')
      const streams = await run(topology, app, await stateDir(), { client: client(kind) })
      try {
        await produce(input, [
          { key: 'a', value: 1 },
          { key: 'b', value: 10 },
          { key: 'a', value: 2 },
          { key: 'b', value: 20 },
          { key: 'a', value: 3 },
        ])
        const out = await collect(client(), [output], (r) => r.length >= 5, { settleMs: 500 })
        const byKey = (k: string) =>
          out.filter((r) => r.key!.toString() === k).map((r) => JSON.parse(r.value!.toString()) as number)
        expect(byKey('a')).toEqual([1, 3, 6])
        expect(byKey('b')).toEqual([10, 30])
        expect(out).toHaveLength(5)
      } finally {
        await streams.close()
      }
    },
  )

  it.each(['confluent', 'kafkajs'] as const)(
    'recovers when another producer takes over its transactional id mid-stream, without duplicates (%s client)',
    async (kind) => {
      const app = uniqueName(`fence-${kind}`)
      const { input, output, topology } = await sumPerKeyApp(app, 'counts')
      const warnings: string[] = []
      const streams = await run(topology, app, await stateDir(), {
        client: client(kind),
        instanceId: 'fenced',
        log: (level, message) => {
          if (level !== 'info') warnings.push(message)
        },
      })
      const keys = Array.from({ length: 10 }, (_, i) => `k${i}`)
      const chunk = () => keys.map((key) => ({ key, value: 1 }))
      try {
        for (let i = 0; i < 5; i++) await produce(input, chunk())
        await collect(client(), [output], (r) => r.length > 0)
        // a zombie's view: other producers initialise the instance's transactional id (confluent) or each
        // task's (kafkajs: a producer per task, task-producers.ts)
        const ids =
          kind === 'kafkajs'
            ? [0, 1].map((p) => transactionalId(app, taskIdOf(0, p)))
            : [transactionalId(app, 'fenced')]
        const usurpers = ids.map((transactionalId) => client(kind).producer({ transactionalId }))
        const usurped = []
        for (const usurper of usurpers) {
          await usurper.connect()
          usurped.push(await usurper.beginTransaction())
        }
        for (let i = 0; i < 15; i++) {
          await produce(input, chunk())
          await new Promise((r) => setTimeout(r, 50))
        }
        for (const txn of usurped) await txn.abort().catch(() => undefined)
        for (const usurper of usurpers) await usurper.disconnect().catch(() => undefined)
        const out = await collect(
          client(),
          [output],
          (r) => keys.every((k) => r.some((x) => x.key!.toString() === k && x.value!.toString() === '20')),
          { settleMs: 1000 },
        )
        // the takeover hit the instance: a commit failed (FENCED, or with librdkafka sometimes first the
        // purge of the aborted transaction's queue) and was recovered with a new producer
        expect(streams.recoveries.length).toBeGreaterThan(0)
        expect(warnings.filter((w) => w.startsWith('commit failed (')).length).toBe(streams.recoveries.length)
        for (const key of keys) {
          const updates = out
            .filter((r) => r.key!.toString() === key)
            .map((r) => JSON.parse(r.value!.toString()) as number)
          // each committed update counts more records than the one before, and the last counts all 20
          expect(updates.every((n, i) => i === 0 || n > updates[i - 1]!)).toBe(true)
          expect(updates.at(-1)).toBe(20)
        }
      } finally {
        await streams.close()
      }
    },
  )

  it.each(['confluent', 'kafkajs'] as const)(
    'processes the two input partitions of a task in timestamp order when their records arrived out of it, pausing a partition that buffers too much (%s client)',
    async (kind) => {
      const app = uniqueName(`order-${kind}`)
      const [early, late, out] = [`${app}-early`, `${app}-late`, `${app}-out`]
      for (const t of [early, late, out]) await createTopic(client(), t, 1)
      // a backlog: every record of `early` was written before any of `late`, and each topic's timestamps
      // interleave with the other's (early: odd, late: even)
      const t0 = recentTimestamp()
      const count = 300
      const backlog = (topic: string, parity: number) =>
        produce(
          topic,
          Array.from({ length: count }, (_, i) => ({
            key: 'k',
            value: `${topic}`,
            timestamp: t0 + 2 * i + parity,
          })),
        )
      await backlog(early, 1)
      await backlog(late, 0)
      const seen: ProcessorSupplier<string, string, string, string> = {
        create: (ctx) => ({
          process: (record) => ctx.forward({ ...record, value: String(record.timestamp) }),
        }),
      }
      const topology = new TopologyBuilder()
        .addSource({ name: 'early', topics: [early], keySerde: str, valueSerde: jsonSerde<string>() })
        .addSource({ name: 'late', topics: [late], keySerde: str, valueSerde: jsonSerde<string>() })
        .addProcessor({ name: 'seen', supplier: seen, parents: ['early', 'late'] })
        .addSink({ name: 'out', topic: out, keySerde: str, valueSerde: str, parents: ['seen'] })
        .build()
      // a small buffer, so that both partitions are paused and resumed on the way
      const streams = await run(topology, app, await stateDir(), {
        client: client(kind),
        bufferedRecordsPerPartition: 20,
      })
      try {
        const output = await collect(client(), [out], (r) => r.length >= 2 * count, { settleMs: 500 })
        const times = output.map((r) => Number(r.value!.toString()) - t0)
        expect(times).toEqual(Array.from({ length: 2 * count }, (_, i) => i))
      } finally {
        await streams.close()
      }
    },
  )

  it('joins a stream with a table', async () => {
    const app = uniqueName('stjoin')
    const [orders, prices, totals] = [`${app}-orders`, `${app}-prices`, `${app}-totals`]
    for (const t of [orders, prices, totals]) await createTopic(client(), t, 2)
    const builder = new StreamsBuilder()
    const table = builder.table(prices, { keySerde: str, valueSerde: num, storeName: 'prices' })
    builder
      .stream(orders, { keySerde: str, valueSerde: num })
      .join(table, (qty, price) => qty * price, num)
      .to(totals)
    const streams = await run(builder.build(), app, await stateDir())
    try {
      await produce(prices, [
        { key: 'apple', value: 5 },
        { key: 'pear', value: 7 },
      ])
      // no wait: the prices are older than the orders, and the task chooses the older record first
      await produce(orders, [
        { key: 'apple', value: 2 },
        { key: 'pear', value: 3 },
        { key: 'plum', value: 1 },
      ])
      const out = await collect(client(), [totals], (r) => r.length >= 2, { settleMs: 1000 })
      expect(out.map((r) => [r.key!.toString(), JSON.parse(r.value!.toString()) as number]).sort()).toEqual([
        ['apple', 10],
        ['pear', 21],
      ])
    } finally {
      await streams.close()
    }
  })

  it('joins two streams within a window; a record past its store’s retention still joins what the other store holds, as in Kafka Streams', async () => {
    const app = uniqueName('ssjoin')
    const [left, right, joined] = [`${app}-left`, `${app}-right`, `${app}-joined`]
    for (const t of [left, right, joined]) await createTopic(client(), t, 1)
    const builder = new StreamsBuilder()
    builder
      .stream(left, { keySerde: str, valueSerde: str })
      .joinWindowed(
        builder.stream(right, { keySerde: str, valueSerde: str }),
        (l, r) => `${l}+${r}`,
        joinWindows(100, 50),
      )
      .to(joined)
    const streams = await run(builder.build(), app, await stateDir())
    try {
      const t0 = recentTimestamp()
      const send = async (topic: string, key: string, value: string, timestamp: number) => {
        const producer = client().producer()
        await producer.connect()
        await producer.send([{ topic, key: Buffer.from(key), value: Buffer.from(value), timestamp }])
        await producer.disconnect()
      }
      // The engine chooses between its inputs by timestamp, but only among records its consumer knows
      // of: a record produced after the last fetch of its partition may come after younger records of
      // the other input. Each step waits until the one before is processed and committed, so stream time
      // advances in the order this test means, however the fetches fall.
      await send(left, 'k', 'L1', t0)
      await send(right, 'k', 'R1', t0 + 50)
      await send(right, 'k', 'R2', t0 + 200)
      await committedUpTo(app, { [left]: 1, [right]: 2 })
      await send(left, 'x', 'X', t0 + 500)
      await committedUpTo(app, { [left]: 2, [right]: 2 })
      await send(left, 'k', 'Llate', t0 + 240)
      await send(left, 'k', 'Lok', t0 + 260)
      const out = await collect(client(), [joined], (r) => r.length >= 3, { settleMs: 1500 }).catch(
        async (error: unknown) => {
          // say what did arrive, committed or not, and what the group committed
          const all = await collect(client(), [joined], (r) => r.length > 0, {
            isolation: 'read_uncommitted',
            settleMs: 1000,
          }).catch((e: unknown) => String(e))
          const committed = await Promise.all(
            [left, right].map(async (t) => {
              const admin = client().admin()
              await admin.connect()
              return admin.committedOffsets(app, t).finally(() => admin.disconnect())
            }),
          )
          throw new Error(
            `${String(error)}; read_uncommitted: ${typeof all === 'string' ? all : all.map((r) => r.value!.toString()).join(', ')}; committed: ${JSON.stringify(committed)}; state ${streams.state}`,
          )
        },
      )
      // Llate is 260 ms behind the left store's time (> 100 + 100 + 50): not stored, but joined with R2
      expect(out.map((r) => r.value!.toString())).toEqual(['L1+R1', 'Llate+R2', 'Lok+R2'])
    } finally {
      await streams.close()
    }
  })
})
