// KStream: a record stream and its operators. Each operator adds nodes to the topology. A key-changing
// operator marks the stream; the next operator that needs records co-located by key (join, aggregate) first
// routes them through a repartition topic, as in Kafka Streams. The joins are built in kstream-join.ts.
import { type Serde } from '../../state/index.js'
import type { FixedKeyProcessorSupplier, FixedKeyRecord } from '../fixed-key-processor.js'
import type { ProcessorSupplier } from '../processor.js'
import type { StreamRecord } from '../record.js'
import { BranchedKStream } from './branched-kstream.js'
import type { DslContext } from './dsl-context.js'
import { KGroupedStream } from './kgrouped-stream.js'
import { KTable } from './ktable.js'
import { kstreamJoin } from './kstream-join.js'
import type { Grouped, Materialized, Named, Produced, Repartitioned, Serdes } from './options.js'
import { asKeySerdes, asSerdes, required, resolveMaterialized, tableStore } from './options.js'
import type { Printed } from './printed.js'
import type { GlobalKTable } from './stream-global-table-join.js'
import type { StreamJoined } from './stream-stream-join.js'
import { TableSourceNode } from './table-source.js'
import type { JoinWindows } from './windows.js'
import { isWindowedSerde, windowedPartitioner } from './windowed.js'

export interface KeyValue<K, V> {
  readonly key: K
  readonly value: V
}

/** Joiners get the two values and the key (Kafka Streams' ValueJoinerWithKey, arguments reordered). */
export type ValueJoiner<V1, V2, VR, K> = (value: V1, otherValue: V2, key: K) => VR

export class KStream<K, V> {
  constructor(
    protected readonly context: DslContext,
    /** The node whose output this stream is. */
    readonly node: string,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    /** The key was changed since the last (re)partitioning: co-location needs a repartition first. */
    readonly repartitionRequired: boolean,
  ) {}

  private stateless<K2, V2>(
    prefix: string,
    named: string | undefined,
    transform: (record: StreamRecord<K, V>, forward: (record: StreamRecord<K2, V2>) => void) => void,
    serdes: Serdes<K2, V2>,
    keyChanged: boolean,
  ): KStream<K2, V2> {
    const supplier: ProcessorSupplier<K, V, K2, V2> = {
      create: (ctx) => ({ process: (record) => transform(record, (out) => ctx.forward(out)) }),
    }
    const node = this.context.addProcessor(this.context.nameOr(named, prefix), supplier, [this.node])
    return new KStream(
      this.context,
      node,
      serdes.keySerde ?? (this.keySerde as unknown as Serde<K2>),
      serdes.valueSerde ?? (this.valueSerde as unknown as Serde<V2>),
      this.repartitionRequired || keyChanged,
    )
  }

  filter(predicate: (key: K, value: V) => boolean, named: Named = {}): KStream<K, V> {
    return this.stateless(
      'KSTREAM-FILTER-',
      named.name,
      (r, forward) => predicate(r.key, r.value) && forward(r),
      {},
      false,
    )
  }

  filterNot(predicate: (key: K, value: V) => boolean, named: Named = {}): KStream<K, V> {
    return this.stateless(
      'KSTREAM-FILTER-',
      named.name,
      (r, forward) => !predicate(r.key, r.value) && forward(r),
      {},
      false,
    )
  }

  /** New values; a serde passed directly or in `options` serializes them downstream. */
  mapValues<V2>(mapper: (value: V, key: K) => V2, options?: Serde<V2> | Serdes<K, V2>): KStream<K, V2> {
    const serdes = asSerdes(options)
    return this.stateless<K, V2>(
      'KSTREAM-MAPVALUES-',
      serdes.name,
      (r, forward) => forward({ ...r, value: mapper(r.value, r.key) }),
      serdes.valueSerde ? { valueSerde: serdes.valueSerde } : {},
      false,
    )
  }

  /** Changes key and value; marks the stream for repartitioning. */
  map<K2, V2>(mapper: (key: K, value: V) => KeyValue<K2, V2>, serdes: Serdes<K2, V2> = {}): KStream<K2, V2> {
    return this.stateless<K2, V2>(
      'KSTREAM-MAP-',
      serdes.name,
      (r, forward) => forward({ ...r, ...mapper(r.key, r.value) }),
      serdes,
      true,
    )
  }

  flatMap<K2, V2>(
    mapper: (key: K, value: V) => Iterable<KeyValue<K2, V2>>,
    serdes: Serdes<K2, V2> = {},
  ): KStream<K2, V2> {
    return this.stateless<K2, V2>(
      'KSTREAM-FLATMAP-',
      serdes.name,
      (r, forward) => {
        for (const kv of mapper(r.key, r.value)) forward({ ...r, ...kv })
      },
      serdes,
      true,
    )
  }

