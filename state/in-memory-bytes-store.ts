// A bytes store held in memory: for stores that are cheap to rebuild from their changelog.

import type { ByteRange } from './byte-range.js'
import { keyString } from './byte-range.js'
import type { BytesKeyValueStore, BytesWrite } from './bytes-key-value-store.js'
import { StateStoreError } from './errors.js'

interface Entry {
  readonly key: Buffer
  readonly value: Buffer
}

/** Above this many new or removed keys in one batch, the sorted key index is rebuilt instead of spliced. */
const spliceLimit = 32

/**
 * An in-memory `BytesKeyValueStore`.
 *
 * Invariants:
 * - Nothing survives `close()`; `checkpoint()` is always `undefined`, so the runtime restores
 *   the store from the start of its changelog every time it opens.
 * - `sorted` holds exactly the keys of `entries`, as `keyString`s in byte order.
 * - `range` iterates a snapshot of the keys in range taken when iteration starts; entries deleted
 *   while iterating are skipped, entries added are not seen.
 */
export class InMemoryBytesStore implements BytesKeyValueStore {
  readonly persistent = false
  private entries = new Map<string, Entry>()
  private sorted: string[] = []
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
    this.assertOpen()
    return this.entries.get(keyString(key))?.value
  }

  async *range(range: ByteRange): AsyncGenerator<readonly [Buffer, Buffer]> {
    this.assertOpen()
    const from = range.gte === undefined ? 0 : lowerBound(this.sorted, keyString(range.gte))
    const to = range.lt === undefined ? this.sorted.length : lowerBound(this.sorted, keyString(range.lt))
    const keys = this.sorted.slice(from, Math.max(from, to))
    for (const key of keys) {
      const entry = this.entries.get(key)
      if (entry !== undefined) yield [entry.key, entry.value]
    }
  }

  async write(batch: readonly BytesWrite[], _checkpoint?: number): Promise<void> {
    this.assertOpen()
    const added = new Set<string>()
    const removed = new Set<string>()
    for (const { key, value } of batch) {
      const id = keyString(key)
      const previous = this.entries.get(id)
      if (previous !== undefined) this.bytes -= previous.key.length + previous.value.length
      if (value === null) {
        if (previous === undefined) continue
        this.entries.delete(id)
        if (!added.delete(id)) removed.add(id)
      } else {
        this.entries.set(id, { key, value })
        this.bytes += key.length + value.length
        if (previous === undefined && !removed.delete(id)) added.add(id)
      }
    }
    this.reindex(added, removed)
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

  /** Number of entries; exact for this store. */
  get size(): number {
    return this.entries.size
  }

  private clear(): void {
    this.entries = new Map()
    this.sorted = []
    this.bytes = 0
  }

  private reindex(added: Set<string>, removed: Set<string>): void {
    if (added.size + removed.size <= spliceLimit) {
      for (const id of removed) this.sorted.splice(lowerBound(this.sorted, id), 1)
      for (const id of added) this.sorted.splice(lowerBound(this.sorted, id), 0, id)
      return
    }
    const kept = removed.size === 0 ? this.sorted : this.sorted.filter((id) => !removed.has(id))
    this.sorted = mergeSorted(kept, [...added].sort())
  }

  private assertOpen(): void {
    if (!this.opened)
      throw new StateStoreError('STORE_CLOSED', 'in-memory store is not open', { store: this.name })
  }
}

/** Index of the first element `>= target` in a sorted array. */
function lowerBound(sorted: readonly string[], target: string): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (sorted[mid]! < target) low = mid + 1
    else high = mid
  }
  return low
}

function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out = new Array<string>(a.length + b.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.length && j < b.length) out[k++] = a[i]! < b[j]! ? a[i++]! : b[j++]!
  while (i < a.length) out[k++] = a[i++]!
  while (j < b.length) out[k++] = b[j++]!
  return out
}
