// CancelReservation (spec §4, workflows happy 3 and alternative 3): ReservationCanceled (outcome, units
// released) → confirmation → RefundRequested when anything was authorized → waitlist promotion.
// Every rejection tells the customer to contact support.
import type { CancelReservation, ReservationEvent } from '../../schemas/generated/types.js'
import { validateCommand } from '../../schemas/validate-command.js'
import { reject, requestRefund, sendConfirmation } from './policies.js'
import { holdsUnits } from './reservation-status.js'
import type { Reservation } from './state-records.js'
import { promoteWaitlist } from './waitlist-promotion.js'
import type { Workspace } from './workspace.js'

const SUPPORT = 'please contact support'

export function decideCancelReservation(ws: Workspace, command: CancelReservation): ReservationEvent {
  const invalid = validateCommand(command)
  if (invalid !== undefined) return reject(ws, command, 'INVALID', `${invalid.message}; ${SUPPORT}`)
  const reservation = ws.reservation(command.reservationId)
  if (reservation === undefined) {
    return reject(ws, command, 'NOT_FOUND', `reservation ${command.reservationId} does not exist; ${SUPPORT}`)
  }
  if (reservation.status === 'CHECKED_IN' || reservation.status === 'CHECKED_OUT') {
    return reject(
      ws,
      command,
      'INVALID_STATE',
      `reservation ${reservation.reservationId} is already checked in and cannot be canceled here; ${SUPPORT}`,
    )
  }
  if (!holdsUnits(reservation.status)) {
    return reject(
      ws,
      command,
      'INVALID_STATE',
      `reservation ${reservation.reservationId} is already ${reservation.status}; ${SUPPORT} if this is unexpected`,
    )
  }
  const canceled: Reservation = { ...reservation, status: 'CANCELED', holdExpiresAt: null }
  const event = ws.emit('ReservationCanceled', {
    reservationId: reservation.reservationId,
    causationId: command.commandId,
    customerId: reservation.customerId,
    start: reservation.start,
    end: reservation.end,
    quantity: reservation.quantity,
    status: 'CANCELED',
    previousStatus: reservation.status,
    reason: command.reason,
  })
  ws.saveReservation(canceled)
  sendConfirmation(ws, canceled, 'CANCELED', event.eventId)
  const refundable = canceled.authorizedCents - canceled.refundedCents
  if (refundable > 0) requestRefund(ws, canceled, refundable, 'CANCELED', event.eventId)
  promoteWaitlist(ws, event.eventId)
  return event
}
