// The values the reservation processor keeps in its stores (see store-keys.ts). Plain JSON data.
import type { ReservationStatus, ResourceDefinition } from '../../schemas/generated/types.js'

/** Per-resource counters. Absent until the resource's first event. */
export interface ResourceMeta {
  /** Sequence number of the resource's last event (0 before the first). */
  readonly sequence: number
  /** Sequence number the next waitlist entry gets. */
  readonly nextWaitlistSeq: number
}

export const emptyResourceMeta: ResourceMeta = { sequence: 0, nextWaitlistSeq: 1 }

/** Units held in one slot by reservations whose status holds units. */
export interface SlotUsage {
  readonly used: number
}

/** A promotion as applied to a reservation: a snapshot, unaffected by later changes of the definition. */
export interface AppliedPromotion {
  readonly code: string
  readonly percentOff: number | null
  readonly amountOffCents: number | null
}

/**
 * A reservation (spec §2).
 * Invariants: it holds `quantity` units of every slot in [start, end) iff `holdsUnits(status)`;
 * `holdExpiresAt` is set iff the status is PENDING_PAYMENT or PAYMENT_FAILED (and a `holds` key exists);
 * `priceCents = basePriceCents - discount(promotion)`.
 */
export interface Reservation {
  readonly reservationId: string
  readonly resourceId: string
  readonly customerId: string
  /** Normalised ISO-8601 UTC instants. */
  readonly start: string
  readonly end: string
  readonly quantity: number
  /** The slot grid the units were booked on (the resource's slotMinutes at booking time). */
  readonly slotMinutes: number
  readonly basePriceCents: number
  readonly priceCents: number
  readonly promotion: AppliedPromotion | null
  readonly status: ReservationStatus
  /** Stream time at which the unauthorized hold expires; null once authorized or ended. */
  readonly holdExpiresAt: number | null
  /** Sum of accepted authorizations (captured ones included). Held money is authorizedCents − refundedCents. */
  readonly authorizedCents: number
  /** Sum of captured payments. */
  readonly paidCents: number
  /** Sum of requested refunds. */
  readonly refundedCents: number
  readonly overbooked: boolean
  /** Sequence number of its ReservationCreated event: "latest created" is the highest. */
  readonly createdSeq: number
  readonly createdEventId: string
  /** Stream time of creation. */
  readonly createdAt: number
  readonly fromWaitlistEntryId: string | null
}

/** A waitlist entry; it becomes a reservation with `reservationId` when promoted. */
export interface WaitlistEntry {
  readonly seq: number
  readonly waitlistEntryId: string
  /** The CreateReservation's reservationId, or the waitlistEntryId for AddToWaitlist. */
  readonly reservationId: string
  readonly customerId: string
  readonly start: string
  readonly end: string
  readonly quantity: number
  readonly promotion: AppliedPromotion | null
  readonly addedAt: number
}

/** The value type of every store. */
export interface StoreValues {
  resources: ResourceDefinition
  'resource-meta': ResourceMeta
  reservations: Reservation
  'reservation-index': string
  slots: SlotUsage
  waitlist: WaitlistEntry
  holds: string
  commands: string
  'promotion-uses': number
  'retention-index': string
  'command-index': string
}
