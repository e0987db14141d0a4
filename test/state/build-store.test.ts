import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest'

import type {
  KeyValueStore,
  StoreHandle,
  StoreMetrics,
  StoreOperation,
  WindowStore,
} from '../../state/index.js'
import {
  buildKeyValueStore,
  buildStore,
  int64Serde,
  jsonSerde,
  storeRef,
  stringSerde,
  windowStoreRef,
} from '../../state/index.js'
import { collect, RecordingWriter, tempDir } from './helpers.js'

interface Slot {
  readonly holder: string
}

const slots = storeRef({ name: 'slots', keySerde: stringSerde, valueSerde: jsonSerde<Slot>() })

let dir: Awaited<ReturnType<typeof tempDir>>
beforeEach(async () => {
  dir = await tempDir()
})
afterEach(async () => {
  await dir.remove()
})

class CountingMetrics implements StoreMetrics {
  readonly counts = new Map<StoreOperation, number>()
  readonly durations: (number | undefined)[] = []
  constructor(readonly timed: boolean) {}
  recordOperation(_store: string, operation: StoreOperation, durationNs: number | undefined): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1)
    this.durations.push(durationNs)
  }
}

describe('buildKeyValueStore', () => {
  it('survives close and reopen on LevelDB with committed state and checkpoint', async () => {
    const writer = new RecordingWriter()
    const built = buildKeyValueStore(slots, { dir: dir.path, changelog: writer, timestamp: () => 77 })
    await built.open()
    const store = built.store
    store.put('slot|r1|0900', { holder: 'ann' })
    store.put('slot|r1|1000', { holder: 'bob' })
    store.put('slot|r2|0900', { holder: 'cat' })
    store.delete('slot|r1|1000')
    expect(writer.records).toHaveLength(0)

    built.flush()
    expect(writer.records.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['slot|r1|0900', '{"holder":"ann"}', 77],
      ['slot|r1|1000', null, 77],
      ['slot|r2|0900', '{"holder":"cat"}', 77],
    ])
    await built.commit(3)
    store.put('slot|r1|1100', { holder: 'uncommitted' })
    built.flush()
    await built.close()

    const reopened = buildKeyValueStore(slots, { dir: dir.path, changelog: new RecordingWriter() })
    await reopened.open()
    expect(await reopened.checkpoint()).toBe(3)
    const scanned = await collect(reopened.store.prefixScan('slot|r1|'))
    expect(scanned).toEqual([{ key: 'slot|r1|0900', value: { holder: 'ann' } }])
    expect(await reopened.store.get('slot|r2|0900')).toEqual({ holder: 'cat' })
    await reopened.close()
  })

  it('restores a fresh store from changelog records, then serves them through the stack', async () => {
    const writer = new RecordingWriter()
    const source = buildKeyValueStore(slots, { dir: `${dir.path}/a`, changelog: writer })
    await source.open()
    source.store.put('x', { holder: 'ann' })
    source.store.put('y', { holder: 'bob' })
    source.store.delete('x')
    source.flush()
    await source.close()

    const target = buildKeyValueStore(slots, { dir: `${dir.path}/b`, changelog: new RecordingWriter() })
    await target.open()
    expect(await target.checkpoint()).toBeUndefined()
    await target.restore(writer.raw, 2)
    expect(await target.checkpoint()).toBe(2)
    expect(await collect(target.store.range())).toEqual([{ key: 'y', value: { holder: 'bob' } }])
    await target.close()
  })

  it('discardPending forgets uncommitted writes in cache and logging layers alike', async () => {
    const built = buildKeyValueStore(slots, { dir: dir.path, changelog: new RecordingWriter() })
    await built.open()
    built.store.put('a', { holder: 'committed' })
    built.flush()
    await built.commit(1)
    built.store.put('a', { holder: 'flushed' })
    built.flush()
    built.store.put('b', { holder: 'dirty' })
    built.discardPending()
    expect(await built.store.get('a')).toEqual({ holder: 'committed' })
    expect(await built.store.get('b')).toBeUndefined()
    await built.close()
  })

  it('advances the checkpoint of writes whose changelog offsets were not reported: by the records written, or to the end read after the commit', async () => {
    const built = buildKeyValueStore(slots, { dir: dir.path, changelog: new RecordingWriter() })
    await built.open()
    await built.restore([], 10) // the changelog's end when the task opened
    const commitOf = async (records: number, checkpoint: { written: number; end?: number }) => {
      for (let i = 0; i < records; i++) built.store.put(`k${i}`, { holder: 'ann' })
      built.flush()
      await built.commit(checkpoint)
      return built.checkpoint()
    }
    expect(await commitOf(3, { written: 3 })).toBe(13) // 3 records from 10: at least at 13 (a marker may follow)
    // the end read after the next commit: 2 more records, and the markers of both commits (+ one after the restore)
    expect(await commitOf(2, { written: 2, end: 17 })).toBe(17)
    expect(await commitOf(1, { written: 1, end: 5 })).toBe(18) // an end below the count is not believed
    // nor one further past the count than the markers of the commits since account for: another writer's
    expect(await commitOf(1, { written: 1, end: 40 })).toBe(19)
    expect(await commitOf(1, { written: 1 })).toBe(20)
    expect(await commitOf(0, { written: 0, end: 24 })).toBe(24) // 20 + 3 counted commits' markers + 1
    await built.close()

    // reopened: the advance goes from the checkpoint read back; a store with none keeps none
    const reopened = buildKeyValueStore(slots, { dir: dir.path, changelog: new RecordingWriter() })
    await reopened.open()
    expect(await reopened.checkpoint()).toBe(24)
    reopened.store.put('k', { holder: 'bob' })
    reopened.flush()
    await reopened.commit({ written: 1 })
    expect(await reopened.checkpoint()).toBe(25)
    await reopened.wipe()
    reopened.store.put('k', { holder: 'cat' })
    reopened.flush()
    await reopened.commit({ written: 1 })
    expect(await reopened.checkpoint()).toBeUndefined()
    expect(await reopened.store.get('k')).toEqual({ holder: 'cat' })
    await reopened.close()
  })

  it('wipe empties the store and its checkpoint', async () => {
    const built = buildKeyValueStore(slots, { dir: dir.path, changelog: new RecordingWriter() })
    await built.open()
    built.store.put('a', { holder: 'ann' })
    built.flush()
    await built.commit(5)
    await built.wipe()
    expect(await built.checkpoint()).toBeUndefined()
    expect(await built.store.get('a')).toBeUndefined()
    await built.close()
  })

  it('ranges over typed keys with half-open bounds', async () => {
    const numbers = storeRef({ name: 'n', keySerde: int64Serde, valueSerde: stringSerde, persistent: false })
    const built = buildKeyValueStore(numbers, { dir: dir.path, changelog: new RecordingWriter() })
    await built.open()
    for (const n of [5, 1, 3, 2, 4]) built.store.put(n, `v${n}`)
    const keys = (await collect(built.store.range({ gte: 2, lt: 5 }))).map((e) => e.key)
    expect(keys).toEqual([2, 3, 4])
    await built.close()
  })

  it('scans by a prefix that is not a key, given its serializer', async () => {
    const built = buildKeyValueStore(slots, { dir: dir.path, changelog: new RecordingWriter() })
    await built.open()
    built.store.put('ab', { holder: '1' })
    built.store.put('b', { holder: '2' })
    const found = await collect(built.store.prefixScan(Buffer.from('a'), { serialize: (p: Buffer) => p }))
    expect(found.map((e) => e.key)).toEqual(['ab'])
    await built.close()
  })

  it('logs nothing with logging disabled, yet still commits locally', async () => {
    const writer = new RecordingWriter()
    const unlogged = storeRef({ name: 'u', keySerde: stringSerde, valueSerde: stringSerde, logging: false })
    const built = buildKeyValueStore(unlogged, { dir: dir.path, changelog: writer })
    await built.open()
    expect(built.logged).toBe(false)
    built.store.put('a', '1')
    built.flush()
    await built.commit()
    await built.close()
    expect(writer.records).toHaveLength(0)
    await built.open()
    expect(await built.store.get('a')).toBe('1')
    await built.close()
  })

  it('counts operations, timing them only when metrics are timed', async () => {
    for (const timed of [false, true]) {
      const metrics = new CountingMetrics(timed)
      const built = buildKeyValueStore(slots, {
        dir: `${dir.path}/${timed}`,
        changelog: new RecordingWriter(),
        metrics,
      })
      await built.open()
      built.store.put('a', { holder: 'x' })
      await built.store.get('a')
      built.store.delete('a')
      await collect(built.store.prefixScan('a'))
      built.flush()
      await built.commit(1)
      await built.restore([], 1)
      await built.close()
      expect(Object.fromEntries(metrics.counts)).toEqual({
        put: 1,
        get: 1,
        delete: 1,
        range: 1,
        flush: 1,
        commit: 1,
        restore: 1,
      })
      expect(
        metrics.durations.every((d) => (timed ? typeof d === 'number' && d >= 0 : d === undefined)),
      ).toBe(true)
    }
  })

  it('answers getNow from its cache or a synchronous read below (caching what it read, as get does), and leaves a read that would wait to get; counted when answered', async () => {
    const metrics = new CountingMetrics(false)
    const built = buildKeyValueStore(slots, { dir: dir.path, changelog: new RecordingWriter(), metrics })
    await built.open()
    built.store.put('written', { holder: 'ann' })
    built.store.delete('deleted')
    built.flush()
    await built.commit(3)
    await built.close()

    const reopened = buildKeyValueStore(slots, { dir: dir.path, changelog: new RecordingWriter(), metrics })
    await reopened.open()
    const store = reopened.store
    // on disk, not in the cache: LevelDB's synchronous read answers, and the cache keeps what it read
    expect(store.getNow!('written')?.value).toEqual({ holder: 'ann' })
    const absent = store.getNow!('never') // absence is answered too: an entry with no value
    expect(absent).toBeDefined()
    expect(absent!.value).toBeUndefined()
    store.put('fresh', { holder: 'bob' })
    expect(store.getNow!('fresh')?.value).toEqual({ holder: 'bob' })
    expect(await store.get('written')).toEqual({ holder: 'ann' })
    expect(metrics.counts.get('get')).toBe(3 + 1) // the three getNow that answered, and the get
    await reopened.close()

    // reads that go through LevelDB's thread pool (`syncReads: false`): only what the cache holds is answered
    const asyncReads = buildKeyValueStore(slots, {
      dir: dir.path,
      changelog: new RecordingWriter(),
      levelDb: { syncReads: false },
    })
    await asyncReads.open()
    expect(asyncReads.store.getNow!('written')).toBeUndefined()
    expect(await asyncReads.store.get('written')).toEqual({ holder: 'ann' })
    expect(asyncReads.store.getNow!('written')?.value).toEqual({ holder: 'ann' }) // loaded into the cache by get
    await asyncReads.close()

    const uncached = buildKeyValueStore(
      { ...slots, cacheMaxEntries: 0 },
      { dir: `${dir.path}/uncached`, changelog: new RecordingWriter() },
    )
    await uncached.open()
    uncached.store.put('a', { holder: 'cat' })
    expect(uncached.store.getNow!('a')?.value).toEqual({ holder: 'cat' }) // the write not committed yet
    uncached.flush()
    await uncached.commit(1)
    expect(uncached.store.getNow!('a')?.value).toEqual({ holder: 'cat' }) // LevelDB's synchronous read
    expect(await uncached.store.get('a')).toEqual({ holder: 'cat' })
    await uncached.close()
  })

  it('throws STORE_CLOSED for use before open and after close', async () => {
    const built = buildKeyValueStore(slots, { dir: dir.path, changelog: new RecordingWriter() })
    expect(() => built.store.put('a', { holder: 'x' })).toThrow(
      expect.objectContaining({ code: 'STORE_CLOSED' }),
    )
    await built.open()
    built.store.put('a', { holder: 'x' })
    await built.close()
    await expect(built.store.get('a')).rejects.toMatchObject({ code: 'STORE_CLOSED' })
  })
})

