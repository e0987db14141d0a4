// Restore and rebalancing against the real broker: a deleted state directory is rebuilt from the changelog,
// an intact one reads only the changelog tail after its checkpoint, and two instances split the partitions
// and take over each other's tasks with nothing lost or duplicated.
import { rm } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { jsonSerde, storeRef, stringSerde, type KeyValueStore } from '../../state/index.js'
import {
  KafkaStreams,
  TopologyBuilder,
  type ProcessorSupplier,
  type ValueAndTimestamp,
} from '../../topology/index.js'
import { clientKinds } from '../../kafka/index.js'
import { client, collect, createTopic, uniqueName } from '../support/kafka.js'
import { summingTopology } from '../support/summing-topology.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'
import { until } from '../support/until.js'

const str = stringSerde
const num = jsonSerde<number>()
const cleanup = cleanupAfterAll()

const tempDir = () => cleanup.tempDir('restore-')

const sums = storeRef({ name: 'sums', keySerde: str, valueSerde: num })

async function produceNumbers(topic: string, from: number, count: number, keys: number) {
  const producer = client().producer()
  await producer.connect()
  await producer.send(
    Array.from({ length: count }, (_, i) => ({
      topic,
      key: Buffer.from(`key-${(from + i) % keys}`),
      value: Buffer.from(JSON.stringify(1)),
    })),
  )
  await producer.disconnect()
}

async function waitCaughtUp(groupId: string, topic: string, timeoutMs = 30_000) {
  const admin = client().admin()
  await admin.connect()
  try {
    await until(
      `${groupId} caught up on ${topic}`,
      async () => {
        const end = await admin.endOffsets(topic)
        const committed = await admin.committedOffsets(groupId, topic)
        return end.every((e) => committed.find((c) => c.partition === e.partition)?.offset === e.offset)
      },
      { timeoutMs },
    )
  } finally {
    await admin.disconnect()
  }
}

async function waitForTasks(streams: KafkaStreams, count: number, timeoutMs = 30_000) {
  await until(`${count} tasks`, () => streams.activeTasks.length === count, {
    timeoutMs,
    intervalMs: 50,
    observed: () => `${streams.activeTasks.length} tasks`,
  })
}

async function storeValues(streams: KafkaStreams, keys: number): Promise<Record<string, number | undefined>> {
  const values: Record<string, number | undefined> = {}
  for (const task of streams.activeTasks) {
    // a DSL aggregate's store keeps each value with its timestamp
    const store = task.stores.get('sums')?.store as
      KeyValueStore<string, ValueAndTimestamp<number>> | undefined
    if (!store) continue
    for (let k = 0; k < keys; k++) {
      const v = await store.get(`key-${k}`)
      if (v !== undefined) values[`key-${k}`] = v.value
    }
  }
  return values
}

