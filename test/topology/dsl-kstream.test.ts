// KStream's operators on the broker-free test driver: merge, peek, repartition, split, foreach, print and
// processValues, and stream–GlobalKTable joins.
import { describe, expect, it } from 'vitest'
import { int32Serde, int64Serde, jsonSerde, storeRef, stringSerde as str } from '../../state/index.js'
import {
  Branched,
  Printed,
  StreamsBuilder,
  TopologyTestDriver,
  withTimestamp,
  TopologyError,
  withValue,
  type FixedKeyProcessorSupplier,
  type ProcessorSupplier,
  type Topology,
} from '../../topology/index.js'

describe('KStream merge, peek and repartition', () => {
  it('merges two streams in arrival order and peeks at each record without changing it', async () => {
    const b = new StreamsBuilder()
    const seen: string[] = []
    const left = b.stream('left', { keySerde: str, valueSerde: str })
    const right = b.stream('right', { keySerde: str, valueSerde: str })
    left
      .merge(right, { name: 'both' })
      .peek((k, v) => seen.push(`${k}=${v}`), { name: 'look' })
      .to('out')
    const topology = b.build()
    expect(topology.describe()).toContain('both')
    expect(topology.describe()).toContain('look')
    const driver = new TopologyTestDriver(topology)
    await driver.pipe('left', str, str, 'a', 'L1', { timestamp: 1 })
    await driver.pipe('right', str, str, 'b', 'R1', { timestamp: 2 })
    await driver.pipe('left', str, str, 'c', 'L2', { timestamp: 3 })
    expect(driver.readOutput('out', str, str).map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 'L1', 1],
      ['b', 'R1', 2],
      ['c', 'L2', 3],
    ])
    expect(seen).toEqual(['a=L1', 'b=R1', 'c=L2'])
    await driver.close()
  })

  it('routes records through <application id>-<name>-repartition, to the partition of their new key', async () => {
    const b = new StreamsBuilder()
    b.stream('in', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v)
      .repartition({ name: 'by-value' })
      .groupByKey()
      .count({ storeName: 'counts' })
    const driver = new TopologyTestDriver(b.build(), { partitions: 3 })
    for (const v of ['x', 'y', 'x']) await driver.pipe('in', str, str, 'line', v)
    const routed = driver.readRawOutput('test-driver-by-value-repartition')
    expect(routed.map((r) => r.key!.toString())).toEqual(['x', 'y', 'x'])
    // both x records land in one partition (one task), so the count needs no second repartition
    expect(new Set(routed.filter((r) => r.key!.toString() === 'x').map((r) => r.partition)).size).toBe(1)
    expect(driver.producedTopics().filter((t) => t.endsWith('-repartition'))).toEqual([
      'test-driver-by-value-repartition',
    ])
    const counts = await Promise.all([0, 1, 2].map((p) => driver.keyValueStore<string, number>('counts', p)))
    const x = await Promise.all(counts.map((s) => s.get('x')))
    expect(x.filter((n) => n !== undefined)).toEqual([2])
    await driver.close()
  })
})

