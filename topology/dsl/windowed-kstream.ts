// Windowed grouped streams (Kafka Streams' TimeWindowedKStream, SlidingWindowedKStream and
// SessionWindowedKStream): count, reduce and aggregate per key and window into a windowed table.
import { int64Serde, type Serde } from '../../state/index.js'
import { TopologyError } from '../errors.js'
import type { KGroupedStream } from './kgrouped-stream.js'
import { KTable } from './ktable.js'
import { resolveMaterialized, sessionStore, windowStore, type Materialized, type Named } from './options.js'
import { SessionAggregateNode, type Merger } from './session-window-aggregate.js'
import { SlidingWindowAggregateNode } from './sliding-window-aggregate.js'
import type { Aggregator, Initializer, Reducer } from './stream-aggregate.js'
import { WindowAggregateNode } from './window-aggregate.js'
import { sessionWindowedSerde, timeWindowedSerde, type Windowed } from './windowed.js'
import { SessionWindows, SlidingWindows, TimeWindows } from './windows.js'

export type WindowedOptions<K, VA> = Named & Materialized<K, VA>

/** Count, reduce and aggregate over time windows (tumbling, hopping) or sliding windows. */
export class TimeWindowedKStream<K, V> {
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: TimeWindows | SlidingWindows,
  ) {}

  count(options: WindowedOptions<K, number> = {}): KTable<Windowed<K>, number> {
    return this.build(
      () => 0,
      (_k, _v, n) => n + 1,
      { ...options, valueSerde: options.valueSerde ?? int64Serde },
      'KSTREAM-AGGREGATE-',
    )
  }

  /** Folds each window's records with `reducer`; the first record of a window is its value. */
  reduce(reducer: Reducer<V>, options: WindowedOptions<K, V> = {}): KTable<Windowed<K>, V> {
    return this.build<V>(
      () => null as unknown as V,
      (_k, v, agg) => (agg === null ? v : reducer(agg, v)),
      { ...options, valueSerde: options.valueSerde ?? this.grouped.valueSerde },
      'KSTREAM-REDUCE-',
    )
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    options: WindowedOptions<K, VA> & { readonly valueSerde: Serde<VA> },
  ): KTable<Windowed<K>, VA> {
    return this.build(initializer, aggregator, options, 'KSTREAM-AGGREGATE-')
  }

  private build<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    options: WindowedOptions<K, VA> & { readonly valueSerde: Serde<VA> },
    prefix: string,
  ): KTable<Windowed<K>, VA> {
    const context = this.grouped.context
    const m = resolveMaterialized(context, options, prefix)
    const keySerde = m.keySerde ?? this.grouped.keySerde
    const sliding = this.windows instanceof SlidingWindows
    const size = this.windows instanceof SlidingWindows ? this.windows.timeDifferenceMs : this.windows.sizeMs
    const minimum = sliding ? 2 * size + this.windows.graceMs : size + this.windows.graceMs
    const retentionMs = m.retentionMs ?? minimum
    if (retentionMs < minimum) {
      throw new TopologyError(
        `the retention of window store ${m.storeName} (${retentionMs} ms) must be at least ` +
          `${sliding ? '2 × time difference' : 'the window size'} plus the grace period (${minimum} ms)`,
      )
    }
    const store = windowStore(m, keySerde, options.valueSerde, retentionMs)
    const node =
      this.windows instanceof SlidingWindows
        ? new SlidingWindowAggregateNode(store, this.windows)
        : new WindowAggregateNode(store, this.windows)
    const name = context.nameOr(options.name, prefix)
    const source = this.grouped.source(m.storeName)
    context.addProcessor(name, node.aggregator(initializer, aggregator), [source])
    return new KTable<Windowed<K>, VA>(
      context,
      name,
      timeWindowedSerde(keySerde, size),
      options.valueSerde,
      node,
      m.queryable ? m.storeName : undefined,
      this.windows.graceMs,
    )
  }
}

/** Count, reduce and aggregate over session windows. */
export class SessionWindowedKStream<K, V> {
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: SessionWindows,
  ) {}

  count(options: WindowedOptions<K, number> = {}): KTable<Windowed<K>, number> {
    return this.build(
      () => 0,
      (_k, _v, n) => n + 1,
      (_k, a, b) => a + b,
      { ...options, valueSerde: options.valueSerde ?? int64Serde },
      'KSTREAM-AGGREGATE-',
    )
  }

  /** Folds each session's records with `reducer`; merging sessions reduces their values too. */
  reduce(reducer: Reducer<V>, options: WindowedOptions<K, V> = {}): KTable<Windowed<K>, V> {
    const fold = (agg: V | null, v: V) => (agg === null ? v : reducer(agg, v))
    return this.build<V>(
      () => null as unknown as V,
      (_k, v, agg) => fold(agg, v),
      (_k, a, b) => fold(a, b),
      { ...options, valueSerde: options.valueSerde ?? this.grouped.valueSerde },
      'KSTREAM-REDUCE-',
    )
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    options: WindowedOptions<K, VA> & { readonly valueSerde: Serde<VA> },
  ): KTable<Windowed<K>, VA> {
    return this.build(initializer, aggregator, merger, options, 'KSTREAM-AGGREGATE-')
  }

  private build<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    options: WindowedOptions<K, VA> & { readonly valueSerde: Serde<VA> },
    prefix: string,
  ): KTable<Windowed<K>, VA> {
    const context = this.grouped.context
    const m = resolveMaterialized(context, options, prefix)
    const keySerde = m.keySerde ?? this.grouped.keySerde
    const minimum = this.windows.inactivityGapMs + this.windows.graceMs
    const retentionMs = m.retentionMs ?? minimum
    if (retentionMs < minimum) {
      throw new TopologyError(
        `the retention of session store ${m.storeName} (${retentionMs} ms) must be at least the inactivity gap ` +
          `plus the grace period (${minimum} ms)`,
      )
    }
    const node = new SessionAggregateNode(
      sessionStore(m, keySerde, options.valueSerde, retentionMs),
      this.windows,
    )
    const name = context.nameOr(options.name, prefix)
    const source = this.grouped.source(m.storeName)
    const supplier = node.aggregator(initializer, aggregator, merger)
    context.addProcessor(name, supplier, [source])
    return new KTable<Windowed<K>, VA>(
      context,
      name,
      sessionWindowedSerde(keySerde),
      options.valueSerde,
      node,
      m.queryable ? m.storeName : undefined,
      // a session may grow by the gap after its end: suppression waits for both (Kafka Streams)
      this.windows.graceMs + this.windows.inactivityGapMs,
    )
  }
}

export function windowedBy<K, V>(
  grouped: KGroupedStream<K, V>,
  windows: TimeWindows | SlidingWindows | SessionWindows,
): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
  if (windows instanceof SessionWindows) return new SessionWindowedKStream(grouped, windows)
  if (windows instanceof TimeWindows || windows instanceof SlidingWindows)
    return new TimeWindowedKStream(grouped, windows)
  throw new TopologyError('windowedBy takes TimeWindows, SlidingWindows or SessionWindows')
}
