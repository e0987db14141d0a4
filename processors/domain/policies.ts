// Building blocks shared by the decisions: rejections, the confirmation policy, payment and refund
// requests, creating a reservation, and ending a hold.
import type {
  Alternative,
  CommandRejectedEvent,
  ConfirmationSubject,
  PaymentPurpose,
  RefundReason,
  RefundRequestedEvent,
  RejectionReason,
  ReservationCommand,
  ReservationConfirmationSentEvent,
  ReservationCreatedEvent,
  ReservationExpiredEvent,
  ResourceDefinition,
} from '../../schemas/generated/types.js'
import type { Price } from './availability.js'
import type { AppliedPromotion, Reservation } from './state-records.js'
import { isoOf, type MinuteRange } from './time-range.js'
import type { Workspace } from './workspace.js'

/** Answers a command with CommandRejected (its outcome). */
export function reject(
  ws: Workspace,
  command: ReservationCommand,
  reason: RejectionReason,
  message: string,
  alternatives: Alternative[] = [],
): CommandRejectedEvent {
  return ws.emit('CommandRejected', {
    reservationId: 'reservationId' in command ? command.reservationId : null,
    causationId: command.commandId,
    commandType: command.type,
    reason,
    message,
    alternatives,
  })
}

/** The confirmation policy: tells the customer what happened to the reservation. */
export function sendConfirmation(
  ws: Workspace,
  reservation: Reservation,
  confirms: ConfirmationSubject,
  causationId: string,
): ReservationConfirmationSentEvent {
  const event = ws.emit('ReservationConfirmationSent', {
    reservationId: reservation.reservationId,
    causationId,
    customerId: reservation.customerId,
    start: reservation.start,
    end: reservation.end,
    quantity: reservation.quantity,
    priceCents: reservation.priceCents,
    status: reservation.status,
    confirms,
  })
  const what = { CREATED: 'is booked', MODIFIED: 'was changed', CANCELED: 'was canceled', RESENT: 'is' }[
    confirms
  ]
  ws.notify({
    type: 'ReservationConfirmation',
    customerId: reservation.customerId,
    reservationId: reservation.reservationId,
    causationId: event.eventId,
    status: reservation.status,
    message: `Your reservation ${reservation.reservationId} ${what}: ${reservation.quantity} unit(s) from ${reservation.start} to ${reservation.end}, ${reservation.priceCents} cents (${reservation.status}).`,
    alternatives: [],
  })
  return event
}

export function requestPayment(
  ws: Workspace,
  reservation: Reservation,
  amountCents: number,
  purpose: PaymentPurpose,
  causationId: string,
): void {
  ws.emit('PaymentRequested', {
    reservationId: reservation.reservationId,
    causationId,
    customerId: reservation.customerId,
    amountCents,
    status: reservation.status,
    purpose,
  })
}

/** Asks the payment service to refund `amountCents` and records it on the reservation. */
export function requestRefund(
  ws: Workspace,
  reservation: Reservation,
  amountCents: number,
  refundReason: RefundReason,
  causationId: string,
  paymentId: string | null = null,
): RefundRequestedEvent {
  const event = ws.emit('RefundRequested', {
    reservationId: reservation.reservationId,
    causationId,
    customerId: reservation.customerId,
    amountCents,
    paymentId,
    status: reservation.status,
    refundReason,
  })
  ws.saveReservation({ ...reservation, refundedCents: reservation.refundedCents + amountCents })
  return event
}

export interface NewReservation {
  readonly reservationId: string
  readonly customerId: string
  readonly range: MinuteRange
  readonly quantity: number
  readonly price: Price
  readonly promotion: AppliedPromotion | null
  readonly overbooked: boolean
  readonly alternatives: Alternative[]
  readonly fromWaitlistEntryId: string | null
  readonly causationId: string
}

/**
 * Creates a reservation holding its units (PENDING_PAYMENT) until payment is authorized or
 * `holdTimeoutMs` of stream time has passed; then runs the confirmation policy and requests payment.
 * An overbooked creation also notifies the customer with alternatives.
 */
export function createReservation(
  ws: Workspace,
  resource: ResourceDefinition,
  spec: NewReservation,
): ReservationCreatedEvent {
  const holdExpiresAt = ws.now + ws.config.holdTimeoutMs
  const createdSeq = ws.nextSequence()
  const created = ws.emit('ReservationCreated', {
    reservationId: spec.reservationId,
    causationId: spec.causationId,
    customerId: spec.customerId,
    start: isoOf(spec.range.start),
    end: isoOf(spec.range.end),
    quantity: spec.quantity,
    priceCents: spec.price.priceCents,
    promotionCode: spec.promotion?.code ?? null,
    status: 'PENDING_PAYMENT',
    holdExpiresAt,
    overbooked: spec.overbooked,
    alternatives: spec.alternatives,
    fromWaitlistEntryId: spec.fromWaitlistEntryId,
  })
  const reservation: Reservation = {
    reservationId: spec.reservationId,
    resourceId: ws.resourceId,
    customerId: spec.customerId,
    start: created.start,
    end: created.end,
    quantity: spec.quantity,
    slotMinutes: resource.slotMinutes,
    basePriceCents: spec.price.basePriceCents,
    priceCents: spec.price.priceCents,
    promotion: spec.promotion,
    status: 'PENDING_PAYMENT',
    holdExpiresAt,
    authorizedCents: 0,
    paidCents: 0,
    refundedCents: 0,
    overbooked: spec.overbooked,
    createdSeq,
    createdEventId: created.eventId,
    createdAt: ws.now,
    fromWaitlistEntryId: spec.fromWaitlistEntryId,
  }
  ws.saveReservation(reservation)
  if (spec.overbooked) notifyOverbooked(ws, reservation, spec.alternatives, created.eventId)
  sendConfirmation(ws, reservation, 'CREATED', created.eventId)
  requestPayment(ws, reservation, reservation.priceCents, 'INITIAL', created.eventId)
  return created
}

export function notifyOverbooked(
  ws: Workspace,
  reservation: Reservation,
  alternatives: Alternative[],
  causationId: string,
): void {
  ws.notify({
    type: 'Overbooked',
    customerId: reservation.customerId,
    reservationId: reservation.reservationId,
    causationId,
    status: reservation.status,
    message: `Your reservation ${reservation.reservationId} is overbooked: it may be moved. Alternatives that are not overbooked are listed.`,
    alternatives,
  })
}

/** Ends an unauthorized hold: ReservationExpired, units released, the customer told. */
export function expireReservation(
  ws: Workspace,
  reservation: Reservation,
  causationId: string,
): ReservationExpiredEvent {
  const expired = ws.emit('ReservationExpired', {
    reservationId: reservation.reservationId,
    causationId,
    start: reservation.start,
    end: reservation.end,
    quantity: reservation.quantity,
    status: 'EXPIRED',
    previousStatus: reservation.status,
  })
  ws.saveReservation({ ...reservation, status: 'EXPIRED', holdExpiresAt: null })
  ws.notify({
    type: 'HoldExpired',
    customerId: reservation.customerId,
    reservationId: reservation.reservationId,
    causationId: expired.eventId,
    status: 'EXPIRED',
    message: `Your reservation ${reservation.reservationId} expired because no payment was authorized in time.`,
    alternatives: [],
  })
  return expired
}
