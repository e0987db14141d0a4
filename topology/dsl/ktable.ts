// KTable: the latest value per key. Its node forwards each update as a Change (new value, and the old one
// when a downstream operator asked for it); downstream joins read its rows through a value getter.
import type { KeyValueStoreRef, Serde } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import type { Change, ValueAndTimestamp } from './change.js'
import type { DslContext } from './dsl-context.js'
import { TopologyError } from '../errors.js'
import { foreignKeyJoin, type ForeignKeyJoinOptions } from './foreign-key-join.js'
import { KGroupedTable, repartitionMap } from './kgrouped-table.js'
import { KStream, type KeyValue } from './kstream.js'
import type { Grouped, Materialized, Named } from './options.js'
import { resolveMaterialized, tableStore } from './options.js'
import { SuppressNode, type Suppressed } from './suppress.js'
import { TableTransformNode } from './table-filter-map.js'
import type { TableProducer, ValueGetterSupplier } from './table-node.js'
import { TableTransformValuesNode, type ValueTransformerWithKeySupplier } from './table-transform-values.js'
import { TableJoinMergeNode, tableTableJoin, type TableJoinKind } from './table-table-join.js'

export type TableOptions<K, V> = Named & Materialized<K, V>

export class KTable<K, V> {
  private sendingOldValues = false

  constructor(
    readonly context: DslContext,
    /** The node that forwards the table's updates (as `Change<V>` records). */
    readonly node: string,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    /** The processor behind this table. */
    readonly producer: TableProducer<K, V>,
    /** The store's name when the user named it (queryable). */
    readonly queryableStoreName?: string,
    /** The grace period of the windowed aggregation this table comes from (for `suppress.untilWindowCloses`). */
    readonly windowGraceMs?: number,
  ) {}

  /** Asks the table's producer to send old values downstream (see TableProducer). */
  enableSendingOldValues(forceMaterialization: boolean): boolean {
    if (!this.sendingOldValues) {
      if (!this.producer.enableSendingOldValues(forceMaterialization)) return false
      this.sendingOldValues = true
    }
    return true
  }

  /** How downstream processors read this table's rows. */
  valueGetterSupplier(): ValueGetterSupplier<K, V> {
    return this.producer.view()
  }

  /** The rows whose value satisfies `predicate`; a row that stops satisfying it is deleted downstream. */
  filter(predicate: (key: K, value: V) => boolean, options: TableOptions<K, V> = {}): KTable<K, V> {
    return this.transform('KTABLE-FILTER-', (k, v) => (predicate(k, v) ? v : null), true, options)
  }

  filterNot(predicate: (key: K, value: V) => boolean, options: TableOptions<K, V> = {}): KTable<K, V> {
    return this.transform('KTABLE-FILTER-', (k, v) => (predicate(k, v) ? null : v), true, options)
  }

  /** New values per row (a null result deletes the row downstream). */
  mapValues<V2>(mapper: (value: V, key: K) => V2 | null, options: TableOptions<K, V2> = {}): KTable<K, V2> {
    return this.transform('KTABLE-MAPVALUES-', (k, v) => mapper(v, k), false, options)
  }

  /**
   * New values from a transformer made per task, which may use stores (Kafka Streams' transformValues):
   * see table-transform-values.ts for how it differs from mapValues (it also sees deletes).
   */
  transformValues<V2>(
    supplier: ValueTransformerWithKeySupplier<K, V, V2>,
    options: TableOptions<K, V2> = {},
  ): KTable<K, V2> {
    return this.derive(
      'KTABLE-TRANSFORMVALUES-',
      options,
      (store) => new TableTransformValuesNode<K, V, V2>(this, supplier, store),
    )
  }

  private transform<V2>(
    prefix: string,
    compute: (key: K, value: V) => V2 | null,
    isFilter: boolean,
    options: TableOptions<K, V2>,
  ): KTable<K, V2> {
    return this.derive(
      prefix,
      options,
      (store) => new TableTransformNode<K, V, V2>(this, compute, isFilter, store),
    )
  }

