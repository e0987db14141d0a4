// A bytes store for window and session keys that maintains a time index next to the data, for cheap
// expiry, and remembers the latest time written (the store's stream time) across restarts.

import type { ByteRange } from './byte-range.js'
import type { BytesKeyValueStore, BytesWrite } from './bytes-key-value-store.js'
import { StateStoreError } from './errors.js'
import { readTimestamp, windowKeySuffixBytes, writeTimestamp } from './window-key.js'

// The index sorts before the data. Expired entries leave deletion markers at the start of the
// index (oldest first) until the engine compacts them; with the index first, no scan of the data
// ever runs past its end into those markers (LevelDB skips deleted entries one by one).
const metaTag = 0x00
const indexTag = 0x01
const dataTag = 0x02
/** Where the latest time written is kept: before the index, so no scan of index or data meets it. */
const maxTimeKey = Buffer.from([metaTag, 0x01])
const dataStart = Buffer.from([dataTag])
const dataEnd = Buffer.from([dataTag + 1])
const empty = Buffer.alloc(0)

/**
 * Wraps a bytes store whose keys end in a fixed-size suffix that starts with an 8-byte time: window
 * keys (`key ‖ timestamp ‖ sequence`, 12 bytes) or session keys (`key ‖ end ‖ start`, 16 bytes). It
 * keeps, in the same store, an index entry `suffix ‖ key` per data entry. Expiring everything before
 * a time is then a scan of the expired index entries only, instead of the whole store.
 *
 * Inner layout: the latest time written under tag byte 0x00, index under 0x01, data under 0x02.
 * Callers see data keys only.
 *
 * Invariants:
 * - Every `write` updates data, index and latest time in the same atomic inner write, so the index
 *   is exactly the set of data keys; restore rebuilds both for free because it writes through `write`.
 * - `maxTime` is the greatest suffix time ever written (deletes included), or -1: it survives a
 *   restart, as Kafka Streams' stores recover their observed stream time from what they restore.
 * - Keys shorter than the suffix are rejected with `STORE_CORRUPTED` (they cannot come from a
 *   window or session store, so the changelog or the caller is broken).
 */
export class TimeIndexedBytesStore implements BytesKeyValueStore {
  private latest = -1
  /** `get` answered at once, when the inner store can. */
  readonly getSync?: ((key: Buffer) => Buffer | undefined) | undefined
  /** `range` read at once, when the inner store holds its data in memory. */
  readonly rangeSync?: (range: ByteRange) => (readonly [Buffer, Buffer])[]

  constructor(
    readonly inner: BytesKeyValueStore,
    readonly suffixBytes: number = windowKeySuffixBytes,
  ) {
    const { getSync, rangeSync } = inner
    if (getSync !== undefined) this.getSync = (key) => getSync(tagged(dataTag, key))
    if (rangeSync !== undefined)
      this.rangeSync = (range) =>
        rangeSync(dataRange(range)).map(([key, value]) => [key.subarray(1), value] as const)
  }

  /** The greatest time written to this store, committed or restored; -1 when none. */
  get maxTime(): number {
    return this.latest
  }

  get isOpen(): boolean {
    return this.inner.isOpen
  }

  get persistent(): boolean {
    return this.inner.persistent
  }

  async open(): Promise<void> {
    await this.inner.open()
    const stored = await this.inner.get(maxTimeKey)
    this.latest = stored === undefined ? -1 : readTimestamp(stored, 0)
  }

  close(): Promise<void> {
    return this.inner.close()
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return this.inner.get(tagged(dataTag, key))
  }

  async *range(range: ByteRange): AsyncGenerator<readonly [Buffer, Buffer]> {
    const inner = this.inner.range(dataRange(range))
    for await (const [key, value] of inner) yield [key.subarray(1), value]
  }

  async write(batch: readonly BytesWrite[], checkpoint?: number): Promise<void> {
    const expanded: BytesWrite[] = []
    let latest = this.latest
    for (const { key, value } of batch) {
      expanded.push({ key: tagged(dataTag, key), value })
      expanded.push({ key: indexKey(key, this.suffixBytes), value: value === null ? null : empty })
      const time = readTimestamp(key, key.length - this.suffixBytes)
      if (time > latest) latest = time
    }
    if (latest > this.latest) {
      const bytes = Buffer.allocUnsafe(8)
      writeTimestamp(bytes, 0, latest)
      expanded.push({ key: maxTimeKey, value: bytes })
    }
    await this.inner.write(expanded, checkpoint)
    this.latest = latest
  }

  checkpoint(): Promise<number | undefined> {
    return this.inner.checkpoint()
  }

  async wipe(): Promise<void> {
    await this.inner.wipe()
    this.latest = -1
  }

  approximateBytes(): Promise<number> {
    return this.inner.approximateBytes()
  }

  /** Data keys: the inner store holds one index key per data key (and at most one metadata key). */
  async keyCount(): Promise<number> {
    return Math.floor((await this.inner.keyCount()) / 2)
  }

  /** Keys whose suffix time is `from <= time < to`, in time order, from the committed data. */
  async *keysBetween(from: number, to: number): AsyncGenerator<Buffer> {
    const suffix = this.suffixBytes
    const gte = Buffer.allocUnsafe(9)
    gte[0] = indexTag
    writeTimestamp(gte, 1, from)
    const lt = Buffer.allocUnsafe(9)
    lt[0] = indexTag
    writeTimestamp(lt, 1, to)
    for await (const [index] of this.inner.range({ gte, lt })) {
      const key = Buffer.allocUnsafe(index.length - 1)
      index.copy(key, 0, 1 + suffix)
      index.copy(key, key.length - suffix, 1, 1 + suffix)
      yield key
    }
  }
}

/** The inner range of the data keys in `range`. */
function dataRange(range: ByteRange): ByteRange {
  return {
    gte: range.gte === undefined ? dataStart : tagged(dataTag, range.gte),
    lt: range.lt === undefined ? dataEnd : tagged(dataTag, range.lt),
  }
}

function tagged(tag: number, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(key.length + 1)
  out[0] = tag
  key.copy(out, 1)
  return out
}

function indexKey(windowKey: Buffer, suffixBytes: number): Buffer {
  const keyLength = windowKey.length - suffixBytes
  if (keyLength < 0)
    throw new StateStoreError('STORE_CORRUPTED', 'a window store key is shorter than its suffix')
  const out = Buffer.allocUnsafe(windowKey.length + 1)
  out[0] = indexTag
  windowKey.copy(out, 1, keyLength)
  windowKey.copy(out, 1 + suffixBytes, 0, keyLength)
  return out
}
