// Which events answer which command (spec §4): each command gets exactly one of its outcome types with
// causationId = commandId. ReservationRequested and AvailabilityConfirmed also carry the commandId but
// are steps, not outcomes. Used by the invariant checker (G2).
import type {
  RejectionReason,
  ReservationCommandType,
  ReservationEvent,
  ReservationEventType,
} from '../../schemas/generated/types.js'

export const commandOutcomes: { readonly [C in ReservationCommandType]: readonly ReservationEventType[] } = {
  CreateReservation: ['ReservationCreated', 'AddedToWaitlist', 'CommandRejected'],
  SendReservationConfirmation: ['ReservationConfirmationSent', 'CommandRejected'],
  CancelReservation: ['ReservationCanceled', 'CommandRejected'],
  ModifyReservation: ['ReservationModified', 'CommandRejected'],
  Checkin: ['ReservationCheckedIn', 'CommandRejected'],
  Checkout: ['ReservationCheckedOut', 'CommandRejected'],
  AddToWaitlist: ['AddedToWaitlist', 'CommandRejected'],
  ApplyPromotion: ['PromotionApplied', 'CommandRejected'],
  ExpireReservation: ['ReservationExpired', 'CommandRejected'],
  ProcessOverreservation: ['OverreservationProcessed', 'CommandRejected'],
}

/**
 * The rejection reasons each command can get: spec §4, plus INVALID for every command, which is what a
 * command failing validateCommand (an empty id, a malformed range) gets.
 */
export const commandRejectionReasons: { readonly [C in ReservationCommandType]: readonly RejectionReason[] } =
  {
    CreateReservation: ['INVALID', 'UNKNOWN_RESOURCE', 'UNAVAILABLE', 'DUPLICATE_RESERVATION'],
    SendReservationConfirmation: ['INVALID', 'NOT_FOUND', 'INVALID_STATE'],
    CancelReservation: ['INVALID', 'NOT_FOUND', 'INVALID_STATE'],
    ModifyReservation: ['INVALID', 'NOT_FOUND', 'INVALID_STATE', 'CONFLICT'],
    Checkin: ['INVALID', 'NOT_FOUND', 'INVALID_STATE'],
    Checkout: ['INVALID', 'NOT_FOUND', 'INVALID_STATE'],
    AddToWaitlist: ['INVALID', 'UNKNOWN_RESOURCE'],
    ApplyPromotion: ['INVALID', 'NOT_FOUND', 'INVALID_STATE', 'PROMOTION_INVALID'],
    ExpireReservation: ['INVALID', 'NOT_FOUND', 'INVALID_STATE'],
    ProcessOverreservation: ['INVALID', 'UNKNOWN_RESOURCE'],
  }

/** True when `event` is the outcome of the command (same commandId, an outcome type, matching commandType). */
export function isOutcomeOf(
  command: { readonly commandId: string; readonly type: ReservationCommandType },
  event: ReservationEvent,
): boolean {
  if (event.causationId !== command.commandId) return false
  if (!commandOutcomes[command.type].includes(event.type)) return false
  return event.type !== 'CommandRejected' || event.commandType === command.type
}