describe('storeRef and buildStore', () => {
  it('applies defaults: persistent, logged, cached', () => {
    expect(slots).toMatchObject({
      type: 'key-value',
      persistent: true,
      logging: true,
      cacheMaxEntries: 10_000,
    })
  })

  it('rejects names that cannot be a directory or topic suffix', () => {
    for (const name of ['', '..', 'a/b', 'a b']) {
      expect(() => storeRef({ name, keySerde: stringSerde, valueSerde: stringSerde })).toThrow(
        expect.objectContaining({ code: 'STORE_MISCONFIGURED' }),
      )
    }
    expect(() =>
      storeRef({ name: 'x', keySerde: stringSerde, valueSerde: stringSerde, cacheMaxEntries: -1 }),
    ).toThrow(expect.objectContaining({ code: 'STORE_MISCONFIGURED' }))
  })

  it('hands out handles typed by the ref, without casts', async () => {
    const pairs = windowStoreRef({
      name: 'pairs',
      keySerde: stringSerde,
      valueSerde: int64Serde,
      persistent: false,
    })
    expectTypeOf<StoreHandle<typeof slots>>().toEqualTypeOf<KeyValueStore<string, Slot>>()
    expectTypeOf<StoreHandle<typeof pairs>>().toEqualTypeOf<WindowStore<string, number>>()

    const env = { dir: dir.path, changelog: new RecordingWriter() }
    const kv = buildStore(slots, env)
    const window = buildStore(pairs, env)
    expectTypeOf(kv.store).toEqualTypeOf<KeyValueStore<string, Slot>>()
    expectTypeOf(window.store).toEqualTypeOf<WindowStore<string, number>>()
    await kv.open()
    await window.open()
    kv.store.put('a', { holder: 'ann' })
    window.store.put('a', 1, 10)
    expect(await kv.store.get('a')).toEqual({ holder: 'ann' })
    expect(await window.store.fetch('a', 0, 10)).toEqual([{ timestamp: 10, value: 1 }])
    expect(kv.persistent).toBe(true)
    expect(window.persistent).toBe(false)
    await kv.close()
    await window.close()
  })
})
