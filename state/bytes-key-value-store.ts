// The storage-engine contract: bytes in, bytes out, one atomic write per commit.

import type { ByteRange } from './byte-range.js'

/** One write of a batch: a `null` value deletes the key. */
export interface BytesWrite {
  readonly key: Buffer
  readonly value: Buffer | null
}

/**
 * A sorted map of bytes to bytes, the bottom of every store stack.
 *
 * Invariants:
 * - `write(batch, checkpoint)` is atomic: after a crash either the whole batch and the checkpoint
 *   are visible, or neither is. Local data is therefore never ahead of or behind its checkpoint.
 * - `range` yields entries in byte order of keys.
 * - Buffers are shared, not copied: neither the store nor its callers mutate a Buffer after
 *   passing it to `write` or receiving it from `get`/`range`.
 * - All methods other than `open`, `close` and `wipe` throw `StateStoreError('STORE_CLOSED')`
 *   when the store is not open.
 */
export interface BytesKeyValueStore {
  /** Whether `open()` has completed and `close()` has not been called since. */
  readonly isOpen: boolean
  /** Does this store keep its data and checkpoint across `close()`/`open()` and process restarts? */
  readonly persistent: boolean
  open(): Promise<void>
  /** Closes the store. Idempotent. Iterators still in use fail afterwards. */
  close(): Promise<void>
  get(key: Buffer): Promise<Buffer | undefined>
  /**
   * `get`, answered at once. Present only on stores that can read without a round trip to another
   * thread (memory, or LevelDB's synchronous read, which blocks for a read that goes to disk).
   */
  readonly getSync?: ((key: Buffer) => Buffer | undefined) | undefined
  /** Entries with `gte <= key < lt`, in byte order. */
  range(range: ByteRange): AsyncIterable<readonly [Buffer, Buffer]>
  /**
   * The same entries as `range`, read at once without I/O. Present only on stores that hold their
   * data in memory; the layers above then scan synchronously, not one awaited step per entry.
   */
  readonly rangeSync?: (range: ByteRange) => (readonly [Buffer, Buffer])[]
  /** Applies the batch (later writes of one key win) and, if given, the checkpoint, atomically. */
  write(batch: readonly BytesWrite[], checkpoint?: number): Promise<void>
  /** The next changelog offset to restore from; `undefined` when the store must restore from the start. */
  checkpoint(): Promise<number | undefined>
  /**
   * Deletes all data and the checkpoint. Works on a closed or corrupted store too, and leaves the
   * store open. Safe to repeat after a crash: a half-done wipe leaves no checkpoint behind.
   */
  wipe(): Promise<void>
  /** A cheap size estimate in bytes, for metrics; may lag behind recent writes. */
  approximateBytes(): Promise<number>
  /**
   * The number of keys, for metrics: exact for stores held in memory; a store on disk may count or
   * estimate them at most once per `keyCountMaxAgeMs`, and answer the last count in between.
   */
  keyCount(): Promise<number>
}

/** How old a key count of a store on disk may be (counting reads its keys). */
export const keyCountMaxAgeMs = 60_000
