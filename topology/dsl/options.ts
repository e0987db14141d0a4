// The option objects of DSL operators (Kafka Streams' Consumed, Produced, Grouped, Materialized, Named,
// Repartitioned), and how a Materialized becomes a store declaration.
import {
  sessionStoreRef,
  storeRef,
  timeWindowStoreRef,
  type KeyValueStoreRef,
  type Serde,
  type SessionStoreRef,
  type TimeWindowStoreRef,
} from '../../state/index.js'
import { TopologyError } from '../errors.js'
import type { Partitioner } from '../topology.js'
import { valueAndTimestampSerde, type ValueAndTimestamp } from './change.js'
import type { DslContext } from './dsl-context.js'

/** Names an operator (Kafka Streams' Named): its processor, and the stores and topics derived from it. */
export interface Named {
  readonly name?: string
}

export interface Consumed<K, V> extends Named {
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
}

export interface Produced<K, V> extends Named {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  readonly partitioner?: Partitioner
}

/** Serdes for an operator's output; `name` names the operator. */
export interface Serdes<K, V> extends Named {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
}

/** How records are grouped before an aggregation; `name` names the repartition topic (`<app>-<name>-repartition`). */
export type Grouped<K, V> = Serdes<K, V>

/** KStream.repartition(): topic name, serdes, partition count and partitioner of the repartition topic. */
export interface Repartitioned<K, V> extends Serdes<K, V> {
  readonly partitions?: number
  readonly partitioner?: Partitioner
}

/**
 * How an operator's state is kept (Kafka Streams' Materialized). Naming the store (`storeName`) makes it
 * queryable and fixes its changelog topic (`<app>-<storeName>-changelog`), so the state survives topology
 * changes; otherwise the name is generated from the operator's position in the topology.
 */
export interface Materialized<K, V> {
  readonly storeName?: string
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  /** LevelDB (default) or memory (restored from the changelog on every start). */
  readonly persistent?: boolean
  /** Write a changelog (default true). */
  readonly logging?: boolean
  /** Window and session stores: how long windows are kept (default: window size + grace). */
  readonly retentionMs?: number
  /**
   * Entries of the store's cache (default 10,000; for window and session stores, windows the record cache
   * may hold). 0 disables it, and with it record caching for this store (Kafka Streams'
   * `withCachingDisabled`): every update is then forwarded.
   */
  readonly cacheMaxEntries?: number
}

/** A Materialized resolved against the topology: a store name either way, and whether the user named it. */
export interface ResolvedMaterialized<K, V> {
  readonly storeName: string
  readonly queryable: boolean
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  readonly persistent: boolean
  readonly logging: boolean
  readonly retentionMs: number | undefined
  readonly cacheMaxEntries: number | undefined
}

export function resolveMaterialized<K, V>(
  context: DslContext,
  materialized: Materialized<K, V> | undefined,
  prefix: string,
): ResolvedMaterialized<K, V> {
  return {
    storeName: materialized?.storeName ?? context.newStoreName(prefix),
    queryable: materialized?.storeName !== undefined,
    keySerde: materialized?.keySerde,
    valueSerde: materialized?.valueSerde,
    persistent: materialized?.persistent ?? true,
    logging: materialized?.logging ?? true,
    retentionMs: materialized?.retentionMs,
    cacheMaxEntries: materialized?.cacheMaxEntries,
  }
}

/** The timestamped key-value store of a table operator. */
export function tableStore<K, V>(
  m: ResolvedMaterialized<K, V>,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
): KeyValueStoreRef<K, ValueAndTimestamp<V>> {
  return storeRef({
    name: m.storeName,
    keySerde,
    valueSerde: valueAndTimestampSerde(valueSerde),
    persistent: m.persistent,
    logging: m.logging,
    cacheMaxEntries: m.cacheMaxEntries,
  })
}

/** The timestamped window store of a windowed aggregation. */
export function windowStore<K, V>(
  m: ResolvedMaterialized<K, V>,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  retentionMs: number,
): TimeWindowStoreRef<K, ValueAndTimestamp<V>> {
  return timeWindowStoreRef({
    name: m.storeName,
    keySerde,
    valueSerde: valueAndTimestampSerde(valueSerde),
    retentionMs,
    persistent: m.persistent,
    logging: m.logging,
    cacheMaxEntries: m.cacheMaxEntries,
  })
}

/** The session store of a session aggregation (values without timestamps: a session's time is its end). */
export function sessionStore<K, V>(
  m: ResolvedMaterialized<K, V>,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  retentionMs: number,
): SessionStoreRef<K, V> {
  return sessionStoreRef({
    name: m.storeName,
    keySerde,
    valueSerde,
    retentionMs,
    persistent: m.persistent,
    logging: m.logging,
    cacheMaxEntries: m.cacheMaxEntries,
  })
}

/** The serde an operator needs; without one it fails at build time, naming the operator. */
export function required<T>(serde: Serde<T> | undefined, what: string): Serde<T> {
  if (serde === undefined) {
    throw new TopologyError(`${what} needs a serde: pass one in its options (there is no default serde)`)
  }
  return serde
}

/** An operator's serdes given as a value serde alone, or as Serdes. */
export function asSerdes<K, V>(options: Serde<V> | Serdes<K, V> | undefined): Serdes<K, V> {
  if (options === undefined) return {}
  return 'serialize' in options ? { valueSerde: options } : options
}

/** An operator's serdes given as a key serde alone, or as Serdes. */
export function asKeySerdes<K, V>(options: Serde<K> | Serdes<K, V> | undefined): Serdes<K, V> {
  if (options === undefined) return {}
  return 'serialize' in options ? { keySerde: options } : options
}
