// DSL operators on the broker-free test driver: aggregate, stream–table join, windowed stream–stream join
// with a grace period, repartitioning after a key change, branching, and punctuation.
import { describe, expect, it } from 'vitest'
import { jsonSerde, stringSerde } from '../../state/index.js'
import { StreamsBuilder } from '../../topology/dsl/streams-builder.js'
import { JoinWindows } from '../../topology/dsl/windows.js'
import { TopologyTestDriver } from '../../topology/test-driver/topology-test-driver.js'

const str = stringSerde
const num = jsonSerde<number>()

describe('DSL on the test driver', () => {
  it('aggregates per key and emits every new aggregate', async () => {
    const builder = new StreamsBuilder()
    builder
      .stream('amounts', { keySerde: str, valueSerde: num })
      .groupByKey()
      .aggregate(
        () => 0,
        (_k, v, sum) => sum + v,
        { storeName: 'sums', valueSerde: num },
      )
      .toStream()
      .to('sums-out')
    const driver = new TopologyTestDriver(builder.build())
    for (const [k, v] of [
      ['a', 1],
      ['b', 10],
      ['a', 2],
      ['a', 3],
    ] as const) {
      await driver.pipe('amounts', str, num, k, v, { timestamp: 1 })
    }
    expect(driver.readOutput('sums-out', str, num).map((r) => [r.key, r.value])).toEqual([
      ['a', 1],
      ['b', 10],
      ['a', 3],
      ['a', 6],
    ])
    const store = await driver.keyValueStore<string, number>('sums')
    expect(await store.get('a')).toBe(6)
    expect(driver.readRawOutput('test-driver-sums-changelog').map((r) => r.key!.toString())).toEqual([
      'a',
      'b',
      'a',
      'a',
    ])
    await driver.close()
  })

  it('joins a stream with the current value of a table; inner join drops records without one', async () => {
    const builder = new StreamsBuilder()
    const prices = builder.table('prices', { keySerde: str, valueSerde: num, storeName: 'prices' })
    builder
      .stream('orders', { keySerde: str, valueSerde: num })
      .join(prices, (qty, price) => qty * price, num)
      .to('totals')
    const driver = new TopologyTestDriver(builder.build())
    await driver.pipe('orders', str, num, 'apple', 2)
    await driver.pipe('prices', str, num, 'apple', 5)
    await driver.pipe('orders', str, num, 'apple', 3)
    await driver.pipe('prices', str, num, 'apple', 7)
    await driver.pipe('orders', str, num, 'apple', 1)
    expect(driver.readOutput('totals', str, num).map((r) => r.value)).toEqual([15, 7])
    await driver.close()
  })

  it('deletes a table key on a tombstone: the join then drops the stream record, nothing is dead-lettered', async () => {
    const builder = new StreamsBuilder()
    const prices = builder.table('prices', { keySerde: str, valueSerde: num, storeName: 'prices' })
    builder
      .stream('orders', { keySerde: str, valueSerde: num })
      .join(prices, (qty, price) => qty * price, num)
      .to('totals')
    const driver = new TopologyTestDriver(builder.build(), { deadLetterTopic: 'dlq' })
    await driver.pipe('prices', str, num, 'apple', 5)
    await driver.pipe('orders', str, num, 'apple', 2)
    await driver.pipeRaw('prices', Buffer.from('apple'), null)
    await driver.pipe('orders', str, num, 'apple', 3)
    expect(driver.readOutput('totals', str, num).map((r) => r.value)).toEqual([10])
    const store = await driver.keyValueStore<string, number>('prices')
    expect(await store.get('apple')).toBeUndefined()
    // a table's store keeps each value with its timestamp (8 bytes first), as Kafka Streams' does
    expect(
      driver.readRawOutput('test-driver-prices-changelog').map((r) => r.value?.subarray(8) ?? null),
    ).toEqual([Buffer.from('5'), null])
    expect(driver.readRawOutput('dlq')).toEqual([])
    await driver.close()
  })

  it('joins two streams within a window; a record past the store retention is not kept for later joins', async () => {
    const builder = new StreamsBuilder()
    const left = builder.stream('left', { keySerde: str, valueSerde: str })
    const right = builder.stream('right', { keySerde: str, valueSerde: str })
    left.join(right, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceAndGrace(100, 50)).to('joined')
    const driver = new TopologyTestDriver(builder.build())
    await driver.pipe('left', str, str, 'k', 'L1', { timestamp: 1000 })
    await driver.pipe('right', str, str, 'k', 'R1', { timestamp: 1050 }) // within 100 ms: joins L1
    await driver.pipe('right', str, str, 'k', 'R2', { timestamp: 1200 }) // 200 ms after L1: no join
    await driver.pipe('left', str, str, 'other', 'X', { timestamp: 1500 }) // the left store's time: 1500
    // 1500 - 1240 > 100 + 100 + 50: not stored (dropped), but still joined with what the right store holds
    await driver.pipe('left', str, str, 'k', 'L-late', { timestamp: 1240 })
    await driver.pipe('left', str, str, 'k', 'L-ontime', { timestamp: 1260 }) // stored, joins R2
    await driver.pipe('right', str, str, 'k', 'R3', { timestamp: 1250 }) // finds L-ontime, not L-late
    expect(driver.readOutput('joined', str, str).map((r) => [r.value, r.timestamp])).toEqual([
      ['L1+R1', 1050],
      ['L-late+R2', 1240],
      ['L-ontime+R2', 1260],
      ['L-ontime+R3', 1260],
    ])
    expect(driver.droppedRecordsTotal()).toBe(1)
    await driver.close()
  })

  it('repartitions after a key change before aggregating', async () => {
    const builder = new StreamsBuilder()
    builder
      .stream('words', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v)
      .groupByKey()
      .count({ storeName: 'counts' })
      .toStream()
      .to('counts-out', { valueSerde: num })
    const topology = builder.build()
    expect(topology.describe()).toContain('repartition')
    const driver = new TopologyTestDriver(topology, { partitions: 3 })
    for (const word of ['x', 'y', 'x', 'x']) await driver.pipe('words', str, str, 'line', word)
    const out = driver.readOutput('counts-out', str, num).map((r) => [r.key, r.value])
    expect(out).toEqual([
      ['x', 1],
      ['y', 1],
      ['x', 2],
      ['x', 3],
    ])
    await driver.close()
  })

  it('branches records to the first matching predicate', async () => {
    const builder = new StreamsBuilder()
    const [small, large] = builder.stream('n', { keySerde: str, valueSerde: num }).branch(
      (_k, v) => v < 10,
      () => true,
    )
    small!.to('small')
    large!.to('large')
    const driver = new TopologyTestDriver(builder.build())
    for (const v of [1, 50, 9]) await driver.pipe('n', str, num, 'k', v)
    expect(driver.readOutput('small', str, num).map((r) => r.value)).toEqual([1, 9])
    expect(driver.readOutput('large', str, num).map((r) => r.value)).toEqual([50])
    await driver.close()
  })

  it('dead-letters an undecodable record with its reason and source coordinates, then goes on', async () => {
    const builder = new StreamsBuilder()
    builder
      .stream('in', { keySerde: str, valueSerde: num })
      .mapValues((v) => v * 2)
      .to('out')
    const driver = new TopologyTestDriver(builder.build(), { deadLetterTopic: 'dlq' })
    await driver.pipeRaw('in', Buffer.from('k'), Buffer.from('{not json'))
    await driver.pipe('in', str, num, 'k', 21)
    expect(driver.readOutput('out', str, num).map((r) => r.value)).toEqual([42])
    const [dead] = driver.readRawOutput('dlq')
    expect(dead!.value!.toString()).toBe('{not json')
    expect(dead!.headers!['dlq.stage']!.toString()).toBe('deserialization')
    expect(dead!.headers!['dlq.source.topic']!.toString()).toBe('in')
    expect(dead!.headers!['dlq.source.offset']!.toString()).toBe('0')
    expect(dead!.headers!['dlq.reason']!.toString()).toMatch(/JSON/)
    await driver.close()
  })
})