describe('KStream process (Processor API)', () => {
  /** Re-keys each record by its value: a key change the DSL cannot see. */
  const keyByValue: ProcessorSupplier<string, string, string, string> = {
    create: (ctx) => ({ process: (record) => ctx.forward({ ...record, key: record.value }) }),
  }
  /** Pipes value `x` under key `a` into partition 0 and under `b` into partition 1; each partition's count of `x`. */
  async function countsOfX(
    topology: Topology,
  ): Promise<{ counts: (number | undefined)[]; repartitions: string[] }> {
    const driver = new TopologyTestDriver(topology, { partitions: 2 })
    try {
      await driver.pipe('in', str, str, 'a', 'x', { timestamp: 1, partition: 0 })
      await driver.pipe('in', str, str, 'b', 'x', { timestamp: 2, partition: 1 })
      const counts = []
      for (const p of [0, 1])
        counts.push(await (await driver.keyValueStore<string, number>('counts', p)).get('x'))
      return { counts, repartitions: driver.producedTopics().filter((t) => t.endsWith('-repartition')) }
    } finally {
      await driver.close()
    }
  }

  it('marks its output for repartitioning, as Kafka Streams: a key changed by the processor is counted in one task', async () => {
    const b = new StreamsBuilder()
    b.stream('in', { keySerde: str, valueSerde: str })
      .process(keyByValue)
      .groupByKey()
      .count({ storeName: 'counts' })
    // Kafka Streams 4.1.2's Topology.describe(): source → PROCESSOR → counts-repartition; counts-repartition → AGGREGATE
    expect(await countsOfX(b.build())).toEqual({
      counts: [2, undefined],
      repartitions: ['test-driver-counts-repartition'],
    })
  })

  it('runs on the stream as it is after an upstream key change, and the aggregation after it repartitions', async () => {
    const b = new StreamsBuilder()
    const seenPartitions: number[] = []
    b.stream('in', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v)
      .process<string, string>({
        create: (ctx) => ({
          process: (record) => {
            seenPartitions.push(ctx.partition)
            ctx.forward(record)
          },
        }),
      })
      .groupByKey()
      .count({ storeName: 'counts' })
    const topology = b.build()
    expect(await countsOfX(topology)).toEqual({
      counts: [2, undefined],
      repartitions: ['test-driver-counts-repartition'],
    })
    // no repartition before the processor: it saw each record in its input partition
    expect(seenPartitions).toEqual([0, 1])
  })
})

describe('KStream split (BranchedKStream)', () => {
  it('sends each record to the first branch whose predicate holds, else to the default branch, named as Kafka Streams names them', async () => {
    const b = new StreamsBuilder()
    const branches = b
      .stream('n', { keySerde: str, valueSerde: int32Serde })
      .split()
      .branch((_k, v) => v > 100)
      .branch((_k, v) => v > 10, Branched.as('tens'))
      .defaultBranch()
    // the splitter is KSTREAM-BRANCH-0000000001; unnamed branches are numbered from 1, the default is 0
    expect([...branches.keys()]).toEqual([
      'KSTREAM-BRANCH-00000000011',
      'KSTREAM-BRANCH-0000000001tens',
      'KSTREAM-BRANCH-00000000010',
    ])
    branches.get('KSTREAM-BRANCH-00000000011')!.to('hundreds')
    branches.get('KSTREAM-BRANCH-0000000001tens')!.to('tens')
    branches.get('KSTREAM-BRANCH-00000000010')!.to('rest')
    const description = b.build().describe()
    // each branch takes a generated index, so the next generated name is Kafka Streams' too
    expect(description).toContain('KSTREAM-SINK-0000000005')
    const driver = new TopologyTestDriver(b.build())
    for (const v of [500, 50, 5, 20, 200]) await driver.pipe('n', str, int32Serde, 'k', v)
    expect(driver.readOutput('hundreds', str, int32Serde).map((r) => r.value)).toEqual([500, 200])
    expect(driver.readOutput('tens', str, int32Serde).map((r) => r.value)).toEqual([50, 20])
    expect(driver.readOutput('rest', str, int32Serde).map((r) => r.value)).toEqual([5])
    await driver.close()
  })

  it('applies withFunction and withConsumer chains; without a default branch unmatched records are dropped', async () => {
    const b = new StreamsBuilder()
    const branches = b
      .stream('words', { keySerde: str, valueSerde: str })
      .split({ name: 'route-' })
      .branch(
        (_k, v) => v.startsWith('a'),
        Branched.withFunction((s) => s.mapValues((v) => v.toUpperCase()), 'a'),
      )
      .branch(
        (_k, v) => v.startsWith('b'),
        Branched.withConsumer((s) => s.to('b-words'), 'b'),
      )
      .branch(
        (_k, v) => v.startsWith('c'),
        Branched.withFunction((s) => {
          s.to('c-words')
          return null
        }),
      )
      .noDefaultBranch()
    // the consumer's branch and a function returning null stay out of the map
    expect([...branches.keys()]).toEqual(['route-a'])
    branches.get('route-a')!.to('a-words')
    const topology = b.build()
    expect(topology.describe()).toContain('route-3')
    const driver = new TopologyTestDriver(topology)
    for (const w of ['apple', 'banana', 'cherry', 'date', 'avocado'])
      await driver.pipe('words', str, str, 'k', w)
    expect(driver.readOutput('a-words', str, str).map((r) => r.value)).toEqual(['APPLE', 'AVOCADO'])
    expect(driver.readOutput('b-words', str, str).map((r) => r.value)).toEqual(['banana'])
    expect(driver.readOutput('c-words', str, str).map((r) => r.value)).toEqual(['cherry'])
    expect(driver.producedTopics().sort()).toEqual(['a-words', 'b-words', 'c-words'])
    await driver.close()
  })
})

