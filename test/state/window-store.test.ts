import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { BuiltStore, WindowStore } from '../../state/index.js'
import { buildWindowStore, jsonSerde, stringSerde } from '../../state/index.js'
import { RecordingWriter, tempDir } from './helpers.js'

let dir: Awaited<ReturnType<typeof tempDir>>
let stores: BuiltStore<WindowStore<string, string>>[]
beforeEach(async () => {
  dir = await tempDir()
  stores = []
})
afterEach(async () => {
  for (const store of stores) await store.close()
  await dir.remove()
})

async function open(persistent: boolean, writer = new RecordingWriter()) {
  const built = buildWindowStore(
    { name: 'joins', keySerde: stringSerde, valueSerde: jsonSerde<string>(), persistent },
    { dir: dir.path, changelog: writer },
  )
  stores.push(built)
  await built.open()
  return { built, store: built.store, writer }
}

describe.each([
  ['LevelDB', true],
  ['memory', false],
])('window store on %s', (_name, persistent) => {
  it('fetches one key’s values in time order, duplicates per timestamp kept in insertion order', async () => {
    const { store, built } = await open(persistent)
    store.put('k', 'c', 300)
    store.put('k', 'a', 100)
    store.put('k', 'b1', 200)
    store.put('k', 'b2', 200)
    store.put('other', 'x', 200)
    const expected = [
      { timestamp: 100, value: 'a' },
      { timestamp: 200, value: 'b1' },
      { timestamp: 200, value: 'b2' },
      { timestamp: 300, value: 'c' },
    ]
    expect(await store.fetch('k', 0, 1000)).toEqual(expected)
    await built.commit(1)
    expect(await store.fetch('k', 0, 1000)).toEqual(expected)
    expect(await store.fetch('k', 200, 200)).toEqual(expected.slice(1, 3))
    expect(await store.fetch('k', 101, 199)).toEqual([])
    expect(await built.keyCount()).toBe(5) // values, not the time index kept beside them
  })

  it('does not match a longer key that starts with the fetched key’s bytes', async () => {
    const { store } = await open(persistent)
    store.put('k', 'mine', 5)
    // 'k' + 12 bytes could sort inside k's range; the length check must reject it.
    store.put('k\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0005', 'not mine', 5)
    expect(await store.fetch('k', 0, Number.MAX_SAFE_INTEGER)).toEqual([{ timestamp: 5, value: 'mine' }])
  })

  it('logs each put with its window key and timestamp', async () => {
    const { store, writer } = await open(persistent)
    store.put('k', 'v', 1234)
    expect(writer.raw).toHaveLength(1)
    const key = writer.raw[0]!.key
    expect(key.subarray(0, 1).toString()).toBe('k')
    expect(key.length).toBe(1 + 12)
    expect(Number(key.readBigUInt64BE(1))).toBe(1234)
    expect(writer.records[0]!.timestamp).toBe(1234)
  })

  it('expires everything older than the given time, committed or pending, without logging', async () => {
    const { store, built, writer } = await open(persistent)
    store.put('k', 'old', 100)
    store.put('j', 'old', 150)
    store.put('k', 'new', 300)
    await built.commit(3)
    store.put('k', 'pending-old', 180)
    const logged = writer.records.length
    expect(await store.expireBefore(200)).toBe(3)
    expect(writer.records).toHaveLength(logged)
    expect(await store.fetch('k', 0, 1000)).toEqual([{ timestamp: 300, value: 'new' }])
    expect(await store.fetch('j', 0, 1000)).toEqual([])
    await built.commit(4)
    expect(await store.fetch('k', 0, 1000)).toEqual([{ timestamp: 300, value: 'new' }])
    expect(await store.expireBefore(200)).toBe(0)
    expect(await store.expireBefore(301)).toBe(1)
  })

  it('fetches the same while a commit is in flight as before and after it, deletes included', async () => {
    const { store, built } = await open(persistent)
    store.put('k', 'a', 10)
    store.put('k', 'b', 20)
    await built.commit(1)
    store.put('k', 'c', 30)
    expect(await store.expireBefore(15)).toBe(1)
    const expected = [
      { timestamp: 20, value: 'b' },
      { timestamp: 30, value: 'c' },
    ]
    const committing = built.commit(2)
    const during = store.fetch('k', 0, 100)
    await committing
    expect(await during).toEqual(expected)
    expect(await store.fetch('k', 0, 100)).toEqual(expected)
  })

  it('answers fetchNow as fetch, pending and committed values alike', async () => {
    const { store, built } = await open(persistent)
    store.put('k', 'a', 10)
    store.put('j', 'x', 15)
    await built.commit(1)
    store.put('k', 'b', 20)
    const expected = [
      { timestamp: 10, value: 'a' },
      { timestamp: 20, value: 'b' },
    ]
    expect(store.fetchNow?.('k', 0, 100)).toEqual(expected)
    expect(await store.fetch('k', 0, 100)).toEqual(expected)
    expect(store.fetchNow?.('k', 11, 100)).toEqual(expected.slice(1))
    expect(store.fetchNow?.('k', 21, 100)).toEqual([])
  })

  it('drops puts older than the expiry time', async () => {
    const { store, writer } = await open(persistent)
    await store.expireBefore(100)
    store.put('k', 'late', 50)
    expect(writer.records).toHaveLength(0)
    expect(await store.fetch('k', 0, 1000)).toEqual([])
  })

  it('rejects negative timestamps', async () => {
    const { store } = await open(persistent)
    expect(() => store.put('k', 'v', -1)).toThrow(expect.objectContaining({ code: 'STORE_INVALID_ARGUMENT' }))
  })

  it('restores from changelog records, time index included', async () => {
    const source = await open(persistent)
    source.store.put('k', 'a', 10)
    source.store.put('k', 'b', 20)
    await source.built.close()
    await dir.remove()

    const { store, built } = await open(persistent)
    await built.restore(source.writer.raw, 2)
    expect(await store.fetch('k', 0, 100)).toEqual([
      { timestamp: 10, value: 'a' },
      { timestamp: 20, value: 'b' },
    ])
    expect(await store.expireBefore(15)).toBe(1)
  })
})

describe('window store with a retention', () => {
  it('leaves fetchNow to fetch while an expiry sweep is due, then answers it again', async () => {
    const built = buildWindowStore(
      { name: 'joins', keySerde: stringSerde, valueSerde: jsonSerde<string>(), retentionMs: 1000 },
      { dir: dir.path, changelog: new RecordingWriter() },
    )
    stores.push(built)
    await built.open()
    const store = built.store
    store.put('k', 'old', 10)
    store.put('k', 'new', 100_000)
    expect(store.fetchNow?.('k', 0, 200_000)).toBeUndefined()
    expect(await store.fetch('k', 0, 200_000)).toEqual([{ timestamp: 100_000, value: 'new' }])
    expect(store.fetchNow?.('k', 0, 200_000)).toEqual([{ timestamp: 100_000, value: 'new' }])
  })
})

describe('persistent window store', () => {
  it('keeps committed values and checkpoint across close and reopen', async () => {
    const first = await open(true)
    first.store.put('k', 'a', 10)
    await first.built.commit(8)
    first.store.put('k', 'uncommitted', 20)
    await first.built.close()

    const { store, built } = await open(true)
    expect(await built.checkpoint()).toBe(8)
    expect(await store.fetch('k', 0, 100)).toEqual([{ timestamp: 10, value: 'a' }])
  })
})
