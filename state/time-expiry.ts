// Retention of time-keyed stores (window and session stores): which entries are past retention, and
// deleting them locally through the time index.

import type { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js'
import type { TimeIndexedBytesStore } from './time-indexed-bytes-store.js'
import { readTimestamp } from './window-key.js'

/**
 * Deletes, locally and without changelog tombstones, every entry whose suffix time `t` is
 * `from <= t < to`: committed ones found through the time index, pending ones among the logging
 * layer's pending writes. Returns how many were deleted. Cost is proportional to the entries
 * removed. The changelog topic expires the same records by its own time retention.
 */
export async function expireBetween(
  logging: ChangeLoggingKeyValueStore,
  index: TimeIndexedBytesStore,
  from: number,
  to: number,
): Promise<number> {
  if (to <= from) return 0
  const expired: Buffer[] = []
  for await (const composite of index.keysBetween(from, to)) expired.push(composite)
  for (const write of logging.pendingWrites()) {
    if (write.value === null) continue
    const time = readTimestamp(write.key, write.key.length - index.suffixBytes)
    if (time >= from && time < to) expired.push(write.key)
  }
  for (const composite of expired) logging.deleteUnlogged(composite)
  return expired.length
}

/**
 * The retention rule of Kafka Streams' window and session stores, for one store: the store's
 * stream time is the greatest window time it was given (window start, or session end), restored
 * included; an entry whose time is at or before `streamTime - retentionMs` is expired: a put of it
 * is dropped and reads do not return it. Expired entries are deleted locally in sweeps, each time
 * the horizon has moved by a segment interval (retention / 2, at least a minute, as Kafka Streams).
 */
export class Retention {
  private observed = -1
  private sweptBefore = 0
  private readonly sweepStepMs: number

  constructor(
    readonly retentionMs: number,
    private readonly logging: ChangeLoggingKeyValueStore,
    private readonly index: TimeIndexedBytesStore,
  ) {
    this.sweepStepMs = Math.max(Math.floor(retentionMs / 2), 60_000)
  }

  /** Greatest window time seen, put or restored; -1 before any. */
  get streamTime(): number {
    return Math.max(this.observed, this.index.maxTime)
  }

  /** The smallest window time still live. */
  get liveFrom(): number {
    return Math.max(0, this.streamTime - this.retentionMs + 1)
  }

  /** Advances stream time to `time`; false when an entry at `time` is already expired (drop it). */
  admit(time: number): boolean {
    if (time > this.observed) this.observed = time
    return time > this.streamTime - this.retentionMs
  }

  /** Whether the horizon has moved by a sweep step since the last sweep (`sweep` would delete). */
  get sweepDue(): boolean {
    return this.liveFrom - this.sweptBefore >= this.sweepStepMs
  }

  /** Deletes expired entries once the horizon has moved by a sweep step since the last sweep. */
  async sweep(): Promise<void> {
    const horizon = this.liveFrom
    if (horizon - this.sweptBefore < this.sweepStepMs) return
    const from = this.sweptBefore
    this.sweptBefore = horizon
    await expireBetween(this.logging, this.index, from, horizon)
  }

  /** Forgets in-memory progress, e.g. after pending writes were dropped. */
  reset(): void {
    this.observed = -1
    this.sweptBefore = 0
  }
}
