// The caching layer: a bounded LRU of deserialized values over the change-logging layer, and the record
// cache of the DSL's table stores (Kafka Streams' CachingKeyValueStore over a NamedCache).

import type { ByteRange } from './byte-range.js'
import { keyString } from './byte-range.js'
import { CachingStore } from './caching-store.js'
import type { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js'
import { deserializeStored } from './deserialize-stored.js'
import { StateStoreError } from './errors.js'
import type { FlushListener, KeyValue } from './key-value-store.js'
import { asyncIterableOf, mergeRanges, mergeSorted } from './merge-ranges.js'
import type { Serde } from './serde.js'
import { cacheEntryOverheadBytes, type CacheBudget, type RecordCache } from './record-cache.js'
import { keyBytesOf, keyFromBytes, keyIdOf } from './key-id.js'
import { SortedIndex } from './sorted-index.js'
import type { ForwardRunner } from './state-store.js'

interface CacheEntry<V> {
  /**
   * The serialized key as its `keyString`, the entry's id in `cache` (the same string). Not the key's bytes:
   * those are read back with `keyOf` when written down. A kept `Buffer` per entry cost ~100 bytes of heap
   * and, as a slice of Node's shared pool, kept its whole 8 KiB pool slab alive: 213 MB of slabs in a heap
   * snapshot of the reservation service with 470,000 cached entries (bench/README, issue 15).
   */
  readonly id: string
  /** `undefined`: the key is absent (a delete, or a miss below). */
  value: V | undefined
  /** Written since the last flush and not yet pushed down to the logging layer. */
  dirty: boolean
  /** Timestamp of the latest write, used for its changelog record. */
  timestamp: number
  /** Record-caching mode: the value serialized at its write. */
  bytes?: Buffer | undefined
  /**
   * The bytes the entry counts in its budget: its key's and its value's serialized length, and
   * `cacheEntryOverheadBytes`. Outside record-caching mode a written value is serialized only when it is
   * written down, so until then the entry counts the value it had.
   */
  size: number
}

/** A dirty entry a scan merges, with its key's bytes. */
interface DirtyInRange<V> {
  readonly key: Buffer
  readonly entry: CacheEntry<V>
}

export interface CachingOptions<K, V> {
  readonly name: string
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  /** Entries kept in memory; 0 disables caching (writes go straight down, reads go to the store). */
  readonly maxEntries: number
  /** Timestamp for changelog records of writes: the timestamp of the record being processed. */
  readonly timestamp: () => number
  /** The instance's record cache budget; record caching needs it enabled (see `setFlushListener`). */
  readonly recordCache?: RecordCache | undefined
  /**
   * The instance's budget for caches of deserialized values (outside record-caching mode): a store that
   * takes an entry while it is exceeded evicts its own least recently used entries. None: `maxEntries` only.
   */
  readonly storeCache?: CacheBudget | undefined
}

/**
 * Typed store over the change-logging layer, with a write-back LRU cache of deserialized values.
 *
 * Unlike Kafka Streams' cache of bytes, this one holds values as objects: a hot key is
 * deserialized once when loaded and serialized once per flush, not once per access. The price is
 * that callers must treat values read from the store as immutable (see `KeyValueStore`).
 *
 * Invariants:
 * - `cache` is in LRU order (least recently used first) and holds at most `maxEntries` entries; each entry
 *   counts its `size` in the record cache (record-caching mode) or the store cache budget (otherwise). Outside
 *   record-caching mode a store that takes an entry (a miss loaded, a key written) while the store cache
 *   budget is exceeded evicts its own least recently used entries until it is not, or it holds none.
 * - `dirty` holds exactly the cache entries with `dirty === true`, in first-dirtied order;
 *   `sortedDirty`, when present, holds exactly its ids.
 * - A clean entry equals what the logging layer returns for its key, so scans only need to merge
 *   dirty entries over the layer below.
 * - Only `flush` and eviction write to the logging layer (except when caching is disabled), and
 *   each pushes the latest value of a key once: repeated writes to a hot key are logged once.
 * - Keys are identified by their serialized bytes (`keyString`), never by the typed key.
 *
 * Record-caching mode (a flush listener set, see `KeyValueStore.setFlushListener`), as Kafka Streams':
 * - Writes are serialized at once and counted in the instance's `RecordCache`; reads and writes never
 *   evict. The task evicts after each record (`evictRecords`): least recently used entries first, while
 *   the store holds more than `maxEntries` or, if it was written since, the budget is exceeded.
 * - A dirty entry leaves the cache only by `flushRecords` (commit step 1) or `evictRecords`: each reads
 *   the value below (the one last handed on), writes the entry through to the logging layer, then calls
 *   the listener, whose forwards the runner processes before the next entry. A delete of a key absent
 *   below is neither written nor handed on. The synchronous `flush` refuses dirty entries then.
 */
export class CachingKeyValueStore<K, V> extends CachingStore<CacheEntry<V>, FlushListener<K, V>> {
  private readonly dirty = new Map<string, CacheEntry<V>>()
  /** Sorted ids of `dirty`, built by the first scan after a flush and kept up to date. */
  private readonly sortedDirty = new SortedIndex(this.dirty)
  private readonly keySerde: Serde<K>
  private readonly valueSerde: Serde<V>
  private readonly timestamp: () => number
  private readonly storeCache: CacheBudget | undefined

  constructor(logging: ChangeLoggingKeyValueStore, options: CachingOptions<K, V>) {
    super(logging, options)
    this.keySerde = options.keySerde
    this.valueSerde = options.valueSerde
    this.timestamp = options.timestamp
    this.storeCache = options.storeCache
  }

  /** Enters record-caching mode; the entries cached before then count in the record cache from now on. */
  override setFlushListener(listener: FlushListener<K, V>, sendOldValues: boolean): boolean {
    if (!super.setFlushListener(listener, sendOldValues)) return false
    let counted = 0
    for (const entry of this.cache.values()) counted += entry.size
    this.storeCache?.add(-counted)
    this.recordCache!.add(counted)
    return true
  }

  /** Record-caching mode: writes every dirty entry through and hands it to the listener, in first-dirtied order. */
  async flushRecords(run: ForwardRunner): Promise<number> {
    if (this.listener === undefined) return 0
    let flushed = 0
    // a key dirtied again while the ones before it are handed on is visited again (Map iteration)
    for (const [id, entry] of this.dirty) {
      const reading = this.valueBelow(entry)
      const below = reading instanceof Promise ? await reading : reading
      if (!entry.dirty || this.dirty.get(id) !== entry) continue
      this.dirty.delete(id)
      this.sortedDirty.delete(id)
      entry.dirty = false
      const handing = this.writeThrough(entry, below, run)
      if (handing) await handing
      flushed += 1
    }
    return flushed
  }

  /** Record-caching mode: evicts least recently used entries while `overflowing`; dirty ones are handed on. */
  async evictRecords(run: ForwardRunner): Promise<number> {
    let evicted = 0
    while (this.overflowing) {
      const [id, entry] = this.leastRecentlyUsed()!
      const reading = entry.dirty ? this.valueBelow(entry) : undefined
      const below = reading instanceof Promise ? await reading : reading
      if (this.cache.get(id) !== entry) continue
      this.cache.delete(id)
      this.recordCache!.add(-entry.size)
      evicted += 1
      if (!entry.dirty) continue
      this.dirty.delete(id)
      this.sortedDirty.delete(id)
      entry.dirty = false
      const handing = this.writeThrough(entry, below, run)
      if (handing) await handing
    }
    this.touched = false
    return evicted
  }

  /** Number of dirty entries waiting for `flush`. */
  get dirtyCount(): number {
    return this.dirty.size
  }

  async get(key: K): Promise<V | undefined> {
    this.assertOpen()
    if (this.maxEntries === 0) {
      const bytes = await this.logging.get(this.keySerde.serialize(key))
      return bytes === undefined ? undefined : this.decode(bytes)
    }
    const id = keyIdOf(this.keySerde, key)
    const hit = this.cache.get(id)
    if (hit !== undefined) {
      this.cache.delete(id)
      this.cache.set(id, hit)
      return hit.value
    }
    const bytes = await this.logging.get(keyBytesOf(id))
    // A write may have landed while loading; it is newer than what was loaded.
    const raced = this.cache.get(id)
    if (raced !== undefined) return raced.value
    return this.cacheLoaded(id, bytes).value
  }

  /** Caches what the layer below held for a key the cache did not (a clean entry). */
  private cacheLoaded(id: string, bytes: Buffer | undefined): CacheEntry<V> {
    const value = bytes === undefined ? undefined : this.decode(bytes)
    const size = this.sizeOf(id, bytes)
    const entry = { id, value, dirty: false, timestamp: 0, size }
    this.cache.set(id, entry)
    this.account(size)
    if (this.listener === undefined) this.evictOverflow()
    return entry
  }

  /**
   * `get`, answered at once when it can be: the key's cache entry (its `value`), bumped as `get` does, or on
   * a miss what the layer below answers at once (`ChangeLoggingKeyValueStore.getNow`), then cached as `get`
   * caches it; `undefined` when neither can: then call `get`.
   */
  getNow(key: K): { readonly value: V | undefined } | undefined {
    this.assertOpen()
    if (this.maxEntries === 0) {
      const below = this.logging.getNow(this.keySerde.serialize(key))
      if (below === undefined) return undefined
      return { value: below.value === undefined ? undefined : this.decode(below.value) }
    }
    const id = keyIdOf(this.keySerde, key)
    const hit = this.cache.get(id)
    if (hit !== undefined) {
      this.cache.delete(id)
      this.cache.set(id, hit)
      return hit
    }
    const below = this.logging.getNow(keyBytesOf(id))
    if (below === undefined) return undefined
    return this.cacheLoaded(id, below.value)
  }

  put(key: K, value: V): void {
    this.write(key, value)
  }

  delete(key: K): void {
    this.write(key, undefined)
  }

  /** Entries in the byte range, dirty cache entries merged over the layer below, in byte order. */
  scan(range: ByteRange): AsyncIterable<KeyValue<K, V>> {
    this.assertOpen()
    const fromCache = (dirty: DirtyInRange<V>) => this.fromCache(dirty)
    const fromBelow = (key: Buffer, bytes: Buffer) => this.fromBelow(key, bytes)
    // a store held in memory is scanned at once: no awaited step per entry
    if (this.logging.scansSync) return asyncIterableOf(this.scanNow(range)!)
    return mergeRanges(this.dirtyIn(range), this.logging.range(range), fromCache, fromBelow)
  }

  /** `scan`'s entries at once, when the layer below holds its data in memory; otherwise `undefined`. */
  scanNow(range: ByteRange): KeyValue<K, V>[] | undefined {
    this.assertOpen()
    if (!this.logging.scansSync) return undefined
    return mergeSorted(
      this.dirtyIn(range),
      this.logging.rangeSync(range),
      (dirty) => this.fromCache(dirty),
      (key, bytes) => this.fromBelow(key, bytes),
    )
  }

  /** Pushes every dirty entry down to the logging layer (which logs it); entries stay cached, clean. */
  flush(): number {
    const flushed = this.dirty.size
    if (this.listener !== undefined && flushed > 0)
      throw new StateStoreError('STORE_MISCONFIGURED', 'a record cache is flushed by flushRecords', {
        store: this.name,
      })
    for (const entry of this.dirty.values()) {
      const size = entry.id.length + this.pushDownEntry(entry) + cacheEntryOverheadBytes
      this.account(size - entry.size)
      entry.size = size
      entry.dirty = false
    }
    this.dirty.clear()
    this.sortedDirty.reset()
    return flushed
  }

  /** Drops every cached entry, dirty ones included, without writing them anywhere. */
  clear(): void {
    for (const entry of this.cache.values()) this.account(-entry.size)
    this.clearCache()
    this.dirty.clear()
    this.sortedDirty.reset()
  }

  private write(key: K, value: V | undefined): void {
    this.assertOpen()
    const timestamp = this.timestamp()
    if (this.maxEntries === 0) {
      this.pushDown(this.keySerde.serialize(key), value, timestamp)
      return
    }
    const recording = this.listener !== undefined
    const bytes = recording && value !== undefined ? this.valueSerde.serialize(value) : undefined
    this.touched = recording
    const id = keyIdOf(this.keySerde, key)
    const entry = this.cache.get(id)
    if (entry === undefined) {
      const size = this.sizeOf(id, bytes)
      const created = { id, value, dirty: true, timestamp, bytes, size }
      this.cache.set(id, created)
      this.account(size)
      this.markDirty(id, created)
      if (!recording) this.evictOverflow()
      return
    }
    if (recording) {
      const size = this.sizeOf(id, bytes)
      this.account(size - entry.size)
      entry.size = size
    }
    entry.value = value
    entry.bytes = bytes
    entry.timestamp = timestamp
    this.cache.delete(id)
    this.cache.set(id, entry)
    if (!entry.dirty) {
      entry.dirty = true
      this.markDirty(id, entry)
    }
  }

  /**
   * Evicts least recently used entries beyond `maxEntries`, and while the store cache budget is exceeded; a
   * dirty one is pushed down first.
   */
  private evictOverflow(): void {
    while (
      this.cache.size > this.maxEntries ||
      (this.storeCache?.overBudget === true && this.cache.size > 0)
    ) {
      const [id, entry] = this.leastRecentlyUsed()!
      this.cache.delete(id)
      this.account(-entry.size)
      if (entry.dirty) {
        this.dirty.delete(id)
        this.sortedDirty.delete(id)
        this.pushDownEntry(entry)
        entry.dirty = false
      }
    }
  }

  private markDirty(id: string, entry: CacheEntry<V>): void {
    this.dirty.set(id, entry)
    this.sortedDirty.add(id)
  }

  /** Writes an entry down; the length of its serialized value (0 for a removal). */
  private pushDownEntry(entry: CacheEntry<V>): number {
    return this.pushDown(this.keyOf(entry), entry.value, entry.timestamp, entry.bytes)
  }

  /** Writes a key's value (`undefined`: its removal) down; the length of the serialized value. */
  private pushDown(key: Buffer, value: V | undefined, timestamp: number, bytes?: Buffer): number {
    if (value === undefined) {
      this.logging.delete(key, timestamp)
      return 0
    }
    const serialized = bytes ?? this.valueSerde.serialize(value)
    this.logging.put(key, serialized, timestamp)
    return serialized.length
  }

  /**
   * Writes a dirty entry through, then hands it to the listener; the runner processes what it forwards (a
   * promise only when that does not finish at once).
   */
  private writeThrough(
    entry: CacheEntry<V>,
    below: Buffer | undefined,
    run: ForwardRunner,
  ): void | Promise<void> {
    const newValue = entry.value
    if (newValue === undefined && below === undefined) return
    const key = this.keyOf(entry)
    this.pushDown(key, newValue, entry.timestamp, entry.bytes)
    const change = {
      key: keyFromBytes(this.keySerde, key, entry.id),
      newValue,
      oldValue: this.sendOldValues && below !== undefined ? this.decode(below) : undefined,
      timestamp: entry.timestamp,
    }
    const listener = this.listener!
    return run(() => listener(change), entry.timestamp)
  }

  /** The dirty entries in range, in byte order, each with its key's bytes: what a scan merges over the layer below. */
  private dirtyIn(range: ByteRange): DirtyInRange<V>[] {
    return this.sortedDirty.in(range).map((entry) => ({ key: this.keyOf(entry), entry }))
  }

  /** A scanned dirty cache entry (a removal: none). */
  private fromCache({ key, entry }: DirtyInRange<V>): KeyValue<K, V> | undefined {
    return entry.value === undefined
      ? undefined
      : { key: keyFromBytes(this.keySerde, key, entry.id), value: entry.value }
  }

  /** A scanned entry of the layer below, its value from the cache when the cache holds it decoded. */
  private fromBelow(key: Buffer, bytes: Buffer): KeyValue<K, V> {
    const id = keyString(key)
    const cached = this.cache.get(id)?.value
    return { key: keyFromBytes(this.keySerde, key, id), value: cached ?? this.decode(bytes) }
  }

  /** An entry's size in its budget; `id` has one char per byte of the serialized key. */
  private sizeOf(id: string, value: Buffer | undefined): number {
    return id.length + (value?.length ?? 0) + cacheEntryOverheadBytes
  }

  /** Counts `delta` bytes in the entries' budget: the record cache's in record-caching mode, else the store cache's. */
  private account(delta: number): void {
    if (this.listener !== undefined) this.recordCache!.add(delta)
    else this.storeCache?.add(delta)
  }

  /** An entry's serialized key, read back from its id. */
  protected keyOf(entry: CacheEntry<V>): Buffer {
    return keyBytesOf(entry.id)
  }

  private decode(bytes: Buffer): V {
    return deserializeStored(this.valueSerde, bytes, this.name)
  }
}
