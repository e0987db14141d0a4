// The failover benchmark's pure pieces: the figures from timestamps, the command line, the report. No broker.
import { describe, expect, it } from 'vitest'
import { parseFailoverOptions } from '../../bench/failover-options.js'
import { failoverKey, failoverKeyIndex } from '../../bench/failover-probe.js'
import { failoverMarkdown, type FailoverResults } from '../../bench/failover-report.js'
import {
  failoverLatency,
  failoverTimeline,
  type InstanceEvent,
  type ProbeSample,
} from '../../bench/failover-timing.js'
import type { MachineInfo } from '../../bench/machine-info.js'

const killAt = 100_000
const sample = (sentAt: number, partition: number, latency?: number): ProbeSample => ({
  sentAt,
  partition,
  answeredAt: latency === undefined ? Number.NaN : sentAt + latency,
})

describe('failoverLatency', () => {
  it('takes the failover time from the partition answering last an input sent after the kill', () => {
    const samples = [
      sample(killAt - 5000, 0, 100), // before: 100 ms
      sample(killAt - 5000, 1, 300),
      sample(killAt - 500, 1, 12_000), // in flight at the kill: in the window, not a post-kill answer
      sample(killAt + 10, 0, 50), // partition 0 back at +60 ms
      sample(killAt + 1000, 1, 9000), // partition 1 back at +10 s
      sample(killAt + 2000, 1, 7000), // answered at +9 s: earlier, so partition 1 is back at +9 s
    ]
    const figures = failoverLatency(samples, killAt, 2, 30_000)
    expect(figures.perPartitionSeconds).toEqual([0.06, 9])
    expect(figures.failoverSeconds).toBe(9)
    expect(figures.before).toMatchObject({ samples: 2, maxMs: 300 })
    expect(figures.during).toMatchObject({ samples: 4, maxMs: 12_000, p50Ms: 7000 })
    expect(figures.unansweredDuring).toBe(0)
  })

  it('has no failover time while a partition has not answered any input sent after the kill', () => {
    const samples = [sample(killAt + 10, 0, 50), sample(killAt + 20, 1), sample(killAt - 3000, 1, 20)]
    const figures = failoverLatency(samples, killAt, 2, 30_000)
    expect(figures.failoverSeconds).toBeUndefined()
    expect(figures.perPartitionSeconds).toEqual([0.06, undefined])
    expect(figures.unansweredDuring).toBe(1)
  })

  it('leaves inputs sent after the window out of the latency figures, but not out of the failover time', () => {
    const samples = [sample(killAt + 100, 0, 100), sample(killAt + 40_000, 1, 100)]
    const figures = failoverLatency(samples, killAt, 2, 30_000)
    expect(figures.during.samples).toBe(1)
    expect(figures.failoverSeconds).toBeCloseTo(40.1)
  })
})

describe('failoverTimeline', () => {
  const state = (instance: string, s: string, at: number): InstanceEvent => ({
    instance,
    event: 'state',
    state: s,
    at,
  })
  const restored = (instance: string, partition: string, records: number, startAt: number, endAt: number) =>
    ({ instance, event: 'restored', store: 'counts', partition, records, startAt, endAt }) as const

  it('times detection, RUNNING again and the restore after the kill, each store partition counted once', () => {
    const events: InstanceEvent[] = [
      state('a', 'RUNNING', killAt - 50_000), // before the kill: ignored
      restored('a', '0_1', 500, killAt - 60_000, killAt - 50_000), // ignored
      state('a', 'REBALANCING', killAt + 9500),
      state('b', 'REBALANCING', killAt + 9700),
      restored('a', '0_2', 1000, killAt + 9500, killAt + 10_500),
      restored('a', '0_2', 1000, killAt + 9500, killAt + 10_500), // reported twice
      state('a', 'RUNNING', killAt + 10_500),
      state('b', 'RUNNING', killAt + 10_000),
    ]
    expect(failoverTimeline(events, killAt)).toEqual({
      detectedSeconds: 9.5,
      runningSeconds: 10.5,
      restoreStartSeconds: 9.5,
      restoreEndSeconds: 10.5,
      restoredRecords: 1000,
    })
  })

  it('reports no detection when no survivor left RUNNING (a static member restarted in time)', () => {
    const events: InstanceEvent[] = [
      state('restarted', 'REBALANCING', killAt + 800),
      restored('restarted', '0_0', 30, killAt + 800, killAt + 1200),
      state('restarted', 'RUNNING', killAt + 1200),
    ]
    const timeline = failoverTimeline(events, killAt, new Set(['restarted']))
    expect(timeline.detectedSeconds).toBeUndefined()
    expect(timeline.runningSeconds).toBeUndefined()
    expect(timeline.restoredRecords).toBe(30)
  })
})

describe('failover options and report', () => {
  it('has quick and full defaults, and rejects unknown options and values', () => {
    expect(parseFailoverOptions(['--quick'])).toMatchObject({
      keys: 100_000,
      instances: 3,
      partitions: 6,
      variants: ['standby0', 'standby1', 'static'],
    })
    const full = parseFailoverOptions(['--variants=standby1', '--systems=kstreams', '--reps=3'])
    expect(full).toMatchObject({ keys: 1_000_000, variants: ['standby1'], systems: ['kstreams'], reps: 3 })
    expect(() => parseFailoverOptions(['--variants=standby3'])).toThrow(/unknown standby3/)
    expect(() => parseFailoverOptions(['--keys=0'])).toThrow(/whole number/)
    expect(() => parseFailoverOptions(['--speed=3'])).toThrow(/unknown option/)
  })

  it('names keys so that their index (and so their partition) reads back', () => {
    expect(failoverKey(42)).toBe('f0000042')
    expect(failoverKeyIndex('f0000042')).toBe(42)
    expect(failoverKeyIndex('k00042')).toBeNaN()
  })

  it('writes the medians and the ratio to Kafka Streams', () => {
    const options = parseFailoverOptions(['--quick', '--variants=standby1'])
    const run = (system: 'engine' | 'kstreams', failoverSeconds: number, rep: number) => ({
      system,
      variant: 'standby1',
      rep,
      ok: true,
      keys: options.keys,
      failoverSeconds,
      restoredRecords: 10,
    })
    const results: FailoverResults = {
      mode: 'quick',
      startedAt: '2026-12-01T10:00:00.000Z',
      machine: { revision: 'abc1234', cores: 2, cpuModel: 'cpu', kafka: '4.1.2' } as MachineInfo,
      options,
      runs: [run('engine', 12, 1), run('kstreams', 10, 1), run('engine', 14, 2), run('kstreams', 12, 2)],
    }
    const markdown = failoverMarkdown(results)
    expect(markdown).toContain('| kill -9, 1 standby | our engine (confluent) | 13.0 | 1.18× | – | – |')
    expect(markdown).toContain('| kill -9, 1 standby | Kafka Streams 4.1.2 | 11.0 | – |')
  })
})
