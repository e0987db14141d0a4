// Cogrouping (Kafka Streams' CogroupedKStream, KIP-150): several grouped streams, each with its own
// aggregator, folded into one aggregate per key (or per key and window) in one shared store. Each stream
// gets an aggregation processor writing that store; a pass-through node merges their updates into the table.
import { type Serde } from '../../state/index.js'
import { TopologyError } from '../errors.js'
import type { ProcessorSupplier } from '../processor.js'
import type { DslContext } from './dsl-context.js'
import type { KGroupedStream } from './kgrouped-stream.js'
import { KTable } from './ktable.js'
import {
  resolveMaterialized,
  sessionStore,
  tableStore,
  windowStore,
  type Materialized,
  type Named,
} from './options.js'
import { SessionAggregateNode, type Merger } from './session-window-aggregate.js'
import { SlidingWindowAggregateNode } from './sliding-window-aggregate.js'
import { StreamAggregateNode, type Aggregator, type Initializer } from './stream-aggregate.js'
import type { TableProducer } from './table-node.js'
import { WindowAggregateNode } from './window-aggregate.js'
import { sessionWindowedSerde, timeWindowedSerde, type Windowed } from './windowed.js'
import { SessionWindows, SlidingWindows, type TimeWindows } from './windows.js'

type CogroupOptions<K, VA> = Named & Materialized<K, VA> & { readonly valueSerde: Serde<VA> }

interface Group<K, VA> {
  readonly grouped: KGroupedStream<K, unknown>
  readonly aggregator: Aggregator<K, unknown, VA>
}

export class CogroupedKStream<K, VA> {
  private readonly groups: Group<K, VA>[] = []

  constructor(private readonly context: DslContext) {}

  /** Adds a grouped stream (same key type) with its aggregator. */
  cogroup<V>(grouped: KGroupedStream<K, V>, aggregator: Aggregator<K, V, VA>): this {
    if (this.groups.some((g) => g.grouped === (grouped as unknown)))
      throw new TopologyError('a grouped stream can be cogrouped only once')
    this.groups.push({
      grouped: grouped,
      aggregator: aggregator as Aggregator<K, unknown, VA>,
    })
    return this
  }

  aggregate(initializer: Initializer<VA>, options: CogroupOptions<K, VA>): KTable<K, VA> {
    const m = resolveMaterialized(this.context, options, 'COGROUPKSTREAM-AGGREGATE-')
    const keySerde = m.keySerde ?? this.keySerde()
    const node = new StreamAggregateNode(tableStore(m, keySerde, options.valueSerde))
    const merge = this.build(options.name, m.storeName, (g) => node.aggregator(initializer, g.aggregator))
    return new KTable(
      this.context,
      merge,
      keySerde,
      options.valueSerde,
      node,
      m.queryable ? m.storeName : undefined,
    )
  }

  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedCogroupedKStream<K, VA>
  windowedBy(windows: SessionWindows): SessionWindowedCogroupedKStream<K, VA>
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedCogroupedKStream<K, VA> | SessionWindowedCogroupedKStream<K, VA> {
    if (windows instanceof SessionWindows) return new SessionWindowedCogroupedKStream(this, windows)
    return new TimeWindowedCogroupedKStream(this, windows)
  }

  /** @internal */
  keySerde(): Serde<K> {
    const first = this.groups[0]
    if (!first) throw new TopologyError('cogroup needs at least one grouped stream')
    return first.grouped.keySerde
  }

