// What the test driver takes and gives (topology-test-driver.ts): its options, raw input records, captured
// output records, and the read-only view of a store.
import type { Headers, OutgoingRecord } from '../../kafka/index.js'
import type { KeyValue, KeyValueStore } from '../../state/index.js'
import type { ValueAndTimestamp } from '../dsl/change.js'
import type { FailureHandling, FailureStage } from '../runtime/record-sink.js'

export interface TestDriverOptions {
  readonly applicationId?: string
  /** Partitions of every topic (default 1). */
  readonly partitions?: number
  readonly deadLetterTopic?: string
  readonly handling?: Partial<Record<FailureStage, FailureHandling>>
  /** Initial wall-clock time (default 0). */
  readonly wallClockMs?: number
  /** As the runtime's (default 0): a task waits this long (wall clock) for an empty input partition. */
  readonly maxTaskIdleMs?: number
  /**
   * As the runtime's (default 0: every update forwarded): the record cache's size. The driver commits
   * after each pipe and each wall-clock advance, so the cache deduplicates the updates of one pipe.
   */
  readonly cacheMaxBytes?: number
  /** As the runtime's (default 16 MiB): the bytes the key-value stores' caches of deserialized values hold together. */
  readonly storeCacheMaxBytes?: number
}

/** A record to pipe, as bytes. */
export interface RawInput extends PipeOptions {
  readonly topic: string
  readonly key: Buffer | null
  readonly value: Buffer | null
}

export interface PipeOptions {
  readonly timestamp?: number
  readonly headers?: Headers
  readonly partition?: number
}

/** An output record as the driver captured it, with its raw bytes. */
export interface CapturedRecord extends OutgoingRecord {
  readonly offset: number
}

/** A store as the test driver shows it: reads only. */
export interface ReadOnlyKeyValueStore<K, V> {
  readonly name: string
  get(key: K): Promise<V | undefined>
  /** Every row, in key byte order. */
  all(): Promise<KeyValue<K, V>[]>
}

/** A key-value store, read only. */
export function readOnlyView<K, V>(name: string, store: KeyValueStore<K, V>): ReadOnlyKeyValueStore<K, V> {
  return {
    name,
    get: (key) => store.get(key),
    all: async () => {
      const rows: KeyValue<K, V>[] = []
      for await (const row of store.range()) rows.push(row)
      return rows
    },
  }
}

/** A key-value store, read only, with plain values: the value alone when the store keeps its timestamp. */
export function plainView<K, V>(
  name: string,
  store: KeyValueStore<K, unknown>,
  timestamped: boolean,
): ReadOnlyKeyValueStore<K, V> {
  const plain = (value: unknown) => (timestamped ? (value as ValueAndTimestamp<V>).value : (value as V))
  return {
    name,
    get: async (key) => {
      const value = await store.get(key)
      return value === undefined ? undefined : plain(value)
    },
    all: async () => {
      const rows: KeyValue<K, V>[] = []
      for await (const { key, value } of store.range()) rows.push({ key, value: plain(value) })
      return rows
    },
  }
}
