// The metered layer of window stores: the typed public face, counting and timing operations.

import type { StoreMetrics } from './store-metrics.js'
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

  put(key: K, value: V, timestamp: number): void {
    if (!this.timed) {
      this.metrics.recordOperation(this.name, 'put', undefined)
      this.inner.put(key, value, timestamp)
      return
    }
    const start = process.hrtime.bigint()
    this.inner.put(key, value, timestamp)
    this.metrics.recordOperation(this.name, 'put', Number(process.hrtime.bigint() - start))
  }

  fetch(key: K, fromTimestamp: number, toTimestamp: number): Promise<readonly TimestampedValue<V>[]> {
    return this.measure('fetch', () => this.inner.fetch(key, fromTimestamp, toTimestamp))
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
