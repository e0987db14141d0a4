import { describe, expect, it } from 'vitest'

import {
  CacheBudget,
  cacheEntryOverheadBytes,
  CachingKeyValueStore,
  ChangeLoggingKeyValueStore,
  InMemoryBytesStore,
  jsonSerde,
  RecordCache,
  stringSerde,
} from '../../state/index.js'
import { CountingBytesStore, put, RecordingWriter } from './helpers.js'

interface Counter {
  readonly n: number
}

/** What one cached entry of key `k` and value `{"n":1}` counts: a one-byte key, a 7-byte value. */
const entryBytes = 1 + 7 + cacheEntryOverheadBytes

async function storeUnder(budget: CacheBudget, name: string, maxEntries = 100) {
  const inner = new CountingBytesStore(new InMemoryBytesStore())
  await inner.open()
  const writer = new RecordingWriter()
  const cache = new CachingKeyValueStore(new ChangeLoggingKeyValueStore(inner, writer), {
    name,
    keySerde: stringSerde,
    valueSerde: jsonSerde<Counter>(),
    maxEntries,
    timestamp: () => 1000,
    storeCache: budget,
  })
  return { inner, writer, cache }
}

describe('the store cache budget: the bytes the key-value caches of an instance hold together', () => {
  it('counts each cached entry as its serialized key and value and the entry overhead', async () => {
    const budget = new CacheBudget(1_000_000)
    const a = await storeUnder(budget, 'a')
    const b = await storeUnder(budget, 'b')
    await a.inner.write([put('x', '{"n":1}'), put('y', '{"n":1}')])
    await b.inner.write([put('z', '{"n":1}')])

    await a.cache.get('x')
    await a.cache.get('y')
    await b.cache.get('z')
    await b.cache.get('absent')

    expect(budget.sizeBytes).toBe(3 * entryBytes + ('absent'.length + cacheEntryOverheadBytes))
    a.cache.clear()
    expect(budget.sizeBytes).toBe(entryBytes + ('absent'.length + cacheEntryOverheadBytes))
  })

  it('has a store that takes an entry over the budget evict its own least recently used ones', async () => {
    const budget = new CacheBudget(3 * entryBytes)
    const a = await storeUnder(budget, 'a')
    await a.inner.write(['p', 'q', 'r', 's'].map((k) => put(k, '{"n":1}')))
    for (const key of ['p', 'q', 'r']) await a.cache.get(key)
    await a.cache.get('p') // p is now the most recently used: q is the least
    expect(a.inner.gets).toBe(3)

    await a.cache.get('s')

    expect(a.cache.size).toBe(3)
    expect(budget.sizeBytes).toBe(3 * entryBytes)
    await a.cache.get('p')
    await a.cache.get('r')
    expect(a.inner.gets).toBe(4) // p and r were still cached
    await a.cache.get('q')
    expect(a.inner.gets).toBe(5) // q was evicted
  })

  it('leaves the entries of the other stores where they are', async () => {
    const budget = new CacheBudget(3 * entryBytes)
    const a = await storeUnder(budget, 'a')
    const b = await storeUnder(budget, 'b')
    await a.inner.write([put('p', '{"n":1}'), put('q', '{"n":1}')])
    await b.inner.write([put('x', '{"n":1}'), put('y', '{"n":1}')])
    await b.cache.get('x')
    await b.cache.get('y')
    await a.cache.get('p')

    await a.cache.get('q') // over the budget: a evicts p, its only other entry

    expect([a.cache.size, b.cache.size]).toEqual([1, 2])
    expect(budget.sizeBytes).toBe(3 * entryBytes)
  })

  it('writes an evicted dirty entry down first: with a budget of 0 every write goes through at once', async () => {
    const budget = new CacheBudget(0)
    const a = await storeUnder(budget, 'a')

    a.cache.put('k', { n: 1 })
    a.cache.put('l', { n: 2 })

    expect(a.cache.size).toBe(0)
    expect(a.cache.dirtyCount).toBe(0)
    expect(a.writer.records.map(({ key, value }) => `${key}=${value}`)).toEqual(['k={"n":1}', 'l={"n":2}'])
    expect(await a.cache.get('l')).toEqual({ n: 2 })
    expect(budget.sizeBytes).toBe(0)
  })

  it('counts a written value from its flush on, when it is first serialized', async () => {
    const budget = new CacheBudget(1_000_000)
    const a = await storeUnder(budget, 'a')

    a.cache.put('k', { n: 1 })
    expect(budget.sizeBytes).toBe(1 + cacheEntryOverheadBytes)
    a.cache.flush()
    expect(budget.sizeBytes).toBe(entryBytes)
    a.cache.put('k', { n: 12345 })
    a.cache.flush()
    expect(budget.sizeBytes).toBe(entryBytes + 4)
    a.cache.delete('k')
    a.cache.flush()
    expect(budget.sizeBytes).toBe(1 + cacheEntryOverheadBytes)
  })

  it('moves what a store cached to the record cache when the store starts caching records', async () => {
    const budget = new CacheBudget(1_000_000)
    const inner = new InMemoryBytesStore()
    await inner.open()
    await inner.write([put('k', '{"n":1}')])
    const recordCache = new RecordCache(1_000_000)
    const cache = new CachingKeyValueStore(new ChangeLoggingKeyValueStore(inner, new RecordingWriter()), {
      name: 'table',
      keySerde: stringSerde,
      valueSerde: jsonSerde<Counter>(),
      maxEntries: 100,
      timestamp: () => 1000,
      recordCache,
      storeCache: budget,
    })
    await cache.get('k')
    expect([budget.sizeBytes, recordCache.sizeBytes]).toEqual([entryBytes, 0])

    expect(cache.setFlushListener(() => {}, false)).toBe(true)

    expect([budget.sizeBytes, recordCache.sizeBytes]).toEqual([0, entryBytes])
  })

  it('evicts in least-recently-used order through thousands of hits and evictions', async () => {
    const budget = new CacheBudget(50 * entryBytes)
    const a = await storeUnder(budget, 'a', 40)
    const keys = Array.from({ length: 120 }, (_, i) => String.fromCharCode(0x30 + i)) // one-byte keys
    await a.inner.write(keys.map((k) => put(k, '{"n":1}')))
    const model: string[] = [] // least recently used first, at most 40 (the entry bound is the tighter one)
    let misses = 0
    let seed = 7
    for (let i = 0; i < 5000; i++) {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      const key = keys[(seed >>> 0) % (i % 3 === 0 ? keys.length : 30)]! // mostly 30 hot keys, sometimes any
      const at = model.indexOf(key)
      if (at >= 0) model.splice(at, 1)
      else misses += 1
      model.push(key)
      if (model.length > 40) model.shift()
      await a.cache.get(key)
      expect(a.inner.gets).toBe(misses)
    }
    expect(misses).toBeGreaterThan(500)
    expect(a.cache.size).toBe(40)
  })
})
