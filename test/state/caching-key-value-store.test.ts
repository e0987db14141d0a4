import { beforeEach, describe, expect, it } from 'vitest'

import type { Serde } from '../../state/index.js'
import {
  CachingKeyValueStore,
  ChangeLoggingKeyValueStore,
  InMemoryBytesStore,
  jsonSerde,
  stringSerde,
} from '../../state/index.js'
import { b, collect, CountingBytesStore, put, RecordingWriter } from './helpers.js'

interface Counter {
  readonly n: number
}

/** Scans through the async path (a store on disk) or the synchronous one (a store held in memory). */
let scanSync = false

async function setup(maxEntries: number, valueSerde: Serde<Counter> = jsonSerde<Counter>()) {
  const inner = new CountingBytesStore(new InMemoryBytesStore(), scanSync)
  await inner.open()
  const writer = new RecordingWriter()
  const logging = new ChangeLoggingKeyValueStore(inner, writer)
  let now = 1000
  const cache = new CachingKeyValueStore(logging, {
    name: 'counters',
    keySerde: stringSerde,
    valueSerde,
    maxEntries,
    timestamp: () => now,
  })
  return { inner, writer, logging, cache, tick: (to: number) => (now = to) }
}

async function scanned(iterable: AsyncIterable<{ key: string; value: Counter }>): Promise<string[]> {
  return (await collect(iterable)).map(({ key, value }) => `${key}=${value.n}`)
}

describe.each([
  ['scanning asynchronously', false],
  ['scanning synchronously', true],
])('CachingKeyValueStore, %s', (_mode, sync) => {
  beforeEach(() => {
    scanSync = sync
  })

  it('serves repeated reads of a key from the cache, reading the store once', async () => {
    const { cache, inner } = await setup(10)
    await inner.write([put('a', '{"n":1}')])
    expect(await cache.get('a')).toEqual({ n: 1 })
    expect(await cache.get('a')).toEqual({ n: 1 })
    expect(await cache.get('a')).toEqual({ n: 1 })
    expect(inner.gets).toBe(1)
  })

  it('caches misses too, so absent keys are read once', async () => {
    const { cache, inner } = await setup(10)
    expect(await cache.get('missing')).toBeUndefined()
    expect(await cache.get('missing')).toBeUndefined()
    expect(inner.gets).toBe(1)
  })

  it('returns the very object that was put, without serializing', async () => {
    let serialized = 0
    const counting: Serde<Counter> = {
      serialize: (value) => (serialized++, jsonSerde<Counter>().serialize(value)),
      deserialize: (bytes) => jsonSerde<Counter>().deserialize(bytes),
    }
    const { cache, inner } = await setup(10, counting)
    const value = { n: 5 }
    cache.put('a', value)
    expect(await cache.get('a')).toBe(value)
    expect(serialized).toBe(0)
    expect(inner.gets).toBe(0)
  })

  it('logs nothing until flush, then only the latest value per dirty key, once', async () => {
    const { cache, writer, tick } = await setup(10)
    cache.put('a', { n: 1 })
    tick(1001)
    cache.put('a', { n: 2 })
    cache.put('b', { n: 1 })
    cache.delete('b')
    tick(1002)
    cache.put('a', { n: 3 })
    expect(writer.records).toHaveLength(0)
    expect(cache.flush()).toBe(2)
    expect(writer.records).toEqual([
      { key: 'a', value: '{"n":3}', timestamp: 1002 },
      { key: 'b', value: null, timestamp: 1001 },
    ])
    expect(cache.flush()).toBe(0)
    expect(writer.records).toHaveLength(2)
  })

  it('keeps flushed entries cached and clean', async () => {
    const { cache, inner } = await setup(10)
    cache.put('a', { n: 1 })
    cache.flush()
    expect(cache.dirtyCount).toBe(0)
    expect(cache.size).toBe(1)
    expect(await cache.get('a')).toEqual({ n: 1 })
    expect(inner.gets).toBe(0)
  })

  it('flushes a dirty entry down when it is evicted, and only that one', async () => {
    const { cache, writer, logging } = await setup(2)
    cache.put('a', { n: 1 })
    cache.put('b', { n: 1 })
    expect(writer.records).toHaveLength(0)
    cache.put('c', { n: 1 })
    expect(writer.records.map((r) => r.key)).toEqual(['a'])
    expect(cache.size).toBe(2)
    expect(logging.pendingCount).toBe(1)
    expect(await cache.get('a')).toEqual({ n: 1 })
  })

  it('evicts the least recently used entry, counting reads as use', async () => {
    const { cache, writer } = await setup(2)
    cache.put('a', { n: 1 })
    cache.put('b', { n: 1 })
    await cache.get('a')
    cache.put('c', { n: 1 })
    expect(writer.records.map((r) => r.key)).toEqual(['b'])
  })

  it('evicts clean entries without logging them', async () => {
    const { cache, writer, inner } = await setup(1)
    await inner.write([put('a', '{"n":1}'), put('b', '{"n":2}')])
    await cache.get('a')
    await cache.get('b')
    expect(writer.records).toHaveLength(0)
    expect(cache.size).toBe(1)
  })

  it('with maxEntries 0, writes go straight to the logging layer and reads to the store', async () => {
    const { cache, writer, inner, logging } = await setup(0)
    cache.put('a', { n: 1 })
    expect(writer.records).toEqual([{ key: 'a', value: '{"n":1}', timestamp: 1000 }])
    expect(logging.pendingCount).toBe(1)
    await logging.commit()
    await cache.get('a')
    await cache.get('a')
    expect(inner.gets).toBe(2)
    expect(cache.size).toBe(0)
  })

  it('prefix scan merges dirty entries and tombstones over the store, in key byte order', async () => {
    const { cache, inner, logging } = await setup(100)
    await inner.write([
      put('slot|r1|0900', '{"n":1}'),
      put('slot|r1|1000', '{"n":2}'),
      put('slot|r1|1100', '{"n":3}'),
      put('slot|r2|0900', '{"n":4}'),
      put('slot|r10|0900', '{"n":5}'),
    ])
    cache.delete('slot|r1|1000')
    cache.put('slot|r1|0930', { n: 10 })
    cache.put('slot|r1|1100', { n: 30 })
    cache.put('slot|r2|1000', { n: 40 })
    // A deleted-then-flushed key is a pending delete in the logging layer: hidden as well.
    cache.put('slot|r1|1200', { n: 50 })
    cache.flush()
    cache.delete('slot|r1|1200')
    logging.delete(b('slot|r1|0900'), 0)
    await cache.get('slot|r1|0900')

    expect(await scanned(cache.scan(prefix('slot|r1|')))).toEqual(['slot|r1|0930=10', 'slot|r1|1100=30'])
    // '0' (0x30) sorts before '|' (0x7c): byte order, not "natural" order.
    expect(await scanned(cache.scan(prefix('slot|r')))).toEqual([
      'slot|r10|0900=5',
      'slot|r1|0930=10',
      'slot|r1|1100=30',
      'slot|r2|0900=4',
      'slot|r2|1000=40',
    ])
  })

  it('keeps scan results current when writes and evictions follow a scan', async () => {
    const { cache } = await setup(2)
    cache.put('b', { n: 1 })
    expect(await scanned(cache.scan({}))).toEqual(['b=1'])
    cache.put('a', { n: 2 })
    expect(await scanned(cache.scan({}))).toEqual(['a=2', 'b=1'])
    cache.put('c', { n: 3 }) // evicts dirty 'b' into the logging layer
    cache.delete('a')
    expect(await scanned(cache.scan({}))).toEqual(['b=1', 'c=3'])
    cache.flush()
    cache.put('d', { n: 4 })
    expect(await scanned(cache.scan({}))).toEqual(['b=1', 'c=3', 'd=4'])
  })

  it('scans return cached objects for cached keys instead of deserializing again', async () => {
    const { cache, inner } = await setup(10)
    await inner.write([put('a', '{"n":1}')])
    const cached = await cache.get('a')
    const [entry] = await collect(cache.scan({}))
    expect(entry?.value).toBe(cached)
  })

  it('clear drops dirty entries without logging them', async () => {
    const { cache, writer } = await setup(10)
    cache.put('a', { n: 1 })
    cache.clear()
    expect(cache.flush()).toBe(0)
    expect(writer.records).toHaveLength(0)
    expect(await cache.get('a')).toBeUndefined()
  })

  it('reports an undecodable stored value as STORE_CORRUPTED', async () => {
    const { cache, inner } = await setup(10)
    await inner.write([put('a', 'not json')])
    await expect(cache.get('a')).rejects.toMatchObject({ code: 'STORE_CORRUPTED', retriable: false })
  })
})

