import { readdir, writeFile } from 'node:fs/promises'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { BytesKeyValueStore } from '../../state/index.js'
import {
  InMemoryBytesStore,
  KeyIndexedBytesStore,
  LevelDbBytesStore,
  MemoryMirroredBytesStore,
  StateStoreError,
} from '../../state/index.js'
import { b, del, entries, put, tempDir } from './helpers.js'

let dir: Awaited<ReturnType<typeof tempDir>>
beforeEach(async () => {
  dir = await tempDir()
})
afterEach(async () => {
  await dir.remove()
})

const implementations: [string, () => BytesKeyValueStore][] = [
  ['LevelDbBytesStore', () => new LevelDbBytesStore(`${dir.path}/db`)],
  ['InMemoryBytesStore', () => new InMemoryBytesStore()],
  ['MemoryMirroredBytesStore', () => new MemoryMirroredBytesStore(new LevelDbBytesStore(`${dir.path}/db`))],
  ['KeyIndexedBytesStore', () => keyIndexed()],
]

function keyIndexed(): KeyIndexedBytesStore {
  const level = new LevelDbBytesStore(`${dir.path}/db`)
  return new KeyIndexedBytesStore(level, level.getSync!)
}

function pairs(found: readonly (readonly [Buffer, Buffer])[]): string[] {
  return found.map(([k, v]) => `${k.toString()}=${v.toString()}`)
}

describe.each(implementations)('%s', (_name, create) => {
  it('reads back what a batch wrote, later writes of one key winning', async () => {
    const store = create()
    await store.open()
    await store.write([put('a', '1'), put('b', '2'), put('a', '3'), del('b'), put('c', '4')])
    expect((await store.get(b('a')))?.toString()).toBe('3')
    expect(await store.get(b('b'))).toBeUndefined()
    expect(await entries(store.range({}))).toEqual(['a=3', 'c=4'])
    await store.close()
  })

  it('ranges in byte order with half-open bounds, binary keys included', async () => {
    const store = create()
    await store.open()
    const keys = [
      Buffer.from([0xff]),
      Buffer.from([0x00]),
      Buffer.from([0x7f, 0x01]),
      Buffer.from([0x80]),
      b('a'),
    ]
    await store.write(keys.map((key) => ({ key, value: key })))
    const all = [...(await collectKeys(store))]
    expect(all).toEqual(['00', '61', '7f01', '80', 'ff'])
    const bounded = await collectKeys(store, Buffer.from([0x61]), Buffer.from([0x80]))
    expect(bounded).toEqual(['61', '7f01'])
    await store.close()
  })

  it('wipe deletes data and checkpoint and leaves the store usable', async () => {
    const store = create()
    await store.open()
    await store.write([put('a', '1')], 42)
    await store.wipe()
    expect(store.isOpen).toBe(true)
    expect(await store.get(b('a'))).toBeUndefined()
    expect(await store.checkpoint()).toBeUndefined()
    await store.write([put('b', '2')])
    expect(await entries(store.range({}))).toEqual(['b=2'])
    await store.close()
  })

  it('wipe of a store without data (every key deleted) drops its checkpoint and leaves it usable', async () => {
    const store = create()
    await store.open()
    await store.write([put('a', '1')])
    await store.write([del('a')], 42)
    await store.wipe()
    expect(store.isOpen).toBe(true)
    expect(await store.checkpoint()).toBeUndefined()
    expect(await store.keyCount()).toBe(0)
    await store.write([put('b', '2')], 43)
    expect(await entries(store.range({}))).toEqual(['b=2'])
    expect(await store.checkpoint()).toBe(store.persistent ? 43 : undefined)
    await store.close()
  })

  it('counts its keys (metadata and deleted keys excluded), afresh after a wipe', async () => {
    const store = create()
    await store.open()
    expect(await store.keyCount()).toBe(0)
    await store.wipe()
    await store.write([put('a', '1'), put('b', '2'), put('c', '3'), del('b')], 7)
    expect(await store.keyCount()).toBe(2)
    await store.close()
  })

  it('ranges and counts every entry of a range larger than what LevelDB reads at once (16 KiB)', async () => {
    // classic-level's iterator stops a read at 16 KiB; a short read is not the end of the range
    const store = create()
    await store.open()
    // keys alone over 16 KiB too (the key count reads keys only)
    const key = (i: number) => `${'k'.repeat(100)}${String(i).padStart(4, '0')}`
    const keys = Array.from({ length: 300 }, (_, i) => key(i))
    await store.write(
      keys.map((k) => put(k, 'v'.repeat(500))),
      1,
    )
    const found = await entries(store.range({}))
    expect(found).toHaveLength(300)
    expect(found.map((e) => e.split('=')[0])).toEqual(keys)
    expect(await entries(store.range({ gte: b(key(100)), lt: b(key(290)) }))).toHaveLength(190)
    expect(await store.keyCount()).toBe(300)
    await store.close()
  })

  it('throws STORE_CLOSED when used while closed', async () => {
    const store = create()
    await expect(store.get(b('a'))).rejects.toMatchObject({ code: 'STORE_CLOSED', retriable: false })
    await store.open()
    await store.close()
    await expect(store.write([put('a', '1')])).rejects.toBeInstanceOf(StateStoreError)
  })
})