describe('KStream foreach and print', () => {
  it('calls foreach’s action for each record and forwards nothing', async () => {
    const b = new StreamsBuilder()
    const seen: [string, string][] = []
    b.stream('in', { keySerde: str, valueSerde: str }).foreach((k, v) => seen.push([k, v]), {
      name: 'collect',
    })
    const topology = b.build()
    expect(topology.describe()).toContain('collect')
    const driver = new TopologyTestDriver(topology)
    await driver.pipe('in', str, str, 'a', 'x')
    await driver.pipe('in', str, str, 'b', 'y')
    expect(seen).toEqual([
      ['a', 'x'],
      ['b', 'y'],
    ])
    expect(driver.producedTopics()).toEqual([])
    await driver.close()
  })

  it('prints `[label]: key, value` lines, labelled with the processor name by default', async () => {
    const b = new StreamsBuilder()
    const lines: string[] = []
    const input = b.stream('in', { keySerde: str, valueSerde: jsonSerde<{ n: number } | null>() })
    input.print(Printed.toSink((line) => lines.push(line)))
    input.print(Printed.toSink<string, { n: number } | null>((line) => lines.push(line)).withLabel('orders'))
    input.print(
      Printed.toSink<string, { n: number } | null>((line) => lines.push(line))
        .withKeyValueMapper((k, v) => `${k} has ${v?.n ?? 'nothing'}`)
        .withName('mapped'),
    )
    const driver = new TopologyTestDriver(b.build())
    await driver.pipe('in', str, jsonSerde<{ n: number }>(), 'a', { n: 1 })
    await driver.pipeRaw('in', Buffer.from('b'), null)
    expect(lines).toEqual([
      '[KSTREAM-PRINTER-0000000001]: a, {"n":1}',
      '[orders]: a, {"n":1}',
      '[mapped]: a has 1',
      '[KSTREAM-PRINTER-0000000001]: b, null',
      '[orders]: b, null',
      '[mapped]: b has nothing',
    ])
    await driver.close()
  })
})

describe('KStream processValues (fixed-key processors)', () => {
  const seenPerKey = storeRef<string, number>({ name: 'seen-per-key', keySerde: str, valueSerde: int64Serde })
  /** Numbers each value per key, from a store, and moves the record's time forward by 1 ms. */
  const numbering: FixedKeyProcessorSupplier<string, string, string> = {
    stores: [seenPerKey],
    create(ctx) {
      const seen = ctx.store(seenPerKey)
      return {
        async process(record) {
          const n = ((await seen.get(record.key)) ?? 0) + 1
          seen.put(record.key, n)
          ctx.forward(withTimestamp(withValue(record, `${record.value}#${n}`), record.timestamp + 1))
        },
      }
    },
  }

  it('changes values and timestamps with a store of its own, keeps keys, and needs no repartition after it', async () => {
    const b = new StreamsBuilder()
    const numbered = b.stream('in', { keySerde: str, valueSerde: str }).processValues(numbering)
    numbered.to('out')
    numbered.groupByKey().count({ storeName: 'counts' })
    const topology = b.build()
    expect(topology.describe()).toContain('KSTREAM-PROCESSVALUES-0000000001')
    expect(topology.describe()).not.toContain('-repartition')
    const driver = new TopologyTestDriver(topology)
    await driver.pipe('in', str, str, 'a', 'x', { timestamp: 10 })
    await driver.pipe('in', str, str, 'b', 'y', { timestamp: 20 })
    await driver.pipe('in', str, str, 'a', 'z', { timestamp: 30 })
    expect(driver.readOutput('out', str, str).map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 'x#1', 11],
      ['b', 'y#1', 21],
      ['a', 'z#2', 31],
    ])
    expect(await (await driver.keyValueStore<string, number>('counts')).get('a')).toBe(2)
    await driver.close()
  })

  it('leaves a key changed upstream to be repartitioned by the next aggregation', async () => {
    const b = new StreamsBuilder()
    b.stream('in', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v)
      .processValues(numbering, { name: 'numbered' })
      .groupByKey()
      .count()
    expect(b.build().describe()).toContain('-repartition')
  })
})

