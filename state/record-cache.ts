// The record cache's budget for one instance (Kafka Streams' ThreadCache, sized by statestore.cache.max.bytes):
// the bytes that the caching layers of every store in record-caching mode hold together.

import { StateStoreError } from './errors.js'

/** Bytes counted per cached entry besides its key and value (Kafka Streams counts its entry's fields too). */
export const cacheEntryOverheadBytes = 64

/**
 * The shared budget. Each caching layer in record-caching mode adds the size of the entries it holds and
 * takes it back when it drops them; when the total is over `maxBytes`, the runtime has the stores that
 * were written evict their least recently used entries (see `CachingKeyValueStore.evictRecords`).
 * `maxBytes` 0 disables record caching: every update is forwarded as it is made.
 *
 * Kafka Streams splits its cache size over the stream threads of an instance; an instance here has one
 * processing loop, so the whole size is its.
 */
export class RecordCache {
  private bytes = 0

  constructor(readonly maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0)
      throw new StateStoreError('STORE_MISCONFIGURED', `cache size must be an integer >= 0, got ${maxBytes}`)
  }

  get enabled(): boolean {
    return this.maxBytes > 0
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
