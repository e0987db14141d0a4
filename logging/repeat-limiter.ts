// Rate limit for lines that repeat (a client retrying a broker that is away says the same thing dozens
// of times a second). Protocol, per key (the line with its numbers blanked):
//   1. the first occurrence is logged;
//   2. repeats within `intervalMs` of the last logged one are counted, not logged;
//   3. a repeat after `intervalMs` is logged again, with the count it stands for;
//   4. a key with uncounted repeats that stays quiet for `quietMs` is reported once by `sweep` ("stopped
//      repeating"): for a broker that came back, that is the line saying so.
// So a broker away for a minute prints a line when it goes, one every `intervalMs`, and one when it returns.

export interface RepeatLimiterOptions {
  /** At most one line per key this often (default 30 s). */
  readonly intervalMs?: number
  /** A key silent this long after suppressed repeats is reported as stopped (default 5 s). */
  readonly quietMs?: number
  /** Keys remembered at most (the oldest are forgotten). */
  readonly maxKeys?: number
}

export type Admission = { readonly log: true; readonly suppressed: number } | { readonly log: false }

export interface Quieted {
  readonly key: string
  readonly sample: string
  readonly suppressed: number
  readonly sinceMs: number
}

interface KeyState {
  sample: string
  firstAt: number
  loggedAt: number
  lastAt: number
  suppressed: number
}

/** The key of a message: digits blanked, so "after 12ms" and "after 3ms" are one line. */
export function repeatKey(message: string): string {
  return message.replace(/\d+/g, '#')
}

export class RepeatLimiter {
  private readonly states = new Map<string, KeyState>()
  private readonly intervalMs: number
  private readonly quietMs: number
  private readonly maxKeys: number

  constructor(options: RepeatLimiterOptions = {}) {
    this.intervalMs = options.intervalMs ?? 30_000
    this.quietMs = options.quietMs ?? 5_000
    this.maxKeys = options.maxKeys ?? 1000
  }

  /** Steps 1–3: whether this occurrence is logged, and how many it stands for. */
  admit(key: string, sample: string, now: number): Admission {
    const state = this.states.get(key)
    if (!state) {
      if (this.states.size >= this.maxKeys) this.states.delete(this.states.keys().next().value!)
      this.states.set(key, { sample, firstAt: now, loggedAt: now, lastAt: now, suppressed: 0 })
      return { log: true, suppressed: 0 }
    }
    state.lastAt = now
    state.sample = sample
    if (now - state.loggedAt < this.intervalMs) {
      state.suppressed++
      return { log: false }
    }
    const suppressed = state.suppressed
    state.suppressed = 0
    state.loggedAt = now
    return { log: true, suppressed }
  }

  /** Step 4: keys quiet for `quietMs` are forgotten; those with uncounted repeats are returned. */
  sweep(now: number): Quieted[] {
    const quieted: Quieted[] = []
    for (const [key, state] of this.states) {
      if (now - state.lastAt < this.quietMs) continue
      this.states.delete(key)
      if (state.suppressed > 0)
        quieted.push({
          key,
          sample: state.sample,
          suppressed: state.suppressed,
          sinceMs: now - state.firstAt,
        })
    }
    return quieted
  }
}
