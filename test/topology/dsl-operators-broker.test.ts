// The DSL operators that test/topology/dsl-broker.test.ts does not run, against the real broker in one
// application and one broker start: reduce, sliding, tumbling and hopping windows with count, reduce and
// aggregate, session windows with aggregate and merger, a time-windowed cogroup,
// suppress(untilTimeLimit), KTable filter/filterNot/mapValues/toStream, table–table joins, KGroupedTable
// aggregate and reduce, a foreign-key left join, merge/peek/repartition/branch, windowed stream–stream
// joins (inner, left, outer), stream–table joins, cogroup, split, foreach, print, processValues and
// KTable.transformValues (both with a store of their own), stream–GlobalKTable joins, and a key-changing
// process() followed by a count (repartitioned after the processor). Every output is written, labelled, to one
// topic; the test reads each label's latest value per key.
import { describe, expect, it } from 'vitest'
import { int32Serde, int64Serde, storeRef, stringSerde as str, type StoreHandle } from '../../state/index.js'
import {
  Branched,
  BufferConfig,
  JoinWindows,
  Printed,
  KafkaStreams,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  withValue,
  type FixedKeyProcessorSupplier,
  type KStream,
  type Topology,
  type ValueTransformerWithKeySupplier,
} from '../../topology/index.js'
import type { ConsumedRecord } from '../../kafka/index.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'
import { client, collect, createTopic, recentTimestamp, uniqueName } from '../support/kafka.js'

const cleanup = cleanupAfterAll()

const inputs = ['left', 'right', 'nums', 'ta', 'tb', 'orders', 'products', 'regions'] as const
type Topics = Record<(typeof inputs)[number] | 'out', string>

/** Writes a stream to the output topic with keys `<label>|<key>` and values as strings ('null' for null). */
function out<K, V>(stream: KStream<K, V>, label: string, topic: string): void {
  stream
    .map((k, v) => ({ key: `${label}|${String(k)}`, value: v === null ? 'null' : String(v) }), {
      keySerde: str,
      valueSerde: str,
    })
    .to(topic)
}

const seenPerKey = storeRef<string, number>({ name: 'seen-per-key', keySerde: str, valueSerde: int64Serde })

/** Numbers each value per key (`L1#1`), counting in a store. */
const numbering: FixedKeyProcessorSupplier<string, string, string> = {
  stores: [seenPerKey],
  create(ctx) {
    const seen = ctx.store(seenPerKey)
    return {
      async process(record) {
        const n = ((await seen.get(record.key)) ?? 0) + 1
        seen.put(record.key, n)
        ctx.forward(withValue(record, `${record.value}#${n}`))
      },
    }
  },
}

const versions = storeRef<string, number>({ name: 'versions', keySerde: str, valueSerde: int64Serde })

/** Upper-cases each table value and numbers the key's versions in a store; a delete becomes `<key> gone`. */
const versioned: ValueTransformerWithKeySupplier<string, string, string> = {
  stores: [versions],
  get() {
    let store: StoreHandle<typeof versions> | undefined
    return {
      init: (context) => void (store = context.store(versions)),
      async transform(key, value) {
        const n = ((await store!.get(key)) ?? 0) + 1
        store!.put(key, n)
        return value === null ? `${key} gone` : `${value.toUpperCase()} v${n}`
      },
    }
  },
}

/** What the instance's in-process callbacks (peek, foreach, print) saw. */
interface Seen {
  readonly peeked: string[]
  readonly foreach: string[]
  readonly printed: string[]
}

