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
}

export const defaultDecisionConfig: DecisionConfig = {
  holdTimeoutMs: 15 * 60_000,
  waitlistPolicy: 'blocking',
  alternativesWindowSlots: 14,
  maxAlternatives: 3,
  checkinOpensBeforeStartMs: 0,
  maxSlotsPerReservation: 1000,
}
