// The change-logging layer: every write goes to the changelog at once and to local storage at commit.

import type { ByteRange } from './byte-range.js'
import { keyString, stringRange } from './byte-range.js'
import type { BytesKeyValueStore, BytesWrite } from './bytes-key-value-store.js'
import { StateStoreError } from './errors.js'
import { mergeRanges, mergeSorted } from './merge-ranges.js'
import { SortedKeys } from './sorted-keys.js'

/**
 * Where the logging layer sends its changes. The runtime binds it to the changelog
 * topic-partition of the task (inside the task's transaction under exactly-once); this layer never
 * imports the runtime. `log` must not throw for ordinary send failures: those surface when the
 * runtime flushes or commits its producer.
 */
export interface ChangelogWriter {
  log(key: Buffer, value: Buffer | null, timestamp: number): void
}

/**
 * Bytes store wrapper that logs every write and keeps it *pending* until `commit`.
 *
 * Invariants:
 * - Local storage is never ahead of the committed changelog: pending writes reach the inner store
 *   only through `commit`, which the runtime calls after the changelog records were committed.
 * - Reads see pending writes over the inner store (read-your-writes), deletes included.
 *   `sortedPending`, when present, holds exactly the ids of `pending`.
 * - `seal` marks the pending writes of a commit cycle; `commit` applies exactly those and the
 *   checkpoint in one atomic inner `write` (without a seal: all pending writes). Writes made after
 *   the seal — the next cycle's, while the runtime commits in the background — stay pending (and
 *   visible) until the next commit; a sealed write overwritten meanwhile stays pending as its newer
 *   value. If the inner write fails, the writes stay pending and the error propagates.
 * - With `writer` undefined (logging disabled) writes still go pending → commit; nothing is logged.
 */
export class ChangeLoggingKeyValueStore {
  /** Pending writes by `keyString`; a `null` value is a pending delete. */
  private readonly pending = new Map<string, BytesWrite>()
  /** The writes of the cycle being committed (see `seal`), with the ids they were pending under. */
  private sealed: [string, BytesWrite][] | undefined
  /** Sorted ids of `pending`, built by the first `range` after a commit and kept up to date. */
  private sortedPending: SortedKeys | undefined

  constructor(
    readonly inner: BytesKeyValueStore,
    private readonly writer: ChangelogWriter | undefined,
    private readonly name = 'store',
  ) {}

  get isOpen(): boolean {
    return this.inner.isOpen
  }

  get logging(): boolean {
    return this.writer !== undefined
  }

  /** Number of writes waiting for `commit`. */
  get pendingCount(): number {
    return this.pending.size
  }

  put(key: Buffer, value: Buffer, timestamp: number): void {
    this.record(key, value, timestamp, true)
  }

  delete(key: Buffer, timestamp: number): void {
    this.record(key, null, timestamp, true)
  }

  /**
   * Deletes locally (at the next commit) without a changelog tombstone. Only for data that the
   * changelog topic expires by itself (time retention of window stores); a restore may bring such
   * entries back until the topic's retention removes them.
   */
  deleteUnlogged(key: Buffer): void {
    this.record(key, null, 0, false)
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    const write = this.pending.get(keyString(key))
    if (write !== undefined) return write.value ?? undefined
    return this.inner.get(key)
  }

  /**
   * `get`, answered at once when it can be: a pending write, or an inner store that reads synchronously
   * (`getSync`: in memory, or LevelDB's synchronous read); `undefined` when it cannot: then call `get`.
   */
  getNow(key: Buffer): { readonly value: Buffer | undefined } | undefined {
    const write = this.pending.get(keyString(key))
    if (write !== undefined) return { value: write.value ?? undefined }
    const getSync = this.inner.getSync
    return getSync === undefined ? undefined : { value: getSync(key) }
  }

  /** Entries in range, pending writes merged over the inner store, in byte order. */
  range(range: ByteRange): AsyncIterable<readonly [Buffer, Buffer]> {
    const underlay = this.inner.range(range)
    if (this.pending.size === 0) return underlay
    return mergeRanges(this.pendingIn(range), underlay, toEntry, toPair)
  }

  /** Whether `rangeSync` can be used: the inner store holds its data in memory. */
  get scansSync(): boolean {
    return this.inner.rangeSync !== undefined
  }

  /** `range`, read at once; only when `scansSync`. */
  rangeSync(range: ByteRange): (readonly [Buffer, Buffer])[] {
    const underlay = this.inner.rangeSync!(range)
    if (this.pending.size === 0) return underlay
    return mergeSorted(this.pendingIn(range), underlay, toEntry, toPair)
  }

  /**
   * Makes pending writes durable locally, after the runtime committed them to the changelog.
   * `checkpoint` is the next changelog offset to restore from; when omitted the stored checkpoint
   * is left as is (safe: replaying a changelog from an older offset converges to the same state).
   */
  async commit(checkpoint?: number): Promise<void> {
    const entries = this.sealed ?? [...this.pending]
    this.sealed = undefined
    if (entries.length === 0 && checkpoint === undefined) return
    await this.inner.write(
      entries.map(([, write]) => write),
      checkpoint,
    )
    // writes made after the seal stay pending; each write is a new object, so identity tells them apart
    for (const [id, write] of entries) {
      if (this.pending.get(id) !== write) continue
      this.pending.delete(id)
      this.sortedPending?.delete(id)
    }
  }

  /** Marks the pending writes as the ones the next `commit` makes durable (commit step 1). */
  seal(): void {
    this.sealed = [...this.pending]
  }

  /** The writes waiting for `commit`, in first-written order. */
  pendingWrites(): IterableIterator<BytesWrite> {
    return this.pending.values()
  }

  /** Drops pending writes, e.g. after the transaction that logged them aborted. */
  discardPending(): void {
    this.pending.clear()
    this.sortedPending = undefined
    this.sealed = undefined
  }

  /** Applies changelog records to the inner store with their checkpoint; nothing is logged. */
  async restore(records: readonly BytesWrite[], nextOffset: number): Promise<void> {
    await this.inner.write(records, nextOffset)
  }

  private record(key: Buffer, value: Buffer | null, timestamp: number, log: boolean): void {
    if (!this.inner.isOpen)
      throw new StateStoreError('STORE_CLOSED', 'write to a closed store', { store: this.name })
    if (log) this.writer?.log(key, value, timestamp)
    const id = keyString(key)
    this.pending.set(id, { key, value })
    this.sortedPending?.add(id)
  }

  /** Pending writes in range, in byte order: O(log n + k) once the sorted index exists. */
  private pendingIn(range: ByteRange): BytesWrite[] {
    let sorted = this.sortedPending
    if (sorted === undefined) {
      sorted = new SortedKeys()
      for (const id of this.pending.keys()) sorted.add(id)
      this.sortedPending = sorted
    }
    const bounds = stringRange(range)
    return sorted.slice(bounds.gte, bounds.lt).map((id) => this.pending.get(id)!)
  }
}

function toEntry(write: BytesWrite): readonly [Buffer, Buffer] | undefined {
  return write.value === null ? undefined : [write.key, write.value]
}

function toPair(key: Buffer, value: Buffer): readonly [Buffer, Buffer] {
  return [key, value]
}
