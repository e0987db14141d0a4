// The byte budgets the caching layers of one instance share: the record cache's (Kafka Streams' ThreadCache,
// sized by statestore.cache.max.bytes), over the stores in record-caching mode, and the store cache's, over
// the key-value stores' caches of deserialized values otherwise.

import { StateStoreError } from './errors.js'

/** Bytes counted per cached entry besides its key and value (Kafka Streams counts its entry's fields too). */
export const cacheEntryOverheadBytes = 64

/** The store cache budget's default size (StreamsConfig.storeCacheMaxBytes). */
export const defaultStoreCacheMaxBytes = 16 * 1024 * 1024

/**
 * Bytes the caching layers of an instance hold together, against a maximum. A layer adds the size of each
 * entry it takes and takes it back when it drops it; the layer that takes an entry while the total is over
 * the maximum evicts its own least recently used entries (as Kafka Streams' ThreadCache evicts from the
 * cache being written to).
 */
export class CacheBudget {
  private bytes = 0

  constructor(readonly maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0)
      throw new StateStoreError('STORE_MISCONFIGURED', `cache size must be an integer >= 0, got ${maxBytes}`)
  }

  /** Bytes the caching layers hold now. */
  get sizeBytes(): number {
    return this.bytes
  }

  get overBudget(): boolean {
    return this.bytes > this.maxBytes
  }

  /** A caching layer took (`delta` > 0) or dropped (`delta` < 0) bytes. */
  add(delta: number): void {
    this.bytes += delta
  }
}

/**
 * The record cache's budget. Each caching layer in record-caching mode adds the size of the entries it holds and
 * takes it back when it drops them; when the total is over `maxBytes`, the runtime has the stores that
 * were written evict their least recently used entries (see `CachingKeyValueStore.evictRecords`).
 * `maxBytes` 0 disables record caching: every update is forwarded as it is made.
 *
 * Kafka Streams splits its cache size over the stream threads of an instance; an instance here has one
 * processing loop, so the whole size is its.
 */
export class RecordCache extends CacheBudget {
  get enabled(): boolean {
    return this.maxBytes > 0
  }
}
