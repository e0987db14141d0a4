// Typed store references: how processors declare the stores they use and get typed handles back.

import { StateStoreError } from './errors.js'
import type { KeyValueStore } from './key-value-store.js'
import type { Serde } from './serde.js'
import type { SessionStore, TimeWindowStore } from './time-window-store.js'
import type { WindowStore } from './window-store.js'

/** Default cache size of key-value stores, in entries. */
export const defaultCacheMaxEntries = 10_000

export interface KeyValueStoreSpec<K, V> {
  /** Store name: `[A-Za-z0-9._-]+`; also the directory name and the changelog topic suffix. */
  readonly name: string
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  /** LevelDB (true, default) or memory (restored from the changelog on every open). */
  readonly persistent?: boolean | undefined
  /**
   * A persistent store also held whole in memory (default false): LevelDB keeps data and checkpoint
   * across restarts, memory serves reads, and scans run without I/O. For small stores that the hot
   * path scans; the memory cost is the store's size.
   */
  readonly mirrorInMemory?: boolean | undefined
  /** Cache size in entries (default `defaultCacheMaxEntries`); 0 disables the cache. */
  readonly cacheMaxEntries?: number | undefined
  /** Write a changelog (default true). Without one, the store cannot be restored elsewhere. */
  readonly logging?: boolean | undefined
}

export interface WindowStoreSpec<K, V> {
  readonly name: string
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  readonly persistent?: boolean | undefined
  readonly logging?: boolean | undefined
  /** How long the changelog topic keeps records, before the additional retention (default 6 days). */
  readonly retentionMs?: number | undefined
}

/** A window or session store of a windowed aggregation: values older than `retentionMs` expire. */
export interface TimedStoreSpec<K, V> {
  readonly name: string
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  /** Windows (sessions) ending this long before the store's stream time are dropped; also the changelog's retention. */
  readonly retentionMs: number
  readonly persistent?: boolean | undefined
  readonly logging?: boolean | undefined
  /**
   * Windows (sessions) the record cache may hold for this store (default `defaultCacheMaxEntries`), within
   * the instance's `cacheMaxBytes`; 0 disables record caching for it (Kafka Streams' `withCachingDisabled`).
   */
  readonly cacheMaxEntries?: number | undefined
}

/** A key-value store declaration with all defaults applied; `type` tells it from window stores. */
export interface KeyValueStoreRef<K, V> {
  readonly type: 'key-value'
  readonly name: string
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  readonly persistent: boolean
  readonly mirrorInMemory: boolean
  readonly cacheMaxEntries: number
  readonly logging: boolean
}

export interface WindowStoreRef<K, V> {
  readonly type: 'window'
  readonly name: string
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  readonly persistent: boolean
  readonly logging: boolean
  readonly retentionMs: number | undefined
}

/** One value per key and window start (windowed aggregations). */
export interface TimeWindowStoreRef<K, V> extends Omit<WindowStoreRef<K, V>, 'type' | 'retentionMs'> {
  readonly type: 'time-window'
  readonly retentionMs: number
  readonly cacheMaxEntries: number
}

/** One value per key and session window (session aggregations). */
export interface SessionStoreRef<K, V> extends Omit<WindowStoreRef<K, V>, 'type' | 'retentionMs'> {
  readonly type: 'session'
  readonly retentionMs: number
  readonly cacheMaxEntries: number
}

export type StoreRef =
  | KeyValueStoreRef<unknown, unknown>
  | WindowStoreRef<unknown, unknown>
  | TimeWindowStoreRef<unknown, unknown>
  | SessionStoreRef<unknown, unknown>

/** The typed handle a processor gets for a ref: `ctx.store(ref)` returns `StoreHandle<typeof ref>`. */
export type StoreHandle<R> =
  R extends KeyValueStoreRef<infer K, infer V>
    ? KeyValueStore<K, V>
    : R extends WindowStoreRef<infer K, infer V>
      ? WindowStore<K, V>
      : R extends TimeWindowStoreRef<infer K, infer V>
        ? TimeWindowStore<K, V>
        : R extends SessionStoreRef<infer K, infer V>
          ? SessionStore<K, V>
          : never

/** Declares a key-value store. Throws `STORE_MISCONFIGURED` for an unusable name or cache size. */
export function storeRef<K, V>(spec: KeyValueStoreSpec<K, V>): KeyValueStoreRef<K, V> {
  checkName(spec.name)
  const cacheMaxEntries = spec.cacheMaxEntries ?? defaultCacheMaxEntries
  if (!Number.isInteger(cacheMaxEntries) || cacheMaxEntries < 0) {
    throw new StateStoreError('STORE_MISCONFIGURED', `cacheMaxEntries must be an integer >= 0`, {
      store: spec.name,
    })
  }
  return {
    type: 'key-value',
    name: spec.name,
    keySerde: spec.keySerde,
    valueSerde: spec.valueSerde,
    persistent: spec.persistent ?? true,
    mirrorInMemory: spec.mirrorInMemory ?? false,
    cacheMaxEntries,
    logging: spec.logging ?? true,
  }
}

/** Declares a window store. Throws `STORE_MISCONFIGURED` for an unusable name. */
export function windowStoreRef<K, V>(spec: WindowStoreSpec<K, V>): WindowStoreRef<K, V> {
  checkName(spec.name)
  return {
    type: 'window',
    name: spec.name,
    keySerde: spec.keySerde,
    valueSerde: spec.valueSerde,
    persistent: spec.persistent ?? true,
    logging: spec.logging ?? true,
    retentionMs: spec.retentionMs,
  }
}

/** Declares the window store of a windowed aggregation. Throws `STORE_MISCONFIGURED` for an unusable name or retention. */
export function timeWindowStoreRef<K, V>(spec: TimedStoreSpec<K, V>): TimeWindowStoreRef<K, V> {
  return { ...timedRef(spec), type: 'time-window' }
}

/** Declares the session store of a session aggregation. Throws `STORE_MISCONFIGURED` for an unusable name or retention. */
export function sessionStoreRef<K, V>(spec: TimedStoreSpec<K, V>): SessionStoreRef<K, V> {
  return { ...timedRef(spec), type: 'session' }
}

function timedRef<K, V>(spec: TimedStoreSpec<K, V>) {
  checkName(spec.name)
  const cacheMaxEntries = spec.cacheMaxEntries ?? defaultCacheMaxEntries
  if (!Number.isInteger(cacheMaxEntries) || cacheMaxEntries < 0) {
    throw new StateStoreError('STORE_MISCONFIGURED', `cacheMaxEntries must be an integer >= 0`, {
      store: spec.name,
    })
  }
  if (!Number.isSafeInteger(spec.retentionMs) || spec.retentionMs < 0) {
    throw new StateStoreError('STORE_MISCONFIGURED', `retentionMs must be an integer >= 0`, {
      store: spec.name,
    })
  }
  return {
    name: spec.name,
    keySerde: spec.keySerde,
    valueSerde: spec.valueSerde,
    persistent: spec.persistent ?? true,
    logging: spec.logging ?? true,
    retentionMs: spec.retentionMs,
    cacheMaxEntries,
  }
}

const namePattern = /^[A-Za-z0-9._-]+$/

function checkName(name: string): void {
  if (!namePattern.test(name) || name === '.' || name === '..') {
    throw new StateStoreError('STORE_MISCONFIGURED', `store name '${name}' must match ${namePattern.source}`)
  }
}
