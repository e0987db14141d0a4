// The store cache budget (StreamsConfig.storeCacheMaxBytes) is one per instance: the caches of the standby
// replicas' stores (filled by interactive queries' reads) and of the global tables' stores (filled by the
// processors that join with them) count in it beside the active tasks', and give their bytes back on close.
import { describe, expect, it } from 'vitest'
import type { KafkaAdmin, PartitionReader } from '../../kafka/index.js'
import { CacheBudget, cacheEntryOverheadBytes, stringSerde, type KeyValueStore } from '../../state/index.js'
import { StreamsBuilder } from '../../topology/index.js'
import { GlobalTables } from '../../topology/runtime/global-tables.js'
import { StandbyTasks } from '../../topology/runtime/standby-tasks.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'
import { summingTopology } from '../support/summing-topology.js'

const cleanup = cleanupAfterAll()

/** What a cached absent key of `key` counts (no value bytes). */
const absentBytes = (key: string) => key.length + cacheEntryOverheadBytes

describe('one store cache budget per instance', () => {
  it("counts a standby store's cached reads and takes them back when the standby closes", async () => {
    const budget = new CacheBudget(1_000_000)
    const standbys = new StandbyTasks({
      config: {
        applicationId: 'app',
        stateDir: await cleanup.tempDir('standby-budget-'),
        instanceId: 'self',
        log: () => undefined,
        numStandbyReplicas: 1,
      },
      topology: summingTopology('in', 'out'),
      layout: { tasksPerSubtopology: new Map([[0, 1]]), partitions: new Map() },
      admin: {
        endOffsets: async (topic: string) => [{ topic, partition: 0, offset: 0 }],
      } as unknown as KafkaAdmin,
      reader: {} as PartitionReader,
      storeCache: budget,
      instances: () => ['self', 'other'],
      ownerOf: () => 'other',
      activeHere: () => new Set(),
    })
    await standbys.reconcile()
    const sums = standbys.store('0_0', 'sums') as KeyValueStore<string, number>
    expect(await sums.get('alpha')).toBeUndefined()
    expect(await sums.get('be')).toBeUndefined()
    expect(budget.sizeBytes).toBe(absentBytes('alpha') + absentBytes('be'))
    await standbys.closeAll()
    expect(budget.sizeBytes).toBe(0)
  })

  it("counts a global table's cached entries and takes them back when the tables close", async () => {
    const builder = new StreamsBuilder()
    builder.globalTable('regions', { keySerde: stringSerde, valueSerde: stringSerde, storeName: 'regions' })
    const budget = new CacheBudget(1_000_000)
    const tables = new GlobalTables(builder.build().globalTables, () => undefined)
    await tables.open(await cleanup.tempDir('global-budget-'), budget)
    const regions = tables.handles().get('regions') as KeyValueStore<string, string>
    regions.put('eu', 'Europe')
    expect(await regions.get('us')).toBeUndefined()
    // a written entry counts its key now and its value once serialized, at the flush
    expect(budget.sizeBytes).toBe('eu'.length + cacheEntryOverheadBytes + absentBytes('us'))
    await tables.close()
    expect(budget.sizeBytes).toBe(0)
  })
})
