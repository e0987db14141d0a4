// KGroupedStream: records grouped by key, for aggregations kept in a key-value store.
import { storeRef, type Serde } from '../../state/index.js'
import type { ProcessorSupplier } from '../processor.js'
import { KTable } from './ktable.js'
import type { DslContext } from './streams-builder.js'

export interface AggregateOptions<VA> {
  readonly storeName?: string
  readonly valueSerde: Serde<VA>
  readonly persistent?: boolean
  readonly cacheMaxEntries?: number
}

export class KGroupedStream<K, V> {
  constructor(
    private readonly context: DslContext,
    private readonly node: string,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
  ) {}

  /** Folds each key's records into an aggregate; the table emits every new aggregate. */
  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    options: AggregateOptions<VA>,
  ): KTable<K, VA> {
    const store = storeRef<K, VA>({
      name: options.storeName ?? `${this.context.name('AGGREGATE-STATE-STORE')}`,
      keySerde: this.keySerde,
      valueSerde: options.valueSerde,
      persistent: options.persistent,
      cacheMaxEntries: options.cacheMaxEntries,
    })
    const supplier: ProcessorSupplier<K, V, K, VA> = {
      stores: [store],
      create: (ctx) => {
        const kv = ctx.store(store)
        return {
          process: async (record) => {
            if (record.key === null || record.key === undefined) return // Kafka Streams drops null keys here too
            const next = aggregator(record.key, record.value, (await kv.get(record.key)) ?? initializer())
            kv.put(record.key, next)
            ctx.forward({ ...record, value: next })
          },
        }
      },
    }
    const node = this.context.addProcessor('AGGREGATE', supplier, [this.node])
    return new KTable(this.context, node, store, this.keySerde, options.valueSerde)
  }

  count(
    options: Omit<AggregateOptions<number>, 'valueSerde'> & { valueSerde?: Serde<number> } = {},
  ): KTable<K, number> {
    const valueSerde: Serde<number> = options.valueSerde ?? {
      serialize: (n) => Buffer.from(String(n)),
      deserialize: (b) => Number(b.toString()),
    }
    return this.aggregate(
      () => 0,
      (_k, _v, n) => n + 1,
      { ...options, valueSerde },
    )
  }
}
