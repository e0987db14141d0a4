// DSL operators on the test driver, for what the Kafka Streams reference scenarios do not show: windowed key
// formats, naming (operators, stores, repartition topics), build-time checks, suppression limits, and the
// driver's typed topics and store views. Semantics record by record: reference.test.ts.
import { describe, expect, it } from 'vitest'
import { int64Serde, stringSerde as str } from '../../state/index.js'
import {
  BufferConfig,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  TopologyTestDriver,
  Windowed,
  sessionWindowedSerde,
  timeWindowedSerde,
  windowedPartitioner,
} from '../../topology/index.js'
import { partitionForKey } from '../../topology/runtime/partitioner.js'

describe('windowed keys', () => {
  it('write time windows as key ‖ start and session windows as key ‖ end ‖ start (Kafka’s formats)', () => {
    const time = timeWindowedSerde(str, 100)
    const bytes = time.serialize(new Windowed('k', { start: 5000, end: 5100 }))
    expect(bytes.toString('hex')).toBe(Buffer.from('k').toString('hex') + '0000000000001388')
    expect(time.deserialize(bytes)).toEqual(new Windowed('k', { start: 5000, end: 5100 }))
    const session = sessionWindowedSerde(str)
    const sessionBytes = session.serialize(new Windowed('k', { start: 10, end: 20 }))
    expect(sessionBytes.toString('hex')).toBe('6b' + '0000000000000014' + '000000000000000a')
    expect(session.deserialize(sessionBytes).toString()).toBe('[k@10/20]')
  })

  it('are partitioned by their plain key', () => {
    const serde = timeWindowedSerde(str, 100)
    const key = serde.serialize(new Windowed('some-key', { start: 123, end: 223 }))
    expect(windowedPartitioner(serde)(key, null, 7)).toBe(partitionForKey(Buffer.from('some-key'), 7))
  })
})

describe('naming', () => {
  it('names processors, stores and repartition topics after Named, Materialized and Grouped', () => {
    const b = new StreamsBuilder()
    b.stream('in', { keySerde: str, valueSerde: str, name: 'source' })
      .filter((_k, v) => v !== 'x', { name: 'not-x' })
      .selectKey((_k, v) => v)
      .groupByKey({ name: 'by-value' })
      .count({ storeName: 'counts', name: 'count-values' })
      .toStream({ name: 'counts-out' })
      .to('out', { name: 'sink', valueSerde: int64Serde })
    const description = b.build().describe()
    for (const name of ['source', 'not-x', 'count-values', 'counts-out', 'sink', 'stores: [counts]']) {
      expect(description).toContain(name)
    }
    expect(description).toContain('by-value-repartition')
  })

  it('generates Kafka Streams’ names when none is given', () => {
    const b = new StreamsBuilder()
    b.stream('in', { keySerde: str, valueSerde: str }).groupByKey().count().toStream().to('out')
    const description = b.build().describe()
    expect(description).toContain('KSTREAM-SOURCE-0000000000')
    expect(description).toContain('KSTREAM-AGGREGATE-0000000002')
    expect(description).toContain('KSTREAM-AGGREGATE-STATE-STORE-0000000001')
    expect(description).toContain('KTABLE-TOSTREAM-0000000003')
  })
})

describe('build-time checks', () => {
  it('refuses a window retention shorter than size plus grace', () => {
    const b = new StreamsBuilder()
    const grouped = b.stream('in', { keySerde: str, valueSerde: str }).groupByKey()
    expect(() => grouped.windowedBy(TimeWindows.ofSizeAndGrace(100, 50)).count({ retentionMs: 120 })).toThrow(
      /retention .* at least/,
    )
  })

  it('refuses untilWindowCloses on a table that is not windowed, and an early-emitting final buffer', () => {
    const b = new StreamsBuilder()
    const table = b.stream('in', { keySerde: str, valueSerde: str }).groupByKey().count()
    expect(() => table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))).toThrow(/windowed/)
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(10))).toThrow(/shuts down/)
  })
})

describe('suppression buffer limits', () => {
  it('stops the application when a shutDownWhenFull buffer overflows', async () => {
    const b = new StreamsBuilder()
    b.stream('in', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(1000))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.maxRecords(2).shutDownWhenFull()))
      .toStream()
      .to('out')
    const driver = new TopologyTestDriver(b.build())
    const input = driver.createInputTopic('in', str, str)
    await input.pipeInput('a', 'x', 1)
    await input.pipeInput('b', 'x', 2)
    await expect(input.pipeInput('c', 'x', 3)).rejects.toThrow(/exceeded its capacity: 3\/2 records/)
    await driver.close()
  })
})

describe('test driver topics and stores', () => {
  it('pipes typed records with advancing times and reads them back as lists, maps and records', async () => {
    const b = new StreamsBuilder()
    b.stream('in', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))
      .count({ storeName: 'sessions' })
      .toStream((windowed) => windowed.key, { keySerde: str })
      .to('out', { valueSerde: int64Serde })
    const driver = new TopologyTestDriver(b.build())
    const input = driver.createInputTopic('in', str, str, { startTimestamp: 100, autoAdvanceMs: 5 })
    const output = driver.createOutputTopic('out', str, int64Serde)
    await input.pipeKeyValueList([
      { key: 'a', value: 'x' },
      { key: 'a', value: 'y' },
    ])
    expect(output.readRecord()).toMatchObject({ key: 'a', value: 1, timestamp: 100 })
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'a', value: null },
      { key: 'a', value: 2 },
    ])
    input.advanceTime(100)
    await input.pipeInput('a', 'z')
    expect(output.readKeyValuesToMap()).toEqual(new Map([['a', 1]]))
    expect(output.isEmpty()).toBe(true)
    const sessions = await driver.sessionStore<string, number>('sessions')
    // the first session ended more than gap + grace (the retention) before the store's time: expired
    expect(await sessions.findSessions('a', 0, 1000)).toEqual([
      { key: 'a', window: { start: 210, end: 210 }, value: 1 },
    ])
    await driver.close()
  })

  it('shows a table’s store with plain values or with their timestamps', async () => {
    const b = new StreamsBuilder()
    b.table('in', { keySerde: str, valueSerde: str, storeName: 'table' })
    const driver = new TopologyTestDriver(b.build())
    await driver.createInputTopic('in', str, str).pipeInput('k', 'v', 42)
    expect(await (await driver.keyValueStore<string, string>('table')).all()).toEqual([
      { key: 'k', value: 'v' },
    ])
    expect(await (await driver.timestampedKeyValueStore<string, string>('table')).get('k')).toEqual({
      value: 'v',
      timestamp: 42,
    })
    await driver.close()
  })
})