  flatMapValues<V2>(
    mapper: (value: V, key: K) => Iterable<V2>,
    options?: Serde<V2> | Serdes<K, V2>,
  ): KStream<K, V2> {
    const serdes = asSerdes(options)
    return this.stateless<K, V2>(
      'KSTREAM-FLATMAPVALUES-',
      serdes.name,
      (r, forward) => {
        for (const value of mapper(r.value, r.key)) forward({ ...r, value })
      },
      serdes.valueSerde ? { valueSerde: serdes.valueSerde } : {},
      false,
    )
  }

  /** A new key from the record; marks the stream for repartitioning. */
  selectKey<K2>(selector: (key: K, value: V) => K2, options?: Serde<K2> | Serdes<K2, V>): KStream<K2, V> {
    const serdes = asKeySerdes(options)
    return this.stateless<K2, V>(
      'KSTREAM-KEY-SELECT-',
      serdes.name,
      (r, forward) => forward({ ...r, key: selector(r.key, r.value) }),
      serdes.keySerde ? { keySerde: serdes.keySerde } : {},
      true,
    )
  }

  /** Calls `action` for each record and passes the record on unchanged. */
  peek(action: (key: K, value: V) => void, named: Named = {}): KStream<K, V> {
    return this.stateless(
      'KSTREAM-PEEK-',
      named.name,
      (r, forward) => {
        action(r.key, r.value)
        forward(r)
      },
      {},
      false,
    )
  }

  /** The records of both streams, in the order they arrive (Kafka Streams' merge). */
  merge(other: KStream<K, V>, named: Named = {}): KStream<K, V> {
    const name = this.context.nameOr(named.name, 'KSTREAM-MERGE-')
    this.context.addProcessor(name, { create: (ctx) => ({ process: (r) => ctx.forward(r) }) }, [
      this.node,
      other.node,
    ])
    return new KStream(
      this.context,
      name,
      this.keySerde,
      this.valueSerde,
      this.repartitionRequired || other.repartitionRequired,
    )
  }

  /** One stream per predicate: a record goes to the first branch whose predicate holds (or none). */
  branch(...predicates: ((key: K, value: V) => boolean)[]): KStream<K, V>[] {
    const branchNode = this.context.newName('KSTREAM-BRANCH-')
    const childNames = predicates.map(() => this.context.newName('KSTREAM-BRANCHCHILD-'))
    const supplier: ProcessorSupplier<K, V, K, V> = {
      create: (ctx) => ({
        process: (record) => {
          const index = predicates.findIndex((p) => p(record.key, record.value))
          if (index >= 0) ctx.forward(record, childNames[index])
        },
      }),
    }
    this.context.addProcessor(branchNode, supplier, [this.node])
    return childNames.map((name) => {
      this.context.addProcessor(name, { create: (ctx) => ({ process: (r) => ctx.forward(r) }) }, [branchNode])
      return new KStream(this.context, name, this.keySerde, this.valueSerde, this.repartitionRequired)
    })
  }

  /**
   * Splits the stream into branches by predicate (Kafka Streams' split, KIP-418): each record goes to the
   * first branch whose predicate holds, else to the default branch if any. `name` names the splitter and
   * prefixes the branches' names.
   */
  split(named: Named = {}): BranchedKStream<K, V> {
    const name = this.context.nameOr(named.name, 'KSTREAM-BRANCH-')
    return new BranchedKStream<K, V>(
      this.context,
      this.node,
      name,
      (node) => new KStream(this.context, node, this.keySerde, this.valueSerde, this.repartitionRequired),
    )
  }

  /** Calls `action` for each record; a terminal operation (Kafka Streams' foreach). */
  foreach(action: (key: K, value: V) => void, named: Named = {}): void {
    const name = this.context.nameOr(named.name, 'KSTREAM-FOREACH-')
    this.context.addProcessor<K, V, never, never>(
      name,
      { create: () => ({ process: (r) => action(r.key, r.value) }) },
      [this.node],
    )
  }

  /** Prints each record as `[<label>]: <key>, <value>`; a terminal operation (Kafka Streams' print). */
  print(printed: Printed<K, V>): void {
    const name = this.context.nameOr(printed.name, 'KSTREAM-PRINTER-')
    this.context.addProcessor<K, V, never, never>(
      name,
      { create: () => ({ process: (r) => printed.print(name, r.key, r.value) }) },
      [this.node],
    )
  }