describe('restore from changelogs', () => {
  it('rebuilds every store from its changelog after the state directory is deleted, and reads only the tail when it is intact', async () => {
    const app = uniqueName('restore')
    const [input, output] = [`${app}-in`, `${app}-out`]
    await createTopic(client(), input, 2)
    await createTopic(client(), output, 2)
    const dirA = await tempDir()
    const dirB = await tempDir()
    const KEYS = 50
    const instance = async (stateDir: string) => {
      const streams = new KafkaStreams(summingTopology(input, output), {
        applicationId: app,
        client: client(),
        stateDir,
        commitIntervalMs: 100,
      })
      await streams.start()
      await waitForTasks(streams, 2)
      return streams
    }
    const total = (values: Record<string, number | undefined>) =>
      Object.values(values).reduce((a, b) => a! + b!, 0)

    // A processes 1000 records in five rounds and stops cleanly: its LevelDB stores hold a checkpoint
    let streams = await instance(dirA)
    for (let round = 0; round < 5; round++) {
      // separate commits, so the changelog holds several values per key (≥ 250 records)
      await produceNumbers(input, round * 200, 200, KEYS)
      await waitCaughtUp(app, input)
    }
    expect(total(await storeValues(streams, KEYS))).toBe(1000)
    await streams.close()

    // B, with an empty state directory, restores everything from the beginning, then processes 100 more
    streams = await instance(dirB)
    const fullRestored = streams.restores.reduce((n, r) => n + r.records, 0)
    expect(streams.restores.every((r) => r.from === 'earliest')).toBe(true)
    expect(fullRestored).toBeGreaterThanOrEqual(5 * KEYS)
    await produceNumbers(input, 1000, 100, KEYS)
    await waitCaughtUp(app, input)
    const expected = await storeValues(streams, KEYS)
    expect(total(expected)).toBe(1100)
    await streams.close()

    // A again, state intact: it reads only the changelog tail B wrote after A's checkpoint
    streams = await instance(dirA)
    const tailRestored = streams.restores.reduce((n, r) => n + r.records, 0)
    expect(streams.restores.every((r) => r.from !== 'earliest')).toBe(true)
    expect(tailRestored).toBeGreaterThan(0)
    expect(tailRestored).toBeLessThanOrEqual(100) // at most one changelog record per record B processed
    expect(tailRestored).toBeLessThan(fullRestored)
    expect(await storeValues(streams, KEYS)).toEqual(expected)
    await streams.close()

    // A with its state directory deleted: every store is rebuilt from the beginning of its changelog
    await rm(dirA, { recursive: true, force: true })
    streams = await instance(dirA)
    expect(streams.restores.every((r) => r.from === 'earliest')).toBe(true)
    expect(await storeValues(streams, KEYS)).toEqual(expected)
    await streams.close()
    console.log(
      `restore: from empty state ${fullRestored} changelog records; intact state read a tail of ${tailRestored}`,
    )
  })
})

describe('checkpoints under exactly-once', () => {
  it.each(clientKinds)(
    'on %s: each commit checkpoints its stores, a clean close at their changelog ends, so a restart restores nothing',
    async (kind) => {
      const app = uniqueName(`checkpoint-${kind}`)
      const [input, output] = [`${app}-in`, `${app}-out`]
      await createTopic(client(kind), input, 2)
      await createTopic(client(kind), output, 2)
      const stateDir = await tempDir()
      const KEYS = 20
      const start = async () => {
        const streams = new KafkaStreams(summingTopology(input, output), {
          applicationId: app,
          client: client(kind),
          stateDir,
          commitIntervalMs: 100,
          processingGuarantee: 'exactly_once',
        })
        await streams.start()
        await waitForTasks(streams, 2)
        return streams
      }
      const changelogEnds = async () => {
        const admin = client(kind).admin()
        await admin.connect()
        try {
          return (await admin.endOffsets(`${app}-sums-changelog`)).map((o) => o.offset)
        } finally {
          await admin.disconnect()
        }
      }
      const checkpoints = async (streams: KafkaStreams) =>
        Promise.all(
          [...streams.activeTasks]
            .sort((a, b) => a.partition - b.partition)
            .map((task) => task.stores.get('sums')!.checkpoint()),
        )

      let streams = await start()
      for (let round = 0; round < 5; round++) {
        await produceNumbers(input, round * 100, 100, KEYS)
        await waitCaughtUp(app, input)
        // while running: a checkpoint after every commit, never past the changelog's end
        const [ends, points] = [await changelogEnds(), await checkpoints(streams)]
        points.forEach((point, partition) => {
          expect(point, `checkpoint of partition ${partition} after round ${round}`).toBeDefined()
          expect(point!).toBeLessThanOrEqual(ends[partition]!)
        })
      }
      const values = await storeValues(streams, KEYS)
      await streams.close()

      streams = await start()
      expect(streams.restores.map((r) => r.records)).toEqual([0, 0])
      expect(await storeValues(streams, KEYS)).toEqual(values)
      expect(Object.values(values).reduce((a, b) => a! + b!, 0)).toBe(500)
      await streams.close()
    },
  )
})

