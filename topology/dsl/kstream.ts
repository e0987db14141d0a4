// KStream: a record stream and its stateless operators, joins and grouping. Each operator adds nodes to the
// topology. A key-changing operator marks the stream; the next operator that needs records co-located by
// key (join, aggregate) first routes them through a repartition topic, as in Kafka Streams.
import { type KeyValueStoreRef, type Serde } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import type { StreamRecord } from '../record.js'
import type { Partitioner } from '../topology.js'
import { KGroupedStream } from './kgrouped-stream.js'
import type { KTable } from './ktable.js'
import { streamStreamJoin, type JoinWindows } from './stream-stream-join.js'
import type { DslContext } from './streams-builder.js'

export interface KeyValue<K, V> {
  readonly key: K
  readonly value: V
}

export interface Produced<K, V> {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  readonly partitioner?: Partitioner
}

export interface Serdes<K, V> {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
}

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
    kind: string,
    transform: (record: StreamRecord<K, V>, forward: (record: StreamRecord<K2, V2>) => void) => void,
    serdes: Serdes<K2, V2>,
    keyChanged: boolean,
  ): KStream<K2, V2> {
    const supplier: ProcessorSupplier<K, V, K2, V2> = {
      create: (ctx) => ({ process: (record) => transform(record, (out) => ctx.forward(out)) }),
    }
    const node = this.context.addProcessor(kind, supplier, [this.node])
    return new KStream(
      this.context,
      node,
      serdes.keySerde ?? (this.keySerde as unknown as Serde<K2>),
      serdes.valueSerde ?? (this.valueSerde as unknown as Serde<V2>),
      this.repartitionRequired || keyChanged,
    )
  }

  filter(predicate: (key: K, value: V) => boolean): KStream<K, V> {
    return this.stateless('FILTER', (r, forward) => predicate(r.key, r.value) && forward(r), {}, false)
  }

  filterNot(predicate: (key: K, value: V) => boolean): KStream<K, V> {
    return this.filter((k, v) => !predicate(k, v))
  }

  mapValues<V2>(mapper: (value: V, key: K) => V2, valueSerde?: Serde<V2>): KStream<K, V2> {
    return this.stateless<K, V2>(
      'MAPVALUES',
      (r, forward) => forward({ ...r, value: mapper(r.value, r.key) }),
      valueSerde ? { valueSerde } : {},
      false,
    )
  }

  /** Changes key and value; marks the stream for repartitioning. */
  map<K2, V2>(mapper: (key: K, value: V) => KeyValue<K2, V2>, serdes: Serdes<K2, V2> = {}): KStream<K2, V2> {
    return this.stateless<K2, V2>(
      'MAP',
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
      'FLATMAP',
      (r, forward) => {
        for (const kv of mapper(r.key, r.value)) forward({ ...r, ...kv })
      },
      serdes,
      true,
    )
  }

  flatMapValues<V2>(mapper: (value: V, key: K) => Iterable<V2>, valueSerde?: Serde<V2>): KStream<K, V2> {
    return this.stateless<K, V2>(
      'FLATMAPVALUES',
      (r, forward) => {
        for (const value of mapper(r.value, r.key)) forward({ ...r, value })
      },
      valueSerde ? { valueSerde } : {},
      false,
    )
  }

  /** A new key from the record; marks the stream for repartitioning. */
  selectKey<K2>(selector: (key: K, value: V) => K2, keySerde?: Serde<K2>): KStream<K2, V> {
    return this.stateless<K2, V>(
      'KEY-SELECT',
      (r, forward) => forward({ ...r, key: selector(r.key, r.value) }),
      keySerde ? { keySerde } : {},
      true,
    )
  }

  peek(action: (key: K, value: V) => void): KStream<K, V> {
    return this.stateless(
      'PEEK',
      (r, forward) => {
        action(r.key, r.value)
        forward(r)
      },
      {},
      false,
    )
  }

  /** One stream per predicate: a record goes to the first branch whose predicate holds (or none). */
  branch(...predicates: ((key: K, value: V) => boolean)[]): KStream<K, V>[] {
    const branchNode = this.context.name('BRANCH')
    const childNames = predicates.map((_, i) => `${branchNode}-${i}`)
    const supplier: ProcessorSupplier<K, V, K, V> = {
      name: branchNode,
      create: (ctx) => ({
        process: (record) => {
          const index = predicates.findIndex((p) => p(record.key, record.value))
          if (index >= 0) ctx.forward(record, childNames[index])
        },
      }),
    }
    this.context.addProcessor('BRANCH', supplier, [this.node])
    return childNames.map((name) => {
      this.context.addProcessor(
        'BRANCH-CHILD',
        { name, create: (ctx) => ({ process: (r) => ctx.forward(r) }) },
        [branchNode],
      )
      return new KStream(this.context, name, this.keySerde, this.valueSerde, this.repartitionRequired)
    })
  }

  /** Writes the stream to a topic. */
  to(topic: string, produced: Produced<K, V> = {}): void {
    this.context.addSink({
      topic,
      keySerde: produced.keySerde ?? this.keySerde,
      valueSerde: produced.valueSerde ?? this.valueSerde,
      parents: [this.node],
      ...(produced.partitioner ? { partitioner: produced.partitioner } : {}),
    })
  }

  /** Attaches a Processor API processor; its output is a new stream. */
  process<K2, V2>(supplier: ProcessorSupplier<K, V, K2, V2>, serdes: Serdes<K2, V2> = {}): KStream<K2, V2> {
    const source = this.colocated()
    const node = this.context.addProcessor('PROCESSOR', supplier, [source.node])
    return new KStream(
      this.context,
      node,
      serdes.keySerde ?? (this.keySerde as unknown as Serde<K2>),
      serdes.valueSerde ?? (this.valueSerde as unknown as Serde<V2>),
      false,
    )
  }

  /** Routes the records through a repartition topic now (named `<app>-<name>-repartition`). */
  repartition(name?: string): KStream<K, V> {
    const source = this.context.repartition(this.node, this.keySerde, this.valueSerde, name)
    return new KStream(this.context, source, this.keySerde, this.valueSerde, false)
  }

  /** This stream, repartitioned first if its key changed. */
  colocated(): KStream<K, V> {
    return this.repartitionRequired ? this.repartition() : this
  }

  /** Inner stream–table join: each record is joined with the table's current value for its key. */
  join<VT, VR>(
    table: KTable<K, VT>,
    joiner: (value: V, tableValue: VT, key: K) => VR,
    valueSerde?: Serde<VR>,
  ): KStream<K, VR> {
    return this.tableJoin(table, joiner, valueSerde, false)
  }

  /** Left stream–table join: records without a table value are joined with `undefined`. */
  leftJoin<VT, VR>(
    table: KTable<K, VT>,
    joiner: (value: V, tableValue: VT | undefined, key: K) => VR,
    valueSerde?: Serde<VR>,
  ): KStream<K, VR> {
    return this.tableJoin(table, joiner, valueSerde, true)
  }

  private tableJoin<VT, VR>(
    table: KTable<K, VT>,
    joiner: (value: V, tableValue: VT, key: K) => VR,
    valueSerde: Serde<VR> | undefined,
    left: boolean,
  ) {
    const stream = this.colocated()
    const store: KeyValueStoreRef<K, VT> = table.store
    const supplier: ProcessorSupplier<K, V, K, VR> = {
      stores: [store],
      create: (ctx) => {
        const kv = ctx.store(store)
        return {
          process: async (record) => {
            const tableValue = await kv.get(record.key)
            if (tableValue === undefined && !left) return
            ctx.forward({ ...record, value: joiner(record.value, tableValue as VT, record.key) })
          },
        }
      },
    }
    const node = this.context.addProcessor(left ? 'LEFTJOIN' : 'JOIN', supplier, [stream.node])
    return new KStream<K, VR>(
      this.context,
      node,
      this.keySerde,
      valueSerde ?? (this.valueSerde as unknown as Serde<VR>),
      false,
    )
  }

  /**
   * Windowed inner stream–stream join: records of both streams with the same key whose timestamps lie
   * within the window are joined. A record older than stream time minus (window + grace) is dropped as late.
   */
  joinWindowed<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    windows: JoinWindows,
    valueSerde?: Serde<VR>,
  ): KStream<K, VR> {
    const node = streamStreamJoin(this.context, this.colocated(), other.colocated(), joiner, windows)
    return new KStream<K, VR>(
      this.context,
      node,
      this.keySerde,
      valueSerde ?? (this.valueSerde as unknown as Serde<VR>),
      false,
    )
  }

  groupByKey(serdes: Serdes<K, V> = {}): KGroupedStream<K, V> {
    const stream = this.colocated()
    return new KGroupedStream(
      this.context,
      stream.node,
      serdes.keySerde ?? this.keySerde,
      serdes.valueSerde ?? this.valueSerde,
    )
  }
}
