// The DSL entry point (Kafka Streams' StreamsBuilder): streams and tables over topics, compiled into the
// low-level TopologyBuilder. Like the rest of the topology package, building does no I/O.
import { storeRef, type KeyValueStoreRef } from '../../state/index.js'
import type { Topology } from '../topology.js'
import { DslContext } from './dsl-context.js'
import { KStream } from './kstream.js'
import { KTable } from './ktable.js'
import type { Consumed, Materialized } from './options.js'
import { resolveMaterialized, tableStore } from './options.js'
import { TableSourceNode } from './table-source.js'

export type { Consumed, Materialized } from './options.js'

/** A table's source: the topic's serdes, and optionally how (and under which name) its store is kept. */
export type TableConsumed<K, V> = Consumed<K, V> & Omit<Materialized<K, V>, 'keySerde' | 'valueSerde'>

export class StreamsBuilder {
  private readonly context = new DslContext()

  /** A stream of the records of `topics` (a record without a value arrives with a null value). */
  stream<K, V>(topics: string | readonly string[], consumed: Consumed<K, V>): KStream<K, V> {
    const name = this.context.nameOr(consumed.name, 'KSTREAM-SOURCE-')
    this.context.addSource({
      name,
      topics: typeof topics === 'string' ? [topics] : topics,
      keySerde: consumed.keySerde,
      valueSerde: consumed.valueSerde,
      acceptsTombstones: true,
    })
    return new KStream(this.context, name, consumed.keySerde, consumed.valueSerde, false)
  }

  /**
   * A table over a (compacted) topic: the latest value per key; a null value deletes the key, a null key
   * is dropped. Its store (`storeName`, else generated) exists when the table is named or a downstream
   * operator needs it; it is restored from its changelog.
   */
  table<K, V>(topic: string, consumed: TableConsumed<K, V>): KTable<K, V> {
    const sourceName = this.context.nameOr(consumed.name, 'KSTREAM-SOURCE-')
    const tableName = this.context.suffixedOr(consumed.name, '-table-source', 'KTABLE-SOURCE-')
    const m = resolveMaterialized(this.context, consumed, `${topic}-`)
    const node = new TableSourceNode(tableStore(m, consumed.keySerde, consumed.valueSerde), m.queryable)
    this.context.addSource({
      name: sourceName,
      topics: [topic],
      keySerde: consumed.keySerde,
      valueSerde: consumed.valueSerde,
      acceptsTombstones: true,
    })
    this.context.addProcessor(tableName, node.supplier(), [sourceName])
    return new KTable(
      this.context,
      tableName,
      consumed.keySerde,
      consumed.valueSerde,
      node,
      m.queryable ? m.storeName : undefined,
    )
  }

  /** A table every instance holds whole, for lookups by any key (Kafka Streams' GlobalKTable). */
  globalTable<K, V>(
    topic: string,
    materialized: Consumed<K, V> & { readonly storeName?: string },
  ): KeyValueStoreRef<K, V> {
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
    return this.context.build()
  }
}
