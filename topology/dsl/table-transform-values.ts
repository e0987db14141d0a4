// KTable.transformValues (Kafka Streams' KTableTransformValues): mapValues with a transformer made per task,
// which may read and write its own stores. As in Kafka Streams, and unlike mapValues:
// - the transformer sees deletes too (`value` null), and its null result deletes the row downstream;
// - unless materialized, the old value is the transformer applied to the parent's old value, and a
//   downstream join reading this table gets the transformer applied to the parent's row (null when the
//   parent has none; a row without a parent row gets timestamp -1, Kafka Streams' UNKNOWN);
// - materialized, it writes each result to its store before forwarding, and reads rows from there.
import type { KeyValueStoreRef, StoreRef } from '../../state/index.js'
import type { ProcessorContext, ProcessorSupplier } from '../processor.js'
import type { Change, ValueAndTimestamp } from './change.js'
import { canSendOldValues, type ParentTable } from './table-filter-map.js'
import {
  storeGetter,
  tableForwarder,
  valueOrNull,
  type TableProducer,
  type ValueGetterSupplier,
} from './table-node.js'

/** Kafka Streams' ValueTransformerWithKey: no forwarding, a value per call (null: no row). */
export interface ValueTransformerWithKey<K, V, VR> {
  /** Gets the stores it declared (`context.store(ref)`); cannot forward. */
  init?(context: Omit<ProcessorContext<unknown, unknown>, 'forward'>): void | Promise<void>
  transform(key: K, value: V | null): VR | null | Promise<VR | null>
  close?(): void | Promise<void>
}

/** Makes a fresh transformer per task (and per downstream reader of an unmaterialized table). */
export interface ValueTransformerWithKeySupplier<K, V, VR> {
  /** The stores the transformers use; the topology creates them per task. */
  readonly stores?: readonly StoreRef[]
  get(): ValueTransformerWithKey<K, V, VR>
}

export class TableTransformValuesNode<K, VIn, VOut> implements TableProducer<K, VOut> {
  private sendOldValues = false

  constructor(
    private readonly parent: ParentTable<K, VIn>,
    private readonly transformers: ValueTransformerWithKeySupplier<K, VIn, VOut>,
    readonly store: KeyValueStoreRef<K, ValueAndTimestamp<VOut>> | undefined,
  ) {}

  enableSendingOldValues(forceMaterialization: boolean): boolean {
    if (canSendOldValues(this.store, this.parent, forceMaterialization)) this.sendOldValues = true
    return this.sendOldValues
  }

  view(): ValueGetterSupplier<K, VOut> {
    if (this.store !== undefined) return storeGetter(this.store)
    const parent = this.parent.valueGetterSupplier()
    const transformers = this.transformers
    return {
      storeRefs: () => [...parent.storeRefs(), ...(transformers.stores ?? [])],
      create: (ctx) => {
        const getter = parent.create(ctx)
        const transformer = transformers.get()
        const ready = Promise.resolve(transformer.init?.(ctx))
        return {
          get: async (key) => {
            await ready
            const row = await getter.get(key)
            const value = await transformer.transform(key, row === undefined ? null : row.value)
            return value === null ? undefined : { value, timestamp: row?.timestamp ?? -1 }
          },
        }
      },
    }
  }

  supplier(): ProcessorSupplier<K, Change<VIn>, K, Change<VOut>> {
    const stores = (): readonly StoreRef[] => [
      ...(this.store ? [this.store] : []),
      ...(this.transformers.stores ?? []),
    ]
    return {
      get stores() {
        return stores()
      },
      create: (ctx) => {
        const store = this.store ? ctx.store(this.store) : undefined
        const sendOldValues = this.sendOldValues
        const forward = tableForwarder(ctx, store, sendOldValues)
        const transformer = this.transformers.get()
        return {
          init: async () => {
            await transformer.init?.(ctx)
          },
          process: async (record) => {
            const key = record.key
            const newValue = await transformer.transform(key, record.value.newValue)
            if (store === undefined) {
              const oldValue = sendOldValues ? await transformer.transform(key, record.value.oldValue) : null
              ctx.forward({ ...record, value: { newValue, oldValue } })
              return
            }
            const oldValue = sendOldValues ? valueOrNull(await store.get(key)) : null
            if (newValue === null) store.delete(key)
            else store.put(key, { value: newValue, timestamp: record.timestamp })
            forward({ ...record, value: { newValue, oldValue } })
          },
          close: async () => {
            await transformer.close?.()
          },
        }
      },
    }
  }
}
