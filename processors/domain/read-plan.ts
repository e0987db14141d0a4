// What the processor must load before a decision, so that decide() reads only what it needs: a hot
// resource with thousands of reservations costs a command a few point reads and one or two slot-range
// scans, not a scan of the resource.
//
// Loading protocol of the processor (MemoryState.load in memory-state.ts does exactly this, in memory):
//   1. plan = readPlan(input, now)
//   2. get resources[plan.resourceId], resource-meta[plan.resourceId], reservations[id] for plan.reservationIds,
//      commands[plan.idempotencyKey], promotions[code] and promotion-uses[resource|code] for plan.promotionCodes;
//      if plan.waitlist: scan keyRanges.waitlist(resourceId);
//      if plan.live: scan the reservation-index (keyRanges.reservationsEndingAfter(resourceId, live.start), or
//      keyRanges.reservationsEndingAfter(resourceId, live.start)) and get those reservations.
//   3. second = secondReadPlan(input, <what step 2 loaded>, now, config)
//   4. get reservations[id] for second.reservationIds; scan slots keyRanges.slots(resourceId, window) for each
//      of second.slotWindows.
//   5. view = preloadedView(<everything>); result = decide(view, input, now, config).
import type { ProcessOverreservation, ResourceDefinition } from '../../schemas/generated/types.js'
import type { DecisionConfig } from './decision-config.js'
import { type DecisionInput, idempotencyKey, inputResourceId } from './decision-input.js'
import { rangeOfReservation } from './decision-view.js'
import type { Reservation, WaitlistEntry } from './state-records.js'
import {
  alignOutward,
  END_OF_TIME,
  isAligned,
  MS_PER_MINUTE,
  type MinuteRange,
  mergeRanges,
  rangeOf,
  widen,
} from './time-range.js'

export interface ReadPlan {
  readonly resourceId: string
  readonly reservationIds: readonly string[]
  /** Key of the `commands` store to look up (idempotency). */
  readonly idempotencyKey: string | undefined
  readonly promotionCodes: readonly string[]
  /** Load the resource's whole waitlist (inputs that can free units or add entries). */
  readonly waitlist: boolean
  /** Load the live reservations overlapping this range. */
  readonly live: MinuteRange | undefined
}

/** What step 2 of the protocol loaded. */
export interface FirstStage {
  /** The stored definition. */
  readonly resource: ResourceDefinition | undefined
  readonly reservations: ReadonlyMap<string, Reservation | undefined>
  readonly waitlist: readonly WaitlistEntry[] | undefined
  readonly live: readonly Reservation[] | undefined
}

export interface SecondReadPlan {
  /** Merged minute ranges whose slots to load. */
  readonly slotWindows: readonly MinuteRange[]
  /** Reservations to load in addition (those waitlist entries would become, to detect id collisions). */
  readonly reservationIds: readonly string[]
}

/** Step 1: the keys an input needs, known from the input and the stream time alone. */
export function readPlan(input: DecisionInput, now: number): ReadPlan {
  const resourceId = inputResourceId(input)
  const key = idempotencyKey(input)
  switch (input.type) {
    case 'payment':
      return planOf(resourceId, key, [input.payment.reservationId])
    case 'resource-updated':
      return planOf(resourceId, key, noIds, true)
    case 'holds-due':
      return planOf(
        resourceId,
        key,
        input.holds.map((hold) => hold.reservationId),
        true,
      )
    case 'retention-due':
      // removing a reservation frees only slots before the horizon, where no waitlist entry can go
      return planOf(
        resourceId,
        key,
        input.due.reservations.map((due) => due.reservationId),
      )
    case 'command':
      break
  }
  const command = input.command
  switch (command.type) {
    case 'CreateReservation':
      return planOf(
        resourceId,
        key,
        [command.reservationId],
        false,
        command.promotionCode === null ? noIds : [command.promotionCode],
      )
    case 'SendReservationConfirmation':
    case 'Checkin':
    case 'Checkout':
      return planOf(resourceId, key, [command.reservationId])
    case 'CancelReservation':
    case 'ExpireReservation':
    case 'ModifyReservation':
      return planOf(resourceId, key, [command.reservationId], true)
    case 'ApplyPromotion':
      return planOf(resourceId, key, [command.reservationId], false, [command.promotionCode])
    case 'AddToWaitlist':
      // The entry may be promoted at once, as a reservation with id waitlistEntryId.
      return planOf(resourceId, key, [command.waitlistEntryId], true)
    case 'ProcessOverreservation':
      return planOf(resourceId, key, noIds, true, noIds, overreservationRange(command, now).live)
  }
}