function topology(t: Topics, seen: Seen): Topology {
  const b = new StreamsBuilder()
  const nums = b.stream(t.nums, { keySerde: str, valueSerde: int32Serde }).groupByKey()
  const sum = (a: number, v: number) => a + v
  out(nums.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(100)).count().toStream(), 'sliding', t.out)
  out(nums.windowedBy(TimeWindows.ofSizeWithNoGrace(1000)).reduce(sum).toStream(), 'tumbling', t.out)
  out(nums.reduce(sum).toStream(), 'reduce', t.out)
  out(
    nums
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(100))
      .aggregate(
        () => 0,
        (_k, v, a) => a + v,
        (_k, a, b) => a + b,
        { valueSerde: int64Serde },
      )
      .toStream(),
    'session-aggregate',
    t.out,
  )
  out(
    nums
      .windowedBy(TimeWindows.ofSizeWithNoGrace(1000).advanceBy(500))
      .aggregate(
        () => 0,
        (_k, v, a) => a + v,
        { valueSerde: int64Serde },
      )
      .toStream(),
    'hopping',
    t.out,
  )
  out(
    nums
      .count({ storeName: 'num-counts' })
      .suppress(Suppressed.untilTimeLimit(100, BufferConfig.unbounded()).withName('count-limit'))
      .toStream(),
    'time-limit',
    t.out,
  )

  const ta = b.table(t.ta, { keySerde: str, valueSerde: str })
  const tb = b.table(t.tb, { keySerde: str, valueSerde: str, storeName: 'tb' })
  const both = (x: string | null, y: string | null) => `${x}+${y}`
  out(ta.filter((_k, v) => v.length > 5).toStream(), 'filter', t.out)
  out(ta.filterNot((_k, v) => v.startsWith('b')).toStream(), 'filterNot', t.out)
  out(ta.mapValues((v) => v.toUpperCase(), { name: 'upper' }).toStream(), 'mapValues', t.out)
  out(ta.join(tb, both).toStream(), 'table-join', t.out)
  out(ta.leftJoin(tb, both).toStream(), 'table-leftJoin', t.out)
  out(ta.outerJoin(tb, both).toStream(), 'table-outerJoin', t.out)
  const byLetter = ta.groupBy((_k, v) => ({ key: v.substring(0, 1), value: v }), { name: 'by-letter' })
  out(
    byLetter
      .aggregate(
        () => '',
        (_k, v, a) => `${a}+${v}`,
        (_k, v, a) => `${a}-${v}`,
        { valueSerde: str },
      )
      .toStream(),
    'table-aggregate',
    t.out,
  )
  out(byLetter.reduce(both, (a, v) => `${a}-${v}`).toStream(), 'table-reduce', t.out)

  const orders = b.table(t.orders, { keySerde: str, valueSerde: str })
  const products = b.table(t.products, { keySerde: str, valueSerde: str })
  out(
    orders
      .leftJoin(
        products,
        (productId) => productId,
        (productId, name) => `${productId}/${name}`,
      )
      .toStream(),
    'fk-leftJoin',
    t.out,
  )

  const left = b.stream(t.left, { keySerde: str, valueSerde: str })
  const right = b.stream(t.right, { keySerde: str, valueSerde: str })
  const [ls, rs] = left
    .merge(right, { name: 'both-sides' })
    .peek((k) => seen.peeked.push(k))
    .repartition({ name: 'merged', partitions: 2 })
    .branch(
      (_k, v) => v.startsWith('L'),
      () => true,
    )
  out(ls!, 'branch-L', t.out)
  out(rs!, 'branch-R', t.out)
  const window = JoinWindows.ofTimeDifferenceWithNoGrace(100)
  // a Processor API processor that changes keys: its output is marked for repartitioning, as in Kafka Streams
  out(
    right
      .process<string, string>({
        create: (ctx) => ({ process: (r) => ctx.forward({ ...r, key: r.value.slice(0, 1) }) }),
      })
      .groupByKey()
      .count({ storeName: 'rekeyed' })
      .toStream(),
    'rekeyed',
    t.out,
  )
  out(left.join(right, both, window), 'stream-join', t.out)
  out(left.leftJoin(right, both, window), 'stream-leftJoin', t.out)
  out(left.outerJoin(right, both, window), 'stream-outerJoin', t.out)
  out(left.join(tb, both), 'stream-table-join', t.out)
  out(left.leftJoin(tb, both), 'stream-table-leftJoin', t.out)
  out(
    left
      .groupByKey()
      .cogroup<string>((_k, v, a) => a + v)
      .cogroup(right.groupByKey(), (_k, v, a) => a + v)
      .aggregate(() => '', { valueSerde: str, storeName: 'cogrouped' })
      .toStream(),
    'cogroup',
    t.out,
  )
  out(
    left
      .groupByKey()
      .cogroup<string>((_k, v, a) => a + v)
      .cogroup(right.groupByKey(), (_k, v, a) => a + v)
      .windowedBy(TimeWindows.ofSizeWithNoGrace(1000))
      .aggregate(() => '', { valueSerde: str })
      .toStream(),
    'cogroup-window',
    t.out,
  )
  const split = left
    .split({ name: 'split-' })
    .branch(
      (_k, v) => v === 'L1',
      Branched.withConsumer((s) => out(s, 'split-one', t.out), 'one'),
    )
    .defaultBranch(Branched.as('rest'))
  out(split.get('split-rest')!, 'split-rest', t.out)
  const regions = b.globalTable(t.regions, { keySerde: str, valueSerde: str, storeName: 'regions' })
  out(
    left.join(
      regions,
      (k) => k,
      (v, region) => `${v}@${region}`,
    ),
    'global-join',
    t.out,
  )
  out(
    left.leftJoin(
      regions,
      (k) => k,
      (v, region) => `${v}@${region}`,
    ),
    'global-leftJoin',
    t.out,
  )
  left.foreach((k, v) => seen.foreach.push(`${k}=${v}`))
  out(left.processValues(numbering), 'processValues', t.out)
  out(ta.transformValues(versioned, { storeName: 'ta-versioned' }).toStream(), 'transformValues', t.out)
  right.print(Printed.toSink<string, string>((line) => seen.printed.push(line)).withLabel('right'))
  return b.build()
}

