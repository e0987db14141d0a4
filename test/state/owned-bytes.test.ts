import { describe, expect, it } from 'vitest'

import { InMemoryBytesStore } from '../../state/index.js'
import { ownedBytes } from '../../state/owned-bytes.js'

describe('ownedBytes', () => {
  it('copies a slice of Node’s shared pool into memory of its own', () => {
    const pooled = Buffer.from('reservation-42')
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length) // a view of the 8 KiB pool slab

    const owned = ownedBytes(pooled)

    expect(owned).toEqual(pooled)
    expect(owned.buffer).not.toBe(pooled.buffer)
    expect(owned.byteOffset).toBe(0)
    expect(owned.buffer.byteLength).toBe(pooled.length)
  })

  it('keeps a buffer that already owns its memory as it is', () => {
    const alone = Buffer.allocUnsafeSlow(5).fill(7)
    expect(ownedBytes(alone)).toBe(alone)
  })
})

describe('InMemoryBytesStore keeps no view of what it was given', () => {
  it('holds a written value in memory of its own: later writes to the caller’s buffer do not reach it', async () => {
    const store = new InMemoryBytesStore('owned')
    await store.open()
    const frame = Buffer.from('key-1value-1')
    const key = frame.subarray(0, 5)
    const value = frame.subarray(5)

    await store.write([{ key, value }])
    frame.fill(0)

    const stored = store.getSync(Buffer.from('key-1'))!
    expect(stored.toString()).toBe('value-1')
    expect(stored.buffer.byteLength).toBe(stored.length)
    expect((await collect(store.range({}))).map(([k, v]) => [k.toString(), v.toString()])).toEqual([
      ['key-1', 'value-1'],
    ])
    await store.close()
  })
})

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}
