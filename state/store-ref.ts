// Typed store references: how processors declare the stores they use and get typed handles back.

import { StateStoreError } from './errors.js'
import type { KeyValueStore } from './key-value-store.js'
import type { Serde } from './serde.js'
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
}

export type StoreRef = KeyValueStoreRef<unknown, unknown> | WindowStoreRef<unknown, unknown>

/** The typed handle a processor gets for a ref: `ctx.store(ref)` returns `StoreHandle<typeof ref>`. */
export type StoreHandle<R> =
  R extends KeyValueStoreRef<infer K, infer V>
    ? KeyValueStore<K, V>
    : R extends WindowStoreRef<infer K, infer V>
      ? WindowStore<K, V>
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
  }
}

const namePattern = /^[A-Za-z0-9._-]+$/

function checkName(name: string): void {
  if (!namePattern.test(name) || name === '.' || name === '..') {
    throw new StateStoreError('STORE_MISCONFIGURED', `store name '${name}' must match ${namePattern.source}`)
  }
}
