// An auditor of the event log (spec §7): replays the `reservation` events alone — no access to the
// processor's state or to decide() — and reports every breach of G1–G5 and of the status machine.
// Integration tests run it over a real broker's log; the domain's property test over decide()'s output.
//
// What is checked, per resource, in log order:
//   G1  every event that adds units (ReservationCreated, ReservationModified) leaves each of its slots
//       within capacity + overbookingLimit of the definition in force, and within capacity unless flagged
//       `overbooked`; OverreservationProcessed with `resolved` leaves its slots within capacity, bumps
//       latest-created first and never a checked-in reservation.
//   G2  every command sent has exactly one outcome event (outcome-table.ts).
//   G3  sequence is 1, 2, 3… without gap or repeat; no eventId appears twice (across resources too).
//   G4  a promotion from the waitlist (ReservationCreated.fromWaitlistEntryId) never overtakes an earlier,
//       still waiting entry with an overlapping range (`blocking`), or only one that did not fit (`skipping`).
//       An entry whose reservationId another reservation took meanwhile is no longer waiting.
//   G5  no reservation is still unauthorized when the resource's stream time (its latest occurredAt) is
//       past creation + holdTimeout + one punctuation interval.
//   STATUS  every status change is an edge of the status machine.
// With `retentionMs` (the service removes state, retention.ts), slots before an event's retention horizon
// are left out of the overreservation check: their usage may have been removed with old reservations.
import type {
  ReservationCommandType,
  ReservationEvent,
  ReservationStatus,
  ResourceDefinition,
} from '../../schemas/generated/types.js'
import type { WaitlistPolicy } from './decision-config.js'
import { isOutcomeOf } from './outcome-table.js'
import { canTransition, isUnpaid } from './reservation-status.js'
import { MS_PER_MINUTE, type MinuteRange, overlaps, rangeOf, slotStarts } from './time-range.js'
import { ResourceReplay } from './resource-replay.js'

export const guarantees = ['G1', 'G2', 'G3', 'G4', 'G5', 'STATUS'] as const
export type Guarantee = (typeof guarantees)[number]

export interface Violation {
  readonly guarantee: Guarantee
  readonly resourceId: string
  readonly eventId: string | null
  readonly message: string
}

export interface CommandSent {
  readonly commandId: string
  readonly type: ReservationCommandType
  readonly resourceId: string
}

/** The definition of a resource in force at a stream time. */
export type ResourceAt = (resourceId: string, occurredAt: number) => ResourceDefinition | undefined

export interface InvariantOptions {
  readonly resourceAt: ResourceAt
  /** The commands sent (G2 is checked only when given). */
  readonly commands?: readonly CommandSent[]
  readonly holdTimeoutMs: number
  readonly punctuationIntervalMs: number
  readonly waitlistPolicy?: WaitlistPolicy
  /**
   * RETENTION_MS of the service, if it removes state (retention.ts): a resolved OverreservationProcessed is
   * then not checked in slots before its horizon (occurredAt − retentionMs), whose usage may be gone.
   */
  readonly retentionMs?: number
}

/** A ResourceAt from the definitions published and the stream time each took effect (inclusive). */
export function resourceHistory(
  updates: readonly { readonly at: number; readonly definition: ResourceDefinition }[],
): ResourceAt {
  const sorted = [...updates].sort((a, b) => a.at - b.at)
  return (resourceId, occurredAt) => {
    let found: ResourceDefinition | undefined
    for (const update of sorted) {
      if (update.at > occurredAt) break
      if (update.definition.resourceId === resourceId) found = update.definition
    }
    return found
  }
}