  /**
   * Writes the stream to a topic. Windowed keys are partitioned by their plain key, as Kafka Streams'
   * WindowedStreamPartitioner does, unless a partitioner is given.
   */
  to(topic: string, produced: Produced<K, V> = {}): void {
    const keySerde = produced.keySerde ?? this.keySerde
    const partitioner =
      produced.partitioner ?? (isWindowedSerde(keySerde) ? windowedPartitioner(keySerde) : undefined)
    this.context.addSink({
      name: this.context.nameOr(produced.name, 'KSTREAM-SINK-'),
      topic,
      keySerde,
      valueSerde: produced.valueSerde ?? this.valueSerde,
      parents: [this.node],
      ...(partitioner ? { partitioner } : {}),
    })
  }

  /**
   * Attaches a Processor API processor; its output is a new stream. As Kafka Streams' `process()`: the
   * processor runs on the stream as it is (no repartition before it, even after a key change: call
   * `repartition()` first if its stores need the new key co-located), and since it may change keys, its
   * output is marked for repartitioning — the next key-based operator (groupByKey, join, toTable)
   * repartitions after it.
   */
  process<K2, V2>(supplier: ProcessorSupplier<K, V, K2, V2>, serdes: Serdes<K2, V2> = {}): KStream<K2, V2> {
    const name = this.context.nameOr(serdes.name ?? supplier.name, 'KSTREAM-PROCESSOR-')
    const node = this.context.addProcessor(name, supplier, [this.node])
    return new KStream(
      this.context,
      node,
      serdes.keySerde ?? (this.keySerde as unknown as Serde<K2>),
      serdes.valueSerde ?? (this.valueSerde as unknown as Serde<V2>),
      true,
    )
  }

  /**
   * Attaches a fixed-key processor (Kafka Streams' processValues, KIP-820): it may change values,
   * timestamps and headers but not keys, so, unlike `process`, it keeps the key serde and never causes a
   * repartition (nor does it repartition first: a key changed upstream is still to be repartitioned).
   */
  processValues<VOut>(
    supplier: FixedKeyProcessorSupplier<K, V, VOut>,
    options?: Serde<VOut> | Serdes<K, VOut>,
  ): KStream<K, VOut> {
    const serdes = asSerdes(options)
    const name = this.context.nameOr(serdes.name ?? supplier.name, 'KSTREAM-PROCESSVALUES-')
    const adapted: ProcessorSupplier<K, V, K, VOut> = {
      get stores() {
        return supplier.stores ?? []
      },
      create: (ctx) => {
        const processor = supplier.create(ctx)
        return {
          ...(processor.init ? { init: (c) => processor.init!(c) } : {}),
          process: (record) => processor.process(record as FixedKeyRecord<K, V>),
          ...(processor.close ? { close: () => processor.close!() } : {}),
        }
      },
    }
    const node = this.context.addProcessor(name, adapted, [this.node])
    return new KStream(
      this.context,
      node,
      this.keySerde,
      serdes.valueSerde ?? (this.valueSerde as unknown as Serde<VOut>),
      this.repartitionRequired,
    )
  }

  /**
   * Routes the records through a repartition topic now (`<app>-<name>-repartition`), with its own serdes,
   * partition count or partitioner if given (Kafka Streams' KStream.repartition(Repartitioned)).
   */
  repartition(options: Repartitioned<K, V> | string = {}): KStream<K, V> {
    const o = typeof options === 'string' ? { name: options } : options
    const keySerde = o.keySerde ?? this.keySerde
    const valueSerde = o.valueSerde ?? this.valueSerde
    const base = this.context.nameOr(o.name, 'KSTREAM-REPARTITION-')
    const source = this.context.repartition({
      parent: this.node,
      topic: `${base}-repartition`,
      sinkName: `${base}-repartition-sink`,
      sourceName: `${base}-repartition-source`,
      keySerde,
      valueSerde,
      partitions: o.partitions,
      partitioner: o.partitioner,
    })
    return new KStream(this.context, source, keySerde, valueSerde, false)
  }

  /**
   * This stream, repartitioned first if its key changed: records with a null key are dropped (they
   * cannot be co-located), then written to `<app>-<prefix>-repartition` keyed by their key.
   */
  colocated(topicPrefix?: string, serdes: Serdes<K, V> = {}): KStream<K, V> {
    if (!this.repartitionRequired) return this
    const keySerde = serdes.keySerde ?? this.keySerde
    const valueSerde = serdes.valueSerde ?? this.valueSerde
    const prefix = topicPrefix ?? this.context.newName('KSTREAM-REPARTITION-')
    const sinkName = this.context.newName('KSTREAM-SINK-')
    const filterName = this.context.newName('KSTREAM-FILTER-')
    const sourceName = this.context.newName('KSTREAM-SOURCE-')
    this.context.addProcessor<K, V, K, V>(
      filterName,
      {
        create: (ctx) => ({
          process: (r) => (r.key === null || r.key === undefined ? undefined : ctx.forward(r)),
        }),
      },
      [this.node],
    )
    const source = this.context.repartition({
      parent: filterName,
      topic: prefix.endsWith('-repartition') ? prefix : `${prefix}-repartition`,
      sinkName,
      sourceName,
      keySerde,
      valueSerde,
    })
    return new KStream(this.context, source, keySerde, valueSerde, false)
  }

