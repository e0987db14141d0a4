// The engine workloads' pieces, cheaply: the keyed record generator (sizes, keys, join pairs), the latency
// trackers, the options and scenarios, and the workload plans. No timing, no broker.
import { describe, expect, it } from 'vitest'
import type { ConsumedRecord } from '../../kafka/index.js'
import {
  carriedIds,
  keyedRecords,
  keyName,
  tableRecords,
  type KeyedWorkloadOptions,
} from '../../bench/keyed-workload.js'
import { idTracker, keyTimeTracker, type ProbeRecord } from '../../bench/latency.js'
import { allScenarios, parseBenchOptions } from '../../bench/scenarios.js'
import { systems } from '../../bench/systems.js'
import { workloadPlan } from '../../bench/workload-plan.js'

const options: KeyedWorkloadOptions = {
  workload: 'count',
  seed: 3,
  keys: 10_000,
  distribution: { kind: 'uniform' },
  records: 20_000,
  idPrefix: 'b',
  valueBytes: 100,
  partnerDelay: [1, 50],
}

describe('keyed workload generator', () => {
  it('makes 100-byte values that carry their record id, keys from the key space', () => {
    const records = [...keyedRecords(options)]
    expect(records).toHaveLength(20_000)
    for (const record of records.slice(0, 2000)) {
      expect(record.value.length).toBe(100)
      expect(carriedIds(record.value)).toEqual([record.id])
      expect(record.key).toMatch(/^k\d{5}$/)
      expect(Number(record.key.slice(1))).toBeLessThan(10_000)
      expect(record.topic).toBe('source')
      expect(record.answered).toBe(true)
    }
    expect(new Set(records.map((r) => r.id)).size).toBe(20_000)
  })

  it('is deterministic for a seed', () => {
    const first = [...keyedRecords(options)].slice(0, 100).map((r) => r.value.toString('latin1'))
    const again = [...keyedRecords(options)].slice(0, 100).map((r) => r.value.toString('latin1'))
    expect(again).toEqual(first)
  })

  it('skews keys by a Zipf law: the hottest key gets about 1/H(10,000) of the records', () => {
    const zipf = [...keyedRecords({ ...options, distribution: { kind: 'zipf', exponent: 1 } })]
    const hottest = zipf.filter((r) => r.key === keyName(0)).length / zipf.length
    expect(hottest).toBeGreaterThan(0.08)
    expect(hottest).toBeLessThan(0.125)
  })

  it('pairs a stream join: each right record follows a left record of the same key within the delay', () => {
    const records = [...keyedRecords({ ...options, workload: 'stream-join' })]
    const lefts = records.filter((r) => r.topic === 'source')
    const rights = records.filter((r) => r.topic === 'other')
    expect(lefts.every((r) => !r.answered)).toBe(true)
    expect(rights.every((r) => r.answered)).toBe(true)
    expect(rights.length).toBeGreaterThan(0.45 * records.length)
    const open = new Map<string, number[]>()
    for (const r of records) {
      if (r.topic === 'source') open.set(r.key, [...(open.get(r.key) ?? []), r.position])
      else {
        const waiting = open.get(r.key) ?? []
        expect(waiting.length).toBeGreaterThan(0)
        expect(r.position - waiting[0]!).toBeLessThanOrEqual(2 * 50)
        open.set(r.key, waiting.slice(1))
      }
    }
  })

  it('makes one table record per key, and joined values carry both ids', () => {
    const table = tableRecords({ seed: 1, keys: 10_000, valueBytes: 100 })
    expect(new Set(table.map((r) => r.key)).size).toBe(10_000)
    const [left] = [...keyedRecords({ ...options, records: 1 })]
    expect(carriedIds(Buffer.concat([left!.value, table[5]!.value]))).toEqual([left!.id, 't5'])
    expect(carriedIds(null)).toEqual([])
  })
})

const probe = (key: string, id: string, answered = true): ProbeRecord => ({
  topic: 't',
  key,
  value: Buffer.from(`#${id};`),
  id,
  answered,
})
const output = (key: string, value: string, timestamp: number): ConsumedRecord => ({
  topic: 'out',
  partition: 0,
  offset: 0,
  key: Buffer.from(key),
  value: Buffer.from(value),
  headers: {},
  timestamp,
})

describe('latency trackers', () => {
  it('by id: answers each timed input once, ignores untimed ones', () => {
    const tracker = idTracker(carriedIds)
    tracker.sent(probe('k1', 'a'), 10)
    tracker.sent(probe('k1', 'b', false), 11)
    tracker.sent(probe('k2', 'c'), 12)
    expect(tracker.pending).toBe(2)
    expect(tracker.answer(output('k1', '#b;xx#a;yy', 50))).toEqual([10])
    expect(tracker.answer(output('k1', '#a;', 60))).toEqual([])
    expect(tracker.pending).toBe(1)
  })

  it('by key and timestamp: a count stamped t answers every input of its key sent at or before t', () => {
    const tracker = keyTimeTracker()
    tracker.sent(probe('k1', 'a'), 10)
    tracker.sent(probe('k1', 'b'), 20)
    tracker.sent(probe('k1', 'c'), 30)
    tracker.sent(probe('k2', 'd'), 15)
    expect(tracker.answer(output('k1', '', 20))).toEqual([10, 20])
    expect(tracker.answer(output('k3', '', 99))).toEqual([])
    expect(tracker.pending).toBe(2)
    expect(tracker.answer(output('k1', '', 35))).toEqual([30])
    expect(tracker.pending).toBe(1)
  })
})

