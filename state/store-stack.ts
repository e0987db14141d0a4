// The lifecycle of one assembled store stack, forwarding each step to the layer that owns it.

import type { BytesKeyValueStore, BytesWrite } from './bytes-key-value-store.js'
import type { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js'
import type { BuiltStore, ChangelogAdvance, ForwardRunner } from './state-store.js'
import type { StoreMetrics, StoreOperation } from './store-metrics.js'

export interface StoreLayers<S> {
  readonly name: string
  readonly store: S
  readonly logging: ChangeLoggingKeyValueStore
  readonly bytes: BytesKeyValueStore
  /** The caching layer, if any. */
  readonly cache?:
    | {
        flush(): number
        clear(): void
        flushRecords(run: ForwardRunner): Promise<number>
        evictRecords(run: ForwardRunner): Promise<number>
        readonly overflowing: boolean
        readonly cachesRecords: boolean
      }
    | undefined
  /** Forgets in-memory state derived from pending writes (e.g. a window store's expiry watermark). */
  readonly reset?: (() => void) | undefined
  readonly metrics: StoreMetrics
}

/**
 * `BuiltStore` over layers the builder assembled. Every step that drops writes (`discardPending`,
 * `wipe`, `close`) drops them in all layers at once, and `restore` clears the cache, so no layer
 * can keep state that disagrees with the layers below it.
 */
export class StoreStack<S> implements BuiltStore<S> {
  readonly name: string
  readonly store: S
  private readonly timed: boolean
  /**
   * The checkpoint this store holds, as last read, restored to or committed (undefined: none, or not read
   * since it was opened) — what a `ChangelogAdvance` advances from.
   */
  private lastCheckpoint: number | undefined
  /**
   * Commits since `lastCheckpoint` was last taken from the changelog (a restore, a believed end) that
   * advanced it by count: each may have added a commit marker the count does not see.
   */
  private countedCommits = 0

  constructor(private readonly layers: StoreLayers<S>) {
    this.name = layers.name
    this.store = layers.store
    this.timed = layers.metrics.timed
  }

  get persistent(): boolean {
    return this.layers.bytes.persistent
  }

  get logged(): boolean {
    return this.layers.logging.logging
  }

  get isOpen(): boolean {
    return this.layers.bytes.isOpen
  }

  open(): Promise<void> {
    return this.layers.bytes.open()
  }

  flushCache(run: ForwardRunner): Promise<number> {
    return this.layers.cache?.flushRecords(run) ?? Promise.resolve(0)
  }

  evictCache(run: ForwardRunner): Promise<number> {
    return this.layers.cache?.evictRecords(run) ?? Promise.resolve(0)
  }

  get cachesRecords(): boolean {
    return this.layers.cache?.cachesRecords ?? false
  }

  get cacheOverflowing(): boolean {
    return this.layers.cache?.overflowing ?? false
  }

  flush(): void {
    const start = this.timed ? process.hrtime.bigint() : 0n
    this.layers.cache?.flush()
    this.layers.logging.seal()
    this.record('flush', start)
  }

  async commit(checkpoint?: number | ChangelogAdvance): Promise<void> {
    const start = this.timed ? process.hrtime.bigint() : 0n
    const next = typeof checkpoint === 'object' ? this.advanced(checkpoint) : checkpoint
    await this.layers.logging.commit(next)
    if (next !== undefined) this.lastCheckpoint = next
    this.record('commit', start)
  }

  /**
   * The checkpoint after writes whose offsets were not reported: the last checkpoint plus the records
   * written, never past the true position (see `ChangelogAdvance`) — or the end read after the commit,
   * when it is where this store's own writes account for: at or past the count, by no more than the
   * commit markers the counts since the last believed position did not see (one per commit, and one the
   * restore that set the base may have left after its last record). Past that, someone else wrote to the
   * changelog (a task's new owner, if this instance was a zombie): the count is kept. No checkpoint when
   * there is no base to count from (the stored one is kept: a restore replays more).
   */
  private advanced({ written, end }: ChangelogAdvance): number | undefined {
    if (this.lastCheckpoint === undefined) return undefined
    const counted = this.lastCheckpoint + written
    if (end !== undefined && end >= counted && end <= counted + this.countedCommits + 2) {
      this.countedCommits = 0
      return end
    }
    if (written > 0) this.countedCommits += 1
    return counted
  }

  discardPending(): void {
    this.dropWrites()
  }

  async restore(records: readonly BytesWrite[], nextOffset: number): Promise<void> {
    const start = this.timed ? process.hrtime.bigint() : 0n
    this.layers.cache?.clear()
    await this.layers.logging.restore(records, nextOffset)
    this.lastCheckpoint = nextOffset
    this.countedCommits = 0
    this.record('restore', start)
  }

  get checkpointByCount(): boolean {
    return this.countedCommits > 0
  }

  async checkpoint(): Promise<number | undefined> {
    return (this.lastCheckpoint = await this.layers.bytes.checkpoint())
  }

  async wipe(): Promise<void> {
    this.dropWrites()
    this.lastCheckpoint = undefined
    this.countedCommits = 0
    await this.layers.bytes.wipe()
  }

  async close(): Promise<void> {
    this.dropWrites()
    this.lastCheckpoint = undefined
    this.countedCommits = 0
    await this.layers.bytes.close()
  }

  approximateBytes(): Promise<number> {
    return this.layers.bytes.approximateBytes()
  }

  keyCount(): Promise<number> {
    return this.layers.bytes.keyCount()
  }

  private dropWrites(): void {
    this.layers.cache?.clear()
    this.layers.logging.discardPending()
    this.layers.reset?.()
  }

  private record(operation: StoreOperation, start: bigint): void {
    const duration = this.timed ? Number(process.hrtime.bigint() - start) : undefined
    this.layers.metrics.recordOperation(this.name, operation, duration)
  }
}