const noIds: readonly string[] = []

/** One plan object per input (no spread copies: this runs for every record). */
function planOf(
  resourceId: string,
  idempotencyKey: string | undefined,
  reservationIds: readonly string[],
  waitlist = false,
  promotionCodes: readonly string[] = noIds,
  live: MinuteRange | undefined = undefined,
): ReadPlan {
  return { resourceId, idempotencyKey, reservationIds, promotionCodes, waitlist, live }
}

/** Step 3: the slot windows (and waitlist reservations) an input needs, given what step 2 loaded. */
export function secondReadPlan(
  input: DecisionInput,
  first: FirstStage,
  now: number,
  config: DecisionConfig,
): SecondReadPlan {
  const resource = input.type === 'resource-updated' ? input.definition : first.resource
  const windows: MinuteRange[] = []
  const waitlist = first.waitlist ?? []
  for (const entry of waitlist) windows.push(rangeOfReservation(entry))
  const reservationIds = waitlist.map((entry) => entry.reservationId)
  if (input.type === 'retention-due') {
    // the slots a removed reservation still holds units in (whether or not the resource is defined)
    for (const { reservationId } of input.due.reservations) {
      const reservation = first.reservations.get(reservationId)
      if (reservation !== undefined) windows.push(rangeOfReservation(reservation))
    }
  }
  if (resource === undefined) return { slotWindows: mergeRanges(windows), reservationIds }
  // module functions, not closures: this runs for every record
  const widening = resource.slotMinutes * config.alternativesWindowSlots

  switch (input.type) {
    case 'holds-due':
      for (const hold of input.holds) pushHeld(windows, first, hold.reservationId)
      break
    case 'retention-due':
      break
    case 'payment':
    case 'resource-updated':
      break
    case 'command': {
      const command = input.command
      switch (command.type) {
        case 'CreateReservation':
        case 'AddToWaitlist':
          pushRequested(windows, resource.slotMinutes, widening, command.start, command.end)
          break
        case 'CancelReservation':
        case 'ExpireReservation':
          pushHeld(windows, first, command.reservationId)
          break
        case 'ModifyReservation': {
          const reservation = first.reservations.get(command.reservationId)
          if (reservation !== undefined) {
            pushHeld(windows, first, command.reservationId)
            const start = command.start ?? reservation.start
            pushRequested(windows, resource.slotMinutes, widening, start, command.end ?? reservation.end)
          }
          break
        }
        case 'ProcessOverreservation': {
          const { requested } = overreservationRange(command, now)
          if (requested !== undefined) windows.push(alignOutward(requested, resource.slotMinutes))
          for (const reservation of first.live ?? [])
            windows.push(widen(rangeOfReservation(reservation), widening))
          break
        }
        case 'SendReservationConfirmation':
        case 'Checkin':
        case 'Checkout':
        case 'ApplyPromotion':
          break
      }
    }
  }
  return { slotWindows: mergeRanges(windows), reservationIds }
}

/** The slots a held reservation occupies, when it is stored. */
function pushHeld(windows: MinuteRange[], first: FirstStage, id: string): void {
  const reservation = first.reservations.get(id)
  if (reservation !== undefined) windows.push(rangeOfReservation(reservation))
}

/** A requested range (when valid and aligned to the resource's slots), widened for alternatives. */
function pushRequested(
  windows: MinuteRange[],
  slotMinutes: number,
  widening: number,
  start: string,
  end: string,
): void {
  const range = rangeOf(start, end)
  if (range !== undefined && isAligned(range, slotMinutes)) windows.push(widen(range, widening))
}

/**
 * The range ProcessOverreservation works on: the requested one, or without one every reservation still
 * running or ahead (ending after stream time) — the past cannot be rebooked.
 */
export function overreservationRange(
  command: ProcessOverreservation,
  now: number,
): { readonly requested: MinuteRange | undefined; readonly live: MinuteRange } {
  const requested =
    command.start === null || command.end === null ? undefined : rangeOf(command.start, command.end)
  return { requested, live: requested ?? { start: Math.floor(now / MS_PER_MINUTE), end: END_OF_TIME } }
}
