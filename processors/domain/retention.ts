// Retention (spec §9): state stays bounded on a service that runs for years. What a reservation, a
// waitlist entry and a remembered command id cost is removed once it is old enough in stream time:
//
//   what                    retained from (its `retention-index` / `command-index` key)     for
//   reservation             while it holds units: its end, or its hold's expiry if later;     retentionMs
//                           once canceled, expired or bumped: that moment
//   waitlist entry          its end                                                           retentionMs
//   commands key            when the command's (or payment's) outcome was recorded            dedupRetentionMs
//
// A sweep on stream-time punctuation scans those index ranges up to the cutoffs (the keys sort by time,
// so it reads only what is due) and passes what it found, per resource, to decide() as `retention-due`.
// Removal is a set of deletes like any other state change: the changelogs get tombstones.
//
// What keeps the guarantees: nothing may be booked, moved or promoted into a range that starts before the
// horizon (stream time − retentionMs), so the slots whose usage a removal took away are never counted
// again (G1 as the event log tells it); a waitlist entry that starts before the horizon is never promoted
// and holds back the later entries that overlap it (G4 as the log tells it); ProcessOverreservation leaves
// slots before the horizon alone (the auditor, told `retentionMs`, does too); an unpaid hold is never
// removed (its retention starts at its expiry at the earliest, and the expiry punctuator ends it first: G5).
import { rangeOfReservation } from './decision-view.js'
import type { DecisionInput, RetentionDue } from './decision-input.js'
import { holdsUnits, isUnpaid } from './reservation-status.js'
import type { Reservation } from './state-records.js'
import { parseCommandIndexKey, parseRetentionKey } from './store-keys.js'
import { MS_PER_MINUTE } from './time-range.js'
import type { Workspace } from './workspace.js'

/** When the retention of a reservation that holds units begins: its end, or its hold's expiry if later. */
export function openRetentionStart(reservation: Reservation): number {
  return Math.max(rangeOfReservation(reservation).end * MS_PER_MINUTE, reservation.holdExpiresAt ?? 0)
}

/** The `retention-due` decision: removes what is due, emits nothing. Entries not (or no longer) due stay. */
export function removeRetained(ws: Workspace, due: RetentionDue): void {
  const cutoff = ws.now - ws.config.retentionMs
  for (const { reservationId, since } of due.reservations) {
    if (since > cutoff) continue
    const reservation = ws.reservation(reservationId)
    if (reservation === undefined) {
      ws.deleteRetentionKey(since, reservationId)
      continue
    }
    if (holdsUnits(reservation.status) && openRetentionStart(reservation) !== since) {
      ws.deleteRetentionKey(since, reservationId) // a stale key; the reservation has its own
      continue
    }
    if (isUnpaid(reservation.status)) continue // its hold is still open: the expiry punctuator ends it first
    ws.removeReservation(reservation, since)
  }
  for (const { seq, since } of due.waitlist) if (since <= cutoff) ws.forgetWaitlistEntry(seq, since)
  const forgetBefore = ws.now - ws.config.dedupRetentionMs
  for (const { commandsKey, recordedAt } of due.commands) {
    if (recordedAt <= forgetBefore) ws.forgetOutcome(commandsKey, recordedAt)
  }
}

/**
 * One `retention-due` input per resource from what the sweep found: keys of `retention-index` (scanned up
 * to the retention cutoff) and of `command-index` (up to the dedup cutoff), in any order.
 */
export function retentionInputs(
  retentionKeys: Iterable<string>,
  commandIndexKeys: Iterable<string>,
): DecisionInput[] {
  type Found = {
    reservations: RetentionDue['reservations'][number][]
    waitlist: RetentionDue['waitlist'][number][]
    commands: RetentionDue['commands'][number][]
  }
  const byResource = new Map<string, Found>()
  const of = (resourceId: string): Found => {
    let found = byResource.get(resourceId)
    if (found === undefined)
      byResource.set(resourceId, (found = { reservations: [], waitlist: [], commands: [] }))
    return found
  }
  for (const key of retentionKeys) {
    const parsed = parseRetentionKey(key)
    if (parsed.kind === 'reservation') {
      of(parsed.resourceId).reservations.push({ reservationId: parsed.reservationId, since: parsed.since })
    } else {
      of(parsed.resourceId).waitlist.push({ seq: parsed.seq, since: parsed.since })
    }
  }
  for (const key of commandIndexKeys) {
    const { recordedAt, commandsKey, resourceId } = parseCommandIndexKey(key)
    of(resourceId).commands.push({ commandsKey, recordedAt })
  }
  return [...byResource].map(([resourceId, due]) => ({ type: 'retention-due', resourceId, due }))
}
