// Waitlist promotion: whenever units may have freed up, the oldest waitlist entries that now fit within
// capacity become reservations (ReservationCreated with fromWaitlistEntryId), FIFO.
//
// Policy (decision-config.ts): with `blocking`, an entry that does not fit blocks every later entry whose
// range overlaps it — including through entries it blocked — so competing entries are promoted strictly
// in AddedToWaitlist order (G4). With `skipping`, later entries that fit are promoted past it.
// Promotions use capacity only, never the overbooking allowance. Whatever the policy, an entry that starts
// before the retention horizon is never promoted (its slots may have lost usage, retention.ts), and holds
// back every later entry overlapping it, so that no promotion overtakes it as the event log tells it.
import { fitOf, priceOf } from './availability.js'
import { rangeOfReservation } from './decision-view.js'
import { createReservation } from './policies.js'
import { MS_PER_MINUTE, type MinuteRange, overlaps } from './time-range.js'
import type { Workspace } from './workspace.js'

/**
 * Promotes what fits, in FIFO order; `causationId` is the event that freed the units. An entry whose
 * reservationId is already taken can never be promoted and is dropped from the waitlist.
 */
export function promoteWaitlist(ws: Workspace, causationId: string): void {
  const resource = ws.resource()
  if (resource === undefined) return
  const blocked: MinuteRange[] = []
  const pastHorizon: MinuteRange[] = []
  for (const entry of [...ws.waitlist()]) {
    const range = rangeOfReservation(entry)
    if (range.start * MS_PER_MINUTE < ws.horizon || pastHorizon.some((other) => overlaps(other, range))) {
      pastHorizon.push(range)
      blocked.push(range)
      continue
    }
    if (ws.config.waitlistPolicy === 'blocking' && blocked.some((other) => overlaps(other, range))) {
      blocked.push(range)
      continue
    }
    if (ws.reservation(entry.reservationId) !== undefined) {
      ws.removeFromWaitlist(entry)
      continue
    }
    if (fitOf(ws, resource, range, entry.quantity) !== 'fits') {
      blocked.push(range)
      continue
    }
    ws.removeFromWaitlist(entry)
    createReservation(ws, resource, {
      reservationId: entry.reservationId,
      customerId: entry.customerId,
      range,
      quantity: entry.quantity,
      price: priceOf(resource, range, entry.quantity, entry.promotion),
      promotion: entry.promotion,
      overbooked: false,
      alternatives: [],
      fromWaitlistEntryId: entry.waitlistEntryId,
      causationId,
    })
  }
}
