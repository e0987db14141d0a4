import { describe, expect, it } from 'vitest'

import { ChangeLoggingKeyValueStore, InMemoryBytesStore } from '../../state/index.js'
import { b, CountingBytesStore, entries, put, RecordingWriter } from './helpers.js'

async function setup(logging = true) {
  const inner = new CountingBytesStore(new InMemoryBytesStore())
  await inner.open()
  const writer = new RecordingWriter()
  const store = new ChangeLoggingKeyValueStore(inner, logging ? writer : undefined)
  return { inner, writer, store }
}

describe('ChangeLoggingKeyValueStore', () => {
  it('logs every write immediately, with its timestamp', async () => {
    const { store, writer } = await setup()
    store.put(b('a'), b('1'), 10)
    store.put(b('a'), b('2'), 11)
    store.delete(b('b'), 12)
    expect(writer.records).toEqual([
      { key: 'a', value: '1', timestamp: 10 },
      { key: 'a', value: '2', timestamp: 11 },
      { key: 'b', value: null, timestamp: 12 },
    ])
  })

  it('keeps writes out of the inner store until commit', async () => {
    const { store, inner } = await setup()
    store.put(b('a'), b('1'), 0)
    expect(await inner.get(b('a'))).toBeUndefined()
    expect(inner.writes).toHaveLength(0)
    await store.commit(7)
    expect((await inner.get(b('a')))?.toString()).toBe('1')
    expect(store.pendingCount).toBe(0)
  })

  it('shows pending writes to get and range before commit, deletes included', async () => {
    const { store, inner } = await setup()
    await inner.write([put('a', 'old'), put('b', 'old'), put('d', 'old')])
    store.put(b('a'), b('new'), 0)
    store.delete(b('b'), 0)
    store.put(b('c'), b('new'), 0)
    store.put(b('e'), b('new'), 0)
    expect((await store.get(b('a')))?.toString()).toBe('new')
    expect(await store.get(b('b'))).toBeUndefined()
    expect(await entries(store.range({}))).toEqual(['a=new', 'c=new', 'd=old', 'e=new'])
    expect(await entries(store.range({ gte: b('b'), lt: b('e') }))).toEqual(['c=new', 'd=old'])
  })

  it('keeps range results current when writes follow a range', async () => {
    const { store } = await setup()
    store.put(b('b'), b('1'), 0)
    expect(await entries(store.range({}))).toEqual(['b=1'])
    store.put(b('a'), b('2'), 0)
    store.delete(b('b'), 0)
    store.put(b('c'), b('3'), 0)
    expect(await entries(store.range({}))).toEqual(['a=2', 'c=3'])
    await store.commit(1)
    store.put(b('d'), b('4'), 0)
    expect(await entries(store.range({}))).toEqual(['a=2', 'c=3', 'd=4'])
  })

  it('commits all pending writes and the checkpoint in one inner write', async () => {
    const { store, inner } = await setup()
    store.put(b('a'), b('1'), 0)
    store.put(b('b'), b('2'), 0)
    store.put(b('a'), b('3'), 0)
    await store.commit(42)
    expect(inner.writes).toHaveLength(1)
    expect(inner.writes[0]!.checkpoint).toBe(42)
    expect(inner.writes[0]!.batch.map((w) => `${w.key.toString()}=${w.value?.toString()}`)).toEqual([
      'a=3',
      'b=2',
    ])
  })

  it('drops pending writes on discardPending, leaving committed state', async () => {
    const { store, inner } = await setup()
    store.put(b('a'), b('1'), 0)
    await store.commit(1)
    store.put(b('a'), b('2'), 0)
    store.put(b('b'), b('2'), 0)
    store.discardPending()
    expect((await store.get(b('a')))?.toString()).toBe('1')
    expect(await entries(store.range({}))).toEqual(['a=1'])
    await store.commit(2)
    expect(inner.writes.at(-1)!.batch).toHaveLength(0)
  })

  it('keeps writes made during a commit pending for the next one', async () => {
    const { store, inner } = await setup()
    store.put(b('a'), b('1'), 0)
    const committing = store.commit(1)
    store.put(b('a'), b('2'), 0)
    await committing
    expect((await inner.get(b('a')))?.toString()).toBe('1')
    expect((await store.get(b('a')))?.toString()).toBe('2')
    await store.commit(2)
    expect((await inner.get(b('a')))?.toString()).toBe('2')
  })

  it('commits only the writes sealed before it; later ones stay pending and readable', async () => {
    const { store, inner } = await setup()
    store.put(b('a'), b('1'), 0)
    store.put(b('b'), b('1'), 0)
    store.seal()
    // the next cycle, while the runtime commits the sealed one
    store.put(b('a'), b('2'), 0)
    store.put(b('c'), b('2'), 0)
    store.delete(b('b'), 0)
    await store.commit(1)
    expect(
      inner.writes.map((w) => [
        w.batch.map((x) => `${x.key.toString()}=${String(x.value?.toString())}`),
        w.checkpoint,
      ]),
    ).toEqual([[['a=1', 'b=1'], 1]])
    expect(store.pendingCount).toBe(3)
    expect(await entries(store.range({}))).toEqual(['a=2', 'c=2'])
    expect(await store.get(b('b'))).toBeUndefined()
    store.seal()
    await store.commit(2)
    expect(await entries(inner.range({}))).toEqual(['a=2', 'c=2'])
    expect(store.pendingCount).toBe(0)
  })

  it('keeps writes pending when the commit fails', async () => {
    const { store, inner } = await setup()
    store.put(b('a'), b('1'), 0)
    await inner.close()
    await expect(store.commit(1)).rejects.toMatchObject({ code: 'STORE_CLOSED' })
    await inner.open()
    expect(store.pendingCount).toBe(1)
    await store.commit(1)
    expect((await inner.get(b('a')))?.toString()).toBe('1')
  })

  it('restores changelog records straight into the inner store with their checkpoint, unlogged', async () => {
    const { store, inner, writer } = await setup()
    await store.restore([put('a', '1'), { key: b('b'), value: null }], 99)
    expect(writer.records).toHaveLength(0)
    expect(inner.writes).toEqual([{ batch: [put('a', '1'), { key: b('b'), value: null }], checkpoint: 99 }])
    expect((await store.get(b('a')))?.toString()).toBe('1')
  })

  it('with logging disabled, still goes through pending and commit but logs nothing', async () => {
    const { store, inner, writer } = await setup(false)
    store.put(b('a'), b('1'), 0)
    expect(await inner.get(b('a'))).toBeUndefined()
    await store.commit()
    expect((await inner.get(b('a')))?.toString()).toBe('1')
    expect(writer.records).toHaveLength(0)
    expect(store.logging).toBe(false)
  })

  it('deletes without a tombstone through deleteUnlogged', async () => {
    const { store, inner, writer } = await setup()
    await inner.write([put('a', '1')])
    store.deleteUnlogged(b('a'))
    expect(writer.records).toHaveLength(0)
    expect(await store.get(b('a'))).toBeUndefined()
    await store.commit()
    expect(await inner.get(b('a'))).toBeUndefined()
  })

  it('refuses writes to a closed store', async () => {
    const { store, inner, writer } = await setup()
    await inner.close()
    expect(() => store.put(b('a'), b('1'), 0)).toThrow(expect.objectContaining({ code: 'STORE_CLOSED' }))
    expect(writer.records).toHaveLength(0)
  })
})
