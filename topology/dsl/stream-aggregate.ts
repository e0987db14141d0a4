// Aggregations of a grouped stream into a table (Kafka Streams' KStreamAggregate and KStreamReduce):
// one row per key in a timestamped store, each record folded into it, each new row forwarded.
import type { KeyValueStoreRef, StoreRef } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import type { StreamRecord } from '../record.js'
import type { Change, ValueAndTimestamp } from './change.js'
import { storeGetter, tableForwarder, type TableProducer, type ValueGetterSupplier } from './table-node.js'

export type Initializer<VA> = () => VA
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA
export type Reducer<V> = (aggregate: V, value: V) => V

/**
 * The store and old-value switch of one aggregation; several processors may fold into the same store
 * (cogroup). A record with a null key or value is dropped and counted. The new row's timestamp is the
 * latest of the record's and the old row's.
 */
export class StreamAggregateNode<K, VA> implements TableProducer<K, VA> {
  private sendOldValues = false

  constructor(readonly store: KeyValueStoreRef<K, ValueAndTimestamp<VA>>) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true
    return true
  }

  view(): ValueGetterSupplier<K, VA> {
    return storeGetter(this.store)
  }

  /**
   * A processor folding records with `aggregator`, starting from `initializer()`; a key's first update
   * carries the initial aggregate as its old value, as in Kafka Streams.
   */
  aggregator<V>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
  ): ProcessorSupplier<K, V, K, Change<VA>> {
    return this.supplier<V>(
      (old) => old ?? initializer(),
      (key, value, base) => aggregator(key, value, base as VA),
    )
  }

  /** A processor folding records with `reducer`; the first value of a key is its row. */
  reducer(reducer: Reducer<VA>): ProcessorSupplier<K, VA, K, Change<VA>> {
    return this.supplier<VA>(
      (old) => old,
      (_key, value, base) => (base === null ? value : reducer(base, value)),
    )
  }

  private supplier<V>(
    start: (old: VA | null) => VA | null,
    fold: (key: K, value: V, base: VA | null) => VA,
  ): ProcessorSupplier<K, V, K, Change<VA>> {
    const stores = (): readonly StoreRef[] => [this.store]
    return {
      get stores() {
        return stores()
      },
      create: (ctx) => {
        const store = ctx.store(this.store)
        const forward = tableForwarder(ctx, store, this.sendOldValues)
        const apply = (
          record: StreamRecord<K, V>,
          key: K,
          value: V,
          old: ValueAndTimestamp<VA> | undefined,
        ) => {
          const oldValue = start(old === undefined ? null : old.value)
          const newValue = fold(key, value, oldValue)
          const timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp)
          store.put(key, { value: newValue, timestamp })
          forward({ ...record, timestamp, value: { newValue, oldValue } })
        }
        return {
          // synchronous when the store has the row at hand (no promise per record), else after its get
          process: (record) => {
            const { key, value } = record
            if (key === null || key === undefined || value === null || value === undefined) {
              ctx.droppedRecord()
              return
            }
            const now = store.getNow?.(key)
            if (now !== undefined) return apply(record, key, value, now.value)
            return store.get(key).then((old) => apply(record, key, value, old))
          },
        }
      },
    }
  }
}
