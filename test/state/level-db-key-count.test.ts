// A LevelDB store's key count, for the `streams_store_keys` metric: taken at most once a minute, exact up
// to `exactKeyCountLimit` keys, estimated from LevelDB's on-disk sizes beyond (level-db-bytes-store.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { LevelDbBytesStore } from '../../state/index.js'
import { exactKeyCountLimit } from '../../state/level-db-bytes-store.js'
import { put, tempDir } from './helpers.js'

let dir: Awaited<ReturnType<typeof tempDir>>
beforeEach(async () => {
  dir = await tempDir()
})
afterEach(async () => {
  await dir.remove()
})

describe('LevelDbBytesStore key count', () => {
  it('counts at most once a minute, answering the last count in between', async () => {
    const store = new LevelDbBytesStore(`${dir.path}/db`)
    await store.open()
    await store.write([put('a', '1')])
    expect(await store.keyCount()).toBe(1)
    await store.write([put('b', '2')])
    expect(await store.keyCount()).toBe(1) // the count of a moment ago
    await store.close()
    const reopened = new LevelDbBytesStore(`${dir.path}/db`)
    await reopened.open()
    expect(await reopened.keyCount()).toBe(2)
    await reopened.close()
  })

  /** Writes `count` keys of `valueBytes`-byte values, 1,000 to a batch. */
  async function fill(store: LevelDbBytesStore, count: number, valueBytes: number): Promise<void> {
    for (let from = 0; from < count; from += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - from) }, (_, i) =>
        put(`key-${String(from + i).padStart(8, '0')}`, 'v'.repeat(valueBytes)),
      )
      await store.write(batch)
    }
  }

  it(`counts exactly up to ${exactKeyCountLimit} keys`, async () => {
    const store = new LevelDbBytesStore(`${dir.path}/db`, { writeBufferSizeBytes: 64 * 1024 })
    await store.open()
    await fill(store, exactKeyCountLimit, 100)
    expect(await store.keyCount()).toBe(exactKeyCountLimit)
    await store.close()
  })

  it('estimates the count of a larger store from its on-disk sizes, without reading every key', async () => {
    // a small memtable: the keys are in table files, which LevelDB's sizes measure
    const store = new LevelDbBytesStore(`${dir.path}/db`, { writeBufferSizeBytes: 64 * 1024 })
    await store.open()
    await fill(store, 40_000, 100)
    const estimate = await store.keyCount()
    expect(estimate).toBeGreaterThan(40_000 * 0.85)
    expect(estimate).toBeLessThan(40_000 * 1.15)
    await store.close()
  })

  it('counts every key when those it samples are still in the memtable (no size on disk yet)', async () => {
    const store = new LevelDbBytesStore(`${dir.path}/db`) // a 4 MiB memtable holds all of it
    await store.open()
    await fill(store, 10_000, 10)
    expect(await store.keyCount()).toBe(10_000)
    await store.close()
  })
})
