// Window definitions (Kafka Streams' TimeWindows, SlidingWindows, SessionWindows, JoinWindows), in
// milliseconds. Each has a grace period: how long after a window ends out-of-order records still count.
import { TopologyError } from '../errors.js'
import type { Window } from '../../state/index.js'

function checkMs(value: number, what: string, min = 0): number {
  if (!Number.isSafeInteger(value) || value < min)
    throw new TopologyError(`${what} must be an integer number of ms >= ${min}, got ${value}`)
  return value
}

/**
 * Fixed-size windows `[start, start + size)` that start every `advance` ms: tumbling when advance equals
 * size (the default), hopping when it is smaller. Window starts are aligned to the epoch.
 */
export class TimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {}

  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0)
  }

  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    checkMs(sizeMs, 'window size', 1)
    return new TimeWindows(sizeMs, sizeMs, checkMs(graceMs, 'grace period'))
  }

  /** Hopping windows: a new window every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    checkMs(advanceMs, 'window advance', 1)
    if (advanceMs > this.sizeMs)
      throw new TopologyError(
        `window advance (${advanceMs} ms) must not exceed the window size (${this.sizeMs} ms)`,
      )
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs)
  }

  /** The windows a record at `timestamp` belongs to, by start time (Kafka Streams' windowsFor). */
  windowsFor(timestamp: number): Window[] {
    const windows: Window[] = []
    let start =
      Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs
    for (; start <= timestamp; start += this.advanceMs) windows.push({ start, end: start + this.sizeMs })
    return windows
  }
}

/**
 * Sliding windows of a fixed maximum time difference: a window `[t - diff, t]` ends at each record
 * (and one starts just after it), both bounds inclusive, so every distinct set of records that lie within
 * `diff` of each other is aggregated once.
 */
export class SlidingWindows {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0)
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    return new SlidingWindows(checkMs(timeDifferenceMs, 'time difference'), checkMs(graceMs, 'grace period'))
  }
}

/**
 * Session windows: records of a key closer than the inactivity gap fall in one session `[first, last]`;
 * a record between two sessions merges them.
 */
export class SessionWindows {
  private constructor(
    readonly inactivityGapMs: number,
    readonly graceMs: number,
  ) {}

  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0)
  }

  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    return new SessionWindows(checkMs(inactivityGapMs, 'inactivity gap', 1), checkMs(graceMs, 'grace period'))
  }
}

/**
 * The windows of a stream–stream join: a record at `t` joins the other stream's records within
 * `[t - beforeMs, t + afterMs]`. Records are kept for `beforeMs + afterMs + graceMs` of stream time.
 */
export class JoinWindows {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0)
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    checkMs(timeDifferenceMs, 'time difference')
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, checkMs(graceMs, 'grace period'))
  }

  /** How far the other stream's record may precede this one's. */
  before(beforeMs: number): JoinWindows {
    return new JoinWindows(checkMs(beforeMs, 'before'), this.afterMs, this.graceMs)
  }

  /** How far the other stream's record may follow this one's. */
  after(afterMs: number): JoinWindows {
    return new JoinWindows(this.beforeMs, checkMs(afterMs, 'after'), this.graceMs)
  }

  get sizeMs(): number {
    return this.beforeMs + this.afterMs
  }
}

/** The earlier helper: a symmetric join window of `differenceMs` with a grace period. */
export function joinWindows(differenceMs: number, graceMs: number): JoinWindows {
  return JoinWindows.ofTimeDifferenceAndGrace(differenceMs, graceMs)
}