describe('punctuation on the test driver', () => {
  it('fires stream-time punctuators as record timestamps pass the schedule, and wall-clock ones on the clock', async () => {
    const fired: string[] = []
    const builder = new StreamsBuilder()
    builder.stream('ticks', { keySerde: str, valueSerde: num }).process<string, number>({
      create: (ctx) => ({
        init: () => {
          ctx.schedule(1000, 'stream-time', (t) => void fired.push(`stream@${t}`))
          ctx.schedule(5000, 'wall-clock', (t) => void fired.push(`wall@${t}`))
        },
        process: () => {},
      }),
    })
    const driver = new TopologyTestDriver(builder.build(), { wallClockMs: 0 })
    await driver.pipe('ticks', str, num, 'k', 0, { timestamp: 10_000 }) // first record sets the schedule: 11 000
    await driver.pipe('ticks', str, num, 'k', 0, { timestamp: 10_500 })
    expect(fired).toEqual([])
    await driver.pipe('ticks', str, num, 'k', 0, { timestamp: 11_000 })
    await driver.pipe('ticks', str, num, 'k', 0, { timestamp: 11_200 })
    await driver.pipe('ticks', str, num, 'k', 0, { timestamp: 15_000 }) // one fire per advance
    expect(fired).toEqual(['stream@11000', 'stream@15000'])
    await driver.advanceWallClockTime(4999)
    expect(fired).toHaveLength(2)
    await driver.advanceWallClockTime(1)
    expect(fired).toEqual(['stream@11000', 'stream@15000', 'wall@5000'])
    await driver.close()
  })
})
