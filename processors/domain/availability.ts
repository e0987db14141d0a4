// Availability of units per slot, alternatives, and prices: the arithmetic behind creation,
// modification, waitlist promotion and overreservation.
import type { Alternative, PromotionDefinition, ResourceDefinition } from '../../schemas/generated/types.js'
import { parseInstant } from '../../schemas/validate-command.js'
import type { AppliedPromotion } from './state-records.js'
import { isoOf, MS_PER_MINUTE, type MinuteRange, shift, slotCount, slotStarts } from './time-range.js'

/** Reads the units held per slot (the workspace, including this decision's own changes). */
export interface SlotReader {
  slotUsed(slotStart: number): number
  readonly now: number
  readonly config: { readonly alternativesWindowSlots: number; readonly maxAlternatives: number }
}

/** Units of the same reservation that count as free (a modification replaces them). */
export interface Replaced {
  readonly range: MinuteRange
  readonly quantity: number
}

/**
 * - `fits`: every slot stays within capacity;
 * - `overbooked`: some slot exceeds capacity but none exceeds capacity + overbookingLimit;
 * - `unavailable`: some slot would exceed capacity + overbookingLimit.
 */
export type Fit = 'fits' | 'overbooked' | 'unavailable'

/** The highest number of units any slot of `range` would hold with `quantity` more (minus `replaced`). */
export function peakUsage(
  slots: SlotReader,
  resource: ResourceDefinition,
  range: MinuteRange,
  quantity: number,
  replaced?: Replaced,
): number {
  let peak = 0
  for (const slot of slotStarts(range, resource.slotMinutes)) {
    const freed =
      replaced !== undefined && slot >= replaced.range.start && slot < replaced.range.end
        ? replaced.quantity
        : 0
    peak = Math.max(peak, slots.slotUsed(slot) - freed + quantity)
  }
  return peak
}

export function fitOf(
  slots: SlotReader,
  resource: ResourceDefinition,
  range: MinuteRange,
  quantity: number,
  replaced?: Replaced,
): Fit {
  const peak = peakUsage(slots, resource, range, quantity, replaced)
  if (peak <= resource.capacity) return 'fits'
  return peak <= resource.capacity + resource.overbookingLimit ? 'overbooked' : 'unavailable'
}

/**
 * Up to `maxAlternatives` ranges of the same duration and quantity that fit within capacity, starting no
 * earlier than stream time, within `alternativesWindowSlots` slots of the requested start: the nearest
 * ones (ties: the earlier), listed earliest first.
 */
export function alternativesFor(
  slots: SlotReader,
  resource: ResourceDefinition,
  range: MinuteRange,
  quantity: number,
  replaced?: Replaced,
): Alternative[] {
  const found: MinuteRange[] = []
  const nowMinute = Math.ceil(slots.now / MS_PER_MINUTE)
  for (let step = 1; step <= slots.config.alternativesWindowSlots; step++) {
    for (const direction of [-1, 1]) {
      if (found.length >= slots.config.maxAlternatives) break
      const candidate = shift(range, direction * step * resource.slotMinutes)
      if (candidate.start < nowMinute || candidate.start < 0) continue
      if (fitOf(slots, resource, candidate, quantity, replaced) === 'fits') found.push(candidate)
    }
  }
  return found
    .sort((a, b) => a.start - b.start)
    .map((candidate) => ({
      resourceId: resource.resourceId,
      start: isoOf(candidate.start),
      end: isoOf(candidate.end),
      quantity,
    }))
}

export interface Price {
  readonly basePriceCents: number
  readonly priceCents: number
}

/** priceCentsPerUnitSlot × quantity × slots, less the promotion's discount (never below 0). */
export function priceOf(
  resource: ResourceDefinition,
  range: MinuteRange,
  quantity: number,
  promotion: AppliedPromotion | null,
): Price {
  const basePriceCents = resource.priceCentsPerUnitSlot * quantity * slotCount(range, resource.slotMinutes)
  return { basePriceCents, priceCents: basePriceCents - discountOf(basePriceCents, promotion) }
}

export function discountOf(basePriceCents: number, promotion: AppliedPromotion | null): number {
  if (promotion === null) return 0
  const discount =
    promotion.percentOff !== null
      ? Math.floor((basePriceCents * promotion.percentOff) / 100)
      : (promotion.amountOffCents ?? 0)
  return Math.min(basePriceCents, Math.max(0, discount))
}

/**
 * Why a promotion cannot be used now on this resource, or the snapshot to apply. Valid means: defined,
 * exactly one of percentOff (1..100) and amountOffCents (> 0), validFrom <= now < validUntil, and fewer
 * than maxUses uses on this resource.
 */
export function checkPromotion(
  code: string,
  promotion: PromotionDefinition | undefined,
  uses: number,
  now: number,
): { readonly applied: AppliedPromotion } | { readonly problem: string } {
  if (promotion === undefined) return { problem: `promotion ${code} does not exist` }
  const validFrom = parseInstant(promotion.validFrom)
  const validUntil = parseInstant(promotion.validUntil)
  if (validFrom === undefined || validUntil === undefined)
    return { problem: `promotion ${code} has no valid period` }
  if (now < validFrom) return { problem: `promotion ${code} is valid only from ${promotion.validFrom}` }
  if (now >= validUntil) return { problem: `promotion ${code} expired at ${promotion.validUntil}` }
  const percent = promotion.percentOff
  const amount = promotion.amountOffCents
  const wellFormed =
    (percent !== null && amount === null && percent >= 1 && percent <= 100) ||
    (percent === null && amount !== null && amount > 0)
  if (!wellFormed)
    return { problem: `promotion ${code} must have exactly one of percentOff and amountOffCents` }
  if (promotion.maxUses !== null && uses >= promotion.maxUses) {
    return { problem: `promotion ${code} has been used its ${promotion.maxUses} times` }
  }
  return { applied: { code, percentOff: percent, amountOffCents: amount } }
}
