// The typed key-value store that processors use.

import type { Serializer } from './serde.js'

export interface KeyValue<K, V> {
  readonly key: K
  readonly value: V
}

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
  get(key: K): Promise<V | undefined>
  put(key: K, value: V): void
  delete(key: K): void
  /** All entries in the range (default: all entries). */
  range(range?: KeyRange<K>): AsyncIterable<KeyValue<K, V>>
  /**
   * Entries whose serialized key starts with the serialized prefix: e.g. `prefixScan('slot|r1|')`
   * on string keys. Pass a serializer when the prefix is not itself a key (any `Serde` will do).
   */
  prefixScan(prefix: K): AsyncIterable<KeyValue<K, V>>
  prefixScan<P>(prefix: P, prefixSerializer: Serializer<P>): AsyncIterable<KeyValue<K, V>>
}
