// The caching layer: a bounded LRU of deserialized values over the change-logging layer.

import type { ByteRange } from './byte-range.js'
import { keyString, stringRange } from './byte-range.js'
import type { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js'
import { StateStoreError } from './errors.js'
import type { KeyValue } from './key-value-store.js'
import { asyncIterableOf, mergeRanges, mergeSorted } from './merge-ranges.js'
import type { Serde } from './serde.js'
import { SortedKeys } from './sorted-keys.js'

interface CacheEntry<V> {
  readonly key: Buffer
  /** `undefined`: the key is absent (a delete, or a miss below). */
  value: V | undefined
  /** Written since the last flush and not yet pushed down to the logging layer. */
  dirty: boolean
  /** Timestamp of the latest write, used for its changelog record. */
  timestamp: number
}

export interface CachingOptions<K, V> {
  readonly name: string
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  /** Entries kept in memory; 0 disables caching (writes go straight down, reads go to the store). */
  readonly maxEntries: number
  /** Timestamp for changelog records of writes: the timestamp of the record being processed. */
  readonly timestamp: () => number
}

/**
 * Typed store over the change-logging layer, with a write-back LRU cache of deserialized values.
 *
 * Unlike Kafka Streams' cache of bytes, this one holds values as objects: a hot key is
 * deserialized once when loaded and serialized once per flush, not once per access. The price is
 * that callers must treat values read from the store as immutable (see `KeyValueStore`).
 *
 * Invariants:
 * - `cache` is in LRU order (least recently used first) and holds at most `maxEntries` entries.
 * - `dirty` holds exactly the cache entries with `dirty === true`, in first-dirtied order;
 *   `sortedDirty`, when present, holds exactly its ids.
 * - A clean entry equals what the logging layer returns for its key, so scans only need to merge
 *   dirty entries over the layer below.
 * - Only `flush` and eviction write to the logging layer (except when caching is disabled), and
 *   each pushes the latest value of a key once: repeated writes to a hot key are logged once.
 * - Keys are identified by their serialized bytes (`keyString`), never by the typed key.
 */
export class CachingKeyValueStore<K, V> {
  readonly name: string
  private readonly cache = new Map<string, CacheEntry<V>>()
  private readonly dirty = new Map<string, CacheEntry<V>>()
  /** Sorted ids of `dirty`, built by the first scan after a flush and kept up to date. */
  private sortedDirty: SortedKeys | undefined
  private readonly keySerde: Serde<K>
  private readonly valueSerde: Serde<V>
  private readonly maxEntries: number
  private readonly timestamp: () => number

  constructor(
    readonly logging: ChangeLoggingKeyValueStore,
    options: CachingOptions<K, V>,
  ) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 0) {
      throw new StateStoreError('STORE_MISCONFIGURED', `cache size must be an integer >= 0`, {
        store: options.name,
      })
    }
    this.name = options.name
    this.keySerde = options.keySerde
    this.valueSerde = options.valueSerde
    this.maxEntries = options.maxEntries
    this.timestamp = options.timestamp
  }

  /** Number of dirty entries waiting for `flush`. */
  get dirtyCount(): number {
    return this.dirty.size
  }

  /** Number of cached entries. */
  get size(): number {
    return this.cache.size
  }

  async get(key: K): Promise<V | undefined> {
    this.assertOpen()
    const keyBytes = this.keySerde.serialize(key)
    if (this.maxEntries === 0) return this.load(keyBytes)
    const id = keyString(keyBytes)
    const hit = this.cache.get(id)
    if (hit !== undefined) {
      this.cache.delete(id)
      this.cache.set(id, hit)
      return hit.value
    }
    const value = await this.load(keyBytes)
    // A write may have landed while loading; it is newer than what was loaded.
    const raced = this.cache.get(id)
    if (raced !== undefined) return raced.value
    this.cache.set(id, { key: keyBytes, value, dirty: false, timestamp: 0 })
    this.evictOverflow()
    return value
  }

  put(key: K, value: V): void {
    this.write(this.keySerde.serialize(key), value)
  }

  delete(key: K): void {
    this.write(this.keySerde.serialize(key), undefined)
  }

  /** Entries in the byte range, dirty cache entries merged over the layer below, in byte order. */
  scan(range: ByteRange): AsyncIterable<KeyValue<K, V>> {
    this.assertOpen()
    const fromCache = (entry: CacheEntry<V>): KeyValue<K, V> | undefined =>
      entry.value === undefined
        ? undefined
        : { key: this.keySerde.deserialize(entry.key), value: entry.value }
    const fromBelow = (key: Buffer, bytes: Buffer): KeyValue<K, V> => {
      const cached = this.cache.get(keyString(key))?.value
      return { key: this.keySerde.deserialize(key), value: cached ?? this.decode(bytes) }
    }
    // a store held in memory is scanned at once: no awaited step per entry
    if (this.logging.scansSync)
      return asyncIterableOf(
        mergeSorted(this.dirtyIn(range), this.logging.rangeSync(range), fromCache, fromBelow),
      )
    return mergeRanges(this.dirtyIn(range), this.logging.range(range), fromCache, fromBelow)
  }

  /** Pushes every dirty entry down to the logging layer (which logs it); entries stay cached, clean. */
  flush(): number {
    const flushed = this.dirty.size
    for (const entry of this.dirty.values()) {
      this.pushDown(entry)
      entry.dirty = false
    }
    this.dirty.clear()
    this.sortedDirty = undefined
    return flushed
  }

  /** Drops every cached entry, dirty ones included, without writing them anywhere. */
  clear(): void {
    this.cache.clear()
    this.dirty.clear()
    this.sortedDirty = undefined
  }

  private write(keyBytes: Buffer, value: V | undefined): void {
    this.assertOpen()
    const timestamp = this.timestamp()
    if (this.maxEntries === 0) {
      this.pushDown({ key: keyBytes, value, dirty: true, timestamp })
      return
    }
    const id = keyString(keyBytes)
    const entry = this.cache.get(id)
    if (entry === undefined) {
      const created = { key: keyBytes, value, dirty: true, timestamp }
      this.cache.set(id, created)
      this.markDirty(id, created)
      this.evictOverflow()
      return
    }
    entry.value = value
    entry.timestamp = timestamp
    this.cache.delete(id)
    this.cache.set(id, entry)
    if (!entry.dirty) {
      entry.dirty = true
      this.markDirty(id, entry)
    }
  }

  /** Evicts least recently used entries beyond `maxEntries`; a dirty one is pushed down first. */
  private evictOverflow(): void {
    while (this.cache.size > this.maxEntries) {
      for (const [id, entry] of this.cache) {
        this.cache.delete(id)
        if (entry.dirty) {
          this.dirty.delete(id)
          this.sortedDirty?.delete(id)
          this.pushDown(entry)
          entry.dirty = false
        }
        break
      }
    }
  }

  private markDirty(id: string, entry: CacheEntry<V>): void {
    this.dirty.set(id, entry)
    this.sortedDirty?.add(id)
  }

  private pushDown(entry: CacheEntry<V>): void {
    if (entry.value === undefined) this.logging.delete(entry.key, entry.timestamp)
    else this.logging.put(entry.key, this.valueSerde.serialize(entry.value), entry.timestamp)
  }

  private async load(keyBytes: Buffer): Promise<V | undefined> {
    const bytes = await this.logging.get(keyBytes)
    return bytes === undefined ? undefined : this.decode(bytes)
  }

  private decode(bytes: Buffer): V {
    try {
      return this.valueSerde.deserialize(bytes)
    } catch (error) {
      throw new StateStoreError('STORE_CORRUPTED', 'cannot deserialize a stored value', {
        cause: error,
        store: this.name,
      })
    }
  }

  /** Dirty entries in range, in byte order: O(log n + k) once the sorted index exists. */
  private dirtyIn(range: ByteRange): CacheEntry<V>[] {
    if (this.dirty.size === 0) return []
    let sorted = this.sortedDirty
    if (sorted === undefined) {
      sorted = new SortedKeys()
      for (const id of this.dirty.keys()) sorted.add(id)
      this.sortedDirty = sorted
    }
    const bounds = stringRange(range)
    return sorted.slice(bounds.gte, bounds.lt).map((id) => this.dirty.get(id)!)
  }

  private assertOpen(): void {
    if (!this.logging.isOpen)
      throw new StateStoreError('STORE_CLOSED', 'store is not open', { store: this.name })
  }
}
