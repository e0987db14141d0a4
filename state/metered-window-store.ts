// The metered layer of window and session stores: the typed public face, counting and timing operations.

import { recordIfAnswered, type StoreMetrics, type StoreOperation } from './store-metrics.js'
import type { SessionStore, TimeWindowStore } from './time-window-store.js'
import type { TimestampedValue, WindowStore } from './window-store.js'

/** The `WindowStore` handed to processors; reports every operation to `metrics`. */
export class MeteredWindowStore<K, V> implements WindowStore<K, V> {
  readonly name: string
  private readonly timed: boolean

  constructor(
    private readonly inner: WindowStore<K, V>,
    private readonly metrics: StoreMetrics,
  ) {
    this.name = inner.name
    this.timed = metrics.timed
  }

  put(key: K, value: V, timestamp: number): boolean {
    if (!this.timed) {
      this.metrics.recordOperation(this.name, 'put', undefined)
      return this.inner.put(key, value, timestamp)
    }
    const start = process.hrtime.bigint()
    const stored = this.inner.put(key, value, timestamp)
    this.metrics.recordOperation(this.name, 'put', Number(process.hrtime.bigint() - start))
    return stored
  }

  fetch(key: K, fromTimestamp: number, toTimestamp: number): Promise<readonly TimestampedValue<V>[]> {
    return this.measure('fetch', () => this.inner.fetch(key, fromTimestamp, toTimestamp))
  }

  fetchNow(key: K, fromTimestamp: number, toTimestamp: number): readonly TimestampedValue<V>[] | undefined {
    return recordIfAnswered(this.metrics, this.name, 'fetch', () =>
      this.inner.fetchNow?.(key, fromTimestamp, toTimestamp),
    )
  }

  expireBefore(timestamp: number): Promise<number> {
    return this.measure('expire', () => this.inner.expireBefore(timestamp))
  }

  private async measure<T>(operation: 'fetch' | 'expire', run: () => Promise<T>): Promise<T> {
    if (!this.timed) {
      this.metrics.recordOperation(this.name, operation, undefined)
      return run()
    }
    const start = process.hrtime.bigint()
    try {
      return await run()
    } finally {
      this.metrics.recordOperation(this.name, operation, Number(process.hrtime.bigint() - start))
    }
  }
}

/** The metered face of a `TimeWindowStore`: counts puts and fetches (timed when `metrics.timed`). */
export function meteredTimeWindowStore<K, V>(
  inner: TimeWindowStore<K, V>,
  metrics: StoreMetrics,
): TimeWindowStore<K, V> {
  const measure = measurer(inner.name, metrics)
  return {
    name: inner.name,
    retentionMs: inner.retentionMs,
    get streamTime() {
      return inner.streamTime
    },
    put: (key, value, windowStart) => measure('put', () => inner.put(key, value, windowStart)),
    fetch: (key, windowStart) => measure('fetch', () => inner.fetch(key, windowStart)),
    fetchNow: (key, windowStart) =>
      recordIfAnswered(metrics, inner.name, 'fetch', () => inner.fetchNow?.(key, windowStart)),
    fetchRange: (key, from, to, backward) =>
      measure('fetch', () => inner.fetchRange(key, from, to, backward)),
    fetchAll: (from, to) => measure('fetch', () => inner.fetchAll(from, to)),
    setFlushListener: (listener, sendOldValues) => inner.setFlushListener?.(listener, sendOldValues) ?? false,
  }
}

/** The metered face of a `SessionStore`. */
export function meteredSessionStore<K, V>(
  inner: SessionStore<K, V>,
  metrics: StoreMetrics,
): SessionStore<K, V> {
  const measure = measurer(inner.name, metrics)
  return {
    name: inner.name,
    retentionMs: inner.retentionMs,
    get streamTime() {
      return inner.streamTime
    },
    findSessions: (key, earliestEnd, latestStart) =>
      measure('fetch', () => inner.findSessions(key, earliestEnd, latestStart)),
    fetchSession: (key, start, end) => measure('fetch', () => inner.fetchSession(key, start, end)),
    put: (key, window, value) => measure('put', () => inner.put(key, window, value)),
    remove: (key, window) => measure('delete', () => inner.remove(key, window)),
    setFlushListener: (listener, sendOldValues) => inner.setFlushListener?.(listener, sendOldValues) ?? false,
  }
}

/** Runs an operation, recording it (and, when timed, its duration — of the promise, for async ones). */
function measurer(store: string, metrics: StoreMetrics) {
  return <T>(operation: StoreOperation, run: () => T): T => {
    if (!metrics.timed) {
      metrics.recordOperation(store, operation, undefined)
      return run()
    }
    const start = process.hrtime.bigint()
    const result = run()
    if (result instanceof Promise) {
      return result.finally(() =>
        metrics.recordOperation(store, operation, Number(process.hrtime.bigint() - start)),
      ) as T
    }
    metrics.recordOperation(store, operation, Number(process.hrtime.bigint() - start))
    return result
  }
}
