// The window store of windowed aggregations: `key ‖ windowStart ‖ 0` keys over the caching and change-logging layers,
// with the time index for retention.

import { keyString } from './byte-range.js'
import type { CachingTimeKeyedStore } from './caching-time-keyed-store.js'
import { deserializeStored } from './deserialize-stored.js'
import type { Serde } from './serde.js'
import { Retention } from './time-expiry.js'
import type { TimeIndexedBytesStore } from './time-indexed-bytes-store.js'
import type {
  CachedWindowChange,
  KeyWindowedValue,
  TimeWindowStore,
  WindowedValue,
} from './time-window-store.js'
import { windowKey, windowKeySuffixBytes, windowKeyTimestamp } from './window-key.js'

export interface TimeWindowStoreOptions<K, V> {
  readonly name: string
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  readonly retentionMs: number
  /** Timestamp of changelog records: the record being processed (default: the window start). */
  readonly timestamp?: (() => number) | undefined
}

/**
 * `TimeWindowStore` on window keys with sequence 0 (Kafka Streams' key layout for windows without
 * duplicates), reading and writing through the record-caching layer (a pass-through until a flush
 * listener is set). Retention is decided here, at the put: the cache keeps only admitted windows.
 */
export class IndexedTimeWindowStore<K, V> implements TimeWindowStore<K, V> {
  readonly name: string
  readonly retentionMs: number
  private readonly keySerde: Serde<K>
  private readonly valueSerde: Serde<V>
  private readonly retention: Retention
  private readonly timestamp: (() => number) | undefined

  constructor(
    readonly cache: CachingTimeKeyedStore,
    private readonly index: TimeIndexedBytesStore,
    options: TimeWindowStoreOptions<K, V>,
  ) {
    this.name = options.name
    this.keySerde = options.keySerde
    this.valueSerde = options.valueSerde
    this.retentionMs = options.retentionMs
    this.timestamp = options.timestamp
    this.retention = new Retention(options.retentionMs, cache.logging, index)
  }

  get streamTime(): number {
    return this.retention.streamTime
  }

  /** Whether a window key is within retention (the caching layer writes expired ones nowhere). */
  isLive(composite: Buffer): boolean {
    return windowKeyTimestamp(composite) >= this.retention.liveFrom
  }

  setFlushListener(listener: (change: CachedWindowChange<K, V>) => void, sendOldValues: boolean): boolean {
    return this.cache.setFlushListener(
      (composite, newValue, oldValue, timestamp) =>
        listener({
          key: this.keySerde.deserialize(composite.subarray(0, composite.length - windowKeySuffixBytes)),
          windowStart: windowKeyTimestamp(composite),
          newValue: newValue === undefined ? undefined : this.decode(newValue),
          oldValue: oldValue === undefined ? undefined : this.decode(oldValue),
          timestamp,
        }),
      sendOldValues,
    )
  }

  put(key: K, value: V | undefined, windowStart: number): boolean {
    const composite = windowKey(this.keySerde.serialize(key), windowStart, 0)
    if (!this.retention.admit(windowStart)) return false
    const timestamp = this.timestamp?.() ?? windowStart
    if (value === undefined) this.cache.delete(composite, timestamp)
    else this.cache.put(composite, this.valueSerde.serialize(value), timestamp)
    return true
  }

  async fetch(key: K, windowStart: number): Promise<V | undefined> {
    await this.retention.sweep()
    if (windowStart < this.retention.liveFrom) return undefined
    const bytes = await this.cache.get(windowKey(this.keySerde.serialize(key), windowStart, 0))
    return bytes === undefined ? undefined : this.decode(bytes)
  }

  fetchNow(key: K, windowStart: number): { readonly value: V | undefined } | undefined {
    if (this.retention.sweepDue) return undefined
    if (windowStart < this.retention.liveFrom) return { value: undefined }
    const found = this.cache.getNow(windowKey(this.keySerde.serialize(key), windowStart, 0))
    if (found === undefined) return undefined
    return { value: found.value === undefined ? undefined : this.decode(found.value) }
  }

  async fetchRange(key: K, from: number, to: number, backward = false): Promise<readonly WindowedValue<V>[]> {
    await this.retention.sweep()
    const keyBytes = this.keySerde.serialize(key)
    const min = Math.max(from, this.retention.liveFrom)
    if (to < min) return []
    const found: WindowedValue<V>[] = []
    const length = keyBytes.length + windowKeySuffixBytes
    const range = { gte: windowKey(keyBytes, min, 0), lt: windowKey(keyBytes, after(to), 0) }
    for await (const [composite, bytes] of this.cache.range(range)) {
      if (composite.length === length)
        found.push({ windowStart: windowKeyTimestamp(composite), value: this.decode(bytes) })
    }
    return backward ? found.reverse() : found
  }

  async fetchAll(from: number, to: number): Promise<readonly KeyWindowedValue<K, V>[]> {
    await this.retention.sweep()
    const min = Math.max(from, this.retention.liveFrom)
    if (to < min) return []
    const keys = new Map<string, Buffer>()
    for await (const composite of this.index.keysBetween(min, after(to)))
      keys.set(keyString(composite), composite)
    const written = [...this.cache.logging.pendingWrites()].map((write) => write.key)
    for (const composite of [...written, ...this.cache.cachedKeys()]) {
      const start = windowKeyTimestamp(composite)
      if (start >= min && start <= to) keys.set(keyString(composite), composite)
    }
    const found: (KeyWindowedValue<K, V> & { readonly sortKey: string })[] = []
    for (const [id, composite] of keys) {
      const bytes = await this.cache.get(composite)
      if (bytes === undefined) continue
      const windowStart = windowKeyTimestamp(composite)
      const keyBytes = composite.subarray(0, composite.length - windowKeySuffixBytes)
      found.push({
        key: this.keySerde.deserialize(keyBytes),
        windowStart,
        value: this.decode(bytes),
        sortKey: id.slice(id.length - windowKeySuffixBytes) + id,
      })
    }
    found.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
    return found.map(({ key, windowStart, value }) => ({ key, windowStart, value }))
  }

  /** Forgets in-memory state derived from pending writes. */
  reset(): void {
    this.retention.reset()
  }

  private decode(bytes: Buffer): V {
    return deserializeStored(this.valueSerde, bytes, this.name)
  }
}

/** The exclusive bound just after an inclusive one, capped for the 8-byte time encoding. */
function after(time: number): number {
  return Math.min(time, Number.MAX_SAFE_INTEGER - 1) + 1
}
