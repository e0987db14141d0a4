// The caching layer in record-caching mode (a flush listener set): writes deduplicated per key, written
// through and handed on at flush or eviction, sized in the instance's RecordCache.
import { describe, expect, it } from 'vitest'

import type { CachedChange } from '../../state/index.js'
import {
  CachingKeyValueStore,
  ChangeLoggingKeyValueStore,
  InMemoryBytesStore,
  RecordCache,
  jsonSerde,
  stringSerde,
} from '../../state/index.js'
import { RecordingWriter } from './helpers.js'

async function setup(options: { maxBytes?: number; maxEntries?: number; sendOldValues?: boolean } = {}) {
  const inner = new InMemoryBytesStore()
  await inner.open()
  const writer = new RecordingWriter()
  const logging = new ChangeLoggingKeyValueStore(inner, writer)
  const recordCache = new RecordCache(options.maxBytes ?? 1 << 20)
  let now = 1000
  const cache = new CachingKeyValueStore(logging, {
    name: 'counts',
    keySerde: stringSerde,
    valueSerde: jsonSerde<number>(),
    maxEntries: options.maxEntries ?? 100,
    timestamp: () => now,
    recordCache,
  })
  const changes: CachedChange<string, number>[] = []
  const caching = cache.setFlushListener((change) => changes.push(change), options.sendOldValues ?? true)
  // the runtime's runner: run the listener (and, there, what it forwards)
  const run = (emit: () => void) => {
    emit()
    return Promise.resolve()
  }
  return { writer, logging, cache, recordCache, changes, caching, run, tick: (to: number) => (now = to) }
}

const summary = (changes: readonly CachedChange<string, number>[]) =>
  changes.map((c) => `${c.key}:${String(c.oldValue)}->${String(c.newValue)}@${c.timestamp}`)

describe('CachingKeyValueStore in record-caching mode', () => {
  it('is off without an enabled record cache or without a cache', async () => {
    expect((await setup()).caching).toBe(true)
    expect((await setup({ maxBytes: 0 })).caching).toBe(false)
    expect((await setup({ maxEntries: 0 })).caching).toBe(false)
  })

  it('hands each key on once per flush, latest value, old value as last handed on, written through once', async () => {
    const { cache, changes, writer, run, tick } = await setup()
    cache.put('a', 1)
    cache.put('b', 10)
    tick(1005)
    cache.put('a', 2)
    expect(changes).toEqual([])
    expect(writer.records).toEqual([])
    expect(await cache.flushRecords(run)).toBe(2)
    expect(summary(changes)).toEqual(['a:undefined->2@1005', 'b:undefined->10@1000'])
    expect(writer.records.map((r) => `${r.key}=${r.value}`)).toEqual(['a=2', 'b=10'])
    cache.put('a', 3)
    cache.delete('b')
    await cache.flushRecords(run)
    expect(summary(changes.slice(2))).toEqual(['a:2->3@1005', 'b:10->undefined@1005'])
    expect(await cache.flushRecords(run)).toBe(0)
  })

  it('without old values asked for hands none on', async () => {
    const { cache, changes, run } = await setup({ sendOldValues: false })
    cache.put('a', 1)
    await cache.flushRecords(run)
    cache.put('a', 2)
    await cache.flushRecords(run)
    expect(summary(changes)).toEqual(['a:undefined->1@1000', 'a:undefined->2@1000'])
  })

  it('neither writes nor hands on a delete of a key the store never had', async () => {
    const { cache, changes, writer, run } = await setup()
    cache.put('ghost', 1)
    cache.delete('ghost')
    await cache.flushRecords(run)
    expect(changes).toEqual([])
    expect(writer.records).toEqual([])
  })

  it('evicts least recently used entries over its entry count, handing dirty ones on', async () => {
    const { cache, changes, run } = await setup({ maxEntries: 2 })
    cache.put('a', 1)
    cache.put('b', 1)
    expect(await cache.get('a')).toBe(1)
    cache.put('c', 1)
    expect(cache.overflowing).toBe(true)
    expect(await cache.evictRecords(run)).toBe(1)
    expect(summary(changes)).toEqual(['b:undefined->1@1000'])
    expect(cache.overflowing).toBe(false)
  })

  it('counts its entries in the shared budget and evicts when over it after a write', async () => {
    const { cache, recordCache, changes, run } = await setup({ maxBytes: 150 })
    cache.put('a', 1) // 1 + 1 + 64 bytes
    cache.put('b', 22) // 1 + 2 + 64 bytes
    expect(recordCache.sizeBytes).toBe(133)
    expect(cache.overflowing).toBe(false)
    cache.put('c', 3)
    expect(recordCache.overBudget).toBe(true)
    await cache.evictRecords(run)
    expect(summary(changes)).toEqual(['a:undefined->1@1000'])
    expect(recordCache.sizeBytes).toBe(133)
    cache.clear()
    expect(recordCache.sizeBytes).toBe(0)
  })

  it('refuses a synchronous flush of dirty records (they must be handed on)', async () => {
    const { cache } = await setup()
    cache.put('a', 1)
    expect(() => cache.flush()).toThrow(/flushRecords/)
  })
})