export function checkInvariants(events: readonly ReservationEvent[], options: InvariantOptions): Violation[] {
  const violations: Violation[] = []
  const report = (
    guarantee: Guarantee,
    event: ReservationEvent | undefined,
    resourceId: string,
    message: string,
  ): void => {
    violations.push({ guarantee, resourceId, eventId: event?.eventId ?? null, message })
  }
  const replays = new Map<string, ResourceReplay>()
  const eventIds = new Set<string>()
  for (const event of events) {
    if (eventIds.has(event.eventId))
      report('G3', event, event.resourceId, `eventId ${event.eventId} appears twice`)
    eventIds.add(event.eventId)
    let replay = replays.get(event.resourceId)
    if (replay === undefined) {
      replay = new ResourceReplay(event.resourceId)
      replays.set(event.resourceId, replay)
    }
    if (event.sequence !== replay.lastSequence + 1) {
      report('G3', event, event.resourceId, `sequence ${event.sequence} follows ${replay.lastSequence}`)
    }
    replay.lastSequence = event.sequence
    replay.lastOccurredAt = Math.max(replay.lastOccurredAt, event.occurredAt)
    const definition = options.resourceAt(event.resourceId, event.occurredAt)
    const policy = options.waitlistPolicy ?? 'blocking'
    for (const problem of replayEvent(replay, event, definition, policy, options.retentionMs)) {
      report(problem.guarantee, event, event.resourceId, problem.message)
    }
  }
  for (const replay of replays.values()) {
    for (const reservation of replay.reservations.values()) {
      const deadline = reservation.createdAt + options.holdTimeoutMs + options.punctuationIntervalMs
      if (isUnpaid(reservation.status) && replay.lastOccurredAt > deadline) {
        report(
          'G5',
          undefined,
          replay.resourceId,
          `reservation ${reservation.id} is still ${reservation.status} at stream time ${replay.lastOccurredAt}, after its deadline ${deadline}`,
        )
      }
    }
  }
  if (options.commands !== undefined) {
    const byCause = new Map<string, ReservationEvent[]>()
    for (const event of events)
      byCause.set(event.causationId, [...(byCause.get(event.causationId) ?? []), event])
    for (const command of options.commands) {
      const outcomes = (byCause.get(command.commandId) ?? []).filter(
        (event) => event.resourceId === command.resourceId && isOutcomeOf(command, event),
      )
      if (outcomes.length !== 1) {
        report(
          'G2',
          outcomes[1],
          command.resourceId,
          `command ${command.commandId} (${command.type}) has ${outcomes.length} outcome events`,
        )
      }
    }
  }
  return violations
}

interface Problem {
  readonly guarantee: Guarantee
  readonly message: string
}

function* replayEvent(
  replay: ResourceReplay,
  event: ReservationEvent,
  definition: ResourceDefinition | undefined,
  policy: WaitlistPolicy,
  retentionMs: number | undefined,
): Iterable<Problem> {
  switch (event.type) {
    case 'ReservationCreated': {
      if (replay.reservations.has(event.reservationId)) {
        yield { guarantee: 'STATUS', message: `reservation ${event.reservationId} is created twice` }
      }
      if (event.status !== 'PENDING_PAYMENT')
        yield { guarantee: 'STATUS', message: `created as ${event.status}` }
      if (event.fromWaitlistEntryId !== null)
        yield* waitlistOrder(replay, event.fromWaitlistEntryId, definition, policy)
      replay.voidEntriesFor(event.reservationId)
      const held = heldUnits(event, definition)
      if (held === undefined) {
        yield { guarantee: 'G1', message: `no valid definition or range for ${event.reservationId}` }
        return
      }
      replay.create(event, held)
      yield* capacityProblems(replay, held, definition, event.overbooked, event.reservationId)
      return
    }
    case 'ReservationModified': {
      const reservation = replay.reservations.get(event.reservationId)
      const held = heldUnits(event, definition)
      if (reservation?.held === undefined || held === undefined) {
        yield { guarantee: 'STATUS', message: `modification of ${event.reservationId}, which holds no units` }
        return
      }
      replay.release(reservation)
      replay.hold(reservation, held)
      yield* capacityProblems(replay, held, definition, event.overbooked, event.reservationId)
      yield* statusChange(replay, event.reservationId, event.status)
      return
    }
    case 'ReservationCanceled':
    case 'ReservationExpired': {
      yield* statusChange(replay, event.reservationId, event.status)
      const reservation = replay.reservations.get(event.reservationId)
      if (reservation !== undefined) replay.release(reservation)
      return
    }
    case 'OverreservationProcessed':
      yield* overreservation(replay, event, definition, retentionMs)
      return
    case 'AddedToWaitlist': {
      const range = rangeOf(event.start, event.end)
      if (range !== undefined) {
        replay.addToWaitlist({
          entryId: event.waitlistEntryId,
          reservationId: event.reservationId,
          range,
          quantity: event.quantity,
          seq: event.sequence,
        })
      }
      return
    }
    case 'PaymentAuthorized':
    case 'PaymentCompleted':
    case 'PaymentFailed':
    case 'ReservationFinalized':
    case 'ReservationCheckedIn':
    case 'ReservationCheckedOut':
    case 'ReservationConfirmationSent':
    case 'PaymentRequested':
    case 'RefundRequested':
    case 'PromotionApplied':
      yield* statusChange(replay, event.reservationId, event.status)
      return
    case 'ReservationRequested':
    case 'AvailabilityConfirmed':
    case 'CommandRejected':
      return
  }
}

