// The typed key-value store that processors use.

import type { Serializer } from './serde.js'

export interface KeyValue<K, V> {
  readonly key: K
  readonly value: V
}

/**
 * A key's change as the record cache hands it on: the value written last (`undefined`: deleted), the
 * value the store held before the cache took the key (only with `sendOldValues`), and the timestamp of
 * the record that wrote it last.
 */
export interface CachedChange<K, V> {
  readonly key: K
  readonly newValue: V | undefined
  readonly oldValue: V | undefined
  readonly timestamp: number
}

/** Called per flushed or evicted key; what it forwards is processed before the next key is flushed. */
export type FlushListener<K, V> = (change: CachedChange<K, V>) => void

/** Keys with `gte <= key < lt`, compared by their serialized bytes. A missing bound is unbounded. */
export interface KeyRange<K> {
  readonly gte?: K | undefined
  readonly lt?: K | undefined
}

/**
 * A typed key-value store, as handed to processors (`ctx.store(ref)`).
 *
 * Invariants:
 * - Read-your-writes: `get`/`range` see every `put`/`delete` made before, committed or not.
 * - Writes never do I/O: they land in the cache or in pending writes, and reach disk at commit.
 *   That is why `put` and `delete` are synchronous.
 * - Values read from a store may be the very objects held by its cache: treat them as immutable
 *   and `put` a new value instead of mutating one (a mutation would change the cached state
 *   without being logged, or be logged later than intended).
 * - Scans yield entries in byte order of serialized keys.
 * - Every method throws `StateStoreError('STORE_CLOSED')` when the store is not open.
 */
export interface KeyValueStore<K, V> {
  readonly name: string
  /**
   * Record caching (Kafka Streams' `setFlushListener`, for the DSL's table operators): when the instance
   * has a record cache (`cacheMaxBytes` > 0) and this store a cache (`cacheMaxEntries` > 0), the store
   * keeps each key's latest write in its cache and calls `listener` with it when the cache is flushed
   * (every commit) or evicts it (over its size), right after writing it through to the changelog and the
   * store below; repeated writes to a key in between are one call. Returns false, and never calls
   * `listener`, when the store does not cache records: the caller then forwards every update itself.
   */
  setFlushListener?(listener: FlushListener<K, V>, sendOldValues: boolean): boolean
  get(key: K): Promise<V | undefined>
  /**
   * `get`'s answer when the store has it at hand (its cache holds the key): an object whose `value` is
   * the key's value (`undefined`: absent), to be read at once; `undefined` when only `get` can answer. A
   * processor that can go on synchronously then needs no promise per record.
   */
  getNow?(key: K): { readonly value: V | undefined } | undefined
  put(key: K, value: V): void
  delete(key: K): void
  /** All entries in the range (default: all entries). */
  range(range?: KeyRange<K>): AsyncIterable<KeyValue<K, V>>
  /**
   * `range`'s entries at once, when the store holds its data in memory (and its cache); `undefined` when
   * only `range` can answer.
   */
  rangeNow?(range?: KeyRange<K>): readonly KeyValue<K, V>[] | undefined
  /**
   * Entries whose serialized key starts with the serialized prefix: e.g. `prefixScan('slot|r1|')`
   * on string keys. Pass a serializer when the prefix is not itself a key (any `Serde` will do).
   */
  prefixScan(prefix: K): AsyncIterable<KeyValue<K, V>>
  prefixScan<P>(prefix: P, prefixSerializer: Serializer<P>): AsyncIterable<KeyValue<K, V>>
}