  /** A table computed row by row from this one; it has a store of its own when `options` names one. */
  private derive<V2>(
    prefix: string,
    options: TableOptions<K, V2>,
    makeNode: (
      store: KeyValueStoreRef<K, ValueAndTimestamp<V2>> | undefined,
    ) => TableProducer<K, V2> & { supplier(): ProcessorSupplier<K, Change<V>, K, Change<V2>> },
  ): KTable<K, V2> {
    const name = this.context.nameOr(options.name, prefix)
    const valueSerde = options.valueSerde ?? (this.valueSerde as unknown as Serde<V2>)
    const store =
      options.storeName === undefined
        ? undefined
        : tableStore(
            resolveMaterialized(this.context, options, prefix),
            options.keySerde ?? this.keySerde,
            valueSerde,
          )
    const node = makeNode(store)
    this.context.addProcessor(name, node.supplier(), [this.node])
    return new KTable(
      this.context,
      name,
      this.keySerde,
      valueSerde,
      node,
      options.storeName,
      this.windowGraceMs,
    )
  }

  /** The table's updates as a stream; a deleted row arrives as a null value. */
  toStream(named?: Named): KStream<K, V | null>
  /** The updates as a stream with a new key per record (marks the stream for repartitioning). */
  toStream<K2>(
    keyMapper: (key: K, value: V | null) => K2,
    options?: Named & { keySerde?: Serde<K2> },
  ): KStream<K2, V | null>
  toStream<K2>(
    first?: Named | ((key: K, value: V | null) => K2),
    second?: Named & { keySerde?: Serde<K2> },
  ): KStream<K, V | null> | KStream<K2, V | null> {
    const named = typeof first === 'function' ? (second ?? {}) : (first ?? {})
    const name = this.context.nameOr(named.name, 'KTABLE-TOSTREAM-')
    const supplier: ProcessorSupplier<K, Change<V>, K, V | null> = {
      create: (ctx) => ({ process: (r) => ctx.forward({ ...r, value: r.value.newValue }) }),
    }
    this.context.addProcessor(name, supplier, [this.node])
    const stream = new KStream<K, V | null>(this.context, name, this.keySerde, this.valueSerde, false)
    if (typeof first !== 'function') return stream
    const keyMapper = first as (key: K, value: V | null) => K2
    return stream.selectKey(keyMapper, second?.keySerde ? { keySerde: second.keySerde } : undefined)
  }