function heldUnits(
  event: { readonly start: string; readonly end: string; readonly quantity: number },
  definition: ResourceDefinition | undefined,
): { range: MinuteRange; quantity: number; slotMinutes: number } | undefined {
  const range = rangeOf(event.start, event.end)
  if (range === undefined || definition === undefined) return undefined
  return { range, quantity: event.quantity, slotMinutes: definition.slotMinutes }
}

function* capacityProblems(
  replay: ResourceReplay,
  held: { range: MinuteRange; slotMinutes: number },
  definition: ResourceDefinition | undefined,
  overbooked: boolean,
  reservationId: string,
): Iterable<Problem> {
  if (definition === undefined) return
  for (const slot of slotStarts(held.range, held.slotMinutes)) {
    const used = replay.slotUsed(slot)
    if (used > definition.capacity + definition.overbookingLimit) {
      yield {
        guarantee: 'G1',
        message: `slot ${slot} holds ${used} units after ${reservationId}: capacity ${definition.capacity} + limit ${definition.overbookingLimit}`,
      }
    } else if (used > definition.capacity && !overbooked) {
      yield {
        guarantee: 'G1',
        message: `slot ${slot} holds ${used} > capacity ${definition.capacity} but ${reservationId} is not flagged overbooked`,
      }
    }
  }
}

function* statusChange(
  replay: ResourceReplay,
  reservationId: string,
  status: ReservationStatus,
): Iterable<Problem> {
  const reservation = replay.reservations.get(reservationId)
  if (reservation === undefined) {
    yield { guarantee: 'STATUS', message: `event for ${reservationId}, which was never created` }
    return
  }
  if (reservation.status === status) return
  if (!canTransition(reservation.status, status)) {
    yield { guarantee: 'STATUS', message: `${reservationId} moves ${reservation.status} → ${status}` }
  }
  reservation.status = status
}

function* waitlistOrder(
  replay: ResourceReplay,
  entryId: string,
  definition: ResourceDefinition | undefined,
  policy: WaitlistPolicy,
): Iterable<Problem> {
  const entry = replay.waitlist.find((candidate) => candidate.entryId === entryId && !candidate.promoted)
  if (entry === undefined) {
    yield { guarantee: 'G4', message: `promotion of waitlist entry ${entryId}, which is not waiting` }
    return
  }
  const earlier = replay.waitlist.filter(
    (other) => other.seq < entry.seq && !other.promoted && overlaps(other.range, entry.range),
  )
  for (const other of earlier) {
    if (policy === 'blocking') {
      yield {
        guarantee: 'G4',
        message: `waitlist entry ${entryId} promoted before the earlier ${other.entryId}`,
      }
    } else if (definition !== undefined && replay.fits(other.range, other.quantity, definition)) {
      yield {
        guarantee: 'G4',
        message: `waitlist entry ${entryId} promoted past ${other.entryId}, which fit`,
      }
    }
  }
  entry.promoted = true
}

function* overreservation(
  replay: ResourceReplay,
  event: Extract<ReservationEvent, { type: 'OverreservationProcessed' }>,
  definition: ResourceDefinition | undefined,
  retentionMs: number | undefined,
): Iterable<Problem> {
  let previousSeq = Number.POSITIVE_INFINITY
  for (const bumped of event.bumped) {
    const reservation = replay.reservations.get(bumped.reservationId)
    if (reservation !== undefined) {
      if (reservation.createdSeq > previousSeq) {
        yield {
          guarantee: 'G1',
          message: `${bumped.reservationId} bumped after an earlier-created reservation`,
        }
      }
      previousSeq = reservation.createdSeq
    }
    yield* statusChange(replay, bumped.reservationId, 'BUMPED')
    if (reservation !== undefined) replay.release(reservation)
  }
  if (!event.resolved || definition === undefined) return
  // Without a range, the processed region is every slot of the reservations not over at that time.
  const requested = event.start === null || event.end === null ? undefined : rangeOf(event.start, event.end)
  const nowMinute = Math.floor(event.occurredAt / MS_PER_MINUTE)
  const regions: MinuteRange[] =
    requested !== undefined
      ? [requested]
      : [...replay.reservations.values()]
          .flatMap((reservation) => (reservation.held === undefined ? [] : [reservation.held.range]))
          .filter((range) => range.end > nowMinute)
  const horizon = retentionMs === undefined ? 0 : (event.occurredAt - retentionMs) / MS_PER_MINUTE
  for (const [slot, used] of replay.slots) {
    if (slot < horizon) continue
    const inRegion = regions.some((range) => slot + definition.slotMinutes > range.start && slot < range.end)
    if (inRegion && used > definition.capacity) {
      yield {
        guarantee: 'G1',
        message: `slot ${slot} holds ${used} > capacity ${definition.capacity} after a resolved overreservation`,
      }
    }
  }
}
