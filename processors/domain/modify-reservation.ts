// ModifyReservation (spec §4, workflows happy 2 and alternative 2): the new range is checked atomically
// with the reservation's own units counted as free → ReservationModified (outcome) → confirmation →
// PaymentRequested for a price rise / RefundRequested for a fall → waitlist promotion for freed units.
// On CONFLICT the reservation stays as it was.
import type { ModifyReservation, ReservationEvent } from '../../schemas/generated/types.js'
import { validateCommand } from '../../schemas/validate-command.js'
import { alternativesFor, fitOf, priceOf } from './availability.js'
import { checkRange } from './command-checks.js'
import { rangeOfReservation } from './decision-view.js'
import { notifyOverbooked, reject, requestPayment, requestRefund, sendConfirmation } from './policies.js'
import type { Reservation } from './state-records.js'
import { isoOf } from './time-range.js'
import { promoteWaitlist } from './waitlist-promotion.js'
import type { Workspace } from './workspace.js'

const modifiable = new Set(['PENDING_PAYMENT', 'PAYMENT_FAILED', 'AUTHORIZED', 'FINALIZED'])

export function decideModifyReservation(ws: Workspace, command: ModifyReservation): ReservationEvent {
  const invalid = validateCommand(command)
  if (invalid !== undefined) return reject(ws, command, 'INVALID', invalid.message)
  const reservation = ws.reservation(command.reservationId)
  if (reservation === undefined)
    return reject(ws, command, 'NOT_FOUND', `reservation ${command.reservationId} does not exist`)
  if (!modifiable.has(reservation.status)) {
    return reject(
      ws,
      command,
      'INVALID_STATE',
      `reservation ${reservation.reservationId} is ${reservation.status} and can no longer be modified`,
    )
  }
  const resource = ws.resource()
  if (resource === undefined)
    return reject(ws, command, 'INVALID_STATE', `resource ${command.resourceId} is no longer defined`)
  const range = checkRange(ws, resource, command.start ?? reservation.start, command.end ?? reservation.end)
  if ('problem' in range) return reject(ws, command, 'INVALID', range.problem)
  const quantity = command.quantity ?? reservation.quantity

  const replaced = { range: rangeOfReservation(reservation), quantity: reservation.quantity }
  const fit = fitOf(ws, resource, range.ok, quantity, replaced)
  const alternatives = fit === 'fits' ? [] : alternativesFor(ws, resource, range.ok, quantity, replaced)
  if (fit === 'unavailable') {
    return reject(
      ws,
      command,
      'CONFLICT',
      `${quantity} unit(s) of ${resource.resourceId} are not available from ${isoOf(range.ok.start)} to ${isoOf(range.ok.end)}; the reservation is unchanged`,
      alternatives,
    )
  }

  const price = priceOf(resource, range.ok, quantity, reservation.promotion)
  const modified: Reservation = {
    ...reservation,
    start: isoOf(range.ok.start),
    end: isoOf(range.ok.end),
    quantity,
    slotMinutes: resource.slotMinutes,
    basePriceCents: price.basePriceCents,
    priceCents: price.priceCents,
    overbooked: fit === 'overbooked',
  }
  const event = ws.emit('ReservationModified', {
    reservationId: reservation.reservationId,
    causationId: command.commandId,
    oldStart: reservation.start,
    oldEnd: reservation.end,
    oldQuantity: reservation.quantity,
    oldPriceCents: reservation.priceCents,
    start: modified.start,
    end: modified.end,
    quantity,
    priceCents: modified.priceCents,
    status: modified.status,
    overbooked: modified.overbooked,
    alternatives,
  })
  ws.saveReservation(modified)
  if (modified.overbooked) notifyOverbooked(ws, modified, alternatives, event.eventId)
  sendConfirmation(ws, modified, 'MODIFIED', event.eventId)
  settlePriceChange(ws, reservation, modified, event.eventId)
  promoteWaitlist(ws, event.eventId)
  return event
}

/**
 * Nothing authorized yet: a changed price is requested anew (PRICE_CHANGED). Something authorized: a
 * rise is requested as ADDITIONAL_CHARGE; a fall refunds what is held (authorized − refunded) beyond the new price.
 */
function settlePriceChange(
  ws: Workspace,
  before: Reservation,
  after: Reservation,
  causationId: string,
): void {
  if (after.priceCents === before.priceCents) return
  if (before.authorizedCents === 0) {
    requestPayment(ws, after, after.priceCents, 'PRICE_CHANGED', causationId)
  } else if (after.priceCents > before.priceCents) {
    requestPayment(ws, after, after.priceCents - before.priceCents, 'ADDITIONAL_CHARGE', causationId)
  } else {
    const refund = after.authorizedCents - after.refundedCents - after.priceCents
    if (refund > 0) requestRefund(ws, after, refund, 'PRICE_DECREASED', causationId)
  }
}