  /** Inner table–table join: a row exists where both tables have one. */
  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    options?: TableOptions<K, VR>,
  ): KTable<K, VR>
  /**
   * Inner foreign-key join (KIP-213): each row joins the other table's row whose key `foreignKeyExtractor`
   * takes from this row's value. The tables may be keyed and partitioned differently.
   */
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V, key: K) => KO | null,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    options?: TableOptions<K, VR>,
  ): KTable<K, VR>
  join(other: object, second: unknown, third?: unknown, fourth?: unknown): unknown {
    return this.anyJoin(other, second, third, fourth, 'inner')
  }

  /** Left table–table join: every row of this table, joined with the other's row or null. */
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO | null, key: K) => VR,
    options?: TableOptions<K, VR>,
  ): KTable<K, VR>
  /** Left foreign-key join: every row of this table, joined with its foreign row or null. */
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V, key: K) => KO | null,
    joiner: (value: V, otherValue: VO | null, key: K) => VR,
    options?: TableOptions<K, VR>,
  ): KTable<K, VR>
  leftJoin(other: object, second: unknown, third?: unknown, fourth?: unknown): unknown {
    return this.anyJoin(other, second, third, fourth, 'left')
  }

  private anyJoin(other: object, second: unknown, third: unknown, fourth: unknown, kind: 'inner' | 'left') {
    if (typeof third !== 'function') {
      const joiner = second as (v: V | null, o: unknown, k: K) => unknown
      return this.tableJoin(other as KTable<K, unknown>, joiner, kind, third ?? {})
    }
    const result = foreignKeyJoin(
      this.context,
      this,
      other as KTable<unknown, unknown>,
      second as (value: V, key: K) => unknown,
      third as (value: V, foreignValue: unknown, key: K) => unknown,
      kind === 'left',
      (fourth ?? {}) as ForeignKeyJoinOptions<K, unknown>,
    )
    return new KTable(
      this.context,
      result.node,
      this.keySerde,
      result.valueSerde,
      result.producer,
      result.queryable,
    )
  }

  /** Outer table–table join: a row where either table has one, the missing side null. */
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    options: TableOptions<K, VR> = {},
  ): KTable<K, VR> {
    return this.tableJoin(other, joiner, 'outer', options)
  }

  private tableJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    kind: TableJoinKind,
    options: TableOptions<K, VR>,
  ): KTable<K, VR> {
    const store =
      options.storeName === undefined
        ? undefined
        : tableStore(
            resolveMaterialized(this.context, options, 'KTABLE-MERGE-'),
            options.keySerde ?? this.keySerde,
            options.valueSerde ?? (this.valueSerde as unknown as Serde<VR>),
          )
    const names = {
      merge: this.context.nameOr(options.name, 'KTABLE-MERGE-'),
      thisName: this.context.suffixedOr(options.name, '-join-this', 'KTABLE-JOINTHIS-'),
      otherName: this.context.suffixedOr(options.name, '-join-other', 'KTABLE-JOINOTHER-'),
    }
    const merge = new TableJoinMergeNode(kind, this, other, joiner, store)
    const node = tableTableJoin(this.context, merge, this, other, names)
    const valueSerde = options.valueSerde ?? (this.valueSerde as unknown as Serde<VR>)
    return new KTable(this.context, node, this.keySerde, valueSerde, merge, options.storeName)
  }

  /**
   * Re-keys the table for an aggregation (Kafka Streams' KTable.groupBy): each update goes through the
   * repartition topic `<app>-<name>-repartition` as a Change, so the aggregate can subtract old values.
   */
  groupBy<K1, V1>(
    selector: (key: K, value: V) => KeyValue<K1, V1>,
    grouped: Grouped<K1, V1> = {},
  ): KGroupedTable<K1, V1> {
    const name = this.context.nameOr(grouped.name, 'KTABLE-SELECT-')
    const keySerde = grouped.keySerde ?? (this.keySerde as unknown as Serde<K1>)
    const valueSerde = grouped.valueSerde ?? (this.valueSerde as unknown as Serde<V1>)
    this.context.addProcessor(name, repartitionMap(selector, keySerde), [this.node])
    this.enableSendingOldValues(true)
    return new KGroupedTable(this.context, name, keySerde, valueSerde, grouped.name)
  }

  /**
   * Holds back updates (Kafka Streams' KTable.suppress): `Suppressed.untilWindowCloses` emits each window's
   * final result once it closed; `Suppressed.untilTimeLimit` each key's latest update after a time limit.
   */
  suppress(suppressed: Suppressed): KTable<K, V> {
    const name = suppressed.name ?? this.context.newName('KTABLE-SUPPRESS-')
    const storeName =
      suppressed.name === undefined
        ? this.context.newStoreName('KTABLE-SUPPRESS-')
        : `${suppressed.name}-store`
    if (suppressed.kind === 'window-close' && this.windowGraceMs === undefined)
      throw new TopologyError(
        'untilWindowCloses suppresses windowed tables only: this table does not come from a windowed aggregation',
      )
    const node = new SuppressNode(this, suppressed, storeName, this.windowGraceMs ?? 0)
    this.context.addProcessor(name, node.supplier(), [this.node])
    return new KTable(this.context, name, this.keySerde, this.valueSerde, node, undefined, this.windowGraceMs)
  }
}
