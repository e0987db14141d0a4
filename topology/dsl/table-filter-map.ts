// KTable.filter / filterNot / mapValues (Kafka Streams' KTableFilter and KTableMapValues): stateless unless
// materialized; their value getters apply the same function to the parent's getter.
import type { KeyValueStoreRef, StoreRef } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import type { Change, ValueAndTimestamp } from './change.js'
import {
  tableForwarder,
  storeGetter,
  valueOrNull,
  type TableProducer,
  type ValueGetterSupplier,
} from './table-node.js'

/** The part of a KTable these operators need from their parent. */
export interface ParentTable<K, V> {
  enableSendingOldValues(forceMaterialization: boolean): boolean
  valueGetterSupplier(): ValueGetterSupplier<K, V>
}

/**
 * Kafka Streams' rule for an operator computed from its parent table: materialized, it reads old values
 * from its own store; otherwise it can send them only if its parent can (asked, with `forceMaterialization`).
 */
export function canSendOldValues<K, V>(
  store: KeyValueStoreRef<K, unknown> | undefined,
  parent: ParentTable<K, V>,
  forceMaterialization: boolean,
): boolean {
  return store !== undefined || parent.enableSendingOldValues(forceMaterialization)
}

/**
 * Shared shape of filter and mapValues: `compute` maps a parent value to this table's value (null: no row).
 * Kafka Streams' rules, kept here:
 * - the old value is sent only when asked for, computed from the parent's old value, or read from this
 *   operator's own store when it is materialized;
 * - filter drops an update whose old and new results are both absent, when it sends old values;
 * - a materialized operator writes its result to its store (a null result deletes) before forwarding.
 */
export class TableTransformNode<K, VIn, VOut> implements TableProducer<K, VOut> {
  private sendOldValues = false

  constructor(
    private readonly parent: ParentTable<K, VIn>,
    private readonly compute: (key: K, value: VIn) => VOut | null,
    private readonly isFilter: boolean,
    readonly store: KeyValueStoreRef<K, ValueAndTimestamp<VOut>> | undefined,
  ) {
    // a filter forwards old values when its parent can send them without materializing (Kafka Streams)
    if (isFilter) this.sendOldValues = parent.enableSendingOldValues(false)
  }

  enableSendingOldValues(forceMaterialization: boolean): boolean {
    if (canSendOldValues(this.store, this.parent, forceMaterialization)) this.sendOldValues = true
    return this.sendOldValues
  }

  view(): ValueGetterSupplier<K, VOut> {
    if (this.store !== undefined) return storeGetter(this.store)
    const parent = this.parent.valueGetterSupplier()
    const compute = this.compute
    return {
      storeRefs: () => parent.storeRefs(),
      create: (ctx) => {
        const getter = parent.create(ctx)
        return {
          get: async (key) => {
            const row = await getter.get(key)
            if (row === undefined) return undefined
            const value = compute(key, row.value)
            return value === null ? undefined : { value, timestamp: row.timestamp }
          },
        }
      },
    }
  }

  supplier(): ProcessorSupplier<K, Change<VIn>, K, Change<VOut>> {
    const stores = (): readonly StoreRef[] => (this.store ? [this.store] : [])
    return {
      get stores() {
        return stores()
      },
      create: (ctx) => {
        const store = this.store ? ctx.store(this.store) : undefined
        const sendOldValues = this.sendOldValues
        const forward = tableForwarder(ctx, store, sendOldValues)
        const computeOrNull = (key: K, value: VIn | null) =>
          value === null ? null : this.compute(key, value)
        return {
          process: async (record) => {
            const key = record.key
            const newValue = computeOrNull(key, record.value.newValue)
            let oldValue: VOut | null = null
            if (sendOldValues) {
              oldValue = store ? valueOrNull(await store.get(key)) : computeOrNull(key, record.value.oldValue)
            }
            if (this.isFilter && sendOldValues && oldValue === null && newValue === null) return
            const change = { ...record, value: { newValue, oldValue } }
            if (store === undefined) {
              ctx.forward(change)
              return
            }
            if (newValue === null) store.delete(key)
            else store.put(key, { value: newValue, timestamp: record.timestamp })
            forward(change)
          },
        }
      },
    }
  }
}
