// The benchmark harness's pieces, cheaply: the workload generator (record sizes, key distribution, order
// of follow-ups), the statistics, the /proc readers and the child protocol. No timing, no broker.
import { describe, expect, it } from 'vitest'
import type { KafkaAdmin } from '../../kafka/index.js'
import { parseChildEvent } from '../../bench/child-protocol.js'
import { waitDrained, type DrainWatch } from '../../bench/kafka-bench.js'
import { answeredId } from '../../bench/latency.js'
import { childPids, cpuSeconds, parseStatTicks, parseStatusKb, peakRssBytes } from '../../bench/proc-stats.js'
import { median, percentile, sortedCopy, summarizeLatencies } from '../../bench/stats.js'
import {
  resourceDefinitions,
  resourceId,
  resourceWeights,
  workloadRecords,
  type WorkloadOptions,
  type WorkloadRecord,
} from '../../bench/workload.js'

const options: WorkloadOptions = {
  seed: 7,
  resources: 200,
  distribution: { kind: 'uniform' },
  records: 20_000,
  idPrefix: 't',
  followUpDelay: [100, 1000],
}

describe('workload generator', () => {
  const records = [...workloadRecords(options)]

  it('generates the requested number of records, deterministically for a seed', () => {
    expect(records).toHaveLength(20_000)
    const again = [...workloadRecords(options)].slice(0, 50).map((r) => r.value.toString())
    expect(again).toEqual(records.slice(0, 50).map((r) => r.value.toString()))
  })

  it('keeps every record between 150 and 300 bytes', () => {
    for (const record of records) {
      expect(record.value.length).toBeGreaterThanOrEqual(150)
      expect(record.value.length).toBeLessThanOrEqual(300)
    }
  })

  it('mixes mostly creates with payments and some cancels and modifies', () => {
    const counts = new Map<string, number>()
    for (const r of records) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1)
    const share = (kind: string) => (counts.get(kind) ?? 0) / records.length
    expect(share('CreateReservation')).toBeGreaterThan(0.33)
    expect(share('PaymentAuthorized')).toBeGreaterThan(0.25)
    expect(share('PaymentCompleted')).toBeGreaterThan(0.2)
    expect(share('CancelReservation')).toBeGreaterThan(0.005)
    expect(share('ModifyReservation')).toBeGreaterThan(0.005)
  })

  it('keys commands by resourceId and payments by reservationId, as the spec does', () => {
    for (const r of records.slice(0, 2000)) {
      const value = JSON.parse(r.value.toString()) as Record<string, unknown>
      if (r.topic === 'commands') expect(value['resourceId']).toBe(r.key)
      else expect(value['reservationId']).toBe(r.key)
      expect(r.id).toBe(value['commandId'] ?? value['paymentId'])
    }
  })

  it('sends a booking’s follow-ups after its create, within the configured delay', () => {
    const createdAt = new Map<string, number>()
    for (const r of records) {
      const value = JSON.parse(r.value.toString()) as { reservationId: string }
      if (r.kind === 'CreateReservation') createdAt.set(value.reservationId, r.position)
      else {
        const at = createdAt.get(value.reservationId)
        expect(at).toBeDefined()
        expect(r.position).toBeGreaterThan(at!)
      }
    }
  })

  it('spreads creates evenly over resources under the uniform distribution', () => {
    const perResource = countCreates(records, options.resources)
    const mean = perResource.reduce((a, b) => a + b, 0) / perResource.length
    expect(Math.min(...perResource)).toBeGreaterThan(mean * 0.4)
    expect(Math.max(...perResource)).toBeLessThan(mean * 1.8)
  })

  it('follows a Zipf law under the skewed distribution: rank 1 gets about 1/H(n) of the creates', () => {
    const zipf = { ...options, distribution: { kind: 'zipf', exponent: 1 } as const }
    const perResource = countCreates([...workloadRecords(zipf)], zipf.resources)
    const total = perResource.reduce((a, b) => a + b, 0)
    const harmonic = Array.from({ length: 200 }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0)
    expect(perResource[0]! / total).toBeCloseTo(1 / harmonic, 1)
    expect(perResource[0]!).toBeGreaterThan(5 * perResource[9]!)
    expect(resourceWeights(200, zipf.distribution)[1]).toBeCloseTo(
      resourceWeights(200, zipf.distribution)[0]! / 2,
      10,
    )
  })

  it('sizes resource capacity for the load, so hot resources get more units', () => {
    const definitions = resourceDefinitions({ ...options, distribution: { kind: 'zipf', exponent: 1 } }).map(
      (d) => JSON.parse(d.value.toString()) as { resourceId: string; capacity: number },
    )
    expect(definitions).toHaveLength(200)
    expect(definitions[0]!.resourceId).toBe(resourceId(0))
    expect(definitions[0]!.capacity).toBeGreaterThan(definitions[199]!.capacity)
  })
})

function countCreates(records: readonly WorkloadRecord[], resources: number): number[] {
  const counts = new Array<number>(resources).fill(0)
  for (const r of records) if (r.kind === 'CreateReservation') counts[r.resourceIndex]! += 1
  return counts
}

