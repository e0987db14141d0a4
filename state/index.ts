// The public surface of state/: stores, their builder and typed refs, serdes and errors.
// Processors use the typed handles; the runtime uses `buildStore` and the `StateStore` lifecycle.

export type { ByteRange } from './byte-range.js'
export { prefixRange } from './byte-range.js'
export type { BytesKeyValueStore, BytesWrite } from './bytes-key-value-store.js'
export type { StoreEnv } from './build-store.js'
export {
  buildKeyValueStore,
  buildSessionStore,
  buildStore,
  buildTimeWindowStore,
  buildWindowStore,
} from './build-store.js'
export { CachingKeyValueStore } from './caching-key-value-store.js'
export type { CachingOptions } from './caching-key-value-store.js'
export { CachingTimeKeyedStore } from './caching-time-keyed-store.js'
export type { BytesFlushListener, CachingTimeKeyedOptions } from './caching-time-keyed-store.js'
export type { ChangelogWriter } from './change-logging-key-value-store.js'
export { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js'
export type { StateStoreErrorCode } from './errors.js'
export { isStateStoreError, StateStoreError, stateStoreErrorCodes } from './errors.js'
export { InMemoryBytesStore } from './in-memory-bytes-store.js'
export { KeyIndexedBytesStore } from './key-indexed-bytes-store.js'
export type { WindowStoreOptions } from './indexed-window-store.js'
export { IndexedWindowStore } from './indexed-window-store.js'
export type { CachedChange, FlushListener, KeyRange, KeyValue, KeyValueStore } from './key-value-store.js'
export type { LevelDbOptions } from './level-db-bytes-store.js'
export { LevelDbBytesStore } from './level-db-bytes-store.js'
export { MemoryMirroredBytesStore } from './memory-mirrored-bytes-store.js'
export { MeteredKeyValueStore } from './metered-key-value-store.js'
export { MeteredWindowStore } from './metered-window-store.js'
export type { Serde, Serializer } from './serde.js'
export {
  bufferSerde,
  float64Serde,
  int16Serde,
  int32Serde,
  int64Serde,
  jsonSerde,
  readInt64BE,
  stringSerde,
  writeInt64BE,
} from './serde.js'
export {
  CacheBudget,
  cacheEntryOverheadBytes,
  defaultStoreCacheMaxBytes,
  RecordCache,
} from './record-cache.js'
export type { BuiltStore, ChangelogAdvance, ForwardRunner, StateStore } from './state-store.js'
export type { StoreMetrics, StoreOperation } from './store-metrics.js'
export { noopStoreMetrics, storeOperations } from './store-metrics.js'
export type {
  KeyValueStoreRef,
  KeyValueStoreSpec,
  SessionStoreRef,
  StoreHandle,
  StoreRef,
  TimedStoreSpec,
  TimeWindowStoreRef,
  WindowStoreRef,
  WindowStoreSpec,
} from './store-ref.js'
export {
  defaultCacheMaxEntries,
  sessionStoreRef,
  storeRef,
  timeWindowStoreRef,
  windowStoreRef,
} from './store-ref.js'
export type {
  CachedSessionChange,
  CachedWindowChange,
  KeyWindowedValue,
  SessionStore,
  SessionValue,
  TimeWindowStore,
  Window,
  WindowedValue,
} from './time-window-store.js'
export { TimeIndexedBytesStore } from './time-indexed-bytes-store.js'
export type { TimestampedValue, WindowStore } from './window-store.js'
