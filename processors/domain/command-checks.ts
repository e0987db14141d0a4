// Checks shared by the command decisions: the spec's INVALID cases that need the resource.
import type { ResourceDefinition } from '../../schemas/generated/types.js'
import { isAligned, MS_PER_MINUTE, type MinuteRange, rangeOf, slotCount } from './time-range.js'
import type { Workspace } from './workspace.js'

export type Checked<T> = { readonly ok: T } | { readonly problem: string }

/**
 * A requested range: valid instants, end after start, aligned to the resource's slots, not too long, and
 * not starting before the retention horizon (retention.ts).
 */
export function checkRange(
  ws: Workspace,
  resource: ResourceDefinition,
  start: string,
  end: string,
): Checked<MinuteRange> {
  const range = rangeOf(start, end)
  if (range === undefined)
    return { problem: `the range ${start} – ${end} must be two ISO-8601 UTC instants, end after start` }
  if (!isAligned(range, resource.slotMinutes)) {
    return {
      problem: `the range ${start} – ${end} is not aligned to the ${resource.slotMinutes}-minute slots of ${resource.resourceId}`,
    }
  }
  const slots = slotCount(range, resource.slotMinutes)
  if (slots > ws.config.maxSlotsPerReservation) {
    return {
      problem: `the range spans ${slots} slots; at most ${ws.config.maxSlotsPerReservation} are allowed`,
    }
  }
  if (range.start * MS_PER_MINUTE < ws.horizon) {
    return {
      problem: `the range ${start} – ${end} starts before ${new Date(ws.horizon).toISOString()}: slots more than the retention period (${ws.config.retentionMs} ms) in the past are no longer kept`,
    }
  }
  return { ok: range }
}
