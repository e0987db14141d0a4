// KGroupedStream: records grouped by key, for aggregations into a table, per key or per key and window.
// A stream whose key changed is repartitioned at the aggregation, through `<app>-<name>-repartition`
// where name is the Grouped name or else the store's.
import { int64Serde, type Serde } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import { CogroupedKStream } from './cogrouped-kstream.js'
import type { DslContext } from './dsl-context.js'
import type { KStream } from './kstream.js'
import { KTable } from './ktable.js'
import { resolveMaterialized, tableStore, type Materialized, type Named } from './options.js'
import { StreamAggregateNode, type Aggregator, type Initializer, type Reducer } from './stream-aggregate.js'
import type { SessionWindowedKStream, TimeWindowedKStream } from './windowed-kstream.js'
import { windowedBy } from './windowed-kstream.js'
import type { SessionWindows, SlidingWindows, TimeWindows } from './windows.js'

export type AggregateOptions<K, VA> = Named & Materialized<K, VA>

export class KGroupedStream<K, V> {
  /** The repartitioned source, reused by every aggregation when the Grouped name fixed its topic. */
  private repartitioned: string | undefined

  constructor(
    readonly context: DslContext,
    private readonly stream: KStream<K, V>,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    private readonly groupedName: string | undefined,
  ) {}

  /** The stream's key changed since its last repartitioning. */
  get repartitionRequired(): boolean {
    return this.stream.repartitionRequired
  }

  /** The node aggregations read from: the stream, or its repartition source (named after `storeName`). */
  source(storeName: string): string {
    if (!this.stream.repartitionRequired) return this.stream.node
    if (this.groupedName !== undefined && this.repartitioned !== undefined) return this.repartitioned
    const source = this.stream.colocated(this.groupedName ?? storeName, {
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
    }).node
    this.repartitioned = source
    return source
  }

  /** Folds each key's records into an aggregate; the table forwards every new aggregate. */
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    options: AggregateOptions<K, VA> & { readonly valueSerde: Serde<VA> },
  ): KTable<K, VA> {
    return this.build(options, 'KSTREAM-AGGREGATE-', options.valueSerde, (node) =>
      node.aggregator(initializer, aggregator),
    )
  }

  /** Folds each key's records with `reducer`; a key's first record is its value. */
  reduce(reducer: Reducer<V>, options: AggregateOptions<K, V> = {}): KTable<K, V> {
    return this.build(options, 'KSTREAM-REDUCE-', options.valueSerde ?? this.valueSerde, (node) =>
      node.reducer(reducer),
    )
  }

  /** Records per key (a Long, 8 bytes big-endian, as Kafka Streams' count). */
  count(options: AggregateOptions<K, number> = {}): KTable<K, number> {
    return this.aggregate(
      () => 0,
      (_k, _v, n) => n + 1,
      { ...options, valueSerde: options.valueSerde ?? int64Serde },
    )
  }

  private build<VA>(
    options: AggregateOptions<K, VA>,
    prefix: string,
    valueSerde: Serde<VA>,
    processor: (node: StreamAggregateNode<K, VA>) => ProcessorSupplier<K, never, K, unknown>,
  ): KTable<K, VA> {
    const m = resolveMaterialized(this.context, options, prefix)
    const keySerde = m.keySerde ?? this.keySerde
    const node = new StreamAggregateNode(tableStore(m, keySerde, valueSerde))
    const name = this.context.nameOr(options.name, prefix)
    const source = this.source(m.storeName)
    this.context.addProcessor(name, processor(node), [source])
    return new KTable(this.context, name, keySerde, valueSerde, node, m.queryable ? m.storeName : undefined)
  }

  /** Aggregations per key and window: tumbling or hopping time windows, sliding or session windows. */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    return windowedBy(this, windows)
  }

  /** Starts a cogroup: several grouped streams folded into one aggregate (Kafka Streams' cogroup). */
  cogroup<VA>(aggregator: Aggregator<K, V, VA>): CogroupedKStream<K, VA> {
    return new CogroupedKStream<K, VA>(this.context).cogroup(this, aggregator)
  }
}
