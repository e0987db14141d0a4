// ApplyPromotion (spec §4): only before payment (PENDING_PAYMENT, PAYMENT_FAILED) and only one
// promotion per reservation → PromotionApplied (outcome) → PaymentRequested for the new price.
import type { ApplyPromotion, ReservationEvent } from '../../schemas/generated/types.js'
import { validateCommand } from '../../schemas/validate-command.js'
import { checkPromotion, discountOf } from './availability.js'
import { reject, requestPayment } from './policies.js'
import { isUnpaid } from './reservation-status.js'
import type { Workspace } from './workspace.js'

export function decideApplyPromotion(ws: Workspace, command: ApplyPromotion): ReservationEvent {
  const invalid = validateCommand(command)
  if (invalid !== undefined) return reject(ws, command, 'INVALID', invalid.message)
  const reservation = ws.reservation(command.reservationId)
  if (reservation === undefined)
    return reject(ws, command, 'NOT_FOUND', `reservation ${command.reservationId} does not exist`)
  if (!isUnpaid(reservation.status)) {
    return reject(
      ws,
      command,
      'INVALID_STATE',
      `reservation ${reservation.reservationId} is ${reservation.status}; promotions apply only before payment`,
    )
  }
  if (reservation.promotion !== null) {
    return reject(
      ws,
      command,
      'INVALID_STATE',
      `reservation ${reservation.reservationId} already has promotion ${reservation.promotion.code}`,
    )
  }
  const code = command.promotionCode
  const checked = checkPromotion(code, ws.view.promotion(code), ws.promotionUses(code), ws.now)
  if ('problem' in checked) return reject(ws, command, 'PROMOTION_INVALID', checked.problem)

  const discountCents = discountOf(reservation.basePriceCents, checked.applied)
  const updated = {
    ...reservation,
    promotion: checked.applied,
    priceCents: reservation.basePriceCents - discountCents,
  }
  const event = ws.emit('PromotionApplied', {
    reservationId: reservation.reservationId,
    causationId: command.commandId,
    promotionCode: code,
    oldPriceCents: reservation.priceCents,
    priceCents: updated.priceCents,
    discountCents,
    status: reservation.status,
  })
  ws.saveReservation(updated)
  ws.countPromotionUse(code)
  requestPayment(ws, updated, updated.priceCents, 'PRICE_CHANGED', event.eventId)
  return event
}
