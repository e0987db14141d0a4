// Settings of the domain decisions.

/**
 * What a waitlist entry that does not fit does to later entries:
 *  - `blocking` (default): it blocks every later entry whose range overlaps its own, so promotions from
 *    competing entries strictly follow AddedToWaitlist order (G4). Entries for disjoint ranges are
 *    separate waitlists and never block each other.
 *  - `skipping`: later entries that fit are promoted past it (better utilisation, weaker fairness).
 */
export const waitlistPolicies = ['blocking', 'skipping'] as const
export type WaitlistPolicy = (typeof waitlistPolicies)[number]

export interface DecisionConfig {
  /** How long an unauthorized hold lasts, in stream time (spec default 15 minutes). */
  readonly holdTimeoutMs: number
  readonly waitlistPolicy: WaitlistPolicy
  /** Alternatives are searched up to this many slots before and after the requested start. */
  readonly alternativesWindowSlots: number
  /** At most this many alternatives are offered (spec: 3). */
  readonly maxAlternatives: number
  /** Check-in opens this long before the reservation's start (it closes at its end). */
  readonly checkinOpensBeforeStartMs: number
  /** A reservation or waitlist entry may span at most this many slots (guards against huge scans). */
  readonly maxSlotsPerReservation: number
  /**
   * Stream time a reservation is kept after it ended (its end passed, or it was canceled, expired or
   * bumped), and a waitlist entry after its range ended; then it is removed with its slot usage and index
   * entries. It is also the horizon of the past: a range may not start more than this before stream time
   * (slots that old may have lost their usage). Spec default 30 days.
   */
  readonly retentionMs: number
  /** Stream time a command id (or payment id) is remembered, so a repeat emits nothing. Spec default 7 days. */
  readonly dedupRetentionMs: number
}

export const defaultDecisionConfig: DecisionConfig = {
  holdTimeoutMs: 15 * 60_000,
  waitlistPolicy: 'blocking',
  alternativesWindowSlots: 14,
  maxAlternatives: 3,
  checkinOpensBeforeStartMs: 0,
  maxSlotsPerReservation: 1000,
  retentionMs: 30 * 24 * 3600_000,
  dedupRetentionMs: 7 * 24 * 3600_000,
}
