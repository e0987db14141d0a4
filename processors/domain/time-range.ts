// Time arithmetic of the domain: instants as epoch minutes, half-open ranges, slots aligned to the UTC
// epoch (a 1440-minute slot starts at 00:00Z), and prices per unit and slot.
import { parseInstant } from '../../schemas/validate-command.js'

export const MS_PER_MINUTE = 60_000
/** The last epoch minute store keys can represent (10 digits): "from now on" ranges end here. */
export const END_OF_TIME = 9_999_999_999

/** A half-open range `[start, end)` in epoch minutes. */
export interface MinuteRange {
  readonly start: number
  readonly end: number
}

/** Epoch minutes of an ISO-8601 UTC instant; undefined when it is not one or not on a whole minute. */
export function minutesOf(iso: string): number | undefined {
  const millis = parseInstant(iso)
  return millis === undefined || millis % MS_PER_MINUTE !== 0 ? undefined : millis / MS_PER_MINUTE
}

/** The normalised ISO-8601 form of an instant in epoch minutes (`2030-01-31T00:00:00.000Z`). */
export function isoOf(minutes: number): string {
  return new Date(minutes * MS_PER_MINUTE).toISOString()
}

/** The range of two ISO instants; undefined unless both parse and `end > start`. */
export function rangeOf(start: string, end: string): MinuteRange | undefined {
  const from = minutesOf(start)
  const to = minutesOf(end)
  return from === undefined || to === undefined || to <= from ? undefined : { start: from, end: to }
}

export function isAligned(range: MinuteRange, slotMinutes: number): boolean {
  return range.start >= 0 && range.start % slotMinutes === 0 && range.end % slotMinutes === 0
}

export function slotCount(range: MinuteRange, slotMinutes: number): number {
  return Math.ceil((range.end - range.start) / slotMinutes)
}

/** Start minutes of every slot of an aligned range. */
export function slotStarts(range: MinuteRange, slotMinutes: number): number[] {
  const starts: number[] = []
  for (let slot = range.start; slot < range.end; slot += slotMinutes) starts.push(slot)
  return starts
}

/** The smallest slot-aligned range covering `range`. */
export function alignOutward(range: MinuteRange, slotMinutes: number): MinuteRange {
  return {
    start: Math.floor(range.start / slotMinutes) * slotMinutes,
    end: Math.ceil(range.end / slotMinutes) * slotMinutes,
  }
}

export function overlaps(a: MinuteRange, b: MinuteRange): boolean {
  return a.start < b.end && b.start < a.end
}

export function widen(range: MinuteRange, minutes: number): MinuteRange {
  return { start: Math.max(0, range.start - minutes), end: range.end + minutes }
}

export function shift(range: MinuteRange, minutes: number): MinuteRange {
  return { start: range.start + minutes, end: range.end + minutes }
}

/** Sorted, non-overlapping ranges covering the same minutes (adjacent ranges are joined). */
export function mergeRanges(ranges: readonly MinuteRange[]): MinuteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start)
  const merged: MinuteRange[] = []
  for (const range of sorted) {
    const last = merged[merged.length - 1]
    if (last !== undefined && range.start <= last.end) {
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, range.end) }
    } else {
      merged.push(range)
    }
  }
  return merged
}

export function containsRange(outer: MinuteRange, inner: MinuteRange): boolean {
  return outer.start <= inner.start && inner.end <= outer.end
}