describe('options and scenarios', () => {
  it('runs each engine workload in quick mode, and every distribution and guarantee in full mode', () => {
    const quick = parseBenchOptions(['--quick'])
    expect(quick.scenarios.map((s) => s.id)).toEqual([
      'reservation-uniform-eos',
      'pipe-uniform-eos',
      'count-uniform-eos',
      'windowed-count-uniform-eos',
      'table-join-uniform-eos',
      'stream-join-uniform-eos',
    ])
    expect(quick.settings.restore).toBe(false)
    const full = parseBenchOptions([])
    for (const workload of ['pipe', 'count', 'windowed-count', 'table-join', 'stream-join'])
      expect(full.scenarios.filter((s) => s.workload === workload)).toHaveLength(4)
    expect(full.settings.reps).toBe(3)
    expect(full.settings.restore).toBe(true)
  })

  it('compares the engine pipe with the raw pipe, and the other workloads with Kafka Streams', () => {
    const { systemsOf } = parseBenchOptions(['--quick'])
    const byId = (id: string) => allScenarios.find((s) => s.id === id)!
    expect(systemsOf(byId('pipe-zipf-alos'))).toEqual(['pipe-confluent', 'engine-confluent', 'kstreams'])
    expect(systemsOf(byId('count-uniform-eos'))).toEqual(['engine-confluent', 'kstreams'])
    expect(systemsOf(byId('reservation-uniform-eos'))).toEqual(['service-confluent', 'kstreams'])
    const full = parseBenchOptions([])
    expect(full.systemsOf(byId('reservation-uniform-eos'))).toEqual([
      'pipe-confluent',
      'pipe-kafkajs',
      'service-confluent',
      'service-kafkajs',
      'kstreams',
    ])
  })

  it('keeps of --systems those that can run the workload', () => {
    const { systemsOf } = parseBenchOptions(['--systems=engine-kafkajs,service-confluent,kstreams'])
    expect(systemsOf(allScenarios.find((s) => s.id === 'count-zipf-eos')!)).toEqual([
      'engine-kafkajs',
      'kstreams',
    ])
    expect(systemsOf(allScenarios.find((s) => s.id === 'reservation-zipf-eos')!)).toEqual([
      'service-confluent',
      'kstreams',
    ])
  })

  it('names what it does not know', () => {
    expect(() => parseBenchOptions(['--scenarios=nope'])).toThrow(
      /unknown scenario nope; known: reservation-/,
    )
    expect(() => parseBenchOptions(['--systems=nope'])).toThrow(/unknown system nope/)
    expect(() => parseBenchOptions(['--reps=many'])).toThrow(/--reps=many/)
    expect(() => parseBenchOptions(['--restore=yes'])).toThrow(/--restore=yes: use true or false/)
  })
})

describe('workload plans', () => {
  const { settings } = parseBenchOptions(['--records=5000'])

  it('loads the join table first and drains only the stream', () => {
    const plan = workloadPlan(
      allScenarios.find((s) => s.id === 'table-join-uniform-eos')!,
      settings,
    )
    expect(plan.tables).toHaveLength(10_000)
    expect(plan.tables.every((r) => r.topic === 'table')).toBe(true)
    expect(plan.inputRoles).toEqual(['source'])
    expect(plan.topicRoles).toEqual(['source', 'table', 'sink'])
    expect(plan.backlog).toHaveLength(5000)
    expect(plan.warmup).toHaveLength(1000)
    expect(new Set([...plan.warmup, ...plan.backlog].map((r) => r.id)).size).toBe(6000)
  })

  it('keeps a live join partner within half the window at the probe rate', () => {
    const plan = workloadPlan(
      allScenarios.find((s) => s.id === 'stream-join-zipf-eos')!,
      settings,
    )
    const live = plan.live('common', 7, 1, 1000, 2000)
    const records = Array.from({ length: 2000 }, () => {
      const next = live.next()
      if (next.done === true) throw new Error('the live records ended early')
      return next.value
    })
    // every right record has a left record of its key at most 100 positions (100 ms at 1,000/s) before it
    const lefts = new Map<string, number[]>()
    for (const r of records) {
      if (r.topic === 'source') lefts.set(r.key, [...(lefts.get(r.key) ?? []), r.position])
      else expect((lefts.get(r.key) ?? []).some((at) => r.position - at <= 100)).toBe(true)
    }
    expect(records[0]!.id).toMatch(/^l7c-/)
  })

  it('matches counts by key and timestamp, everything else by id', () => {
    const count = workloadPlan(
      allScenarios.find((s) => s.id === 'count-uniform-eos')!,
      settings,
    )
    const tracker = count.tracker(systems['engine-confluent'])
    tracker.sent(probe('k1', 'x'), 5)
    expect(tracker.answer(output('k1', '\u0000', 5))).toEqual([5])
    const windowed = workloadPlan(
      allScenarios.find((s) => s.id === 'windowed-count-zipf-alos')!,
      settings,
    )
    const byWindow = windowed.tracker(systems['kstreams'])
    byWindow.sent(probe('k1', 'y'), 7)
    const windowedKey = Buffer.concat([Buffer.from('k1'), Buffer.alloc(8)])
    expect(byWindow.answer({ ...output('', '', 9), key: windowedKey })).toEqual([7])
    const reservation = workloadPlan(
      allScenarios.find((s) => s.id === 'reservation-uniform-eos')!,
      settings,
    )
    expect(reservation.tables.every((r) => r.topic === 'resources')).toBe(true)
    const byId = reservation.tracker(systems['service-confluent'])
    byId.sent(probe('res-1', 'cmd-1'), 5)
    expect(byId.answer(output('res-1', '{"type":"X","causationId":"cmd-1"}', 9))).toEqual([5])
  })
})