describe('KStream joins with a GlobalKTable', () => {
  function topology() {
    const b = new StreamsBuilder()
    const products = b.globalTable('products', { keySerde: str, valueSerde: str })
    // orders keyed by order id, valued by product id (a record without a product id selects a null key)
    const orders = b.stream('orders', { keySerde: str, valueSerde: str })
    const product = (_orderId: string, productId: string) => (productId === '' ? null : productId)
    orders
      .join(products, product, (productId, name, orderId) => `${orderId}:${productId}=${name}`)
      .to('inner')
    orders
      .leftJoin(products, product, (productId, name, orderId) => `${orderId}:${productId}=${name}`)
      .to('left')
    return b.build()
  }

  it('looks up the row under the selected key; an inner join drops misses, a left join joins them with null', async () => {
    const built = topology()
    // both are named KSTREAM-LEFTJOIN-…, as in Kafka Streams
    expect(built.describe()).toContain('KSTREAM-LEFTJOIN-0000000001')
    expect(built.describe()).toContain('KSTREAM-LEFTJOIN-0000000003')
    expect(built.describe()).not.toContain('-repartition')
    const driver = new TopologyTestDriver(built, { partitions: 2 })
    await driver.pipe('products', str, str, 'p1', 'pen')
    await driver.pipe('orders', str, str, 'o1', 'p1')
    await driver.pipe('orders', str, str, 'o2', 'p9') // no such product
    await driver.pipe('products', str, str, 'p9', 'ink')
    await driver.pipe('orders', str, str, 'o3', 'p9')
    expect(driver.readOutput('inner', str, str).map((r) => [r.key, r.value])).toEqual([
      ['o1', 'o1:p1=pen'],
      ['o3', 'o3:p9=ink'],
    ])
    expect(driver.readOutput('left', str, str).map((r) => [r.key, r.value])).toEqual([
      ['o1', 'o1:p1=pen'],
      ['o2', 'o2:p9=null'],
      ['o3', 'o3:p9=ink'],
    ])
    expect(driver.droppedRecordsTotal()).toBe(0)
    await driver.close()
  })

  it('drops and counts null values, and null selected keys in an inner join; a left join joins those with null', async () => {
    const driver = new TopologyTestDriver(topology())
    await driver.pipe('products', str, str, 'p1', 'pen')
    await driver.pipeRaw('orders', Buffer.from('o1'), null) // null value: dropped by both joins
    await driver.pipe('orders', str, str, 'o2', '') // null selected key: inner drops it, left joins it
    await driver.pipe('orders', str, str, null, 'p1') // null key, as Kafka Streams: joined by both
    await driver.pipe('orders', str, str, null, '') // null key and selected key: the same
    expect(driver.readOutput('inner', str, str).map((r) => [r.key, r.value])).toEqual([[null, 'null:p1=pen']])
    expect(driver.readOutput('left', str, str).map((r) => [r.key, r.value])).toEqual([
      ['o2', 'o2:=null'],
      [null, 'null:p1=pen'],
      [null, 'null:=null'],
    ])
    expect(driver.droppedRecordsTotal()).toBe(4)
    await driver.close()
  })

  it('refuses a store that is not a global table’s', () => {
    const b = new StreamsBuilder()
    const other = storeRef<string, string>({ name: 'not-global', keySerde: str, valueSerde: str })
    const orders = b.stream('orders', { keySerde: str, valueSerde: str })
    expect(() =>
      orders.join(
        other,
        (_k, v) => v,
        (a, c) => `${a}${c}`,
      ),
    ).toThrow(TopologyError)
  })
})
