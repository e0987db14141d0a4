// The record collector's batching, against a recording producer (the broker tests cover what a
// broker makes of the batches; here: how output is cut into produce calls and held back by a seal).
import { describe, expect, it } from 'vitest'
import type { KafkaProducer, OutgoingRecord, RecordPosition } from '../../kafka/index.js'
import { RecordCollector } from '../../topology/runtime/record-collector.js'
import { noopStreamsMetrics } from '../../topology/index.js'

function recordingProducer() {
  const calls: OutgoingRecord[][] = []
  const producer: KafkaProducer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    flush: async () => undefined,
    send: async (records): Promise<RecordPosition[]> => {
      calls.push([...records])
      return []
    },
    beginTransaction: () => Promise.reject(new Error('not transactional')),
  }
  return { producer, calls }
}

const record = (i: number): OutgoingRecord => ({
  topic: 'out',
  partition: 0,
  key: Buffer.from(`k${i}`),
  value: Buffer.alloc(300, 'v'),
})

describe('RecordCollector', () => {
  it('holds back output while sealed, then sends it in calls within the count and byte bounds', async () => {
    const { producer, calls } = recordingProducer()
    const collector = new RecordCollector(producer, false, 2000, noopStreamsMetrics)
    collector.send(record(-1))
    collector.seal()
    expect(calls).toHaveLength(1) // sealing sends what came before
    for (let i = 0; i < 5000; i++) collector.send(record(i))
    collector.flush()
    expect(calls).toHaveLength(1) // nothing while sealed, whatever the buffer holds
    collector.unseal()
    await collector.drain()
    const held = calls.slice(1)
    expect(held.flat().map((r) => r.key!.toString())).toEqual(Array.from({ length: 5000 }, (_, i) => `k${i}`))
    for (const call of held) {
      expect(call.length).toBeLessThanOrEqual(2000)
      const bytes = call.reduce((sum, r) => sum + r.key!.length + r.value!.length, 0)
      expect(bytes).toBeLessThanOrEqual(512 * 1024) // the broker refuses requests over 1 MB by default
    }
  })
})
