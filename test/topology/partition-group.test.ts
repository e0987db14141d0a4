// The choose step of a task, alone: timestamp order across partitions, waiting for known lag, idling,
// unknown lag, and offsets taken at most once.
import { describe, expect, it } from 'vitest'
import { PartitionGroup, type QueuedRecord } from '../../topology/runtime/partition-group.js'

const records = (...pairs: [offset: number, timestamp: number][]): QueuedRecord[] =>
  pairs.map(([offset, timestamp]) => ({ offset, timestamp }))

/** Records that say which partition they were added to (as a consumed record names its topic). */
type Tagged = QueuedRecord & { readonly from?: string }
class TaggingGroup extends PartitionGroup<Tagged> {
  override add(partition: string, records: readonly Tagged[]): number {
    return super.add(
      partition,
      records.map((r) => ({ ...r, from: partition })),
    )
  }
}

function drain(group: PartitionGroup<Tagged>): string[] {
  const taken: string[] = []
  for (let next = group.poll(); next; next = group.poll()) taken.push(`${next.from}@${next.timestamp}`)
  return taken
}

const group = (maxTaskIdleMs = 0, unknownLagWaitMs = 1000) =>
  new TaggingGroup(['orders', 'prices'], { maxTaskIdleMs, unknownLagWaitMs })

describe('PartitionGroup', () => {
  it('takes the buffered head with the smallest timestamp across partitions, offset order within one', () => {
    const g = group()
    g.add('orders', records([0, 30], [1, 10], [2, 50]))
    g.add('prices', records([0, 20], [1, 40]))
    // orders' second record (10) is behind its head (30): within a partition the offset order stands
    expect(drain(g)).toEqual(['prices@20', 'orders@30', 'orders@10', 'prices@40', 'orders@50'])
  })

  it('breaks a timestamp tie by the order of the inputs', () => {
    const g = group()
    g.add('prices', records([0, 5]))
    g.add('orders', records([0, 5]))
    expect(drain(g)).toEqual(['orders@5', 'prices@5'])
  })

  it('is ready when every partition has a buffered record, asking no lag', () => {
    const g = group()
    g.add('orders', records([0, 1]))
    g.add('prices', records([0, 2]))
    expect(
      g.readiness(0, () => {
        throw new Error('lag asked although every partition has records')
      }),
    ).toEqual({ ready: true, enforced: [] })
  })

  it('waits for an empty partition as long as its lag is above 0', () => {
    const g = group(0)
    g.add('orders', records([0, 1]))
    expect(g.readiness(0, () => 3)).toEqual({ ready: false, reason: 'lag', partition: 'prices' })
    expect(g.readiness(1_000_000, () => 3)).toMatchObject({ ready: false, reason: 'lag' })
    g.add('prices', records([0, 0]))
    expect(g.readiness(1_000_000, () => 3)).toEqual({ ready: true, enforced: [] })
    expect(drain(g)).toEqual(['prices@0', 'orders@1'])
  })

  it('with maxTaskIdleMs 0 processes at once when the empty partition is caught up (lag 0)', () => {
    const g = group(0)
    g.add('orders', records([0, 1]))
    expect(g.readiness(0, () => 0)).toEqual({ ready: true, enforced: ['prices'] })
  })

  it('waits maxTaskIdleMs of wall-clock time for a caught-up partition, from when it was first found empty', () => {
    const g = group(100)
    g.add('orders', records([0, 1], [1, 2]))
    expect(g.readiness(1000, () => 0)).toEqual({
      ready: false,
      reason: 'idle',
      partition: 'prices',
      until: 1100,
    })
    expect(g.readiness(1099, () => 0)).toMatchObject({ ready: false, until: 1100 })
    expect(g.readiness(1100, () => 0)).toEqual({ ready: true, enforced: ['prices'] })
    g.poll()
    // still given up on: the deadline stands until the partition gets records or lag
    expect(g.readiness(1101, () => 0)).toEqual({ ready: true, enforced: ['prices'] })
    // lag appears: wait again, and a later caught-up spell starts a new deadline
    expect(g.readiness(1102, () => 1)).toMatchObject({ ready: false, reason: 'lag' })
    expect(g.readiness(1103, () => 0)).toMatchObject({ ready: false, reason: 'idle', until: 1203 })
  })

  it('with maxTaskIdleMs -1 never waits', () => {
    const g = group(-1)
    g.add('orders', records([0, 1]))
    expect(g.readiness(0, () => 5)).toEqual({ ready: true, enforced: [] })
  })

  it('waits unknownLagWaitMs for a partition whose lag the client cannot tell, then counts it as caught up', () => {
    const g = group(0, 500)
    g.add('orders', records([0, 1]))
    expect(g.readiness(10, () => undefined)).toEqual({
      ready: false,
      reason: 'unknown-lag',
      partition: 'prices',
      until: 510,
    })
    expect(g.readiness(509, () => undefined)).toMatchObject({ ready: false, reason: 'unknown-lag' })
    expect(g.readiness(510, () => undefined)).toEqual({ ready: true, enforced: ['prices'] })
  })

  it('is not ready with nothing buffered, whatever the lag', () => {
    expect(group(-1).readiness(0, () => 0)).toEqual({ ready: false, reason: 'empty' })
    expect(group(0).readiness(0, () => 0)).toEqual({ ready: false, reason: 'empty' })
  })

  it('takes each offset at most once until the partition is reset, then from any offset', () => {
    const g = group()
    expect(g.add('orders', records([0, 1], [1, 2]))).toBe(2)
    // the client delivers a batch again (e.g. after a pause): the known offsets are dropped
    expect(g.add('orders', records([1, 2], [2, 3]))).toBe(3)
    expect(drain(g)).toEqual(['orders@1', 'orders@2', 'orders@3'])
    expect(g.add('orders', records([2, 3]))).toBe(0)
    g.add('orders', records([3, 4], [4, 5]))
    // a seek back to offset 1: what is buffered goes, and the rewound offsets are taken again
    g.reset('orders')
    expect(g.buffered()).toBe(0)
    expect(g.add('orders', records([1, 2], [2, 3]))).toBe(2)
    expect(drain(g)).toEqual(['orders@2', 'orders@3'])
  })

  it('counts what each partition and the whole group buffer', () => {
    const g = group()
    g.add('orders', records([0, 1], [1, 2]))
    g.add('prices', records([0, 3]))
    expect([g.buffered('orders'), g.buffered('prices'), g.buffered()]).toEqual([2, 1, 3])
    g.poll()
    expect([g.buffered('orders'), g.buffered()]).toEqual([1, 2])
    expect(() => g.add('plums', [])).toThrow(/plums is not an input/)
  })

  it('keeps timestamp order over a long interleaving (compaction of a long queue included)', () => {
    const g = new TaggingGroup(['a', 'b', 'c'], { maxTaskIdleMs: 0, unknownLagWaitMs: 0 })
    const all: { partition: string; timestamp: number }[] = []
    for (const [i, partition] of ['a', 'b', 'c'].entries()) {
      const own = Array.from({ length: 3000 }, (_, n) => ({ offset: n, timestamp: n * 3 + i }))
      g.add(partition, own)
      all.push(...own.map((r) => ({ partition, timestamp: r.timestamp })))
    }
    const taken = drain(g)
    expect(taken).toHaveLength(9000)
    expect(taken).toEqual(
      all.sort((x, y) => x.timestamp - y.timestamp).map((r) => `${r.partition}@${r.timestamp}`),
    )
  })
})
