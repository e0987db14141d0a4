// AddToWaitlist (spec §4): AddedToWaitlist (outcome); if the entry fits right away (and nothing earlier
// blocks it) it is promoted at once, as a reservation whose id is the waitlistEntryId.
import type { AddToWaitlist, ReservationEvent } from '../../schemas/generated/types.js'
import { validateCommand } from '../../schemas/validate-command.js'
import { checkRange } from './command-checks.js'
import { reject } from './policies.js'
import { isoOf } from './time-range.js'
import { promoteWaitlist } from './waitlist-promotion.js'
import type { Workspace } from './workspace.js'

export function decideAddToWaitlist(ws: Workspace, command: AddToWaitlist): ReservationEvent {
  const invalid = validateCommand(command)
  if (invalid !== undefined) return reject(ws, command, 'INVALID', invalid.message)
  const resource = ws.resource()
  if (resource === undefined)
    return reject(ws, command, 'UNKNOWN_RESOURCE', `resource ${command.resourceId} is not defined`)
  const range = checkRange(ws, resource, command.start, command.end)
  if ('problem' in range) return reject(ws, command, 'INVALID', range.problem)
  const entry = ws.appendToWaitlist({
    waitlistEntryId: command.waitlistEntryId,
    reservationId: command.waitlistEntryId,
    customerId: command.customerId,
    start: isoOf(range.ok.start),
    end: isoOf(range.ok.end),
    quantity: command.quantity,
    promotion: null,
    addedAt: ws.now,
  })
  const event = ws.emit('AddedToWaitlist', {
    reservationId: entry.reservationId,
    causationId: command.commandId,
    waitlistEntryId: entry.waitlistEntryId,
    customerId: entry.customerId,
    start: entry.start,
    end: entry.end,
    quantity: entry.quantity,
    position: entry.seq,
  })
  promoteWaitlist(ws, event.eventId)
  return event
}
