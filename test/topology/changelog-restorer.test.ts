// The changelog restorer's reports without a broker (changelog-restorer.ts): a pass cancelled and run again
// reports each store of a task once, when the task is restored, however many passes it took, with when
// its reading began and ended.
import { describe, expect, it } from 'vitest'
import type { ConsumedRecord, KafkaAdmin, PartitionReader, TopicPartition } from '../../kafka/index.js'
import { TopicPartitionMap } from '../../kafka/index.js'
import type { BuiltStore } from '../../state/index.js'
import { ChangelogRestorer, RestoreCancelled } from '../../topology/runtime/changelog-restorer.js'
import type { StreamTask } from '../../topology/runtime/stream-task.js'
import { resolveConfig } from '../../topology/runtime/streams-config.js'
import { client } from '../support/kafka.js'

/** A logged, persistent store whose checkpoint follows what it restored. */
function store(name: string, checkpoint: number | undefined) {
  let at = checkpoint
  const built = {
    name,
    logged: true,
    persistent: true,
    checkpoint: async () => at,
    wipe: async () => void (at = undefined),
    restore: async (_records: unknown[], next: number) => void (at = next),
  }
  return built as unknown as BuiltStore<unknown>
}

describe('changelog restorer', () => {
  it('reports each store once when its task is restored, after a pass cancelled and run again, with its span', async () => {
    const ends: Record<string, number> = { 'app-current-changelog': 5, 'app-behind-changelog': 10 }
    const admin = {
      endOffsets: async (topic: string) => [{ topic, partition: 0, offset: ends[topic] ?? 0 }],
    } as unknown as KafkaAdmin
    const abort = new AbortController()
    let reads = 0
    let readAt = 0
    const reader = {
      async readAllToEnd(
        requests: readonly { partition: TopicPartition; from: number | 'earliest' }[],
        onBatch: (tp: TopicPartition, records: readonly ConsumedRecord[]) => Promise<void> | void,
        onEnd?: (tp: TopicPartition) => void,
      ) {
        reads += 1
        readAt = Date.now()
        // the first pass is cancelled (its task revoked) once reading began
        if (reads === 1) abort.abort()
        const stopped = new TopicPartitionMap<number>()
        for (const { partition, from } of requests) {
          const start = from === 'earliest' ? 0 : from
          const records = Array.from({ length: 10 - start }, (_, i) => ({
            ...partition,
            offset: start + i,
            key: Buffer.from('k'),
            value: Buffer.from('v'),
          })) as unknown as ConsumedRecord[]
          await onBatch(partition, records)
          onEnd?.(partition)
          stopped.set(partition, 10)
        }
        return stopped
      },
    } as unknown as PartitionReader
    const config = resolveConfig({ applicationId: 'app', client: client(), stateDir: '/nonexistent' })
    const restorer = new ChangelogRestorer(config, admin, reader)
    const task = {
      id: '0_0',
      partition: 0,
      // one store already at its changelog's end (0 records to restore), one 10 records behind
      stores: new Map([
        ['current', store('current', 5)],
        ['behind', store('behind', undefined)],
      ]),
    } as unknown as StreamTask
    const restored: string[] = []
    const first = restorer.restore([task], new Set(), abort.signal, (t) => void restored.push(t.id))
    await expect(first).rejects.toBeInstanceOf(RestoreCancelled)
    expect(restorer.restores).toEqual([])
    const before = Date.now()
    await restorer.restore([task], new Set(), undefined, (t) => void restored.push(t.id))
    const after = Date.now()
    expect(restored).toEqual(['0_0'])
    expect(restorer.restores).toMatchObject([
      { store: 'current', taskId: '0_0', from: 5, records: 0 },
      { store: 'behind', taskId: '0_0', from: 'earliest', records: 10 },
    ])
    // when each store's reading began and ended, within the pass; a store with nothing to read: one instant
    for (const { startedAt, endedAt } of restorer.restores) {
      expect(before).toBeLessThanOrEqual(startedAt)
      expect(startedAt).toBeLessThanOrEqual(endedAt)
      expect(endedAt).toBeLessThanOrEqual(after)
    }
    expect(restorer.restores[0]!.startedAt).toBe(restorer.restores[0]!.endedAt)
    expect(restorer.restores[1]!.startedAt).toBeLessThanOrEqual(readAt)
    expect(restorer.restores[1]!.endedAt).toBeGreaterThanOrEqual(readAt)
  })
})
