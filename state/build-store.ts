// The one place that assembles store layers: Metered → Caching → ChangeLogging → bytes store.

import { join } from 'node:path'

import type { BytesKeyValueStore } from './bytes-key-value-store.js'
import { CachingKeyValueStore } from './caching-key-value-store.js'
import { CachingTimeKeyedStore } from './caching-time-keyed-store.js'
import type { ChangelogWriter } from './change-logging-key-value-store.js'
import { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js'
import { InMemoryBytesStore } from './in-memory-bytes-store.js'
import { IndexedWindowStore } from './indexed-window-store.js'
import type { KeyValueStore } from './key-value-store.js'
import type { LevelDbOptions } from './level-db-bytes-store.js'
import { KeyIndexedBytesStore } from './key-indexed-bytes-store.js'
import { LevelDbBytesStore } from './level-db-bytes-store.js'
import { MemoryMirroredBytesStore } from './memory-mirrored-bytes-store.js'
import { MeteredKeyValueStore } from './metered-key-value-store.js'
import { meteredSessionStore, meteredTimeWindowStore, MeteredWindowStore } from './metered-window-store.js'
import type { CacheBudget, RecordCache } from './record-cache.js'
import type { BuiltStore } from './state-store.js'
import type { StoreMetrics } from './store-metrics.js'
import { noopStoreMetrics } from './store-metrics.js'
import { IndexedSessionStore } from './indexed-session-store.js'
import { IndexedTimeWindowStore } from './indexed-time-window-store.js'
import type {
  KeyValueStoreSpec,
  SessionStoreRef,
  StoreHandle,
  StoreRef,
  TimeWindowStoreRef,
  WindowStoreSpec,
} from './store-ref.js'
import { storeRef, windowStoreRef } from './store-ref.js'
import { StoreStack } from './store-stack.js'
import { TimeIndexedBytesStore } from './time-indexed-bytes-store.js'
import type { SessionStore, TimeWindowStore } from './time-window-store.js'
import { sessionKeySuffixBytes, windowKeySuffixBytes } from './window-key.js'
import type { WindowStore } from './window-store.js'

/** What the runtime provides to build the stores of one task. */
export interface StoreEnv {
  /** The task's state directory; a persistent store lives in `<dir>/<store name>`. */
  readonly dir: string
  /** Bound to the changelog topic-partition of this store for this task. */
  readonly changelog: ChangelogWriter
  readonly metrics?: StoreMetrics | undefined
  /** Timestamp for changelog records: the timestamp of the record being processed (default: wall clock). */
  readonly timestamp?: (() => number) | undefined
  /** The instance's record cache budget (none: no record caching). */
  readonly recordCache?: RecordCache | undefined
  /** The instance's budget for the key-value stores' caches of deserialized values (none: each store's `cacheMaxEntries` only). */
  readonly storeCache?: CacheBudget | undefined
  /** LevelDB tuning for persistent stores. */
  readonly levelDb?: Omit<LevelDbOptions, 'name'> | undefined
}

/** Builds `Metered(Caching(ChangeLogging(LevelDB | memory | LevelDB mirrored in memory)))` for a key-value store spec or ref. */
export function buildKeyValueStore<K, V>(
  spec: KeyValueStoreSpec<K, V>,
  env: StoreEnv,
): BuiltStore<KeyValueStore<K, V>> {
  const ref = storeRef(spec)
  const metrics = env.metrics ?? noopStoreMetrics
  const stored = bytesStore(ref.name, ref.persistent, env)
  const bytes = ref.persistent && ref.mirrorInMemory ? new MemoryMirroredBytesStore(stored, ref.name) : stored
  const logging = new ChangeLoggingKeyValueStore(bytes, ref.logging ? env.changelog : undefined, ref.name)
  const cache = new CachingKeyValueStore(logging, {
    name: ref.name,
    keySerde: ref.keySerde,
    valueSerde: ref.valueSerde,
    maxEntries: ref.cacheMaxEntries,
    timestamp: env.timestamp ?? Date.now,
    recordCache: env.recordCache,
    storeCache: env.storeCache,
  })
  const store = new MeteredKeyValueStore(cache, ref.keySerde, metrics)
  return new StoreStack<KeyValueStore<K, V>>({ name: ref.name, store, logging, bytes, cache, metrics })
}

/**
 * Builds `Metered(Window(ChangeLogging(KeyIndexed(TimeIndexed(LevelDB)) | TimeIndexed(memory))))` for a
 * window store spec or ref.
 */
export function buildWindowStore<K, V>(
  spec: WindowStoreSpec<K, V>,
  env: StoreEnv,
): BuiltStore<WindowStore<K, V>> {
  const ref = windowStoreRef(spec)
  const metrics = env.metrics ?? noopStoreMetrics
  const indexed = new TimeIndexedBytesStore(bytesStore(ref.name, ref.persistent, env))
  const { getSync } = indexed
  // a join fetches one key's few entries per record: from memory's keys and synchronous reads, no iterator
  const bytes =
    indexed.rangeSync === undefined && getSync !== undefined && env.levelDb?.syncReads !== false
      ? new KeyIndexedBytesStore(indexed, getSync)
      : indexed
  const logging = new ChangeLoggingKeyValueStore(bytes, ref.logging ? env.changelog : undefined, ref.name)
  const window = new IndexedWindowStore(logging, indexed, ref)
  const store = new MeteredWindowStore(window, metrics)
  return new StoreStack<WindowStore<K, V>>({
    name: ref.name,
    store,
    logging,
    bytes,
    reset: () => window.resetExpiry(),
    metrics,
  })
}

/**
 * Builds `Metered(TimeWindow(Caching(ChangeLogging(TimeIndexed(LevelDB | memory)))))` for a windowed
 * aggregation's store; the caching layer caches records once a processor sets a flush listener.
 */
export function buildTimeWindowStore<K, V>(
  ref: TimeWindowStoreRef<K, V>,
  env: StoreEnv,
): BuiltStore<TimeWindowStore<K, V>> {
  const metrics = env.metrics ?? noopStoreMetrics
  const bytes = new TimeIndexedBytesStore(bytesStore(ref.name, ref.persistent, env), windowKeySuffixBytes)
  const logging = new ChangeLoggingKeyValueStore(bytes, ref.logging ? env.changelog : undefined, ref.name)
  const cache = new CachingTimeKeyedStore(logging, {
    name: ref.name,
    maxEntries: ref.cacheMaxEntries,
    recordCache: env.recordCache,
    live: (composite): boolean => store.isLive(composite),
  })
  const store = new IndexedTimeWindowStore(cache, bytes, { ...ref, timestamp: env.timestamp })
  return new StoreStack<TimeWindowStore<K, V>>({
    name: ref.name,
    store: meteredTimeWindowStore(store, metrics),
    logging,
    bytes,
    cache,
    reset: () => store.reset(),
    metrics,
  })
}

/**
 * Builds `Metered(Session(Caching(ChangeLogging(TimeIndexed(LevelDB | memory)))))` for a session
 * aggregation's store; the caching layer caches records once a processor sets a flush listener.
 */
export function buildSessionStore<K, V>(
  ref: SessionStoreRef<K, V>,
  env: StoreEnv,
): BuiltStore<SessionStore<K, V>> {
  const metrics = env.metrics ?? noopStoreMetrics
  const bytes = new TimeIndexedBytesStore(bytesStore(ref.name, ref.persistent, env), sessionKeySuffixBytes)
  const logging = new ChangeLoggingKeyValueStore(bytes, ref.logging ? env.changelog : undefined, ref.name)
  const cache = new CachingTimeKeyedStore(logging, {
    name: ref.name,
    maxEntries: ref.cacheMaxEntries,
    recordCache: env.recordCache,
    live: (composite): boolean => store.isLive(composite),
  })
  const store = new IndexedSessionStore(cache, bytes, { ...ref, timestamp: env.timestamp })
  return new StoreStack<SessionStore<K, V>>({
    name: ref.name,
    store: meteredSessionStore(store, metrics),
    logging,
    bytes,
    cache,
    reset: () => store.reset(),
    metrics,
  })
}

/** Builds the stack a ref declares, typed by the ref: what `ctx.store(ref)` hands out is `.store`. */
export function buildStore<R extends StoreRef>(ref: R, env: StoreEnv): BuiltStore<StoreHandle<R>> {
  switch (ref.type) {
    case 'key-value':
      return buildKeyValueStore(ref, env) as BuiltStore<StoreHandle<R>>
    case 'window':
      return buildWindowStore(ref, env) as BuiltStore<StoreHandle<R>>
    case 'time-window':
      return buildTimeWindowStore(ref, env) as BuiltStore<StoreHandle<R>>
    case 'session':
      return buildSessionStore(ref, env) as BuiltStore<StoreHandle<R>>
  }
}

function bytesStore(name: string, persistent: boolean, env: StoreEnv): BytesKeyValueStore {
  return persistent
    ? new LevelDbBytesStore(join(env.dir, name), { ...env.levelDb, name })
    : new InMemoryBytesStore(name)
}