  /** The stream as a table: each record an upsert of its key (Kafka Streams' KStream.toTable). */
  toTable(options: Named & Materialized<K, V> = {}): KTable<K, V> {
    const stream = this.colocated()
    const name = this.context.nameOr(options.name, 'KSTREAM-TOTABLE-')
    const m = resolveMaterialized(this.context, options, 'KSTREAM-TOTABLE-')
    const keySerde = m.keySerde ?? this.keySerde
    const valueSerde = m.valueSerde ?? this.valueSerde
    const node = new TableSourceNode(tableStore(m, keySerde, valueSerde), m.queryable)
    this.context.addProcessor(name, node.supplier(), [stream.node])
    return new KTable(this.context, name, keySerde, valueSerde, node, m.queryable ? m.storeName : undefined)
  }

  /**
   * Joins each record with the other stream's records of the same key within the join window (inner), or
   * with the table's current value for its key. The stream (and the other stream) is repartitioned first
   * if its key changed.
   */
  join<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO, VR, K>,
    windows: JoinWindows,
    options?: StreamJoined<K, V, VO> & Serdes<K, VR>,
  ): KStream<K, VR>
  join<VT, VR>(
    table: KTable<K, VT>,
    joiner: ValueJoiner<V, VT, VR, K>,
    options?: Serde<VR> | Serdes<K, VR>,
  ): KStream<K, VR>
  /** Joins each record with the global table's row under the key `keySelector` picks; a miss drops it. */
  join<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG | null,
    joiner: ValueJoiner<V, VG, VR, K>,
    options?: Serde<VR> | Serdes<K, VR>,
  ): KStream<K, VR>
  join(other: unknown, joiner: unknown, third?: unknown, fourth?: unknown): unknown {
    return kstreamJoin(this.context, this, 'inner', other, joiner, third, fourth)
  }

  /** As `join`, but every record of this stream produces output: without a match the joiner gets null. */
  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    windows: JoinWindows,
    options?: StreamJoined<K, V, VO> & Serdes<K, VR>,
  ): KStream<K, VR>
  leftJoin<VT, VR>(
    table: KTable<K, VT>,
    joiner: ValueJoiner<V, VT | null, VR, K>,
    options?: Serde<VR> | Serdes<K, VR>,
  ): KStream<K, VR>
  /** As the global-table `join`, but a miss (or a null key) is joined with null. */
  leftJoin<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG | null,
    joiner: ValueJoiner<V, VG | null, VR, K>,
    options?: Serde<VR> | Serdes<K, VR>,
  ): KStream<K, VR>
  leftJoin(other: unknown, joiner: unknown, third?: unknown, fourth?: unknown): unknown {
    return kstreamJoin(this.context, this, 'left', other, joiner, third, fourth)
  }

  /** Windowed outer join: records of either stream without a match are joined with null once their window closed. */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    options?: StreamJoined<K, V, VO> & Serdes<K, VR>,
  ): KStream<K, VR> {
    return kstreamJoin(this.context, this, 'outer', other, joiner, windows, options) as KStream<K, VR>
  }

  /** The windowed inner join under its earlier name. */
  joinWindowed<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO, VR, K>,
    windows: JoinWindows,
    valueSerde?: Serde<VR>,
  ): KStream<K, VR> {
    return this.join(other, joiner, windows, valueSerde ? { valueSerde } : {})
  }

  /** Groups by the current key (repartitioned first at the aggregation if the key changed). */
  groupByKey(grouped: Grouped<K, V> = {}): KGroupedStream<K, V> {
    return new KGroupedStream(
      this.context,
      this,
      required(grouped.keySerde ?? this.keySerde, 'groupByKey (key)'),
      required(grouped.valueSerde ?? this.valueSerde, 'groupByKey (value)'),
      grouped.name,
    )
  }

  /** Groups by a new key: `selectKey` then `groupByKey` (always repartitioned). */
  groupBy<K2>(selector: (key: K, value: V) => K2, grouped: Grouped<K2, V> = {}): KGroupedStream<K2, V> {
    return this.selectKey(selector, grouped.keySerde ? { keySerde: grouped.keySerde } : undefined).groupByKey(
      grouped,
    )
  }
}
