// The typed stores of windowed aggregations: one value per key and window (time windows), and one value
// per key and session (session windows). Both keep Kafka Streams' retention rule (see time-expiry.ts).

export interface Window {
  readonly start: number
  readonly end: number
}

/** A value of one key in the window that starts at `windowStart`. */
export interface WindowedValue<V> {
  readonly windowStart: number
  readonly value: V
}

export interface KeyWindowedValue<K, V> extends WindowedValue<V> {
  readonly key: K
}

/**
 * A window's change as the record cache hands it on (see `TimeWindowStore.setFlushListener`): the value
 * written last (`undefined`: deleted), the value the store held before (only with `sendOldValues`), and
 * the record time of the last write.
 */
export interface CachedWindowChange<K, V> {
  readonly key: K
  readonly windowStart: number
  readonly newValue: V | undefined
  readonly oldValue: V | undefined
  readonly timestamp: number
}

/** A session's change as the record cache hands it on (see `SessionStore.setFlushListener`). */
export interface CachedSessionChange<K, V> {
  readonly key: K
  readonly window: Window
  readonly newValue: V | undefined
  readonly oldValue: V | undefined
  readonly timestamp: number
}

/**
 * One value per key and window start, for windowed aggregations (Kafka Streams' window store with
 * `retainDuplicates = false`).
 *
 * Invariants:
 * - Retention: the store's stream time is the greatest window start put (or restored). A put for a
 *   window start at or before `streamTime - retentionMs` is dropped (`put` returns false), and reads
 *   never return such windows.
 * - Read-your-writes; writes do no I/O (they reach disk at commit), as for `KeyValueStore`.
 * - Ranges are in window-start order (`fetchAll`: window start, then key bytes).
 */
export interface TimeWindowStore<K, V> {
  readonly name: string
  readonly retentionMs: number
  /** The greatest window start put or restored; -1 before any. */
  readonly streamTime: number
  /** Sets (or with `undefined`, deletes) the value of `key` in the window starting at `windowStart`. */
  put(key: K, value: V | undefined, windowStart: number): boolean
  fetch(key: K, windowStart: number): Promise<V | undefined>
  /**
   * `fetch`, answered at once when the store can do it without waiting (the record cache or a synchronous
   * read below has the answer, and no expiry is due); `undefined` when it cannot: then call `fetch`.
   */
  fetchNow?(key: K, windowStart: number): { readonly value: V | undefined } | undefined
  /** `key`'s windows with `from <= windowStart <= to`, in start order (reversed when `backward`). */
  fetchRange(key: K, from: number, to: number, backward?: boolean): Promise<readonly WindowedValue<V>[]>
  /** Every key's windows with `from <= windowStart <= to`. */
  fetchAll(from: number, to: number): Promise<readonly KeyWindowedValue<K, V>[]>
  /**
   * Record caching (Kafka Streams' CachingWindowStore, for the DSL's windowed aggregations): when the
   * instance has a record cache (`cacheMaxBytes` > 0) and the store's cache is on (`cacheMaxEntries` > 0),
   * the store keeps each window's latest write and calls `listener` with it when the cache is flushed
   * (every commit) or evicts it, right after writing it through; repeated writes to a window in between
   * are one call. Returns false, and never calls `listener`, when the store does not cache records.
   */
  setFlushListener?(listener: (change: CachedWindowChange<K, V>) => void, sendOldValues: boolean): boolean
}

export interface SessionValue<K, V> {
  readonly key: K
  readonly window: Window
  readonly value: V
}

/**
 * One value per key and session window `[start, end]` (both inclusive), for session aggregations.
 *
 * Invariants: as `TimeWindowStore`, with the session's end as its time: a session that ends at or
 * before `streamTime - retentionMs` is expired.
 */
export interface SessionStore<K, V> {
  readonly name: string
  readonly retentionMs: number
  /** The greatest session end put or restored; -1 before any. */
  readonly streamTime: number
  /**
   * `key`'s sessions that end at or after `earliestSessionEnd` and start at or before
   * `latestSessionStart`, ordered by end, then start (Kafka Streams' `findSessions`).
   */
  findSessions(
    key: K,
    earliestSessionEnd: number,
    latestSessionStart: number,
  ): Promise<readonly SessionValue<K, V>[]>
  fetchSession(key: K, start: number, end: number): Promise<V | undefined>
  /** Puts a session; false when it is already expired (dropped). */
  put(key: K, window: Window, value: V): boolean
  remove(key: K, window: Window): void
  /** Record caching, as `TimeWindowStore.setFlushListener`, per session (Kafka Streams' CachingSessionStore). */
  setFlushListener?(listener: (change: CachedSessionChange<K, V>) => void, sendOldValues: boolean): boolean
}
