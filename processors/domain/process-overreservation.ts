// ProcessOverreservation (spec §4, workflow alternative 5): while some slot of the range (or, without
// one, of the reservations not over yet) holds more units than capacity, bump the latest-created reservation that occupies such a
// slot — never a checked-in or checked-out one. OverreservationProcessed (outcome) lists the bumped
// reservations with alternatives for each; bumped customers are notified and refunded what they paid;
// freed units go to the waitlist.
import type {
  BumpedReservation,
  ProcessOverreservation,
  ReservationEvent,
} from '../../schemas/generated/types.js'
import { validateCommand } from '../../schemas/validate-command.js'
import { alternativesFor } from './availability.js'
import { rangeOfReservation } from './decision-view.js'
import { reject, requestRefund } from './policies.js'
import { holdsUnits } from './reservation-status.js'
import type { Reservation } from './state-records.js'
import { overreservationRange } from './read-plan.js'
import {
  alignOutward,
  isoOf,
  type MinuteRange,
  mergeRanges,
  MS_PER_MINUTE,
  slotStarts,
} from './time-range.js'
import { promoteWaitlist } from './waitlist-promotion.js'
import type { Workspace } from './workspace.js'

const bumpable = new Set(['PENDING_PAYMENT', 'PAYMENT_FAILED', 'AUTHORIZED', 'FINALIZED'])

export function decideProcessOverreservation(
  ws: Workspace,
  command: ProcessOverreservation,
): ReservationEvent {
  const invalid = validateCommand(command)
  if (invalid !== undefined) return reject(ws, command, 'INVALID', invalid.message)
  const resource = ws.resource()
  if (resource === undefined)
    return reject(ws, command, 'UNKNOWN_RESOURCE', `resource ${command.resourceId} is not defined`)
  const { requested, live: scope } = overreservationRange(command, ws.now)

  const live = ws.view
    .liveReservations(scope)
    .map((reservation) => ws.reservation(reservation.reservationId) ?? reservation)
    .filter((reservation) => holdsUnits(reservation.status))
  const region: MinuteRange[] =
    requested !== undefined
      ? [alignOutward(requested, resource.slotMinutes)]
      : mergeRanges(live.map(rangeOfReservation))
  // slots before the retention horizon are left alone: their usage may have gone with removed reservations
  const slots = region
    .flatMap((range) => slotStarts(range, resource.slotMinutes))
    .filter((slot) => slot * MS_PER_MINUTE >= ws.horizon)
  const overCapacity = (): number[] => slots.filter((slot) => ws.slotUsed(slot) > resource.capacity)

  const bumped: Reservation[] = []
  const candidates = live.filter((r) => bumpable.has(r.status)).sort((a, b) => b.createdSeq - a.createdSeq)
  for (const candidate of candidates) {
    const over = overCapacity()
    if (over.length === 0) break
    const range = rangeOfReservation(candidate)
    if (!over.some((slot) => slot >= range.start && slot < range.end)) continue
    ws.saveReservation({ ...candidate, status: 'BUMPED', holdExpiresAt: null })
    bumped.push(candidate)
  }

  const listed: BumpedReservation[] = bumped.map((reservation) => ({
    reservationId: reservation.reservationId,
    customerId: reservation.customerId,
    start: reservation.start,
    end: reservation.end,
    quantity: reservation.quantity,
    previousStatus: reservation.status,
    alternatives: alternativesFor(ws, resource, rangeOfReservation(reservation), reservation.quantity),
  }))
  const event = ws.emit('OverreservationProcessed', {
    reservationId: null,
    causationId: command.commandId,
    start: requested === undefined ? null : isoOf(requested.start),
    end: requested === undefined ? null : isoOf(requested.end),
    bumped: listed,
    resolved: overCapacity().length === 0,
  })
  for (const entry of listed) {
    ws.notify({
      type: 'Bumped',
      customerId: entry.customerId,
      reservationId: entry.reservationId,
      causationId: event.eventId,
      status: 'BUMPED',
      message: `We are sorry: reservation ${entry.reservationId} had to be canceled because ${resource.resourceId} is overbooked. Alternatives are listed; anything paid is refunded.`,
      alternatives: entry.alternatives,
    })
    const reservation = ws.reservation(entry.reservationId)
    const held = reservation === undefined ? 0 : reservation.authorizedCents - reservation.refundedCents
    if (reservation !== undefined && held > 0) requestRefund(ws, reservation, held, 'BUMPED', event.eventId)
  }
  promoteWaitlist(ws, event.eventId)
  return event
}
