// Record caching on the test driver (the instance's cacheMaxBytes): table and aggregation updates are
// deduplicated per key and forwarded when the driver commits (after each pipe) or when the cache evicts.
import { describe, expect, it } from 'vitest'
import { int64Serde, jsonSerde, stringSerde } from '../../state/index.js'
import { StreamsBuilder } from '../../topology/dsl/streams-builder.js'
import type { RawInput } from '../../topology/test-driver/test-driver-options.js'
import { TopologyTestDriver } from '../../topology/test-driver/topology-test-driver.js'

const str = stringSerde
const num = jsonSerde<number>()
const MiB = 1024 * 1024

/** Records piped as one fetch: processed together, then one commit. */
function batch(
  topic: string,
  pairs: readonly (readonly [string, number | null])[],
  timestamp = 1,
): RawInput[] {
  return pairs.map(([key, value]) => ({
    topic,
    key: str.serialize(key),
    value: value === null ? null : num.serialize(value),
    timestamp,
  }))
}

function sumsTopology(options: { cacheMaxEntries?: number } = {}) {
  const builder = new StreamsBuilder()
  builder
    .stream('amounts', { keySerde: str, valueSerde: num })
    .groupByKey()
    .aggregate(
      () => 0,
      (_k, v, sum) => sum + v,
      { storeName: 'sums', valueSerde: num, ...options },
    )
    .toStream()
    .to('sums-out')
  return builder.build()
}

const updates = [
  ['a', 1],
  ['b', 10],
  ['a', 2],
  ['a', 3],
  ['b', 20],
] as const

describe('record caching on the test driver', () => {
  it('forwards one update per key per commit, its latest, and logs it once', async () => {
    const driver = new TopologyTestDriver(sumsTopology(), { cacheMaxBytes: MiB })
    await driver.pipeRawRecords(batch('amounts', updates))
    expect(driver.readOutput('sums-out', str, num).map((r) => [r.key, r.value])).toEqual([
      ['a', 6],
      ['b', 30],
    ])
    const changelog = driver.readRawOutput('test-driver-sums-changelog')
    expect(changelog.map((r) => [r.key!.toString(), num.deserialize(r.value!.subarray(8))])).toEqual([
      ['a', 6],
      ['b', 30],
    ])
    // the next commit forwards what changed since, from the committed values on
    await driver.pipeRawRecords(batch('amounts', [['a', 4]]))
    expect(driver.readOutput('sums-out', str, num).map((r) => [r.key, r.value])).toEqual([['a', 10]])
    expect(await (await driver.keyValueStore<string, number>('sums')).get('a')).toBe(10)
    await driver.close()
  })

  it('with cacheMaxBytes 0 forwards every update, as without a cache', async () => {
    const driver = new TopologyTestDriver(sumsTopology(), { cacheMaxBytes: 0 })
    await driver.pipeRawRecords(batch('amounts', updates))
    expect(driver.readOutput('sums-out', str, num).map((r) => [r.key, r.value])).toEqual([
      ['a', 1],
      ['b', 10],
      ['a', 3],
      ['a', 6],
      ['b', 30],
    ])
    // the store's own cache (cacheMaxEntries) still logs a key once per commit, as before record caching
    expect(driver.readRawOutput('test-driver-sums-changelog')).toHaveLength(2)
    await driver.close()
  })

  it('a store with cacheMaxEntries 0 forwards every update even with a record cache', async () => {
    const driver = new TopologyTestDriver(sumsTopology({ cacheMaxEntries: 0 }), { cacheMaxBytes: MiB })
    await driver.pipeRawRecords(batch('amounts', updates))
    expect(driver.readOutput('sums-out', str, num)).toHaveLength(5)
    await driver.close()
  })

  it('evicts the least recently used key when over its size, forwarding it before the commit', async () => {
    // each entry counts its key, its value with timestamp and 64 bytes: two fit, the third evicts one
    const driver = new TopologyTestDriver(sumsTopology(), { cacheMaxBytes: 2 * (1 + 9 + 64) + 10 })
    await driver.pipeRawRecords(
      batch('amounts', [
        ['a', 1],
        ['b', 1],
        ['a', 1],
        ['c', 1],
        ['a', 1],
      ]),
    )
    // c's write evicted b (least recently used); a and c were forwarded by the commit
    expect(driver.readOutput('sums-out', str, num).map((r) => [r.key, r.value])).toEqual([
      ['b', 1],
      ['a', 3],
      ['c', 1],
    ])
    await driver.close()
  })

  it('hands old values downstream: a re-grouped table aggregate ends where it ends without a cache', async () => {
    const run = async (cacheMaxBytes: number) => {
      const builder = new StreamsBuilder()
      // a table of counts per key, re-grouped by count: how many keys have each count (SmokeTest's tagg)
      builder
        .table('items', { keySerde: str, valueSerde: num, storeName: 'items' })
        .groupBy((_k, v) => ({ key: String(v), value: v }), { keySerde: str, valueSerde: num })
        .count({ storeName: 'by-value' })
        .toStream()
        .to('by-value-out', { keySerde: str, valueSerde: int64Serde })
      const driver = new TopologyTestDriver(builder.build(), { cacheMaxBytes })
      await driver.pipeRawRecords(
        batch('items', [
          ['x', 1],
          ['y', 1],
          ['x', 2],
          ['z', 2],
          ['y', 3],
          ['x', 3],
        ]),
      )
      await driver.pipeRawRecords(
        batch('items', [
          ['z', null],
          ['y', 1],
        ]),
      )
      const out = driver.readOutput('by-value-out', str, int64Serde)
      const last = new Map(out.map((r) => [r.key, r.value]))
      const store = await driver.keyValueStore<string, number>('by-value')
      const rows = await store.all()
      await driver.close()
      return { count: out.length, last, rows }
    }
    const cached = await run(MiB)
    const uncached = await run(0)
    expect(cached.rows).toEqual(uncached.rows)
    expect(cached.rows).toEqual([
      { key: '1', value: 1 },
      { key: '2', value: 0 },
      { key: '3', value: 1 },
    ])
    expect(cached.last).toEqual(uncached.last)
    expect(cached.count).toBeLessThan(uncached.count)
  })

  it('forwards a table source update and a delete once per commit; a delete of an absent key not at all', async () => {
    const builder = new StreamsBuilder()
    builder
      .table('prices', { keySerde: str, valueSerde: num, storeName: 'prices' })
      .toStream()
      .to('prices-out')
    const driver = new TopologyTestDriver(builder.build(), { cacheMaxBytes: MiB })
    await driver.pipeRawRecords(
      batch('prices', [
        ['apple', 5],
        ['apple', 7],
        ['pear', 3],
        ['pear', null],
        ['plum', null],
      ]),
    )
    expect(driver.readOutput('prices-out', str, num).map((r) => [r.key, r.value])).toEqual([['apple', 7]])
    await driver.pipeRawRecords(batch('prices', [['apple', null]]))
    expect(driver.readOutput('prices-out', str, num).map((r) => [r.key, r.value])).toEqual([['apple', null]])
    await driver.close()
  })
})