describe('LevelDbBytesStore', () => {
  it('keeps data and checkpoint across close and reopen', async () => {
    const store = new LevelDbBytesStore(`${dir.path}/db`)
    await store.open()
    expect(await store.checkpoint()).toBeUndefined()
    await store.write([put('k1', 'v1'), put('k2', 'v2')], 17)
    await store.write([del('k1')], 18)
    await store.close()

    const reopened = new LevelDbBytesStore(`${dir.path}/db`)
    await reopened.open()
    expect(await reopened.checkpoint()).toBe(18)
    expect(await entries(reopened.range({}))).toEqual(['k2=v2'])
    await reopened.close()
  })

  it('applies neither data nor checkpoint of a batch that fails', async () => {
    const store = new LevelDbBytesStore(`${dir.path}/db`)
    await store.open()
    await store.write([put('a', '1')], 5)
    // A batch with an invalid operation fails as a whole: neither data nor checkpoint change.
    const invalid = [put('b', '2'), { key: undefined as unknown as Buffer, value: b('x') }]
    await expect(store.write(invalid, 6)).rejects.toBeInstanceOf(Error)
    expect(await store.get(b('b'))).toBeUndefined()
    expect(await store.checkpoint()).toBe(5)
    await store.close()
  })

  it('keeps the checkpoint when a write has none', async () => {
    const store = new LevelDbBytesStore(`${dir.path}/db`)
    await store.open()
    await store.write([put('a', '1')], 9)
    await store.write([put('b', '2')])
    expect(await store.checkpoint()).toBe(9)
    await store.close()
  })

  it('keeps metadata out of the user keyspace', async () => {
    const store = new LevelDbBytesStore(`${dir.path}/db`)
    await store.open()
    await store.write([put('checkpoint', 'user-value')], 3)
    expect(await entries(store.range({}))).toEqual(['checkpoint=user-value'])
    expect(await store.checkpoint()).toBe(3)
    await store.close()
  })

  it('reports a second opener of the same directory as retriable STORE_LOCKED', async () => {
    const first = new LevelDbBytesStore(`${dir.path}/db`)
    await first.open()
    const second = new LevelDbBytesStore(`${dir.path}/db`)
    await expect(second.open()).rejects.toMatchObject({ code: 'STORE_LOCKED', retriable: true })
    await first.close()
    await second.open()
    await second.close()
  })

  it('reports unreadable files as STORE_CORRUPTED, which wipe recovers from', async () => {
    const store = new LevelDbBytesStore(`${dir.path}/db`)
    await store.open()
    await store.write([put('a', '1')], 1)
    await store.close()
    const manifest = (await readdir(`${dir.path}/db`)).find((file) => file.startsWith('MANIFEST-'))!
    await writeFile(`${dir.path}/db/${manifest}`, 'not a manifest')

    const broken = new LevelDbBytesStore(`${dir.path}/db`)
    await expect(broken.open()).rejects.toMatchObject({ code: 'STORE_CORRUPTED', retriable: false })
    await broken.wipe()
    expect(broken.isOpen).toBe(true)
    expect(await broken.checkpoint()).toBeUndefined()
    expect(await entries(broken.range({}))).toEqual([])
    await broken.close()
  })

  it('wipes a store that was never opened', async () => {
    const store = new LevelDbBytesStore(`${dir.path}/db`)
    await store.open()
    await store.write([put('a', '1')], 1)
    await store.close()
    const fresh = new LevelDbBytesStore(`${dir.path}/db`)
    await fresh.wipe()
    expect(await fresh.checkpoint()).toBeUndefined()
    expect(await entries(fresh.range({}))).toEqual([])
    await fresh.close()
  })
})

describe('InMemoryBytesStore', () => {
  it('never has a checkpoint, so it is always restored from the start', async () => {
    const store = new InMemoryBytesStore()
    await store.open()
    await store.write([put('a', '1')], 100)
    expect(await store.checkpoint()).toBeUndefined()
  })

  it('forgets everything on close', async () => {
    const store = new InMemoryBytesStore()
    await store.open()
    await store.write([put('a', '1')])
    await store.close()
    await store.open()
    expect(await entries(store.range({}))).toEqual([])
  })

  it('keeps byte order through large batches of inserts and deletes', async () => {
    const store = new InMemoryBytesStore()
    await store.open()
    const keys = Array.from({ length: 500 }, (_, i) => Buffer.from([(i * 37) % 256, i % 7]))
    await store.write(keys.map((key) => ({ key, value: key })))
    await store.write(keys.filter((_, i) => i % 3 === 0).map((key) => ({ key, value: null })))
    const alive = new Map(keys.map((key, i) => [key.toString('hex'), i % 3 !== 0]))
    for (const [i, key] of keys.entries()) if (i % 3 === 0) alive.set(key.toString('hex'), false)
    const expected = [...alive]
      .filter(([, live]) => live)
      .map(([hex]) => hex)
      .sort()
    expect(await collectKeys(store)).toEqual(expected)
    expect(store.size).toBe(expected.length)
  })

  it('does not yield entries deleted while iterating', async () => {
    const store = new InMemoryBytesStore()
    await store.open()
    await store.write([put('a', '1'), put('b', '2'), put('c', '3')])
    const seen: string[] = []
    for await (const [key] of store.range({})) {
      seen.push(key.toString())
      if (key.toString() === 'a') await store.write([del('b')])
    }
    expect(seen).toEqual(['a', 'c'])
  })
})

