// The processor that turns a topic into a table (Kafka Streams' KTableSource). Its store exists only when
// the table is materialized: named by the user, or needed by a downstream join, suppression or grouping.
import type { KeyValueStoreRef, StoreRef } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import type { Change, ValueAndTimestamp } from './change.js'
import {
  storeGetter,
  tableForwarder,
  valueOrNull,
  type TableProducer,
  type ValueGetterSupplier,
} from './table-node.js'

/**
 * Every record is an upsert of its key (a null value deletes it). Records with a null key are dropped and
 * counted. Materialized, it forwards `(new, old)` with the old value read from its store; otherwise
 * `(new, null)`, every record, as it arrives.
 */
export class TableSourceNode<K, V> implements TableProducer<K, V> {
  private materialized: boolean
  private sendOldValues = false

  constructor(
    readonly store: KeyValueStoreRef<K, ValueAndTimestamp<V>>,
    materialized: boolean,
  ) {
    this.materialized = materialized
  }

  get isMaterialized(): boolean {
    return this.materialized
  }

  enableSendingOldValues(forceMaterialization: boolean): boolean {
    if (!forceMaterialization && !this.materialized) return false
    this.materialized = true
    this.sendOldValues = true
    return true
  }

  view(): ValueGetterSupplier<K, V> {
    this.materialized = true
    return storeGetter(this.store)
  }

  supplier(): ProcessorSupplier<K, V | null, K, Change<V>> {
    const stores = (): readonly StoreRef[] => (this.materialized ? [this.store] : [])
    return {
      get stores() {
        return stores()
      },
      create: (ctx) => {
        const store = this.materialized ? ctx.store(this.store) : undefined
        const forward = tableForwarder(ctx, store, this.sendOldValues)
        return {
          process: async (record) => {
            if (record.key === null || record.key === undefined) {
              ctx.droppedRecord()
              return
            }
            if (store === undefined) {
              ctx.forward({ ...record, value: { newValue: record.value, oldValue: null } })
              return
            }
            const old = valueOrNull(await store.get(record.key))
            if (record.value === null) store.delete(record.key)
            else store.put(record.key, { value: record.value, timestamp: record.timestamp })
            forward({ ...record, value: { newValue: record.value, oldValue: old } })
          },
        }
      },
    }
  }
}