describe('statistics', () => {
  it('takes the median of odd and even counts, ignoring non-finite values', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([5, Number.NaN])).toBe(5)
    expect(median([])).toBeUndefined()
  })

  it('computes nearest-rank percentiles', () => {
    const sorted = sortedCopy(Array.from({ length: 100 }, (_, i) => 100 - i))
    expect(percentile(sorted, 50)).toBe(50)
    expect(percentile(sorted, 99)).toBe(99)
    expect(percentile(sorted, 100)).toBe(100)
    expect(percentile([7], 99)).toBe(7)
    expect(percentile([], 50)).toBeUndefined()
    expect(() => percentile(sorted, 0)).toThrow(RangeError)
  })

  it('sorts numerically, not as strings', () => {
    expect(sortedCopy([10, 9, 100])).toEqual([9, 10, 100])
    expect(summarizeLatencies([5, 1, 1000, 3])).toEqual({ samples: 4, p50Ms: 3, p99Ms: 1000, maxMs: 1000 })
  })
})

describe('/proc readers', () => {
  it('parses utime and stime after a command name with spaces and parentheses', () => {
    const line = '1234 (node (a) b) S 1 1234 1234 0 -1 4194560 5000 0 0 0 250 75 0 0 20 0 11 0 100 0 0'
    expect(parseStatTicks(line)).toEqual({ utime: 250, stime: 75, ppid: 1 })
  })

  it('parses VmHWM and VmRSS from /proc/<pid>/status', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n'
    expect(parseStatusKb(status, 'VmHWM')).toBe(204800 * 1024)
    expect(parseStatusKb(status, 'VmRSS')).toBe(102400 * 1024)
    expect(parseStatusKb('Name: x', 'VmHWM')).toBeUndefined()
  })

  it('reads this process: CPU seconds grow, peak RSS is plausible, gone processes read as undefined', () => {
    const before = cpuSeconds(process.pid)!
    let x = 0
    for (let i = 0; i < 3e7; i++) x += i % 7
    expect(x).toBeGreaterThan(0)
    expect(cpuSeconds(process.pid)!).toBeGreaterThanOrEqual(before)
    expect(peakRssBytes(process.pid)!).toBeGreaterThan(10 * 2 ** 20)
    expect(cpuSeconds(2 ** 22 + 1)).toBeUndefined()
    expect(childPids(2 ** 22 + 1)).toEqual([])
  })
})

describe('child protocol and latency matching', () => {
  it('parses BENCH lines and ignores everything else', () => {
    expect(parseChildEvent('BENCH {"event":"closed","at":5}')).toEqual({ event: 'closed', at: 5 })
    expect(parseChildEvent('[warn] something')).toBeUndefined()
    expect(parseChildEvent('BENCH not json')).toBeUndefined()
  })

  it('matches an output to its input by causationId, or by the copied commandId/paymentId', () => {
    const event = Buffer.from(
      '{"eventId":"e1","type":"ReservationRequested","resourceId":"r","reservationId":"x","causationId":"cmd-1"}',
    )
    expect(answeredId(event)).toBe('cmd-1')
    expect(answeredId(Buffer.from('{"paymentId":"p-9","type":"PaymentAuthorized"}'))).toBe('p-9')
    expect(answeredId(Buffer.from('{"type":"Other"}'))).toBeUndefined()
    expect(answeredId(null)).toBeUndefined()
  })
})

describe('drain watch', () => {
  /** An admin answering from fixed end and committed offsets, one partition per topic. */
  function watchOf(committed: { input: number; internal: number }, recordsAfter: boolean | undefined) {
    const admin = {
      committedOffsets: async (_group: string, topic: string) => [
        { topic, partition: 0, offset: topic === 'in' ? committed.input : committed.internal },
      ],
      endOffsets: async (topic: string) => [{ topic, partition: 0, offset: topic === 'in' ? 100 : 50 }],
    } as unknown as KafkaAdmin
    const asked: number[] = []
    const watch: DrainWatch = {
      admin,
      groupId: 'g',
      inputs: new Map([['in', new Map([[0, 100]])]]),
      internal: ['repartition'],
      markerSlack: 1,
      ...(recordsAfter === undefined
        ? {}
        : {
            recordsFrom: async (_topic: string, _partition: number, offset: number) => {
              asked.push(offset)
              return recordsAfter
            },
          }),
      timeoutMs: 60_000,
      stallMs: 200,
      check: () => undefined,
      pollMs: 10,
    }
    return { watch, asked }
  }

  it('counts an internal partition as drained when only markers follow its committed offset', async () => {
    // six markers after the last record: one per upstream task's producer (a producer per task)
    const { watch, asked } = watchOf({ input: 100, internal: 44 }, false)
    await expect(waitDrained(watch)).resolves.toBeGreaterThan(0)
    expect(asked).toEqual([44])
  })

  it('does not while records follow it, nor by the marker slack alone when it cannot read', async () => {
    const withRecords = watchOf({ input: 100, internal: 44 }, true)
    await expect(waitDrained(withRecords.watch)).rejects.toThrow(/no progress/)
    expect(withRecords.asked.length).toBeGreaterThan(1)
    const unread = watchOf({ input: 100, internal: 44 }, undefined)
    await expect(waitDrained(unread.watch)).rejects.toThrow(/no progress/)
    const withinSlack = watchOf({ input: 100, internal: 49 }, true)
    await expect(waitDrained(withinSlack.watch)).resolves.toBeGreaterThan(0)
    expect(withinSlack.asked).toEqual([])
  })
})
