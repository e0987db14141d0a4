// CreateReservation (spec §4, workflows happy 1 and alternative 1 and 5):
// ReservationRequested → AvailabilityConfirmed → ReservationCreated (outcome) → confirmation → PaymentRequested;
// or CommandRejected(UNAVAILABLE, alternatives) / AddedToWaitlist when it does not fit.
import type { CreateReservation, ReservationEvent } from '../../schemas/generated/types.js'
import { validateCommand } from '../../schemas/validate-command.js'
import { alternativesFor, checkPromotion, fitOf, priceOf } from './availability.js'
import { checkRange } from './command-checks.js'
import { createReservation, reject } from './policies.js'
import type { AppliedPromotion } from './state-records.js'
import { isoOf } from './time-range.js'
import type { Workspace } from './workspace.js'

export function decideCreateReservation(ws: Workspace, command: CreateReservation): ReservationEvent {
  const invalid = validateCommand(command)
  if (invalid !== undefined) return reject(ws, command, 'INVALID', invalid.message)
  const resource = ws.resource()
  if (resource === undefined)
    return reject(ws, command, 'UNKNOWN_RESOURCE', `resource ${command.resourceId} is not defined`)
  const range = checkRange(ws, resource, command.start, command.end)
  if ('problem' in range) return reject(ws, command, 'INVALID', range.problem)
  if (ws.reservation(command.reservationId) !== undefined) {
    return reject(ws, command, 'DUPLICATE_RESERVATION', `reservation ${command.reservationId} already exists`)
  }
  let promotion: AppliedPromotion | null = null
  if (command.promotionCode !== null) {
    const code = command.promotionCode
    const checked = checkPromotion(code, ws.view.promotion(code), ws.promotionUses(code), ws.now)
    if ('problem' in checked) return reject(ws, command, 'INVALID', checked.problem)
    promotion = checked.applied
  }

  const requested = {
    reservationId: command.reservationId,
    causationId: command.commandId,
    start: isoOf(range.ok.start),
    end: isoOf(range.ok.end),
    quantity: command.quantity,
  }
  ws.emit('ReservationRequested', {
    ...requested,
    customerId: command.customerId,
    promotionCode: command.promotionCode,
    waitlistIfUnavailable: command.waitlistIfUnavailable,
  })
  const fit = fitOf(ws, resource, range.ok, command.quantity)
  if (fit === 'unavailable') {
    if (!command.waitlistIfUnavailable) {
      return reject(
        ws,
        command,
        'UNAVAILABLE',
        `${command.quantity} unit(s) of ${resource.resourceId} are not available from ${requested.start} to ${requested.end}`,
        alternativesFor(ws, resource, range.ok, command.quantity),
      )
    }
    const entry = ws.appendToWaitlist({
      waitlistEntryId: command.reservationId,
      reservationId: command.reservationId,
      customerId: command.customerId,
      start: requested.start,
      end: requested.end,
      quantity: command.quantity,
      promotion,
      addedAt: ws.now,
    })
    if (promotion !== null) ws.countPromotionUse(promotion.code)
    return ws.emit('AddedToWaitlist', {
      ...requested,
      waitlistEntryId: entry.waitlistEntryId,
      customerId: command.customerId,
      position: entry.seq,
    })
  }

  const overbooked = fit === 'overbooked'
  ws.emit('AvailabilityConfirmed', { ...requested, overbooked })
  if (promotion !== null) ws.countPromotionUse(promotion.code)
  return createReservation(ws, resource, {
    reservationId: command.reservationId,
    customerId: command.customerId,
    range: range.ok,
    quantity: command.quantity,
    price: priceOf(resource, range.ok, command.quantity, promotion),
    promotion,
    overbooked,
    alternatives: overbooked ? alternativesFor(ws, resource, range.ok, command.quantity) : [],
    fromWaitlistEntryId: null,
    causationId: command.commandId,
  })
}