describe('two instances with one application id', () => {
  it('split the partitions, and when one stops the other restores its tasks and continues without loss or duplicates', async () => {
    const app = uniqueName('pair')
    const [input, output] = [`${app}-in`, `${app}-out`]
    await createTopic(client(), input, 4)
    await createTopic(client(), output, 4)
    const start = async () => {
      const s = new KafkaStreams(summingTopology(input, output), {
        applicationId: app,
        client: client(),
        stateDir: await tempDir(),
        commitIntervalMs: 100,
      })
      await s.start()
      return s
    }
    const a = await start()
    const b = await start()
    await until(
      'the tasks split',
      () =>
        a.activeTasks.length + b.activeTasks.length === 4 &&
        a.activeTasks.length > 0 &&
        b.activeTasks.length > 0,
      { timeoutMs: 30_000, observed: () => `a=${a.activeTasks.length} b=${b.activeTasks.length}` },
    )
    expect(a.activeTasks.length + b.activeTasks.length).toBe(4)
    await produceNumbers(input, 0, 400, 20)
    await waitCaughtUp(app, input)
    await b.close()
    await until('the tasks moved over', () => a.activeTasks.length === 4, {
      timeoutMs: 30_000,
      observed: () => `a=${a.activeTasks.length}`,
    })
    expect(a.restores.some((r) => r.records > 0)).toBe(true) // b's stores were rebuilt from their changelogs
    await produceNumbers(input, 400, 400, 20)
    await waitCaughtUp(app, input)
    const values = await storeValues(a, 20)
    await a.close()
    expect(Object.values(values)).toEqual(Array.from({ length: 20 }, () => 40))
    const out = await collect(client(), [output], (r) => r.length >= 800, { settleMs: 1000 })
    expect(out).toHaveLength(800) // one update per input record: none lost, none duplicated
    void sums
  })
})

describe('stores scanned after a restart', () => {
  it('scan every entry they hold, however much (a LevelDB store and one held in memory as well)', async () => {
    // LevelDB hands an iterator's entries over in reads of at most 16 KiB: a scan that took a short read
    // for the end saw only the first ~30 of these 100 entries of 500 bytes, and a store held in memory
    // loaded only those when it opened
    const app = uniqueName('scan-restart')
    const [input, output] = [`${app}-in`, `${app}-out`]
    await createTopic(client(), input, 1)
    await createTopic(client(), output, 1)
    const kept = storeRef({ name: 'kept', keySerde: str, valueSerde: str })
    const held = storeRef({ name: 'held', keySerde: str, valueSerde: str, mirrorInMemory: true })
    const scanning: ProcessorSupplier<string, string, string, string> = {
      stores: [kept, held],
      create: (ctx) => ({
        async process(record) {
          const stores = [ctx.store(kept), ctx.store(held)]
          if (record.value !== 'scan') {
            for (const store of stores) store.put(record.key, record.value)
            return
          }
          const counts: number[] = []
          for (const store of stores) {
            let n = 0
            for await (const entry of store.range({ gte: 'k', lt: 'l' })) if (entry.value.length === 500) n++
            counts.push(n)
          }
          ctx.forward({ ...record, value: counts.join('/') })
        },
      }),
    }
    const topology = new TopologyBuilder()
      .addSource({ name: 'in', topics: [input], keySerde: str, valueSerde: str })
      .addProcessor({ name: 'scan', supplier: scanning, parents: ['in'] })
      .addSink({ name: 'out', topic: output, keySerde: str, valueSerde: str, parents: ['scan'] })
      .build()
    const stateDir = await tempDir()
    const instance = async () => {
      const streams = new KafkaStreams(topology, { applicationId: app, client: client(), stateDir })
      await streams.start()
      await waitForTasks(streams, 1)
      return streams
    }
    const send = async (records: { key: string; value: string }[]) => {
      const producer = client().producer()
      await producer.connect()
      await producer.send(
        records.map((r) => ({ topic: input, key: Buffer.from(r.key), value: Buffer.from(r.value) })),
      )
      await producer.disconnect()
    }

    let streams = await instance()
    const keys = Array.from({ length: 100 }, (_, i) => `k${String(i).padStart(3, '0')}`)
    await send(keys.map((key) => ({ key, value: 'v'.repeat(500) })))
    await waitCaughtUp(app, input)
    await streams.close()

    // the same state directory: both stores open from LevelDB at their checkpoints, nothing to restore
    streams = await instance()
    try {
      expect(streams.restores.map((r) => r.records)).toEqual([0, 0])
      await send([{ key: 'scan', value: 'scan' }])
      const [scanned] = await collect(client(), [output], (r) => r.length >= 1)
      expect(scanned!.value!.toString()).toBe('100/100')
    } finally {
      await streams.close()
    }
  })
})
