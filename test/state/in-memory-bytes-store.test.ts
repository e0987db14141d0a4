import { describe, expect, it } from 'vitest'

import { InMemoryBytesStore } from '../../state/index.js'

async function opened(name: string): Promise<InMemoryBytesStore> {
  const store = new InMemoryBytesStore(name)
  await store.open()
  return store
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

describe('InMemoryBytesStore keeps its own copy of every key and value', () => {
  it('holds what was written: later writes to the caller’s buffer do not reach it', async () => {
    const store = await opened('copied-in')
    const frame = Buffer.from('key-1value-1')
    await store.write([{ key: frame.subarray(0, 5), value: frame.subarray(5) }])
    frame.fill(0)

    expect(store.getSync(Buffer.from('key-1'))?.toString()).toBe('value-1')
    expect((await collect(store.range({}))).map(([k, v]) => [k.toString(), v.toString()])).toEqual([
      ['key-1', 'value-1'],
    ])
    await store.close()
  })

  it('hands out copies: a reader changing what it got does not change the store', async () => {
    const store = await opened('copied-out')
    await store.write([{ key: Buffer.from('k'), value: Buffer.from('v1') }])

    store.getSync(Buffer.from('k'))!.fill(0)
    ;(await store.get(Buffer.from('k')))!.fill(0)
    for (const [, value] of store.rangeSync({})) value.fill(0)

    expect(store.getSync(Buffer.from('k'))?.toString()).toBe('v1')
    await store.close()
  })

  it('round-trips every byte value, and empty values, exactly', async () => {
    const store = await opened('binary')
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    const utf8 = Buffer.from('réservation ✓ 🚀')
    await store.write([
      { key: every, value: Buffer.from(every).reverse() },
      { key: utf8, value: utf8 },
      { key: Buffer.from([0xff, 0x00]), value: Buffer.alloc(0) },
    ])

    expect(store.getSync(every)).toEqual(Buffer.from(every).reverse())
    expect(store.getSync(utf8)).toEqual(utf8)
    expect(store.getSync(Buffer.from([0xff, 0x00]))).toEqual(Buffer.alloc(0))
    expect(store.rangeSync({}).map(([key]) => key)).toEqual(
      [every, utf8, Buffer.from([0xff, 0x00])].sort((x, y) => Buffer.compare(x, y)),
    )
    expect(await store.approximateBytes()).toBe(256 * 2 + utf8.length * 2 + 2)
    await store.close()
  })
})
