// The reservation status machine of spec §2, as a transition table.
//
//   PENDING_PAYMENT ──► AUTHORIZED ──► FINALIZED ──► CHECKED_IN ──► CHECKED_OUT
//          │                ▲
//          ▼                │ (retry with another method)
//   PAYMENT_FAILED ─────────┘
//
//   PENDING_PAYMENT, PAYMENT_FAILED           ──► EXPIRED            (hold timed out)
//   PENDING_PAYMENT … FINALIZED (before check-in) ──► CANCELED, BUMPED
import type { ReservationStatus } from '../../schemas/generated/types.js'

export const statusTransitions: { readonly [S in ReservationStatus]: readonly ReservationStatus[] } = {
  PENDING_PAYMENT: ['AUTHORIZED', 'PAYMENT_FAILED', 'EXPIRED', 'CANCELED', 'BUMPED'],
  PAYMENT_FAILED: ['AUTHORIZED', 'EXPIRED', 'CANCELED', 'BUMPED'],
  AUTHORIZED: ['FINALIZED', 'CANCELED', 'BUMPED'],
  FINALIZED: ['CHECKED_IN', 'CANCELED', 'BUMPED'],
  CHECKED_IN: ['CHECKED_OUT'],
  CHECKED_OUT: [],
  EXPIRED: [],
  CANCELED: [],
  BUMPED: [],
}

/** True when `from → to` is an edge of the status machine (staying in a status is not an edge). */
export function canTransition(from: ReservationStatus, to: ReservationStatus): boolean {
  return statusTransitions[from].includes(to)
}

/** Statuses in which a reservation holds its units (checked-out ones too: only cancel, expire and bump release). */
export function holdsUnits(status: ReservationStatus): boolean {
  return status !== 'EXPIRED' && status !== 'CANCELED' && status !== 'BUMPED'
}

/** Statuses before authorization, in which the hold can expire. */
export function isUnpaid(status: ReservationStatus): boolean {
  return status === 'PENDING_PAYMENT' || status === 'PAYMENT_FAILED'
}

/** Statuses that ended the reservation without a stay. */
export function isEnded(status: ReservationStatus): boolean {
  return !holdsUnits(status)
}