async function collectKeys(store: BytesKeyValueStore, gte?: Buffer, lt?: Buffer): Promise<string[]> {
  const out: string[] = []
  for await (const [key] of store.range({ gte, lt })) out.push(key.toString('hex'))
  return out
}

describe('MemoryMirroredBytesStore', () => {
  it('keeps data and checkpoint in LevelDB across close and reopen, and scans them from memory', async () => {
    const level = new LevelDbBytesStore(`${dir.path}/db`)
    const store = new MemoryMirroredBytesStore(level)
    await store.open()
    await store.write([put('a', '1'), put('b', '2'), put('c', '3')], 7)
    await store.write([del('b')], 8)
    await store.close()

    const reopened = new MemoryMirroredBytesStore(new LevelDbBytesStore(`${dir.path}/db`))
    await reopened.open()
    expect(await reopened.checkpoint()).toBe(8)
    expect(reopened.rangeSync({}).map(([k, v]) => `${k.toString()}=${v.toString()}`)).toEqual(['a=1', 'c=3'])
    expect(await entries(reopened.range({ gte: b('b') }))).toEqual(['c=3'])
    expect((await reopened.get(b('a')))?.toString()).toBe('1')
    await reopened.close()
  })

  it('loads every entry into memory when reopened, however much data LevelDB holds', async () => {
    const store = new MemoryMirroredBytesStore(new LevelDbBytesStore(`${dir.path}/db`))
    await store.open()
    const keys = Array.from({ length: 300 }, (_, i) => `k${String(i).padStart(4, '0')}`)
    await store.write(
      keys.map((key) => put(key, 'v'.repeat(500))),
      9,
    )
    await store.close()

    const reopened = new MemoryMirroredBytesStore(new LevelDbBytesStore(`${dir.path}/db`))
    await reopened.open()
    expect(reopened.rangeSync({}).map(([k]) => k.toString())).toEqual(keys)
    expect((await reopened.get(b('k0299')))?.length).toBe(500)
    await reopened.close()
  })

  it('leaves memory as it was when the LevelDB write fails', async () => {
    const level = new LevelDbBytesStore(`${dir.path}/db`)
    const store = new MemoryMirroredBytesStore(level)
    await store.open()
    await store.write([put('a', '1')], 1)
    await level.close()
    await expect(store.write([put('a', '2')], 2)).rejects.toMatchObject({ code: 'STORE_CLOSED' })
    expect(store.rangeSync({}).map(([k, v]) => `${k.toString()}=${v.toString()}`)).toEqual(['a=1'])
    await store.close()
  })
})

describe('KeyIndexedBytesStore', () => {
  it('ranges from its keys in memory and synchronous reads, as LevelDB ranges, across close and reopen', async () => {
    const store = keyIndexed()
    await store.open()
    await store.write([put('a', '1'), put('b', '2'), put('c', '3'), put('d', '4')], 7)
    await store.write([del('b'), put('c', '5'), del('x')], 8)
    expect(pairs(store.rangeSync({}))).toEqual(['a=1', 'c=5', 'd=4'])
    expect(pairs(store.rangeSync({ gte: b('b'), lt: b('d') }))).toEqual(['c=5'])
    expect(pairs(store.rangeSync({ gte: b('b') }))).toEqual(await entries(store.range({ gte: b('b') })))
    await store.close()
    expect(() => store.rangeSync({})).toThrow(expect.objectContaining({ code: 'STORE_CLOSED' }))

    const reopened = keyIndexed()
    await reopened.open()
    expect(await reopened.checkpoint()).toBe(8)
    expect(pairs(reopened.rangeSync({}))).toEqual(['a=1', 'c=5', 'd=4'])
    expect(await reopened.keyCount()).toBe(3)
    await reopened.wipe()
    expect(reopened.rangeSync({})).toEqual([])
    await reopened.close()
  })

  it('keeps its keys as they were when the LevelDB write fails', async () => {
    const level = new LevelDbBytesStore(`${dir.path}/db`)
    const store = new KeyIndexedBytesStore(level, level.getSync!)
    await store.open()
    await store.write([put('a', '1')], 1)
    await level.close()
    await expect(store.write([put('b', '2')], 2)).rejects.toMatchObject({ code: 'STORE_CLOSED' })
    await level.open()
    expect(pairs(store.rangeSync({}))).toEqual(['a=1'])
    await store.close()
  })
})
