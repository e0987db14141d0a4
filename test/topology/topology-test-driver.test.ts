// The test driver chooses between a task's inputs as the runtime does: records piped together are processed
// in timestamp order across partitions, offset order within one; maxTaskIdleMs makes a task wait for an
// empty input until wall-clock time passes; repartition records join the choice.
import { describe, expect, it } from 'vitest'
import { stringSerde } from '../../state/index.js'
import { partitionForKey, TopologyBuilder, type ProcessorSupplier } from '../../topology/index.js'
import type { RawInput } from '../../topology/test-driver/test-driver-options.js'
import { TopologyTestDriver } from '../../topology/test-driver/topology-test-driver.js'

const str = stringSerde

/** One task reading `left` and `right`; it writes `<topic>:<value>@<stream time>` for every record it sees. */
function recorder(): ReturnType<TopologyBuilder['build']> {
  const seen: ProcessorSupplier<string, string, string, string> = {
    create: (ctx) => ({
      process: (record) => {
        const topic = ctx.origin!.topic
        ctx.forward({ ...record, value: `${topic}:${record.value}@${ctx.streamTime}` })
      },
    }),
  }
  return new TopologyBuilder()
    .addSource({ name: 'left', topics: ['left'], keySerde: str, valueSerde: str })
    .addSource({ name: 'right', topics: ['right'], keySerde: str, valueSerde: str })
    .addProcessor({ name: 'seen', supplier: seen, parents: ['left', 'right'] })
    .addSink({ name: 'out', topic: 'seen', keySerde: str, valueSerde: str, parents: ['seen'] })
    .build()
}

const raw = (topic: string, value: string, timestamp: number): RawInput => ({
  topic,
  key: Buffer.from('k'),
  value: Buffer.from(value),
  timestamp,
})

const seen = (driver: TopologyTestDriver) => driver.readOutput('seen', str, str).map((r) => r.value)

describe('TopologyTestDriver chooses by timestamp', () => {
  it('processes records piped together in timestamp order across partitions, offset order within one', async () => {
    const driver = new TopologyTestDriver(recorder())
    // a backlog: the right side's records were written after the left's, but are older
    await driver.pipeRawRecords([
      raw('left', 'L1', 30),
      raw('left', 'L2', 10), // out of order within left: stays behind L1
      raw('left', 'L3', 50),
      raw('right', 'R1', 20),
      raw('right', 'R2', 40),
    ])
    expect(seen(driver)).toEqual(['right:R1@20', 'left:L1@30', 'left:L2@30', 'right:R2@40', 'left:L3@50'])
    await driver.close()
  })

  it('processes each record at once when piped one by one (every partition is caught up)', async () => {
    const driver = new TopologyTestDriver(recorder())
    await driver.pipeRaw('left', Buffer.from('k'), Buffer.from('L1'), { timestamp: 30 })
    await driver.pipeRaw('right', Buffer.from('k'), Buffer.from('R1'), { timestamp: 20 })
    expect(seen(driver)).toEqual(['left:L1@30', 'right:R1@30'])
    await driver.close()
  })

  it('with maxTaskIdleMs waits for the empty input until wall-clock time passes the deadline', async () => {
    const driver = new TopologyTestDriver(recorder(), { maxTaskIdleMs: 100 })
    await driver.pipeRaw('left', Buffer.from('k'), Buffer.from('L1'), { timestamp: 30 })
    expect(seen(driver)).toEqual([])
    await driver.advanceWallClockTime(50)
    expect(seen(driver)).toEqual([])
    // the other input gets an older record in time: it goes first; then right is empty again, and L1
    // waits anew from now (wall clock 50) until 150
    await driver.pipeRaw('right', Buffer.from('k'), Buffer.from('R1'), { timestamp: 20 })
    expect(seen(driver)).toEqual(['right:R1@20'])
    await driver.advanceWallClockTime(99)
    expect(seen(driver)).toEqual([])
    await driver.advanceWallClockTime(1)
    expect(seen(driver)).toEqual(['left:L1@30'])
    await driver.close()
  })

  it('chooses between a repartition topic fed back and the other input by timestamp', async () => {
    // left is re-keyed through a repartition topic into a task that also reads right
    const rekey: ProcessorSupplier<string, string, string, string> = {
      create: (ctx) => ({ process: (record) => ctx.forward({ ...record, key: 'k2' }) }),
    }
    const seenSupplier: ProcessorSupplier<string, string, string, string> = {
      create: (ctx) => ({
        process: (record) => ctx.forward({ ...record, value: `${ctx.origin!.topic}:${record.value}` }),
      }),
    }
    const topology = new TopologyBuilder()
      .addSource({ name: 'left', topics: ['left'], keySerde: str, valueSerde: str })
      .addProcessor({ name: 'rekey', supplier: rekey, parents: ['left'] })
      .addSink({
        name: 'to-rekeyed',
        topic: 'rekeyed-repartition',
        internal: true,
        keySerde: str,
        valueSerde: str,
        parents: ['rekey'],
      })
      .addSource({
        name: 'rekeyed',
        topics: ['rekeyed-repartition'],
        internal: true,
        keySerde: str,
        valueSerde: str,
      })
      .addSource({ name: 'right', topics: ['right'], keySerde: str, valueSerde: str })
      .addProcessor({ name: 'seen', supplier: seenSupplier, parents: ['rekeyed', 'right'] })
      .addSink({ name: 'out', topic: 'seen', keySerde: str, valueSerde: str, parents: ['seen'] })
      .build()
    const driver = new TopologyTestDriver(topology)
    await driver.pipeRawRecords([raw('right', 'R1', 20), raw('right', 'R2', 40), raw('left', 'L1', 30)])
    expect(driver.readOutput('seen', str, str).map((r) => r.value)).toEqual([
      'right:R1',
      'test-driver-rekeyed-repartition:L1',
      'right:R2',
    ])
    await driver.close()
  })
})

describe('sinks and the processor context', () => {
  it('multicasts a record to every partition its partitioner lists (KIP-837), and tells a task how many tasks its subtopology has', async () => {
    const marker: ProcessorSupplier<string, string, string, string> = {
      create: (ctx) => ({
        process: (record) =>
          ctx.forward({ ...record, value: `${record.value}:${ctx.partition}/${ctx.taskCount}` }),
      }),
    }
    const topology = new TopologyBuilder()
      .addSource({ name: 'in', topics: ['in'], keySerde: str, valueSerde: str })
      .addProcessor({ name: 'mark', supplier: marker, parents: ['in'] })
      .addSink({
        name: 'out',
        topic: 'out',
        keySerde: str,
        valueSerde: str,
        partitioner: (_key, value, partitions) =>
          String(value).startsWith('all') ? Array.from({ length: partitions }, (_, p) => p) : undefined,
        parents: ['mark'],
      })
      .build()
    const driver = new TopologyTestDriver(topology, { partitions: 3 })
    await driver.pipeRaw('in', Buffer.from('k'), Buffer.from('all'), { timestamp: 1, partition: 1 })
    await driver.pipeRaw('in', Buffer.from('k'), Buffer.from('one'), { timestamp: 2, partition: 2 })
    const out = driver.readRawOutput('out').map((r) => [r.value!.toString(), r.partition])
    expect(out).toEqual([
      ['all:1/3', 0],
      ['all:1/3', 1],
      ['all:1/3', 2],
      ['one:2/3', partitionForKey(Buffer.from('k'), 3)], // not chosen: by key, as by default
    ])
    await driver.close()
  })
})
