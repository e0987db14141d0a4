// The window store: window keys over the change-logging layer, with a time index for expiry.

import type { ByteRange } from './byte-range.js'
import type { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js'
import { deserializeStored } from './deserialize-stored.js'
import { expireBetween, Retention } from './time-expiry.js'
import type { Serde } from './serde.js'
import type { TimeIndexedBytesStore } from './time-indexed-bytes-store.js'
import { windowKey, windowKeySuffixBytes, windowKeyTimestamp } from './window-key.js'
import type { TimestampedValue, WindowStore } from './window-store.js'

export interface WindowStoreOptions<K, V> {
  readonly name: string
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  /** With a retention, Kafka Streams' rule applies (see time-expiry.ts); without, only `expireBefore`. */
  readonly retentionMs?: number | undefined
}

/**
 * `WindowStore` whose entries are window keys (`key ‖ timestamp ‖ sequence`) in a change-logging
 * layer over a `TimeIndexedBytesStore`. No cache: join lookups are range scans anyway.
 *
 * Invariants:
 * - `sequence` makes every put a new key, so duplicates per key and timestamp are kept. It starts
 *   at a random 32-bit value per instance so that puts after a restart are very unlikely to
 *   overwrite an entry with the same key and timestamp written before it.
 * - Everything older than `expiredBefore` is deleted (pending or committed), and puts older than
 *   it are dropped; the watermark is in memory only and restarts at 0 (see `resetExpiry`).
 * - `fetch` checks the key length of every entry: a longer key that merely starts with the
 *   fetched key's bytes never matches.
 */
export class IndexedWindowStore<K, V> implements WindowStore<K, V> {
  readonly name: string
  private readonly keySerde: Serde<K>
  private readonly valueSerde: Serde<V>
  private sequence = Math.floor(Math.random() * 2 ** 32)
  private expiredBefore = 0
  private readonly retention: Retention | undefined

  constructor(
    readonly logging: ChangeLoggingKeyValueStore,
    private readonly index: TimeIndexedBytesStore,
    options: WindowStoreOptions<K, V>,
  ) {
    this.name = options.name
    this.keySerde = options.keySerde
    this.valueSerde = options.valueSerde
    this.retention =
      options.retentionMs === undefined ? undefined : new Retention(options.retentionMs, logging, index)
  }

  put(key: K, value: V, timestamp: number): boolean {
    const composite = windowKey(this.keySerde.serialize(key), timestamp, this.sequence)
    if (timestamp < this.expiredBefore) return false
    if (this.retention && !this.retention.admit(timestamp)) return false
    // a null value adds nothing (a delete of duplicates is a no-op), but stream time moved (Kafka Streams)
    if (value === null || value === undefined) return true
    this.sequence = (this.sequence + 1) >>> 0
    this.logging.put(composite, this.valueSerde.serialize(value), timestamp)
    return true
  }

  async fetch(key: K, fromTimestamp: number, toTimestamp: number): Promise<readonly TimestampedValue<V>[]> {
    const keyBytes = this.keySerde.serialize(key)
    if (this.retention?.sweepDue) await this.retention.sweep()
    const range = this.rangeOf(keyBytes, fromTimestamp, toTimestamp)
    if (range === undefined) return []
    if (this.logging.scansSync) return this.collect(keyBytes, this.logging.rangeSync(range))
    const entries: (readonly [Buffer, Buffer])[] = []
    for await (const entry of this.logging.range(range)) entries.push(entry)
    return this.collect(keyBytes, entries)
  }

  fetchNow(key: K, fromTimestamp: number, toTimestamp: number): readonly TimestampedValue<V>[] | undefined {
    if (!this.logging.scansSync || this.retention?.sweepDue) return undefined
    const keyBytes = this.keySerde.serialize(key)
    const range = this.rangeOf(keyBytes, fromTimestamp, toTimestamp)
    if (range === undefined) return []
    return this.collect(keyBytes, this.logging.rangeSync(range))
  }

  /** The window keys of `keyBytes` from `fromTimestamp` to `toTimestamp`, both inclusive; none if empty. */
  private rangeOf(keyBytes: Buffer, fromTimestamp: number, toTimestamp: number): ByteRange | undefined {
    const from = Math.max(0, fromTimestamp, this.retention?.liveFrom ?? 0)
    if (toTimestamp < from) return undefined
    const gte = windowKey(keyBytes, from, 0)
    const lt =
      toTimestamp >= Number.MAX_SAFE_INTEGER
        ? Buffer.concat([keyBytes, Buffer.alloc(windowKeySuffixBytes, 0xff)])
        : windowKey(keyBytes, toTimestamp + 1, 0)
    return { gte, lt }
  }

  /** The values of `keyBytes` among scanned entries (a longer key sharing its bytes is not its). */
  private collect(keyBytes: Buffer, entries: readonly (readonly [Buffer, Buffer])[]): TimestampedValue<V>[] {
    const found: TimestampedValue<V>[] = []
    const length = keyBytes.length + windowKeySuffixBytes
    for (const [composite, bytes] of entries) {
      if (composite.length === length)
        found.push({ timestamp: windowKeyTimestamp(composite), value: this.decode(bytes) })
    }
    return found
  }

  async expireBefore(timestamp: number): Promise<number> {
    const from = this.expiredBefore
    if (timestamp <= from) return 0
    const expired = await expireBetween(this.logging, this.index, from, timestamp)
    this.expiredBefore = timestamp
    return expired
  }

  /** Forgets the expiry watermark; call whenever pending deletes were dropped or data replaced. */
  resetExpiry(): void {
    this.expiredBefore = 0
    this.retention?.reset()
  }

  private decode(bytes: Buffer): V {
    return deserializeStored(this.valueSerde, bytes, this.name)
  }
}
