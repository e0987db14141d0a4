// The store cache budget (StreamsConfig.storeCacheMaxBytes) is one per instance: the caches of the global
// tables' stores (filled by the processors that join with them) count in it beside the active tasks', and
// give their bytes back on close (the standby replicas' stores likewise: standby-tasks.test.ts).
import { describe, expect, it } from 'vitest'
import { CacheBudget, cacheEntryOverheadBytes, stringSerde, type KeyValueStore } from '../../state/index.js'
import { StreamsBuilder } from '../../topology/index.js'
import { GlobalTables } from '../../topology/runtime/global-tables.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'

const cleanup = cleanupAfterAll()

/** What a cached absent key of `key` counts (no value bytes). */
const absentBytes = (key: string) => key.length + cacheEntryOverheadBytes

describe("a global table's cache under the instance's store cache budget", () => {
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