/** The latest value per `<label>|<key>`. */
function latest(records: readonly ConsumedRecord[]): Map<string, string> {
  const values = new Map<string, string>()
  for (const r of records) values.set(r.key!.toString(), r.value!.toString())
  return values
}

/** Reads the output topic until every expected key has its expected latest value; fails saying what it saw. */
async function outputUntil(topic: string, expected: Record<string, string>): Promise<ConsumedRecord[]> {
  let missing: string[] = []
  const done = (records: readonly ConsumedRecord[]) => {
    const last = latest(records)
    missing = Object.entries(expected)
      .filter(([k, v]) => last.get(k) !== v)
      .map(([k, v]) => `${k}: ${last.get(k)} (expected ${v})`)
    return missing.length === 0
  }
  return collect(client(), [topic], done).catch((error: unknown) => {
    throw new Error(`${String(error)}; not yet: ${missing.join('; ')}`)
  })
}

describe('more DSL operators against the broker', () => {
  it('windows, suppression, table operators and joins, regrouping, branching, splitting and cogroup give Kafka Streams’ results; foreach and print see every record; processValues and transformValues keep their stores; streams join a global table', async () => {
    const app = uniqueName('dsl-ops')
    const t = Object.fromEntries([...inputs, 'out'].map((n) => [n, `${app}-${n}`])) as Topics
    for (const topic of Object.values(t)) await createTopic(client(), topic, 1)
    const t0 = recentTimestamp()
    const producer = client().producer()
    await producer.connect()
    const send = (topic: string, key: string, value: Buffer | null, at: number) =>
      producer.send([{ topic, key: Buffer.from(key), value, timestamp: t0 + at }])
    const s = (v: string) => Buffer.from(v)
    const seen: Seen = { peeked: [], foreach: [], printed: [] }
    let streams: KafkaStreams | undefined
    try {
      // the input before the instance starts, so its tasks process it in timestamp order: tables first
      await send(t.products, 'p1', s('Apple'), -1000)
      await send(t.products, 'p2', s('Pear'), -1000)
      await send(t.tb, 'a', s('B1'), -1000)
      await send(t.tb, 'd', s('B4'), -1000)
      await send(t.ta, 'a', s('apple'), -1000)
      await send(t.ta, 'b', s('banana'), -1000)
      await send(t.ta, 'c', s('cherry'), -1000)
      await send(t.ta, 'b', s('blueberry'), -900)
      await send(t.ta, 'c', null, -800)
      await send(t.regions, 'a', s('North'), -1000)
      await send(t.regions, 'b', s('South'), -1000)
      await send(t.orders, 'o1', s('p1'), -1000)
      await send(t.orders, 'o2', s('p9'), -1000)
      await send(t.orders, 'o3', s('p2'), -1000)
      for (const [key, n, at] of [
        ['k1', 1, 0],
        ['k2', 10, 20],
        ['k1', 2, 50],
        ['k1', 3, 500],
      ] as const)
        await send(t.nums, key, int32Serde.serialize(n), at)
      await send(t.left, 'a', s('L1'), 0)
      await send(t.right, 'a', s('R1'), 5)
      await send(t.left, 'b', s('L2'), 10)
      await send(t.right, 'c', s('R3'), 15)

      streams = new KafkaStreams(topology(t, seen), {
        applicationId: app,
        client: client(),
        stateDir: await cleanup.tempDir('dsl-ops-'),
        commitIntervalMs: 100,
      })
      await streams.start()
      const w = (key: string, start: number, end: number) => `${key}@${t0 + start}/${t0 + end}`
      await outputUntil(t.out, {
        [`sliding|[${w('k1', -100, 0)}]`]: '1',
        [`sliding|[${w('k1', -50, 50)}]`]: '2',
        [`sliding|[${w('k1', 1, 101)}]`]: '1',
        [`sliding|[${w('k1', 400, 500)}]`]: '1',
        [`tumbling|[${w('k1', 0, 1000)}]`]: '6',
        [`tumbling|[${w('k2', 0, 1000)}]`]: '10',
        [`hopping|[${w('k1', -500, 500)}]`]: '3',
        [`hopping|[${w('k1', 0, 1000)}]`]: '6',
        [`hopping|[${w('k1', 500, 1500)}]`]: '3',
        [`hopping|[${w('k2', -500, 500)}]`]: '10',
        'reduce|k1': '6',
        'reduce|k2': '10',
        [`session-aggregate|[${w('k1', 0, 0)}]`]: 'null', // merged into the next one
        [`session-aggregate|[${w('k1', 0, 50)}]`]: '3',
        [`session-aggregate|[${w('k1', 500, 500)}]`]: '3',
        [`session-aggregate|[${w('k2', 20, 20)}]`]: '10',
        [`cogroup-window|[${w('a', 0, 1000)}]`]: 'L1R1',
        [`cogroup-window|[${w('c', 0, 1000)}]`]: 'R3',
        // a key keeps the time it was first buffered at: at t0 + 500 both keys are 100 ms old
        'time-limit|k1': '3',
        'time-limit|k2': '1',
        'filter|b': 'blueberry',
        'filter|c': 'null',
        'filterNot|a': 'apple',
        'filterNot|c': 'null',
        'mapValues|a': 'APPLE',
        'mapValues|b': 'BLUEBERRY',
        'mapValues|c': 'null',
        'table-join|a': 'apple+B1',
        'table-leftJoin|a': 'apple+B1',
        'table-leftJoin|b': 'blueberry+null',
        'table-leftJoin|c': 'null',
        'table-outerJoin|b': 'blueberry+null',
        'table-outerJoin|d': 'null+B4',
        'table-aggregate|a': '+apple',
        'table-aggregate|b': '+banana-banana+blueberry',
        'table-aggregate|c': '+cherry-cherry',
        'table-reduce|b': 'banana-banana+blueberry',
        'fk-leftJoin|o1': 'p1/Apple',
        'fk-leftJoin|o2': 'p9/null',
        'fk-leftJoin|o3': 'p2/Pear',
        'branch-L|a': 'L1',
        'branch-L|b': 'L2',
        'branch-R|a': 'R1',
        'branch-R|c': 'R3',
        'stream-join|a': 'L1+R1',
        'stream-leftJoin|a': 'L1+R1',
        'stream-outerJoin|a': 'L1+R1',
        'stream-table-join|a': 'L1+B1',
        'stream-table-leftJoin|b': 'L2+null',
        'cogroup|a': 'L1R1',
        'cogroup|c': 'R3',
        'split-one|a': 'L1',
        'split-rest|b': 'L2',
        'processValues|a': 'L1#1',
        'processValues|b': 'L2#1',
        'transformValues|a': 'APPLE v1',
        'transformValues|b': 'BLUEBERRY v2',
        'transformValues|c': 'c gone',
        'global-join|a': 'L1@North',
        'global-join|b': 'L2@South',
        'global-leftJoin|a': 'L1@North',
      })

      // later records advance stream time: the join windows close
      await send(t.nums, 'k3', int32Serde.serialize(0), 5000)
      await send(t.left, 'z', s('Lz'), 5000)
      await send(t.right, 'z', s('Rz'), 5001)
      const records = await outputUntil(t.out, {
        'stream-join|z': 'Lz+Rz',
        'stream-leftJoin|b': 'L2+null',
        'stream-outerJoin|b': 'L2+null',
        'stream-outerJoin|c': 'null+R3',
        'cogroup|z': 'LzRz',
        'split-rest|z': 'Lz',
        [`cogroup-window|[${w('z', 5000, 6000)}]`]: 'LzRz',
        'processValues|z': 'Lz#1',
        'global-leftJoin|z': 'Lz@null',
        'rekeyed|R': '3',
      })
      const labelled = (label: string) =>
        records.filter((r) => r.key!.toString().startsWith(`${label}|`)).map((r) => r.key!.toString())
      // suppression: one result per key, its latest, oldest first; an inner join: nothing for b and c
      expect(labelled('time-limit')).toEqual(['time-limit|k1', 'time-limit|k2'])
      expect(labelled('stream-join')).toEqual(['stream-join|a', 'stream-join|z'])
      expect(labelled('table-join')).toEqual(['table-join|a'])
      expect(labelled('split-one')).toEqual(['split-one|a'])
      expect(labelled('global-join')).toEqual(['global-join|a', 'global-join|b'])
      expect(seen.peeked.sort()).toEqual(['a', 'a', 'b', 'c', 'z', 'z'])
      expect(seen.foreach).toEqual(['a=L1', 'b=L2', 'z=Lz'])
      expect(seen.printed).toEqual(['[right]: a, R1', '[right]: c, R3', '[right]: z, Rz'])
      // the named repartition topic (Repartitioned.as): <application id>-merged-repartition
      const merged = await collect(client(), [`${app}-merged-repartition`], (r) => r.length >= 6)
      expect(merged.map((r) => r.value!.toString()).sort()).toEqual(['L1', 'L2', 'Lz', 'R1', 'R3', 'Rz'])
      // process() re-keyed R1, R3, Rz to R: counted after <application id>-rekeyed-repartition
      const rekeyed = await collect(client(), [`${app}-rekeyed-repartition`], (r) => r.length >= 3)
      expect(rekeyed.map((r) => `${r.key!.toString()}=${r.value!.toString()}`).sort()).toEqual([
        'R=R1',
        'R=R3',
        'R=Rz',
      ])
    } catch (error) {
      throw new Error(`${String(error)}; state ${streams?.state}, error: ${String(streams?.error?.stack)}`)
    } finally {
      await streams?.close()
      await producer.disconnect()
    }
  })
})
