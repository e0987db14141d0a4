// The metered layer: the typed public face of a key-value store stack, counting and timing operations.

import type { ByteRange } from './byte-range.js'
import { prefixRange } from './byte-range.js'
import type { CachingKeyValueStore } from './caching-key-value-store.js'
import type { FlushListener, KeyRange, KeyValue, KeyValueStore } from './key-value-store.js'
import type { Serde, Serializer } from './serde.js'
import { recordIfAnswered, type StoreMetrics, type StoreOperation } from './store-metrics.js'

/**
 * The `KeyValueStore` handed to processors. Translates typed ranges and prefixes into byte
 * ranges and reports every operation to `metrics`; the clock is read only when `metrics.timed`.
 */
export class MeteredKeyValueStore<K, V> implements KeyValueStore<K, V> {
  readonly name: string
  private readonly timed: boolean

  constructor(
    private readonly inner: CachingKeyValueStore<K, V>,
    private readonly keySerde: Serde<K>,
    private readonly metrics: StoreMetrics,
  ) {
    this.name = inner.name
    this.timed = metrics.timed
  }

  setFlushListener(listener: FlushListener<K, V>, sendOldValues: boolean): boolean {
    return this.inner.setFlushListener(listener, sendOldValues)
  }

  async get(key: K): Promise<V | undefined> {
    if (!this.timed) {
      this.metrics.recordOperation(this.name, 'get', undefined)
      return this.inner.get(key)
    }
    const start = process.hrtime.bigint()
    try {
      return await this.inner.get(key)
    } finally {
      this.metrics.recordOperation(this.name, 'get', Number(process.hrtime.bigint() - start))
    }
  }

  getNow(key: K): { readonly value: V | undefined } | undefined {
    return recordIfAnswered(this.metrics, this.name, 'get', () => this.inner.getNow(key))
  }

  put(key: K, value: V): void {
    if (!this.timed) {
      this.metrics.recordOperation(this.name, 'put', undefined)
      this.inner.put(key, value)
      return
    }
    const start = process.hrtime.bigint()
    this.inner.put(key, value)
    this.metrics.recordOperation(this.name, 'put', Number(process.hrtime.bigint() - start))
  }

  delete(key: K): void {
    if (!this.timed) {
      this.metrics.recordOperation(this.name, 'delete', undefined)
      this.inner.delete(key)
      return
    }
    const start = process.hrtime.bigint()
    this.inner.delete(key)
    this.metrics.recordOperation(this.name, 'delete', Number(process.hrtime.bigint() - start))
  }

  range(range: KeyRange<K> = {}): AsyncIterable<KeyValue<K, V>> {
    return this.scan(this.byteRange(range))
  }

  rangeNow(range: KeyRange<K> = {}): readonly KeyValue<K, V>[] | undefined {
    return recordIfAnswered(this.metrics, this.name, 'range', () => this.inner.scanNow(this.byteRange(range)))
  }

  private byteRange(range: KeyRange<K>): ByteRange {
    return {
      gte: range.gte === undefined ? undefined : this.keySerde.serialize(range.gte),
      lt: range.lt === undefined ? undefined : this.keySerde.serialize(range.lt),
    }
  }

  prefixScan(prefix: K): AsyncIterable<KeyValue<K, V>>
  prefixScan<P>(prefix: P, prefixSerializer: Serializer<P>): AsyncIterable<KeyValue<K, V>>
  prefixScan(prefix: unknown, prefixSerializer?: Serializer<unknown>): AsyncIterable<KeyValue<K, V>> {
    const bytes =
      prefixSerializer === undefined
        ? this.keySerde.serialize(prefix as K)
        : prefixSerializer.serialize(prefix)
    return this.scan(prefixRange(bytes))
  }

  private scan(range: ByteRange): AsyncIterable<KeyValue<K, V>> {
    if (!this.timed) {
      this.metrics.recordOperation(this.name, 'range', undefined)
      return this.inner.scan(range)
    }
    return timed(this.inner.scan(range), this.metrics, this.name, 'range')
  }
}

/** Wraps an iteration so that its whole duration is recorded once, when it ends or is abandoned. */
export async function* timed<T>(
  iterable: AsyncIterable<T>,
  metrics: StoreMetrics,
  store: string,
  operation: StoreOperation,
): AsyncGenerator<T> {
  const start = process.hrtime.bigint()
  try {
    yield* iterable
  } finally {
    metrics.recordOperation(store, operation, Number(process.hrtime.bigint() - start))
  }
}
