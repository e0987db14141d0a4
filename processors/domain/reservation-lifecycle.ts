// The commands that move one reservation along its status machine without touching availability
// (SendReservationConfirmation, Checkin, Checkout) and ExpireReservation (spec §4, workflow happy 4,
// expiry on demand).
import type {
  Checkin,
  Checkout,
  ExpireReservation,
  ReservationEvent,
  SendReservationConfirmation,
} from '../../schemas/generated/types.js'
import { validateCommand } from '../../schemas/validate-command.js'
import { expireReservation, reject, sendConfirmation } from './policies.js'
import { isUnpaid } from './reservation-status.js'
import type { Reservation } from './state-records.js'
import { promoteWaitlist } from './waitlist-promotion.js'
import type { Workspace } from './workspace.js'

type ReservationCommand = SendReservationConfirmation | Checkin | Checkout | ExpireReservation

/** The command's reservation, or the rejection (INVALID, NOT_FOUND) already emitted. */
function target(ws: Workspace, command: ReservationCommand): Reservation | ReservationEvent {
  const invalid = validateCommand(command)
  if (invalid !== undefined) return reject(ws, command, 'INVALID', invalid.message)
  return (
    ws.reservation(command.reservationId) ??
    reject(ws, command, 'NOT_FOUND', `reservation ${command.reservationId} does not exist`)
  )
}

const isEvent = (value: Reservation | ReservationEvent): value is ReservationEvent => 'eventId' in value

/** Sends the confirmation again; not for reservations that expired or were bumped. */
export function decideSendConfirmation(
  ws: Workspace,
  command: SendReservationConfirmation,
): ReservationEvent {
  const reservation = target(ws, command)
  if (isEvent(reservation)) return reservation
  if (reservation.status === 'EXPIRED' || reservation.status === 'BUMPED') {
    return reject(
      ws,
      command,
      'INVALID_STATE',
      `reservation ${reservation.reservationId} is ${reservation.status}; there is nothing to confirm`,
    )
  }
  return sendConfirmation(ws, reservation, 'RESENT', command.commandId)
}

/** Checks in a FINALIZED (paid) reservation within [start − checkinOpensBeforeStartMs, end) of stream time. */
export function decideCheckin(ws: Workspace, command: Checkin): ReservationEvent {
  const reservation = target(ws, command)
  if (isEvent(reservation)) return reservation
  if (reservation.status !== 'FINALIZED') {
    const why =
      isUnpaid(reservation.status) || reservation.status === 'AUTHORIZED'
        ? 'is not paid yet'
        : `is ${reservation.status}`
    return reject(
      ws,
      command,
      'INVALID_STATE',
      `reservation ${reservation.reservationId} ${why} and cannot be checked in`,
    )
  }
  const opens = Date.parse(reservation.start) - ws.config.checkinOpensBeforeStartMs
  const closes = Date.parse(reservation.end)
  if (ws.now < opens || ws.now >= closes) {
    return reject(
      ws,
      command,
      'INVALID_STATE',
      `check-in for reservation ${reservation.reservationId} is possible only from ${new Date(opens).toISOString()} until ${reservation.end}`,
    )
  }
  return moveTo(ws, reservation, 'ReservationCheckedIn', command.commandId)
}

export function decideCheckout(ws: Workspace, command: Checkout): ReservationEvent {
  const reservation = target(ws, command)
  if (isEvent(reservation)) return reservation
  if (reservation.status !== 'CHECKED_IN') {
    return reject(
      ws,
      command,
      'INVALID_STATE',
      `reservation ${reservation.reservationId} is ${reservation.status}, not checked in`,
    )
  }
  return moveTo(ws, reservation, 'ReservationCheckedOut', command.commandId)
}

/** Expires an unauthorized hold on demand, whatever its holdExpiresAt; frees units for the waitlist. */
export function decideExpireReservation(ws: Workspace, command: ExpireReservation): ReservationEvent {
  const reservation = target(ws, command)
  if (isEvent(reservation)) return reservation
  if (!isUnpaid(reservation.status)) {
    const why =
      reservation.status === 'AUTHORIZED' || reservation.status === 'FINALIZED'
        ? 'already authorized'
        : reservation.status
    return reject(
      ws,
      command,
      'INVALID_STATE',
      `reservation ${reservation.reservationId} is ${why} and cannot expire`,
    )
  }
  const expired = expireReservation(ws, reservation, command.commandId)
  promoteWaitlist(ws, expired.eventId)
  return expired
}

function moveTo(
  ws: Workspace,
  reservation: Reservation,
  type: 'ReservationCheckedIn' | 'ReservationCheckedOut',
  causationId: string,
): ReservationEvent {
  const status = type === 'ReservationCheckedIn' ? 'CHECKED_IN' : 'CHECKED_OUT'
  const event = ws.emit(type, {
    reservationId: reservation.reservationId,
    causationId,
    start: reservation.start,
    end: reservation.end,
    quantity: reservation.quantity,
    status,
  })
  ws.saveReservation({ ...reservation, status })
  return event
}
