// The DSL entry point (Kafka Streams' StreamsBuilder): streams and tables over topics, compiled into the
// low-level TopologyBuilder. Like the rest of the topology package, building does no I/O.
import { storeRef, type KeyValueStoreRef, type Serde } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import type { Topology } from '../topology.js'
import { TopologyBuilder, type SinkSpec } from '../topology-builder.js'
import { KStream } from './kstream.js'
import { KTable } from './ktable.js'

export interface Consumed<K, V> {
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
}

export interface Materialized<K, V> extends Consumed<K, V> {
  /** Store name (default: generated). */
  readonly storeName?: string
  readonly persistent?: boolean
  readonly cacheMaxEntries?: number
}

/** Internal: what KStream and KTable need from the builder. */
export class DslContext {
  private index = 0
  constructor(readonly topology: TopologyBuilder) {}

  name(kind: string): string {
    return `KSTREAM-${kind}-${String(this.index++).padStart(10, '0')}`
  }

  addProcessor<KIn, VIn, KOut, VOut>(
    kind: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    parents: readonly string[],
  ): string {
    const name = supplier.name ?? this.name(kind)
    this.topology.addProcessor({ name, supplier, parents })
    return name
  }

  addSink<K, V>(spec: Omit<SinkSpec<K, V>, 'name'>): string {
    const name = this.name('SINK')
    this.topology.addSink({ ...spec, name })
    return name
  }

  /** Sink to an internal repartition topic and a source reading it back: records move to their key's partition. */
  repartition<K, V>(parent: string, keySerde: Serde<K>, valueSerde: Serde<V>, baseName?: string): string {
    const topic = `${baseName ?? this.name('REPARTITION')}-repartition`
    this.topology.addSink({
      name: `${topic}-sink`,
      topic,
      internal: true,
      keySerde,
      valueSerde,
      parents: [parent],
    })
    const source = `${topic}-source`
    this.topology.addSource({ name: source, topics: [topic], internal: true, keySerde, valueSerde })
    return source
  }
}

export class StreamsBuilder {
  private readonly context = new DslContext(new TopologyBuilder())

  /** A stream of the records of `topics`. */
  stream<K, V>(topics: string | readonly string[], consumed: Consumed<K, V>): KStream<K, V> {
    const name = this.context.name('SOURCE')
    this.context.topology.addSource({
      name,
      topics: typeof topics === 'string' ? [topics] : topics,
      ...consumed,
    })
    return new KStream(this.context, name, consumed.keySerde, consumed.valueSerde, false)
  }

  /**
   * A table over a (compacted) topic: the latest value per key, materialized in a store of the task that
   * owns the key's partition. A null value deletes the key.
   */
  table<K, V>(topic: string, materialized: Materialized<K, V>): KTable<K, V> {
    const source = this.context.name('SOURCE')
    this.context.topology.addSource({
      name: source,
      topics: [topic],
      keySerde: materialized.keySerde,
      valueSerde: materialized.valueSerde,
      acceptsTombstones: true,
    })
    const store = storeRef<K, V>({
      name: materialized.storeName ?? `${topic}-table`,
      keySerde: materialized.keySerde,
      valueSerde: materialized.valueSerde,
      persistent: materialized.persistent,
      cacheMaxEntries: materialized.cacheMaxEntries,
    })
    const name = this.context.addProcessor(
      'TABLE-SOURCE',
      {
        stores: [store],
        create: (ctx) => {
          const kv = ctx.store(store)
          return {
            process: (record: { key: K; value: V | null; timestamp: number }) => {
              if (record.value === null) kv.delete(record.key)
              else kv.put(record.key, record.value)
              ctx.forward(record)
            },
          }
        },
      },
      [source],
    )
    return new KTable(this.context, name, store, materialized.keySerde, materialized.valueSerde)
  }

  /** A table every instance holds whole, for lookups by any key (Kafka Streams' GlobalKTable). */
  globalTable<K, V>(topic: string, materialized: Materialized<K, V>): KeyValueStoreRef<K, V> {
    const store = storeRef<K, V>({
      name: materialized.storeName ?? `${topic}-global`,
      keySerde: materialized.keySerde,
      valueSerde: materialized.valueSerde,
      persistent: false,
      logging: false,
    })
    this.context.topology.addGlobalTable({
      topic,
      keySerde: materialized.keySerde,
      valueSerde: materialized.valueSerde,
      store,
    })
    return store
  }

  build(): Topology {
    return this.context.topology.build()
  }
}
