// KTable: the latest value per key, materialized in a key-value store. Downstream operators see its
// changes as a stream; joins read its store.
import type { KeyValueStoreRef, Serde } from '../../state/index.js'
import { KStream } from './kstream.js'
import type { DslContext } from './streams-builder.js'

export class KTable<K, V> {
  constructor(
    private readonly context: DslContext,
    /** The node that forwards the table's updates. */
    readonly node: string,
    readonly store: KeyValueStoreRef<K, V>,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
  ) {}

  /** The table's updates as a stream (a deletion arrives as a null value). */
  toStream(): KStream<K, V> {
    return new KStream(this.context, this.node, this.keySerde, this.valueSerde, false)
  }
}
