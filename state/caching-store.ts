// What the key-value and the window/session caching layers share (Kafka Streams' caching stores over a
// NamedCache): the cache's size limit, record-caching mode with its flush listener and its eviction trigger,
// and the read of what the layer below holds for an entry.

import type { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js'
import { StateStoreError } from './errors.js'
import type { RecordCache } from './record-cache.js'

/** What every cache entry holds. */
export interface CachingEntry {
  /** `undefined`: the key is absent (a delete or removal, or a miss below). */
  readonly value: unknown
  /** Bytes the entry counts in the instance's budget (0 outside record-caching mode). */
  readonly size: number
}

export interface CachingStoreOptions {
  readonly name: string
  /** Entries the store may cache; 0 disables caching. */
  readonly maxEntries: number
  /** The instance's record cache budget; record caching needs it enabled. */
  readonly recordCache?: RecordCache | undefined
}

/**
 * A caching layer over the change-logging layer, with entries `E` by id and a flush listener `L`.
 *
 * Record-caching mode (a flush listener set, see `setFlushListener`), as Kafka Streams': entries count in the
 * instance's `RecordCache`, and an eviction is due (`overflowing`) while the store holds more than
 * `maxEntries` or, if it was written since the last eviction check (`touched`), the budget is exceeded.
 * `cache` is in eviction order, least recently used first.
 */
export abstract class CachingStore<E extends CachingEntry, L> {
  readonly name: string
  protected readonly cache = new Map<string, E>()
  protected readonly maxEntries: number
  protected readonly recordCache: RecordCache | undefined
  protected listener: L | undefined
  protected sendOldValues = false
  /** Written since the last eviction check: a store over the shared budget evicts only then. */
  protected touched = false
  /** `cache` from its least recently used entry on, kept between evictions (see `leastRecentlyUsed`). */
  private lru: MapIterator<[string, E]> | undefined

  constructor(
    readonly logging: ChangeLoggingKeyValueStore,
    options: CachingStoreOptions,
  ) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 0) {
      throw new StateStoreError('STORE_MISCONFIGURED', `cache size must be an integer >= 0`, {
        store: options.name,
      })
    }
    this.name = options.name
    this.maxEntries = options.maxEntries
    this.recordCache = options.recordCache
  }

  /** Enters record-caching mode; false (and nothing changes) without a record cache or with `maxEntries` 0. */
  setFlushListener(listener: L, sendOldValues: boolean): boolean {
    if (this.recordCache?.enabled !== true || this.maxEntries === 0) return false
    this.listener = listener
    this.sendOldValues = sendOldValues
    return true
  }

  /** In record-caching mode. */
  get cachesRecords(): boolean {
    return this.listener !== undefined
  }

  /** Record-caching mode: an eviction is due (see `evictRecords`). */
  get overflowing(): boolean {
    if (this.listener === undefined || this.cache.size === 0) return false
    return this.cache.size > this.maxEntries || (this.touched && this.recordCache!.overBudget)
  }

  /** Number of cached entries. */
  get size(): number {
    return this.cache.size
  }

  /**
   * What the layer below holds for an entry written since: the value last handed on, needed for a removal
   * and for old values. A promise only when the layer below cannot answer at once.
   */
  protected valueBelow(entry: E): Buffer | undefined | Promise<Buffer | undefined> {
    if (entry.value !== undefined && !this.sendOldValues) return undefined
    const key = this.keyOf(entry)
    const now = this.logging.getNow(key)
    return now === undefined ? this.logging.get(key) : now.value
  }

  /**
   * The least recently used entry (`undefined`: none), for an eviction that removes it or finds it moved. Read
   * with one iterator kept from eviction to eviction: a `Map` keeps the slots of deleted entries (every hit
   * moves its entry to the end) until it rehashes, and a new iterator steps over all of them, so taking each
   * eviction's entry with a fresh `entries().next()` cost 4% of the reservation service's CPU on a long
   * backlog; ten times as much as this in a micro-benchmark (bench/README, issue 15). An entry moved to the
   * end since the iterator passed it is met again there; one added, too.
   */
  protected leastRecentlyUsed(): [string, E] | undefined {
    for (let pass = 0; pass < 2; pass++) {
      this.lru ??= this.cache.entries()
      const next = this.lru.next()
      if (next.done !== true) return next.value
      this.lru = undefined
    }
    return undefined
  }

  /** Empties `cache` (and forgets the eviction iterator). */
  protected clearCache(): void {
    this.cache.clear()
    this.lru = undefined
  }

  /** An entry's serialized key. */
  protected abstract keyOf(entry: E): Buffer

  protected assertOpen(): void {
    if (!this.logging.isOpen)
      throw new StateStoreError('STORE_CLOSED', 'store is not open', { store: this.name })
  }
}
