// Record caching of windowed aggregations on the test driver (Kafka Streams' CachingWindowStore and
// CachingSessionStore): with a cache, each window's (session's) latest update is forwarded once per commit
// or when the cache evicts it; without one (cacheMaxBytes 0) every update is forwarded.
import { describe, expect, it } from 'vitest'
import { int64Serde, stringSerde as str } from '../../state/index.js'
import { StreamsBuilder } from '../../topology/dsl/streams-builder.js'
import { sessionWindowedSerde, timeWindowedSerde } from '../../topology/dsl/windowed.js'
import { SessionWindows, SlidingWindows, TimeWindows } from '../../topology/dsl/windows.js'
import type { RawInput } from '../../topology/test-driver/test-driver-options.js'
import { TopologyTestDriver } from '../../topology/test-driver/topology-test-driver.js'

const MiB = 1024 * 1024

/** Records piped as one fetch: processed together, then one commit. */
function batch(records: readonly (readonly [string, number])[]): RawInput[] {
  return records.map(([key, timestamp]) => ({
    topic: 'in',
    key: str.serialize(key),
    value: str.serialize('v'),
    timestamp,
  }))
}

function tumblingCount(options: { cacheMaxEntries?: number } = {}) {
  const b = new StreamsBuilder()
  b.stream('in', { keySerde: str, valueSerde: str })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(10, 100))
    .count({ storeName: 'counts', ...options })
    .toStream()
    .to('out', { valueSerde: int64Serde })
  return b.build()
}

const tumbling = timeWindowedSerde(str, 10)

function readWindows(driver: TopologyTestDriver) {
  return driver
    .readOutput('out', tumbling, int64Serde)
    .map((r) => [`${r.key!.key}@${r.key!.window.start}`, r.value, r.timestamp])
}

// a@0 ×3, b@0, a@10 ×2, in one fetch
const records = [
  ['a', 1],
  ['a', 2],
  ['b', 3],
  ['a', 12],
  ['a', 4],
  ['a', 15],
] as const

