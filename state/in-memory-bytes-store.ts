// A bytes store held in memory: for stores that are cheap to rebuild from their changelog.

import type { ByteRange } from './byte-range.js'
import { keyString, stringRange } from './byte-range.js'
import type { BytesKeyValueStore, BytesWrite } from './bytes-key-value-store.js'
import { StateStoreError } from './errors.js'
import { SortedKeys } from './sorted-keys.js'

/**
 * An in-memory `BytesKeyValueStore`.
 *
 * Invariants:
 * - Nothing survives `close()`; `checkpoint()` is always `undefined`, so the runtime restores
 *   the store from the start of its changelog every time it opens.
 * - `sorted` holds exactly the keys of `entries`, as `keyString`s (so in byte order).
 * - Keys and values are kept as strings, each byte one latin1 character (`keyString`), and read back as
 *   new buffers (`Buffer.from(s, 'latin1')`): a copy of the caller's bytes, never a view of them. A `Buffer`
 *   per value cost ~200 bytes of heap besides its bytes (its object, its `ArrayBuffer`'s and the native
 *   backing store's bookkeeping), a string ~16; as a slice of Node's shared pool it kept a whole 8 KiB slab
 *   alive. A heap snapshot of the reservation service mid-drain on a long backlog: 350,000 values in its
 *   in-memory mirrors held by 93 MB of `Buffer`s (bench/README, issue 15).
 * - `range` iterates a snapshot of the keys in range taken when iteration starts; entries deleted
 *   while iterating are skipped, entries added are not seen.
 */
export class InMemoryBytesStore implements BytesKeyValueStore {
  readonly persistent = false
  private entries = new Map<string, string>()
  private readonly sorted = new SortedKeys()
  private bytes = 0
  private opened = false

  constructor(private readonly name = 'in-memory') {}

  get isOpen(): boolean {
    return this.opened
  }

  async open(): Promise<void> {
    this.opened = true
  }

  async close(): Promise<void> {
    this.opened = false
    this.clear()
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    return this.getSync(key)
  }

  readonly getSync = (key: Buffer): Buffer | undefined => {
    this.assertOpen()
    const value = this.entries.get(keyString(key))
    return value === undefined ? undefined : Buffer.from(value, 'latin1')
  }

  async *range(range: ByteRange): AsyncGenerator<readonly [Buffer, Buffer]> {
    for (const id of this.keysIn(range)) {
      const value = this.entries.get(id)
      if (value !== undefined) yield [Buffer.from(id, 'latin1'), Buffer.from(value, 'latin1')]
    }
  }

  readonly rangeSync = (range: ByteRange): (readonly [Buffer, Buffer])[] =>
    this.keysIn(range).map(
      (id) => [Buffer.from(id, 'latin1'), Buffer.from(this.entries.get(id)!, 'latin1')] as const,
    )

  /** The ids of the keys in range, in order: a snapshot taken now. */
  private keysIn(range: ByteRange): string[] {
    this.assertOpen()
    const bounds = stringRange(range)
    return this.sorted.slice(bounds.gte, bounds.lt)
  }

  async write(batch: readonly BytesWrite[], _checkpoint?: number): Promise<void> {
    this.assertOpen()
    for (const { key, value } of batch) {
      const id = keyString(key)
      const previous = this.entries.get(id)
      if (previous !== undefined) this.bytes -= id.length + previous.length
      if (value === null) {
        if (previous === undefined) continue
        this.entries.delete(id)
        this.sorted.delete(id)
      } else {
        this.entries.set(id, keyString(value))
        this.bytes += key.length + value.length
        if (previous === undefined) this.sorted.add(id)
      }
    }
  }

  async checkpoint(): Promise<number | undefined> {
    this.assertOpen()
    return undefined
  }

  async wipe(): Promise<void> {
    this.clear()
    this.opened = true
  }

  async approximateBytes(): Promise<number> {
    return this.bytes
  }

  async keyCount(): Promise<number> {
    return this.entries.size
  }

  /** Number of entries; exact for this store. */
  get size(): number {
    return this.entries.size
  }

  private clear(): void {
    this.entries = new Map()
    this.sorted.clear()
    this.bytes = 0
  }

  private assertOpen(): void {
    if (!this.opened)
      throw new StateStoreError('STORE_CLOSED', 'in-memory store is not open', { store: this.name })
  }
}
