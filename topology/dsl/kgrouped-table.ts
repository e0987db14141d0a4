// KTable.groupBy and KGroupedTable (Kafka Streams' KTableRepartitionMap, KGroupedTableImpl, KTableAggregate,
// KTableReduce): each table update is re-keyed and sent through a repartition topic as a Change; the
// aggregation subtracts the old value from its old group and adds the new value to its new group.
import { int64Serde, type Serde, type StoreRef } from '../../state/index.js'
import { StreamsError } from '../errors.js'
import type { ProcessorSupplier } from '../processor.js'
import { changeSerde, type Change } from './change.js'
import type { DslContext } from './dsl-context.js'
import type { KeyValue } from './kstream.js'
import { KTable } from './ktable.js'
import { resolveMaterialized, tableStore, type Materialized, type Named } from './options.js'
import type { Aggregator, Initializer, Reducer } from './stream-aggregate.js'
import { storeGetter, tableForwarder, type TableProducer, type ValueGetterSupplier } from './table-node.js'

export type GroupedTableOptions<K, VA> = Named & Materialized<K, VA>

/**
 * Re-keys each update: the new value to its new group and the old value (subtracted) to its old group; one
 * record carrying both when they fall in the same group. Pairs with a null key or value are skipped.
 */
export function repartitionMap<K, V, K1, V1>(
  selector: (key: K, value: V) => KeyValue<K1, V1>,
  keySerde: Serde<K1>,
): ProcessorSupplier<K, Change<V>, K1, Change<V1>> {
  return {
    create: (ctx) => ({
      process: (record) => {
        if (record.key === null || record.key === undefined)
          throw new StreamsError('PROCESSING', 'the key of a grouped table record must not be null')
        const { newValue, oldValue } = record.value
        const newPair = newValue === null ? null : selector(record.key, newValue)
        const oldPair = oldValue === null ? null : selector(record.key, oldValue)
        const present = (pair: KeyValue<K1, V1> | null): pair is KeyValue<K1, V1> =>
          pair !== null &&
          pair.key !== null &&
          pair.key !== undefined &&
          pair.value !== null &&
          pair.value !== undefined
        if (
          present(newPair) &&
          present(oldPair) &&
          keySerde.serialize(newPair.key).equals(keySerde.serialize(oldPair.key))
        ) {
          ctx.forward({
            ...record,
            key: oldPair.key,
            value: { newValue: newPair.value, oldValue: oldPair.value },
          })
          return
        }
        if (present(oldPair))
          ctx.forward({ ...record, key: oldPair.key, value: { newValue: null, oldValue: oldPair.value } })
        if (present(newPair))
          ctx.forward({ ...record, key: newPair.key, value: { newValue: newPair.value, oldValue: null } })
      },
    }),
  }
}

/** The aggregation of a grouped table: subtract the old value, then add the new one. */
class TableAggregateNode<K, V, VA> implements TableProducer<K, VA> {
  private sendOldValues = false

  constructor(
    readonly store: ReturnType<typeof tableStore<K, VA>>,
    private readonly initializer: Initializer<VA | null>,
    private readonly adder: Aggregator<K, V, VA | null>,
    private readonly subtractor: Aggregator<K, V, VA>,
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true
    return true
  }

  view(): ValueGetterSupplier<K, VA> {
    return storeGetter(this.store)
  }

