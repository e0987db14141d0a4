// A task's punctuators (Kafka Streams' PunctuationQueue): stream-time ones fire as records advance the
// task's stream time, at most once per advance; wall-clock ones fire when the runtime's timer (or the test
// driver's clock) passes their next time. The queue keeps when each is due next; the task fires each due
// callback through its processor graph, with no input record.
import { StreamsError } from '../errors.js'
import type { Cancellable, PunctuationType } from '../processor.js'

export type PunctuationCallback = (time: number) => void | Promise<void>

interface Punctuator {
  readonly interval: number
  readonly type: PunctuationType
  readonly callback: PunctuationCallback
  /** When it fires next; undefined for a stream-time punctuator before the task has a stream time. */
  next: number | undefined
  cancelled: boolean
}

export class PunctuationQueue {
  private readonly punctuators: Punctuator[] = []

  /** `streamTime` is the task's, negative before its first record. */
  schedule(
    interval: number,
    type: PunctuationType,
    callback: PunctuationCallback,
    streamTime: number,
    now: number,
  ): Cancellable {
    if (!(interval > 0))
      throw new StreamsError('CONFIG_INVALID', `punctuation interval must be > 0 ms, got ${interval}`)
    const punctuator: Punctuator = {
      interval,
      type,
      callback,
      next: type === 'wall-clock' ? now + interval : streamTime >= 0 ? streamTime + interval : undefined,
      cancelled: false,
    }
    this.punctuators.push(punctuator)
    return {
      cancel: () => {
        punctuator.cancelled = true
      },
    }
  }

  /** Cheap check before `punctuateStreamTime`, which is async: most records make no punctuator due. */
  streamTimeDue(streamTime: number): boolean {
    for (const p of this.punctuators) {
      if (p.cancelled || p.type !== 'stream-time') continue
      if (p.next === undefined || streamTime >= p.next) return true
    }
    return false
  }

  /**
   * Fires the stream-time punctuators due at `streamTime`, one at a time through `fire`, each moved to its
   * next time first; one scheduled before the task had a stream time starts counting from this one.
   */
  async punctuateStreamTime(streamTime: number, fire: (run: () => void | Promise<void>) => Promise<void>) {
    for (const p of this.punctuators) {
      if (p.cancelled || p.type !== 'stream-time') continue
      if (p.next === undefined) {
        p.next = streamTime + p.interval
        continue
      }
      if (streamTime < p.next) continue
      p.next = streamTime + p.interval
      await fire(() => p.callback(streamTime))
    }
  }

  /** Fires the wall-clock punctuators due at `now`, one at a time through `fire`, each moved to its next time first. */
  async punctuateWallClock(now: number, fire: (run: () => void | Promise<void>) => Promise<void>) {
    for (const p of this.punctuators) {
      if (p.cancelled || p.type !== 'wall-clock' || p.next === undefined || now < p.next) continue
      p.next = now + p.interval
      await fire(p.callback.bind(undefined, now))
    }
  }
}
