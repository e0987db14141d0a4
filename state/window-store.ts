// The typed window store that windowed joins use.

export interface TimestampedValue<V> {
  readonly timestamp: number
  readonly value: V
}

/**
 * Values by key and time, several per key and timestamp, for windowed stream–stream joins.
 *
 * Invariants:
 * - Timestamps are integers >= 0 (Kafka record timestamps); others throw `STORE_INVALID_ARGUMENT`.
 * - `fetch` returns one key's values in timestamp order, and in insertion order within a timestamp
 *   (except across a wrap of the store's 32-bit put sequence, once per 2^32 puts).
 * - Read-your-writes, and writes do no I/O, as for `KeyValueStore`.
 * - Values are not cached, but treat them as immutable all the same.
 */
export interface WindowStore<K, V> {
  readonly name: string
  /**
   * Adds a value; never replaces one. A value older than the last `expireBefore` time, or (for a store
   * with a retention) at or before stream time minus retention, is dropped and `put` returns false, as
   * Kafka Streams drops writes to expired segments. Reads never return values past retention.
   */
  put(key: K, value: V, timestamp: number): boolean
  /** Values of `key` with `fromTimestamp <= timestamp <= toTimestamp` (both inclusive). */
  fetch(key: K, fromTimestamp: number, toTimestamp: number): Promise<readonly TimestampedValue<V>[]>
  /**
   * `fetch`, answered at once when the store can do it without waiting (its scan reads memory and
   * synchronous reads, and no expiry is due); `undefined` when it cannot: then call `fetch`.
   */
  fetchNow?(key: K, fromTimestamp: number, toTimestamp: number): readonly TimestampedValue<V>[] | undefined
  /**
   * Removes every value with a timestamp before `timestamp` (retention); returns how many.
   * Cost is proportional to the values removed, not to the store size. Removals are applied
   * locally at commit and are not logged: the changelog topic must expire them itself
   * (`cleanup.policy=compact,delete` with `retention.ms` at least the store's retention).
   */
  expireBefore(timestamp: number): Promise<number>
}
