// The pure decision function of the reservation processor:
//   decide(view, input, now, config) → { events, notifications, writes }
// `view` is the state the read plan loaded, `now` the stream time. No I/O, no clock, no randomness:
// the same view and input always give the same result, event ids included.
//
// Invariants of every result:
//  - events have sequence meta.sequence + 1, + 2, … (no gap, no repeat), eventIds derived from the input;
//  - a command yields exactly one outcome event (outcome-table.ts) with causationId = commandId, and the
//    commands store remembers it: a repeated commandId (or payment) yields an empty result;
//  - no slot ever gets more units than capacity + overbookingLimit by this decision (G1);
//  - rejections are CommandRejected events, never exceptions. An exception means a bug (e.g. NotPreloadedError).
import type { ReservationEvent } from '../../schemas/generated/types.js'
import { decideAddToWaitlist } from './add-to-waitlist.js'
import { decideApplyPromotion } from './apply-promotion.js'
import { decideCancelReservation } from './cancel-reservation.js'
import { decideCreateReservation } from './create-reservation.js'
import { type DecisionConfig, defaultDecisionConfig } from './decision-config.js'
import { type DecisionInput, type DueHold, idempotencyKey } from './decision-input.js'
import type { DecisionView } from './decision-view.js'
import { decideModifyReservation } from './modify-reservation.js'
import { decidePayment } from './payment-received.js'
import { expireReservation } from './policies.js'
import { decideProcessOverreservation } from './process-overreservation.js'
import { isUnpaid } from './reservation-status.js'
import { removeRetained } from './retention.js'
import {
  decideCheckin,
  decideCheckout,
  decideExpireReservation,
  decideSendConfirmation,
} from './reservation-lifecycle.js'
import { type DecisionResult, emptyDecisionResult } from './state-write.js'
import { promoteWaitlist } from './waitlist-promotion.js'
import { Workspace } from './workspace.js'

export function decide(
  view: DecisionView,
  input: DecisionInput,
  now: number,
  config: DecisionConfig = defaultDecisionConfig,
): DecisionResult {
  const key = idempotencyKey(input)
  if (key !== undefined && view.outcomeOf(key) !== undefined) return emptyDecisionResult
  const ws = new Workspace(view, input, now, config)
  const outcome = dispatch(ws, input)
  if (key !== undefined && outcome !== undefined) ws.recordOutcome(key, outcome.eventId)
  return ws.result()
}

function dispatch(ws: Workspace, input: DecisionInput): ReservationEvent | undefined {
  switch (input.type) {
    case 'payment':
      return decidePayment(ws, input.payment)
    case 'holds-due':
      expireDueHolds(ws, input.holds)
      return undefined
    case 'retention-due':
      removeRetained(ws, input.due)
      return undefined
    case 'resource-updated':
      ws.setResource(input.definition)
      promoteWaitlist(ws, input.causationId)
      return undefined
    case 'command':
      break
  }
  const command = input.command
  switch (command.type) {
    case 'CreateReservation':
      return decideCreateReservation(ws, command)
    case 'SendReservationConfirmation':
      return decideSendConfirmation(ws, command)
    case 'CancelReservation':
      return decideCancelReservation(ws, command)
    case 'ModifyReservation':
      return decideModifyReservation(ws, command)
    case 'Checkin':
      return decideCheckin(ws, command)
    case 'Checkout':
      return decideCheckout(ws, command)
    case 'AddToWaitlist':
      return decideAddToWaitlist(ws, command)
    case 'ApplyPromotion':
      return decideApplyPromotion(ws, command)
    case 'ExpireReservation':
      return decideExpireReservation(ws, command)
    case 'ProcessOverreservation':
      return decideProcessOverreservation(ws, command)
  }
}

/**
 * The expiry punctuator's input: every due hold key is deleted; a reservation still unauthorized whose
 * hold has passed expires (causationId = its ReservationCreated event, the start of the hold) and its
 * units go to the waitlist.
 */
function expireDueHolds(ws: Workspace, holds: readonly DueHold[]): void {
  for (const hold of holds) {
    ws.deleteHold(hold.expiresAt, hold.reservationId)
    const reservation = ws.reservation(hold.reservationId)
    if (reservation === undefined || !isUnpaid(reservation.status)) continue
    if (reservation.holdExpiresAt === null || reservation.holdExpiresAt > ws.now) continue
    const expired = expireReservation(ws, reservation, reservation.createdEventId)
    promoteWaitlist(ws, expired.eventId)
  }
}