describe('record caching of windowed aggregations on the test driver', () => {
  it('forwards one update per window per commit, its latest, and logs it once', async () => {
    const driver = new TopologyTestDriver(tumblingCount(), { cacheMaxBytes: MiB })
    await driver.pipeRawRecords(batch(records))
    // in order of last write; each with its row's timestamp (the latest record in the window)
    expect(readWindows(driver)).toEqual([
      ['b@0', 1, 3],
      ['a@0', 3, 4],
      ['a@10', 2, 15],
    ])
    expect(driver.readRawOutput('test-driver-counts-changelog')).toHaveLength(3)
    // the next commit forwards what changed since, counted on from the committed values
    await driver.pipeRawRecords(batch([['a', 5]]))
    expect(readWindows(driver)).toEqual([['a@0', 4, 5]])
    const store = await driver.windowStore<string, number>('counts')
    expect(await store.fetch('a', 0)).toEqual({ value: 4, timestamp: 5 })
    await driver.close()
  })

  it('with cacheMaxBytes 0 forwards every update', async () => {
    const driver = new TopologyTestDriver(tumblingCount(), { cacheMaxBytes: 0 })
    await driver.pipeRawRecords(batch(records))
    expect(readWindows(driver)).toEqual([
      ['a@0', 1, 1],
      ['a@0', 2, 2],
      ['b@0', 1, 3],
      ['a@10', 1, 12],
      ['a@0', 3, 4],
      ['a@10', 2, 15],
    ])
    await driver.close()
  })

  it('a window store with cacheMaxEntries 0 forwards every update even with a record cache', async () => {
    const driver = new TopologyTestDriver(tumblingCount({ cacheMaxEntries: 0 }), { cacheMaxBytes: MiB })
    await driver.pipeRawRecords(batch(records))
    expect(readWindows(driver)).toHaveLength(records.length)
    await driver.close()
  })

  it('evicts the least recently written window when over the cache size, forwarding it before the commit', async () => {
    // an entry counts its window key (1 + 12 bytes), its value with timestamp (8 + 8) and 64 bytes: two fit
    const driver = new TopologyTestDriver(tumblingCount(), { cacheMaxBytes: 2 * (13 + 16 + 64) + 10 })
    await driver.pipeRawRecords(
      batch([
        ['a', 1],
        ['b', 1],
        ['a', 2],
        ['c', 3],
        ['a', 4],
      ]),
    )
    // c's write evicted b (least recently written); a and c were forwarded by the commit
    expect(readWindows(driver).map(([w, n]) => [w, n])).toEqual([
      ['b@0', 1],
      ['c@0', 1],
      ['a@0', 3],
    ])
    await driver.close()
  })

  it('session windows: sessions merged within a commit are forwarded once, merged across commits with a tombstone', async () => {
    const b = new StreamsBuilder()
    b.stream('in', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 100))
      .count({ storeName: 'sessions' })
      .toStream()
      .to('out', { valueSerde: int64Serde })
    const run = async (cacheMaxBytes: number) => {
      const driver = new TopologyTestDriver(b.build(), { cacheMaxBytes })
      // a@[1,1], a@[10,10], then 6 bridges them into a@[1,10]; b@[2,2]
      await driver.pipeRawRecords(
        batch([
          ['a', 1],
          ['a', 10],
          ['b', 2],
          ['a', 6],
        ]),
      )
      const first = driver.readOutput('out', sessionWindowedSerde(str), int64Serde)
      // a@20 starts a new session; a@15 then merges it with a@[1,10] into a@[1,20]
      await driver.pipeRawRecords(
        batch([
          ['a', 20],
          ['a', 15],
        ]),
      )
      const second = driver.readOutput('out', sessionWindowedSerde(str), int64Serde)
      const sessions = await driver.sessionStore<string, number>('sessions')
      const stored = await sessions.findSessions('a', 0, 100)
      await driver.close()
      const show = (out: typeof first) =>
        out.map((r) => [`${r.key!.key}@${r.key!.window.start}-${r.key!.window.end}`, r.value])
      return { first: show(first), second: show(second), stored }
    }
    const cached = await run(MiB)
    expect(cached.first).toEqual([
      ['b@2-2', 1],
      ['a@1-10', 3],
    ])
    // the session a@[1,10] was forwarded before: it is deleted downstream; a@[20,20] never was
    expect(cached.second).toEqual([
      ['a@1-10', null],
      ['a@1-20', 5],
    ])
    const uncached = await run(0)
    expect(uncached.first).toEqual([
      ['a@1-1', 1],
      ['a@10-10', 1],
      ['b@2-2', 1],
      ['a@1-1', null],
      ['a@10-10', null],
      ['a@1-10', 3],
    ])
    expect(uncached.second.at(-1)).toEqual(['a@1-20', 5])
    expect(cached.stored).toEqual(uncached.stored)
    expect(cached.stored).toEqual([{ key: 'a', window: { start: 1, end: 20 }, value: 5 }])
  })

  it('sliding windows end at the windows and values they end at without a cache, in fewer updates', async () => {
    const run = async (cacheMaxBytes: number) => {
      const b = new StreamsBuilder()
      b.stream('in', { keySerde: str, valueSerde: str })
        .groupByKey()
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100))
        .count({ storeName: 'sliding' })
        .toStream()
        .to('out', { valueSerde: int64Serde })
      const driver = new TopologyTestDriver(b.build(), { cacheMaxBytes })
      const times = [3, 8, 20, 14, 25, 40, 31, 5, 33]
      await driver.pipeRawRecords(batch(times.slice(0, 5).map((t) => ['k', t] as const)))
      await driver.pipeRawRecords(batch(times.slice(5).map((t) => ['k', t] as const)))
      const out = driver.readOutput('out', timeWindowedSerde(str, 10), int64Serde)
      const store = await driver.windowStore<string, number>('sliding')
      const rows = await store.fetchAll(0, 100)
      await driver.close()
      const last = new Map(out.map((r) => [r.key!.window.start, r.value]))
      return { count: out.length, last, rows }
    }
    const cached = await run(MiB)
    const uncached = await run(0)
    expect(cached.rows).toEqual(uncached.rows)
    expect(cached.last).toEqual(uncached.last)
    expect(cached.count).toBeLessThan(uncached.count)
  })
})