describe('CachingKeyValueStore keys', () => {
  /** A store whose keys are typed K, over memory, flushed to a recording changelog. */
  async function keyedBy<K>(keySerde: Serde<K>) {
    const inner = new InMemoryBytesStore()
    await inner.open()
    const writer = new RecordingWriter()
    const cache = new CachingKeyValueStore(new ChangeLoggingKeyValueStore(inner, writer), {
      name: 'keyed',
      keySerde,
      valueSerde: jsonSerde<number>(),
      maxEntries: 10,
      timestamp: () => 0,
    })
    return { cache, writer }
  }

  it('finds each key by the key it is given: repeated, alternating, an object changed in place, 0 and -0', async () => {
    const strings = await keyedBy(stringSerde)
    strings.cache.put('a', 1)
    expect(strings.cache.getNow('a')).toEqual(expect.objectContaining({ value: 1 }))
    strings.cache.put('a', 2)
    strings.cache.put('b', 3)
    strings.cache.put('a', 4)
    expect(await strings.cache.get('a')).toBe(4)
    expect(await strings.cache.get('b')).toBe(3)
    strings.cache.flush()
    expect(strings.writer.records.map((r) => `${r.key}=${r.value}`)).toEqual(['a=4', 'b=3'])

    const objects = await keyedBy(jsonSerde<{ id: string }>())
    const key = { id: 'x' }
    objects.cache.put(key, 1)
    key.id = 'y' // the same object, now another key
    objects.cache.put(key, 2)
    expect(await objects.cache.get({ id: 'x' })).toBe(1)
    expect(await objects.cache.get({ id: 'y' })).toBe(2)

    const float64: Serde<number> = {
      serialize: (n) => {
        const out = Buffer.alloc(8)
        out.writeDoubleBE(n)
        return out
      },
      deserialize: (bytes) => bytes.readDoubleBE(0),
    }
    const numbers = await keyedBy(float64)
    numbers.cache.put(0, 1)
    numbers.cache.put(-0, 2) // equal under ===, other bytes
    expect(await numbers.cache.get(0)).toBe(1)
    expect(await numbers.cache.get(-0)).toBe(2)
  })
})

function prefix(text: string) {
  const gte = b(text)
  const lt = Buffer.from(gte)
  lt[lt.length - 1]!++
  return { gte, lt }
}
