// A persistent store whose keys (not values) are also held in memory, sorted, so a range read needs no
// iterator: for the window stores of stream–stream joins, which scan one key's few entries per record,
// where a LevelDB iterator (created, then advanced on the thread pool) costs more than the lookups.
import type { ByteRange } from './byte-range.js'
import { keyString, stringRange } from './byte-range.js'
import type { BytesKeyValueStore, BytesWrite } from './bytes-key-value-store.js'
import { StateStoreError } from './errors.js'
import { SortedKeys } from './sorted-keys.js'

/**
 * `inner` with its keys mirrored in memory; `rangeSync` reads the keys in range from memory and each
 * value with the inner store's synchronous `get`. Memory: one `keyString` per key.
 *
 * Invariants:
 * - While open, `keys` holds exactly the keys of `inner`: `open` loads them, `write` applies each batch
 *   to `keys` only once `inner` wrote it (the batch is atomic), `wipe` and `close` empty it. While a
 *   write is in flight, `keys` lags it; its writes are still pending in the layer above, which lays them
 *   over what this store returns, and a key whose value is gone is skipped.
 * - `range` and `get` are the inner store's.
 */
export class KeyIndexedBytesStore implements BytesKeyValueStore {
  readonly persistent: boolean
  private readonly keys = new SortedKeys()

  /** `readSync` is the inner store's `getSync`. */
  constructor(
    private readonly inner: BytesKeyValueStore,
    private readonly readSync: (key: Buffer) => Buffer | undefined,
  ) {
    this.persistent = inner.persistent
  }

  get isOpen(): boolean {
    return this.inner.isOpen
  }

  async open(): Promise<void> {
    await this.inner.open()
    this.keys.clear()
    for await (const [key] of this.inner.range({})) this.keys.add(keyString(key))
  }

  async close(): Promise<void> {
    this.keys.clear()
    await this.inner.close()
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return this.inner.get(key)
  }

  readonly getSync = (key: Buffer): Buffer | undefined => this.readSync(key)

  range(range: ByteRange): AsyncIterable<readonly [Buffer, Buffer]> {
    return this.inner.range(range)
  }

  readonly rangeSync = (range: ByteRange): (readonly [Buffer, Buffer])[] => {
    if (!this.inner.isOpen) throw new StateStoreError('STORE_CLOSED', 'range read of a closed store')
    const bounds = stringRange(range)
    const out: (readonly [Buffer, Buffer])[] = []
    for (const id of this.keys.slice(bounds.gte, bounds.lt)) {
      const key = Buffer.from(id, 'latin1')
      const value = this.readSync(key)
      if (value !== undefined) out.push([key, value])
    }
    return out
  }

  async write(batch: readonly BytesWrite[], checkpoint?: number): Promise<void> {
    await this.inner.write(batch, checkpoint)
    for (const { key, value } of batch) {
      if (value === null) this.keys.delete(keyString(key))
      else this.keys.add(keyString(key))
    }
  }

  checkpoint(): Promise<number | undefined> {
    return this.inner.checkpoint()
  }

  async wipe(): Promise<void> {
    await this.inner.wipe()
    this.keys.clear()
  }

  approximateBytes(): Promise<number> {
    return this.inner.approximateBytes()
  }

  /** Exact, from memory. */
  async keyCount(): Promise<number> {
    if (!this.inner.isOpen) return this.inner.keyCount()
    return this.keys.size
  }
}
