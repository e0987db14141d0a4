// A bytes store for window keys that maintains a time index next to the data, for cheap expiry.

import type { ByteRange } from './byte-range.js'
import type { BytesKeyValueStore, BytesWrite } from './bytes-key-value-store.js'
import { StateStoreError } from './errors.js'
import { windowKeySuffixBytes, writeTimestamp } from './window-key.js'

// The index sorts before the data. Expired entries leave deletion markers at the start of the
// index (oldest first) until the engine compacts them; with the index first, no scan of the data
// ever runs past its end into those markers (LevelDB skips deleted entries one by one).
const indexTag = 0x01
const dataTag = 0x02
const dataStart = Buffer.from([dataTag])
const dataEnd = Buffer.from([dataTag + 1])
const empty = Buffer.alloc(0)

/**
 * Wraps a bytes store whose keys are window keys (`key ‖ timestamp ‖ sequence`) and keeps, in the
 * same store, an index entry `timestamp ‖ sequence ‖ key` per data entry. Expiring everything
 * before a time is then a scan of the expired index entries only, instead of the whole store.
 *
 * Inner layout: index under tag byte 0x01, data under tag byte 0x02. Callers see data keys only.
 *
 * Invariants:
 * - Every `write` updates data and index in the same atomic inner write, so the index is exactly
 *   the set of data keys; restore rebuilds it for free because it writes through `write` too.
 * - Keys shorter than the window suffix are rejected with `STORE_CORRUPTED` (they cannot come
 *   from a window store, so the changelog or the caller is broken).
 */
export class TimeIndexedBytesStore implements BytesKeyValueStore {
  constructor(readonly inner: BytesKeyValueStore) {}

  get isOpen(): boolean {
    return this.inner.isOpen
  }

  get persistent(): boolean {
    return this.inner.persistent
  }

  open(): Promise<void> {
    return this.inner.open()
  }

  close(): Promise<void> {
    return this.inner.close()
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return this.inner.get(tagged(dataTag, key))
  }

  async *range(range: ByteRange): AsyncGenerator<readonly [Buffer, Buffer]> {
    const inner = this.inner.range({
      gte: range.gte === undefined ? dataStart : tagged(dataTag, range.gte),
      lt: range.lt === undefined ? dataEnd : tagged(dataTag, range.lt),
    })
    for await (const [key, value] of inner) yield [key.subarray(1), value]
  }

  async write(batch: readonly BytesWrite[], checkpoint?: number): Promise<void> {
    const expanded: BytesWrite[] = []
    for (const { key, value } of batch) {
      expanded.push({ key: tagged(dataTag, key), value })
      expanded.push({ key: indexKey(key), value: value === null ? null : empty })
    }
    return this.inner.write(expanded, checkpoint)
  }

  checkpoint(): Promise<number | undefined> {
    return this.inner.checkpoint()
  }

  wipe(): Promise<void> {
    return this.inner.wipe()
  }

  approximateBytes(): Promise<number> {
    return this.inner.approximateBytes()
  }

  /** Data keys: the inner store holds one index key per data key. */
  async keyCount(): Promise<number> {
    return Math.floor((await this.inner.keyCount()) / 2)
  }

  /** Window keys with `from <= timestamp < to`, in time order, from the committed data. */
  async *keysBetween(from: number, to: number): AsyncGenerator<Buffer> {
    const gte = Buffer.allocUnsafe(9)
    gte[0] = indexTag
    writeTimestamp(gte, 1, from)
    const lt = Buffer.allocUnsafe(9)
    lt[0] = indexTag
    writeTimestamp(lt, 1, to)
    for await (const [index] of this.inner.range({ gte, lt })) {
      const key = Buffer.allocUnsafe(index.length - 1)
      index.copy(key, 0, 1 + windowKeySuffixBytes)
      index.copy(key, key.length - windowKeySuffixBytes, 1, 1 + windowKeySuffixBytes)
      yield key
    }
  }
}

function tagged(tag: number, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(key.length + 1)
  out[0] = tag
  key.copy(out, 1)
  return out
}

function indexKey(windowKey: Buffer): Buffer {
  const keyLength = windowKey.length - windowKeySuffixBytes
  if (keyLength < 0)
    throw new StateStoreError('STORE_CORRUPTED', 'a window store key is shorter than its suffix')
  const out = Buffer.allocUnsafe(windowKey.length + 1)
  out[0] = indexTag
  windowKey.copy(out, 1, keyLength)
  windowKey.copy(out, 1 + windowKeySuffixBytes, 0, keyLength)
  return out
}