  supplier(): ProcessorSupplier<K, Change<V>, K, Change<VA>> {
    const stores = (): readonly StoreRef[] => [this.store]
    return {
      get stores() {
        return stores()
      },
      create: (ctx) => {
        const store = ctx.store(this.store)
        const forward = tableForwarder(ctx, store, this.sendOldValues)
        return {
          process: async (record) => {
            if (record.key === null || record.key === undefined)
              throw new StreamsError(
                'PROCESSING',
                `the key of an aggregation of table store ${this.store.name} must not be null`,
              )
            const old = await store.get(record.key)
            const oldAgg = old === undefined ? null : old.value
            let timestamp = record.timestamp
            let intermediate: VA | null = oldAgg
            if (record.value.oldValue !== null && oldAgg !== null) {
              intermediate = this.subtractor(record.key, record.value.oldValue, oldAgg)
              timestamp = Math.max(record.timestamp, old!.timestamp)
            }
            let newAgg = intermediate
            if (record.value.newValue !== null) {
              newAgg = this.adder(record.key, record.value.newValue, intermediate ?? this.initializer())
              if (old !== undefined) timestamp = Math.max(record.timestamp, old.timestamp)
            }
            if (newAgg === null) store.delete(record.key)
            else store.put(record.key, { value: newAgg, timestamp })
            forward({ ...record, timestamp, value: { newValue: newAgg, oldValue: oldAgg } })
          },
        }
      },
    }
  }
}

export class KGroupedTable<K, V> {
  /** The repartition source, shared by aggregations when the Grouped name fixed the topic. */
  private repartitioned: string | undefined

  constructor(
    private readonly context: DslContext,
    private readonly selectNode: string,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    private readonly groupedName: string | undefined,
  ) {}

  /** Folds each group's values: `adder` for new values, `subtractor` for the values they replace. */
  aggregate<VA>(
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
    options: GroupedTableOptions<K, VA> & { readonly valueSerde: Serde<VA> },
  ): KTable<K, VA> {
    return this.build(
      options,
      'KTABLE-AGGREGATE-',
      options.valueSerde,
      initializer,
      adder as Aggregator<K, V, VA | null>,
      subtractor,
    )
  }

  /** As `aggregate`, with the first value of a group as its aggregate. */
  reduce(adder: Reducer<V>, subtractor: Reducer<V>, options: GroupedTableOptions<K, V> = {}): KTable<K, V> {
    return this.build<V>(
      options,
      'KTABLE-REDUCE-',
      options.valueSerde ?? this.valueSerde,
      () => null,
      (_k, v, agg) => (agg === null ? v : adder(agg, v)),
      (_k, v, agg) => subtractor(agg, v),
      'KTABLE-AGGREGATE-',
    )
  }

  /** Rows per group (8-byte Long values); a group whose rows all left counts 0. */
  count(options: GroupedTableOptions<K, number> = {}): KTable<K, number> {
    return this.build<number>(
      options,
      'KTABLE-AGGREGATE-',
      options.valueSerde ?? int64Serde,
      () => 0,
      (_k, _v, n) => (n ?? 0) + 1,
      (_k, _v, n) => n - 1,
    )
  }

  private build<VA>(
    options: GroupedTableOptions<K, VA>,
    functionPrefix: string,
    valueSerde: Serde<VA>,
    initializer: Initializer<VA | null>,
    adder: Aggregator<K, V, VA | null>,
    subtractor: Aggregator<K, V, VA>,
    storePrefix = functionPrefix,
  ): KTable<K, VA> {
    const m = resolveMaterialized(this.context, options, storePrefix)
    const keySerde = m.keySerde ?? this.keySerde
    const sinkName = this.context.suffixedOr(options.name, '-sink', 'KSTREAM-SINK-')
    const sourceName = this.context.suffixedOr(options.name, '-source', 'KSTREAM-SOURCE-')
    const name = this.context.nameOr(options.name, functionPrefix)
    let source = this.groupedName === undefined ? undefined : this.repartitioned
    if (source === undefined) {
      source = this.context.repartition({
        parent: this.selectNode,
        topic: `${this.groupedName ?? m.storeName}-repartition`,
        sinkName,
        sourceName,
        keySerde: this.keySerde,
        valueSerde: changeSerde(this.valueSerde),
      })
      this.repartitioned = source
    }
    const node = new TableAggregateNode<K, V, VA>(
      tableStore(m, keySerde, valueSerde),
      initializer,
      adder,
      subtractor,
    )
    this.context.addProcessor(name, node.supplier(), [source])
    return new KTable(this.context, name, keySerde, valueSerde, node, m.queryable ? m.storeName : undefined)
  }
}
