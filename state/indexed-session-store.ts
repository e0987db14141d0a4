// The session store of session aggregations: `key ‖ end ‖ start` keys (Kafka Streams' SessionKeySchema)
// over the change-logging layer, with the time index (by session end) for retention.

import type { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js'
import { StateStoreError } from './errors.js'
import type { Serde } from './serde.js'
import { Retention } from './time-expiry.js'
import type { TimeIndexedBytesStore } from './time-indexed-bytes-store.js'
import type { SessionStore, SessionValue, Window } from './time-window-store.js'
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

export class IndexedSessionStore<K, V> implements SessionStore<K, V> {
  readonly name: string
  readonly retentionMs: number
  private readonly keySerde: Serde<K>
  private readonly valueSerde: Serde<V>
  private readonly retention: Retention
  private readonly timestamp: (() => number) | undefined

  constructor(
    readonly logging: ChangeLoggingKeyValueStore,
    index: TimeIndexedBytesStore,
    options: SessionStoreOptions<K, V>,
  ) {
    this.name = options.name
    this.keySerde = options.keySerde
    this.valueSerde = options.valueSerde
    this.retentionMs = options.retentionMs
    this.timestamp = options.timestamp
    this.retention = new Retention(options.retentionMs, logging, index)
  }

  get streamTime(): number {
    return this.retention.streamTime
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
    for await (const [composite, bytes] of this.logging.range(range)) {
      if (composite.length !== length) continue
      const window = sessionKeyWindow(composite)
      if (window.start <= latestSessionStart) found.push({ key, window, value: this.decode(bytes) })
    }
    return found
  }

  async fetchSession(key: K, start: number, end: number): Promise<V | undefined> {
    await this.retention.sweep()
    if (end < this.retention.liveFrom) return undefined
    const bytes = await this.logging.get(sessionKey(this.keySerde.serialize(key), start, end))
    return bytes === undefined ? undefined : this.decode(bytes)
  }

  put(key: K, window: Window, value: V): boolean {
    const composite = sessionKey(this.keySerde.serialize(key), window.start, window.end)
    if (!this.retention.admit(window.end)) return false
    this.logging.put(composite, this.valueSerde.serialize(value), this.timestamp?.() ?? window.end)
    return true
  }

  remove(key: K, window: Window): void {
    const composite = sessionKey(this.keySerde.serialize(key), window.start, window.end)
    this.logging.delete(composite, this.timestamp?.() ?? window.end)
  }

  reset(): void {
    this.retention.reset()
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
}
