// The session store of session aggregations: `key ‖ end ‖ start` keys (Kafka Streams' SessionKeySchema)
// over the caching and change-logging layers, with the time index (by session end) for retention.

import type { CachingTimeKeyedStore } from './caching-time-keyed-store.js'
import { deserializeStored } from './deserialize-stored.js'
import type { Serde } from './serde.js'
import { Retention } from './time-expiry.js'
import type { TimeIndexedBytesStore } from './time-indexed-bytes-store.js'
import type { CachedSessionChange, SessionStore, SessionValue, Window } from './time-window-store.js'
import { sessionKey, sessionKeySuffixBytes, sessionKeyWindow } from './window-key.js'

export interface SessionStoreOptions<K, V> {
  readonly name: string
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  readonly retentionMs: number
  /** Timestamp of changelog records: the record being processed (default: the session end). */
  readonly timestamp?: (() => number) | undefined
}

const maxSuffix = Buffer.alloc(sessionKeySuffixBytes, 0xff)

/**
 * `SessionStore` reading and writing through the record-caching layer (a pass-through until a flush
 * listener is set). Retention is decided here, at the put: the cache keeps only admitted sessions.
 */
export class IndexedSessionStore<K, V> implements SessionStore<K, V> {
  readonly name: string
  readonly retentionMs: number
  private readonly keySerde: Serde<K>
  private readonly valueSerde: Serde<V>
  private readonly retention: Retention
  private readonly timestamp: (() => number) | undefined

  constructor(
    readonly cache: CachingTimeKeyedStore,
    index: TimeIndexedBytesStore,
    options: SessionStoreOptions<K, V>,
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

  /** Whether a session key is within retention (the caching layer writes expired ones nowhere). */
  isLive(composite: Buffer): boolean {
    return sessionKeyWindow(composite).end >= this.retention.liveFrom
  }

  setFlushListener(listener: (change: CachedSessionChange<K, V>) => void, sendOldValues: boolean): boolean {
    return this.cache.setFlushListener(
      (composite, newValue, oldValue, timestamp) =>
        listener({
          key: this.keySerde.deserialize(composite.subarray(0, composite.length - sessionKeySuffixBytes)),
          window: sessionKeyWindow(composite),
          newValue: newValue === undefined ? undefined : this.decode(newValue),
          oldValue: oldValue === undefined ? undefined : this.decode(oldValue),
          timestamp,
        }),
      sendOldValues,
    )
  }

  async findSessions(
    key: K,
    earliestSessionEnd: number,
    latestSessionStart: number,
  ): Promise<readonly SessionValue<K, V>[]> {
    await this.retention.sweep()
    const keyBytes = this.keySerde.serialize(key)
    const from = Math.max(earliestSessionEnd, this.retention.liveFrom, 0)
    const length = keyBytes.length + sessionKeySuffixBytes
    const range = { gte: sessionKey(keyBytes, 0, from), lt: Buffer.concat([keyBytes, maxSuffix]) }
    const found: SessionValue<K, V>[] = []
    for await (const [composite, bytes] of this.cache.range(range)) {
      if (composite.length !== length) continue
      const window = sessionKeyWindow(composite)
      if (window.start <= latestSessionStart) found.push({ key, window, value: this.decode(bytes) })
    }
    return found
  }

  async fetchSession(key: K, start: number, end: number): Promise<V | undefined> {
    await this.retention.sweep()
    if (end < this.retention.liveFrom) return undefined
    const bytes = await this.cache.get(sessionKey(this.keySerde.serialize(key), start, end))
    return bytes === undefined ? undefined : this.decode(bytes)
  }

  put(key: K, window: Window, value: V): boolean {
    const composite = sessionKey(this.keySerde.serialize(key), window.start, window.end)
    if (!this.retention.admit(window.end)) return false
    this.cache.put(composite, this.valueSerde.serialize(value), this.timestamp?.() ?? window.end)
    return true
  }

  remove(key: K, window: Window): void {
    const composite = sessionKey(this.keySerde.serialize(key), window.start, window.end)
    this.cache.delete(composite, this.timestamp?.() ?? window.end)
  }

  reset(): void {
    this.retention.reset()
  }

  private decode(bytes: Buffer): V {
    return deserializeStored(this.valueSerde, bytes, this.name)
  }
}