  /**
   * Adds one aggregation processor per grouped stream (repartitioned first where their key changed) and
   * the merge node; returns the merge node's name.
   * @internal
   */
  build(
    named: string | undefined,
    storeName: string,
    processor: (group: Group<K, VA>) => ProcessorSupplier<K, never, unknown, unknown>,
  ): string {
    const repartitioning = this.groups.filter((g) => g.grouped.repartitionRequired).length
    const names = this.groups.map((group, i) => {
      const source = group.grouped.source(repartitioning > 1 ? `${storeName}-${i}` : storeName)
      const name = this.context.suffixedOr(named, `-cogroup-agg-${i}`, 'COGROUPKSTREAM-AGGREGATE-')
      this.context.addProcessor(name, processor(group), [source])
      return name
    })
    const merge = this.context.suffixedOr(named, '-cogroup-merge', 'COGROUPKSTREAM-MERGE-')
    this.context.addProcessor(merge, { create: (ctx) => ({ process: (r) => ctx.forward(r) }) }, names)
    return merge
  }

  /** @internal */
  get dslContext(): DslContext {
    return this.context
  }
}

export class TimeWindowedCogroupedKStream<K, VA> {
  constructor(
    private readonly cogrouped: CogroupedKStream<K, VA>,
    private readonly windows: TimeWindows | SlidingWindows,
  ) {}

  aggregate(initializer: Initializer<VA>, options: CogroupOptions<K, VA>): KTable<Windowed<K>, VA> {
    const context = this.cogrouped.dslContext
    const m = resolveMaterialized(context, options, 'COGROUPKSTREAM-AGGREGATE-')
    const keySerde = m.keySerde ?? this.cogrouped.keySerde()
    const sliding = this.windows instanceof SlidingWindows
    const size = this.windows instanceof SlidingWindows ? this.windows.timeDifferenceMs : this.windows.sizeMs
    const minimum = (sliding ? 2 * size : size) + this.windows.graceMs
    const retentionMs = m.retentionMs ?? minimum
    if (retentionMs < minimum)
      throw new TopologyError(`the retention of window store ${m.storeName} must be at least ${minimum} ms`)
    const store = windowStore(m, keySerde, options.valueSerde, retentionMs)
    const node: TableProducer<Windowed<K>, VA> & {
      aggregator<V>(
        i: Initializer<VA>,
        a: Aggregator<K, V, VA>,
      ): ProcessorSupplier<K, V, Windowed<K>, unknown>
    } =
      this.windows instanceof SlidingWindows
        ? new SlidingWindowAggregateNode(store, this.windows)
        : new WindowAggregateNode(store, this.windows)
    const merge = this.cogrouped.build(options.name, m.storeName, (g) =>
      node.aggregator(initializer, g.aggregator),
    )
    return new KTable<Windowed<K>, VA>(
      context,
      merge,
      timeWindowedSerde(keySerde, size),
      options.valueSerde,
      node,
      m.queryable ? m.storeName : undefined,
      this.windows.graceMs,
    )
  }
}

export class SessionWindowedCogroupedKStream<K, VA> {
  constructor(
    private readonly cogrouped: CogroupedKStream<K, VA>,
    private readonly windows: SessionWindows,
  ) {}

  aggregate(
    initializer: Initializer<VA>,
    merger: Merger<K, VA>,
    options: CogroupOptions<K, VA>,
  ): KTable<Windowed<K>, VA> {
    const context = this.cogrouped.dslContext
    const m = resolveMaterialized(context, options, 'COGROUPKSTREAM-AGGREGATE-')
    const keySerde = m.keySerde ?? this.cogrouped.keySerde()
    const minimum = this.windows.inactivityGapMs + this.windows.graceMs
    const retentionMs = m.retentionMs ?? minimum
    if (retentionMs < minimum)
      throw new TopologyError(`the retention of session store ${m.storeName} must be at least ${minimum} ms`)
    const node = new SessionAggregateNode(
      sessionStore(m, keySerde, options.valueSerde, retentionMs),
      this.windows,
    )
    const merge = this.cogrouped.build(options.name, m.storeName, (g) =>
      node.aggregator(initializer, g.aggregator, merger),
    )
    return new KTable<Windowed<K>, VA>(
      context,
      merge,
      sessionWindowedSerde(keySerde),
      options.valueSerde,
      node,
      m.queryable ? m.storeName : undefined,
      this.windows.graceMs + this.windows.inactivityGapMs,
    )
  }
}
