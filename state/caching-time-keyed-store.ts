// The record cache of window and session stores (Kafka Streams' CachingWindowStore and CachingSessionStore):
// the latest write of each window key or session key since the last flush, over the change-logging layer.

import type { ByteRange } from './byte-range.js'
import { keyString } from './byte-range.js'
import { CachingStore } from './caching-store.js'
import type { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js'
import { StateStoreError } from './errors.js'
import { mergeRanges } from './merge-ranges.js'
import { cacheEntryOverheadBytes, type RecordCache } from './record-cache.js'
import { SortedIndex } from './sorted-index.js'
import type { ForwardRunner } from './state-store.js'

/**
 * Called per flushed or evicted composite key: its latest value (`undefined`: removed), the value the store
 * held below (only with `sendOldValues`, or for a removal), and the record time of its latest write.
 */
export type BytesFlushListener = (
  key: Buffer,
  newValue: Buffer | undefined,
  oldValue: Buffer | undefined,
  timestamp: number,
) => void

interface Entry {
  readonly key: Buffer
  /** `undefined`: a removal. */
  readonly value: Buffer | undefined
  /** Record time of the write: its changelog timestamp and the time it is handed on with. */
  readonly timestamp: number
  /** Bytes the entry counts in the instance's budget. */
  readonly size: number
}

export interface CachingTimeKeyedOptions {
  readonly name: string
  /** Entries the store may cache; 0 disables record caching for it (Kafka Streams' `withCachingDisabled`). */
  readonly maxEntries: number
  /** The instance's record cache budget; record caching needs it enabled. */
  readonly recordCache: RecordCache | undefined
  /**
   * Whether a composite key is still within the store's retention when it is flushed: an expired one is
   * handed on but not written below, as Kafka Streams' segmented stores drop writes to expired segments.
   */
  readonly live: (key: Buffer) => boolean
}

/**
 * The bytes layer that window and session stores read and write through. Until a flush listener is set
 * (`setFlushListener`: record-caching mode) it passes every call to the change-logging layer.
 *
 * Record-caching mode, as Kafka Streams' window and session caches:
 * - A write replaces the key's cached entry; nothing reaches the logging layer until the entry is flushed
 *   (commit step 0, `flushRecords`) or evicted (`evictRecords`, after each record, while the store holds
 *   more than `maxEntries` or, if it was written since, the instance's budget is exceeded). Either writes
 *   the entry through to the logging layer, then calls the listener, whose forwards the runner processes
 *   before the next entry. A removal of a key absent below is neither written nor handed on.
 * - The cache holds only entries written since they were last handed on; `cache` is in order of last
 *   write (Kafka Streams' flush order), which is also the eviction order (least recently written first).
 * - Reads (`get`, `range`) see cached entries over the logging layer; a cached removal hides the key.
 * - `sorted`, when present, holds exactly the ids of `cache`.
 */
export class CachingTimeKeyedStore extends CachingStore<Entry, BytesFlushListener> {
  private readonly sorted = new SortedIndex(this.cache)
  private readonly live: (key: Buffer) => boolean

  constructor(logging: ChangeLoggingKeyValueStore, options: CachingTimeKeyedOptions) {
    super(logging, options)
    this.live = options.live
  }

  put(key: Buffer, value: Buffer, timestamp: number): void {
    if (this.listener === undefined) this.logging.put(key, value, timestamp)
    else this.write(key, value, timestamp)
  }

  delete(key: Buffer, timestamp: number): void {
    if (this.listener === undefined) this.logging.delete(key, timestamp)
    else this.write(key, undefined, timestamp)
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    const entry = this.cache.get(keyString(key))
    return entry === undefined ? this.logging.get(key) : entry.value
  }

  /** `get`, answered at once when the cache or the layer below can; `undefined` when not: call `get`. */
  getNow(key: Buffer): { readonly value: Buffer | undefined } | undefined {
    const entry = this.cache.get(keyString(key))
    return entry === undefined ? this.logging.getNow(key) : entry
  }

  /** Entries in the byte range, cached ones over the logging layer's, in byte order. */
  range(range: ByteRange): AsyncIterable<readonly [Buffer, Buffer]> {
    if (this.cache.size === 0) return this.logging.range(range)
    return mergeRanges(
      this.sorted.in(range),
      this.logging.range(range),
      (entry) => (entry.value === undefined ? undefined : ([entry.key, entry.value] as const)),
      (key, value) => [key, value] as const,
    )
  }

  /** Keys of the cached entries (removals included), for scans that do not go by key order. */
  cachedKeys(): Buffer[] {
    return [...this.cache.values()].map((entry) => entry.key)
  }

  /** Record-caching mode: writes every cached entry through and hands it on, in order of last write. */
  async flushRecords(run: ForwardRunner): Promise<number> {
    if (this.listener === undefined) return 0
    let flushed = 0
    // an entry written again while the ones before it are handed on is a new entry, visited at its new place
    for (const [id, entry] of this.cache) {
      const reading = this.valueBelow(entry)
      const below = reading instanceof Promise ? await reading : reading
      if (this.cache.get(id) !== entry) continue
      this.drop(id, entry)
      const handing = this.writeThrough(entry, below, run)
      if (handing) await handing
      flushed += 1
    }
    return flushed
  }

  /** Record-caching mode: hands on least recently written entries while `overflowing`. */
  async evictRecords(run: ForwardRunner): Promise<number> {
    let evicted = 0
    while (this.overflowing) {
      const [id, entry] = this.leastRecentlyUsed()!
      const reading = this.valueBelow(entry)
      const below = reading instanceof Promise ? await reading : reading
      if (this.cache.get(id) !== entry) continue
      this.drop(id, entry)
      const handing = this.writeThrough(entry, below, run)
      if (handing) await handing
      evicted += 1
    }
    this.touched = false
    return evicted
  }

  /** Commit step 1: a record cache is flushed by `flushRecords` before, so nothing is left to push down. */
  flush(): number {
    if (this.cache.size > 0)
      throw new StateStoreError('STORE_MISCONFIGURED', 'a record cache is flushed by flushRecords', {
        store: this.name,
      })
    return 0
  }

  /** Drops every cached entry without writing it anywhere. */
  clear(): void {
    for (const entry of this.cache.values()) this.recordCache?.add(-entry.size)
    this.clearCache()
    this.sorted.reset()
  }

  private write(key: Buffer, value: Buffer | undefined, timestamp: number): void {
    this.assertOpen()
    const id = keyString(key)
    const size = key.length + (value?.length ?? 0) + cacheEntryOverheadBytes
    const old = this.cache.get(id)
    if (old === undefined) this.sorted.add(id)
    else this.cache.delete(id)
    this.cache.set(id, { key, value, timestamp, size })
    this.recordCache!.add(size - (old?.size ?? 0))
    this.touched = true
  }

  protected keyOf(entry: Entry): Buffer {
    return entry.key
  }

  private drop(id: string, entry: Entry): void {
    this.cache.delete(id)
    this.sorted.delete(id)
    this.recordCache!.add(-entry.size)
  }

  /** Writes an entry through and hands it on; a promise only when what it forwards does not finish at once. */
  private writeThrough(entry: Entry, below: Buffer | undefined, run: ForwardRunner): void | Promise<void> {
    if (entry.value === undefined && below === undefined) return
    if (this.live(entry.key)) {
      if (entry.value === undefined) this.logging.delete(entry.key, entry.timestamp)
      else this.logging.put(entry.key, entry.value, entry.timestamp)
    }
    const listener = this.listener!
    const oldValue = this.sendOldValues ? below : undefined
    return run(() => listener(entry.key, entry.value, oldValue, entry.timestamp), entry.timestamp)
  }
}
