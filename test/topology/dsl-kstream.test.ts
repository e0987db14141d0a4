// KStream's stateless operators on the broker-free test driver: merge, peek and repartition.
import { describe, expect, it } from 'vitest'
import { stringSerde as str } from '../../state/index.js'
import { StreamsBuilder, TopologyTestDriver } from '../../topology/index.js'

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
