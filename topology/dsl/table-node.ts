// The contract between a KTable and the processor that produces it (Kafka Streams' KTableProcessorSupplier):
// downstream operators ask it to send old values, and read its current values through a value getter.
import type { KeyValueStore, KeyValueStoreRef, StoreRef } from '../../state/index.js'
import type { ProcessorContext } from '../processor.js'
import type { StreamRecord } from '../record.js'
import type { Change, ValueAndTimestamp } from './change.js'

/** Reads a table's current row for a key, as of the record being processed. */
export interface ValueGetter<K, V> {
  get(key: K): Promise<ValueAndTimestamp<V> | undefined>
  /** `get`'s answer when the table has it at hand (see `KeyValueStore.getNow`), else undefined. */
  getNow?(key: K): { readonly value: ValueAndTimestamp<V> | undefined } | undefined
}

/** Makes value getters per task; a processor using one declares `storeRefs()` in its own stores. */
export interface ValueGetterSupplier<K, V> {
  /** The stores the getter reads; asked when the topology is built. */
  storeRefs(): readonly StoreRef[]
  create(context: ProcessorContext<unknown, unknown>): ValueGetter<K, V>
}

/** The processor behind a KTable, as downstream operators see it. */
export interface TableProducer<K, V> {
  /**
   * Asks the producer to forward old values with new ones. Returns false when it cannot without
   * materializing a store and `forceMaterialization` is false (it then sends none).
   */
  enableSendingOldValues(forceMaterialization: boolean): boolean
  /** How to read the table's current values (materializing the producer's store if it must). */
  view(): ValueGetterSupplier<K, V>
}

/** A getter that reads a materialized table store. */
export function storeGetter<K, V>(ref: KeyValueStoreRef<K, ValueAndTimestamp<V>>): ValueGetterSupplier<K, V> {
  return {
    storeRefs: () => [ref],
    create: (context) => {
      const store = context.store(ref)
      return { get: (key) => store.get(key), getNow: (key) => store.getNow?.(key) }
    },
  }
}

/**
 * How a table operator forwards its updates (Kafka Streams' TimestampedTupleForwarder with its
 * TimestampedCacheFlushListener). When its store caches records (the instance's `cacheMaxBytes` > 0, the
 * store's cache on), the returned function forwards nothing: the store hands each key's latest update on
 * when its cache is flushed (every commit) or evicts it, with the store's previous value as old value when
 * asked for, and the update's own timestamp. Otherwise it forwards every update with `forwardChange`.
 */
export function tableForwarder<K, V>(
  context: ProcessorContext<K, Change<V>>,
  store: KeyValueStore<K, ValueAndTimestamp<V>> | undefined,
  sendOldValues: boolean,
): (record: StreamRecord<K, Change<V>>) => void {
  const caching =
    store?.setFlushListener?.(
      (change) =>
        context.forward({
          key: change.key,
          value: { newValue: change.newValue?.value ?? null, oldValue: change.oldValue?.value ?? null },
          timestamp: change.newValue?.timestamp ?? change.timestamp,
        }),
      sendOldValues,
    ) === true
  return caching ? () => undefined : (record) => forwardChange(context, record, sendOldValues)
}

/** Forwards a table update: the old value only when it was asked for. */
export function forwardChange<K, V>(
  context: ProcessorContext<K, Change<V>>,
  record: StreamRecord<K, Change<V>>,
  sendOldValues: boolean,
): void {
  if (sendOldValues || record.value.oldValue === null) context.forward(record)
  else context.forward({ ...record, value: { newValue: record.value.newValue, oldValue: null } })
}

export function valueOrNull<V>(row: ValueAndTimestamp<V> | undefined): V | null {
  return row === undefined ? null : row.value
}
