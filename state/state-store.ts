// The lifecycle of a store stack, as the task runtime drives it: the commit and restore protocols.

import type { BytesWrite } from './bytes-key-value-store.js'

/**
 * Where a commit's changelog writes went, when the client did not report their offsets (confluent
 * transactions: delivery reports only of failures). At least `written` records went to the changelog
 * partition after the store's last checkpoint — each record takes an offset of its own, and the
 * transaction's commit markers and anyone else's writes only add offsets — so the last checkpoint plus
 * `written` is never past the true position. `end`, when given, is the partition's end offset read after
 * the commit and before anything more was written to it: the true position, or past it by commit markers —
 * or by someone else's writes, which the store tells apart by how far past its count the end is
 * (`StoreStack`).
 */
export interface ChangelogAdvance {
  readonly written: number
  readonly end?: number | undefined
}

/**
 * The runtime's side of a store: one object per store per task, whatever its type.
 *
 * Restore protocol (when a task is assigned):
 * 1. `open()`.
 * 2. `cp = await checkpoint()`. If `cp` is undefined and the store is persistent, `wipe()`: local
 *    data without a checkpoint cannot be trusted. Start reading the changelog at `cp`, or at its
 *    beginning when `cp` is undefined.
 * 3. Read the changelog up to its end (last stable offset under exactly-once) and call
 *    `restore(records, nextOffset)` per fetched batch. Each call is atomic with its checkpoint,
 *    so a crash during restore resumes where it stopped.
 * 4. Start processing.
 *
 * Commit protocol (every commit interval):
 * 0. `flushCache(run)` every store, in topological order, until none flushes anything: a store caching
 *    records writes its dirty entries through and hands them downstream (which may fill caches further
 *    down, hence the repetition).
 * 1. `flush()` every store: dirty cache entries are serialized and written to the changelog
 *    writer (inside the task's transaction under exactly-once), and the pending writes so far are
 *    sealed as this commit's. Processing may go on while the runtime commits: later writes belong
 *    to the next commit.
 * 2. The runtime commits: the transaction with input offsets (exactly-once), or flushes the
 *    producer and commits offsets (at-least-once).
 * 3. Only once step 2 succeeded: `commit(checkpoint)` every store, which writes the sealed changes
 *    and the checkpoint in one atomic local write. Local state is thus never ahead of the committed
 *    changelog. The checkpoint is the next changelog offset when the client reported where the writes
 *    landed, or a `ChangelogAdvance` when it did not (see there): never past the true position, since
 *    a checkpoint before it only makes a restore replay records the store already holds.
 * 4. If step 2 failed or the transaction aborted: `discardPending()` every store, then
 *    re-initialize the task from its checkpoints (restore protocol from step 2).
 *
 * `close()` neither flushes nor commits: uncommitted writes are dropped, as the changelog has not
 * committed them either. Commit first to keep them.
 */
export interface StateStore {
  readonly name: string
  /** Data and checkpoint survive restarts (LevelDB); otherwise every open restores from the start. */
  readonly persistent: boolean
  /** Writes go to a changelog; when false the store cannot be restored and starts empty. */
  readonly logged: boolean
  readonly isOpen: boolean
  open(): Promise<void>
  /** Commit step 0: a record cache's dirty entries written through and handed downstream; how many. */
  flushCache(run: ForwardRunner): Promise<number>
  /** After each record: a record cache over its size evicts (writes through and hands on) its LRU entries. */
  evictCache(run: ForwardRunner): Promise<number>
  /** The store caches records: a processor set a flush listener (see `KeyValueStore.setFlushListener`). */
  readonly cachesRecords: boolean
  /** The record cache holds more than its share: `evictCache` is due. */
  readonly cacheOverflowing: boolean
  /** Commit step 1: pushes cached writes down to the change-logging layer (which logs them) and seals them. */
  flush(): void
  /**
   * Commit step 3: makes the sealed writes durable locally, atomically with `checkpoint` (the next
   * changelog offset, or how far the changelog advanced); none: the stored checkpoint is kept.
   */
  commit(checkpoint?: number | ChangelogAdvance): Promise<void>
  /** Commit step 4: drops cached and pending writes that the changelog did not commit. */
  discardPending(): void
  /** Restore step 3: applies changelog records (null value = delete) and the next offset to read. */
  restore(records: readonly BytesWrite[], nextOffset: number): Promise<void>
  /** The next changelog offset to restore from, `undefined` to restore from the start. */
  checkpoint(): Promise<number | undefined>
  /**
   * The checkpoint went by records counted (`ChangelogAdvance` without a believed end) since it was last
   * taken from the changelog: a changelog end read would make it exact.
   */
  readonly checkpointByCount: boolean
  /** Deletes all local data and the checkpoint; works on a corrupted store and leaves it open. */
  wipe(): Promise<void>
  close(): Promise<void>
  /** Size estimate for metrics. */
  approximateBytes(): Promise<number>
  /** Key count for metrics (committed keys; see `BytesKeyValueStore.keyCount`). */
  keyCount(): Promise<number>
}

/**
 * How a store's record cache hands a flushed or evicted entry on: the task runs `emit` (the flush
 * listener, which forwards) and processes everything it forwards, with `timestamp` as the record time of
 * what the processors downstream write. A promise only when that processing does not finish at once.
 */
export type ForwardRunner = (emit: () => void, timestamp: number) => void | Promise<void>

/** A store stack from the builder: the typed handle for processors plus the lifecycle for the runtime. */
export interface BuiltStore<S> extends StateStore {
  readonly store: S
}
