// Payment events routed to the reservation's resource (spec §5, workflows happy 1 and alternative 4,
// late or stray payments). The router sends payments for unknown reservations to the DLQ; one that
// arrives anyway (its route was known, but the reservation is gone by the time the payment is decided:
// retention removed it while the payment was on its way) goes to the DLQ from here, with the reason.
//
//   status \ payment      PaymentAuthorized               PaymentCompleted                          PaymentFailed
//   PENDING_PAYMENT,      → AUTHORIZED (hold ends)        → AUTHORIZED, then ReservationFinalized   → PAYMENT_FAILED, notification
//   PAYMENT_FAILED
//   AUTHORIZED            recorded (extra charge)         → ReservationFinalized (FINALIZED)        recorded, notification
//   FINALIZED             recorded (extra charge)         recorded, ReservationFinalized again      recorded, notification
//   CHECKED_IN/OUT        recorded                        recorded                                  recorded, notification
//   EXPIRED, CANCELED,    RefundRequested(LATE_PAYMENT)   RefundRequested(LATE_PAYMENT)             recorded
//   BUMPED
import type { PaymentEvent, ReservationEvent } from '../../schemas/generated/types.js'
import { requestRefund } from './policies.js'
import { isEnded, isUnpaid } from './reservation-status.js'
import type { Reservation } from './state-records.js'
import type { Workspace } from './workspace.js'

/** Returns the first event emitted (the payment's recorded outcome), or undefined for an unknown reservation. */
export function decidePayment(ws: Workspace, payment: PaymentEvent): ReservationEvent | undefined {
  const reservation = ws.reservation(payment.reservationId)
  if (reservation === undefined) {
    ws.reject(
      `unknown reservation '${payment.reservationId}': resource '${ws.resourceId}' holds no reservation with this id (removed by retention before the payment was decided, or never created here)`,
    )
    return undefined
  }
  const common = {
    reservationId: reservation.reservationId,
    causationId: payment.paymentId,
    paymentId: payment.paymentId,
  }

  if (isEnded(reservation.status) && payment.type !== 'PaymentFailed') {
    return requestRefund(
      ws,
      reservation,
      payment.amountCents,
      'LATE_PAYMENT',
      payment.paymentId,
      payment.paymentId,
    )
  }
  switch (payment.type) {
    case 'PaymentAuthorized': {
      const next: Reservation = {
        ...reservation,
        status: isUnpaid(reservation.status) ? 'AUTHORIZED' : reservation.status,
        holdExpiresAt: null,
        authorizedCents: reservation.authorizedCents + payment.amountCents,
      }
      ws.saveReservation(next)
      return ws.emit('PaymentAuthorized', {
        ...common,
        amountCents: payment.amountCents,
        method: payment.method,
        status: next.status,
      })
    }
    case 'PaymentCompleted': {
      const authorized: Reservation = isUnpaid(reservation.status)
        ? {
            ...reservation,
            status: 'AUTHORIZED',
            holdExpiresAt: null,
            authorizedCents: reservation.authorizedCents + payment.amountCents,
          }
        : reservation
      const paid: Reservation = { ...authorized, paidCents: authorized.paidCents + payment.amountCents }
      const completed = ws.emit('PaymentCompleted', {
        ...common,
        amountCents: payment.amountCents,
        status: paid.status,
      })
      const finalize = paid.status === 'AUTHORIZED' || paid.status === 'FINALIZED'
      const next: Reservation = finalize ? { ...paid, status: 'FINALIZED' } : paid
      ws.saveReservation(next)
      if (finalize) {
        ws.emit('ReservationFinalized', {
          reservationId: next.reservationId,
          causationId: completed.eventId,
          priceCents: next.priceCents,
          paidCents: next.paidCents,
          status: 'FINALIZED',
        })
      }
      return completed
    }
    case 'PaymentFailed': {
      const next: Reservation =
        reservation.status === 'PENDING_PAYMENT' ? { ...reservation, status: 'PAYMENT_FAILED' } : reservation
      ws.saveReservation(next)
      const failed = ws.emit('PaymentFailed', {
        ...common,
        amountCents: payment.amountCents,
        method: payment.method,
        reason: payment.reason,
        status: next.status,
      })
      if (!isEnded(next.status)) {
        ws.notify({
          type: 'PaymentFailed',
          customerId: next.customerId,
          reservationId: next.reservationId,
          causationId: failed.eventId,
          status: next.status,
          message: `The payment${payment.method === null ? '' : ` by ${payment.method}`} for reservation ${next.reservationId} failed${payment.reason === null ? '' : ` (${payment.reason})`}. Please try another payment method${next.holdExpiresAt === null ? '' : ` before ${new Date(next.holdExpiresAt).toISOString()}`}.`,
          alternatives: [],
        })
      }
      return failed
    }
  }
}
