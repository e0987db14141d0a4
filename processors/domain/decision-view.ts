// The synchronous, read-only view of state a decision gets. The processor fills it from its stores
// following the read plan (read-plan.ts); asking for anything outside the plan is a bug in the plan and
// throws NotPreloadedError rather than answering "empty".
import type { PromotionDefinition, ResourceDefinition } from '../../schemas/generated/types.js'
import type { Reservation, ResourceMeta, WaitlistEntry } from './state-records.js'
import { containsRange, type MinuteRange, overlaps } from './time-range.js'

export interface DecisionView {
  readonly resourceId: string
  /** The stored definition (for `resource-updated`, the one before the update). */
  resource(): ResourceDefinition | undefined
  meta(): ResourceMeta | undefined
  reservation(reservationId: string): Reservation | undefined
  /** Units held in the slot starting at `slotStart` (epoch minutes). */
  slotUsed(slotStart: number): number
  /** The resource's waitlist, FIFO. */
  waitlist(): readonly WaitlistEntry[]
  /** Reservations of the resource holding units and overlapping `range`. */
  liveReservations(range: MinuteRange): readonly Reservation[]
  promotion(code: string): PromotionDefinition | undefined
  /** Uses of a promotion on this resource. */
  promotionUses(code: string): number
  /** The outcome eventId recorded under a `commands` key, if the command or payment was seen. */
  outcomeOf(idempotencyKey: string): string | undefined
}

/** Data loaded per the read plan. Maps hold every planned key, with `undefined` for absent ones. */
export interface PreloadedData {
  readonly resourceId: string
  readonly resource: ResourceDefinition | undefined
  readonly meta: ResourceMeta | undefined
  readonly reservations: ReadonlyMap<string, Reservation | undefined>
  /** The minute ranges whose slots were loaded, and the non-zero slots in them. */
  readonly slotWindows: readonly MinuteRange[]
  readonly slots: ReadonlyMap<number, number>
  /** Undefined when the plan did not ask for the waitlist. */
  readonly waitlist: readonly WaitlistEntry[] | undefined
  /** Undefined when the plan did not ask for live reservations. */
  readonly live: { readonly range: MinuteRange; readonly reservations: readonly Reservation[] } | undefined
  readonly promotions: ReadonlyMap<string, PromotionDefinition | undefined>
  readonly promotionUses: ReadonlyMap<string, number>
  readonly outcomes: ReadonlyMap<string, string | undefined>
}

/** Thrown when a decision reads state its read plan did not load (a bug, never a data problem). */
export class NotPreloadedError extends Error {
  override readonly name = 'NotPreloadedError'
}

export function preloadedView(data: PreloadedData): DecisionView {
  return new PreloadedView(data)
}

/** A view over preloaded data (a class: one per decision, so no closures built per decision). */
class PreloadedView implements DecisionView {
  readonly resourceId: string
  /** The planned reservations, and the live ones (the planned entry wins where both hold one). */
  private readonly reservations = new Map<string, Reservation | undefined>()

  constructor(private readonly data: PreloadedData) {
    this.resourceId = data.resourceId
    for (const reservation of data.live?.reservations ?? [])
      this.reservations.set(reservation.reservationId, reservation)
    for (const [reservationId, reservation] of data.reservations)
      this.reservations.set(reservationId, reservation)
  }

  resource(): ResourceDefinition | undefined {
    return this.data.resource
  }

  meta(): ResourceMeta | undefined {
    return this.data.meta
  }

  reservation(reservationId: string): Reservation | undefined {
    return planned(this.reservations, reservationId, 'reservation')
  }

  slotUsed(slotStart: number): number {
    const { slotWindows, slots, resourceId } = this.data
    if (!slotWindows.some((window) => slotStart >= window.start && slotStart < window.end)) {
      throw new NotPreloadedError(`slot ${slotStart} of ${resourceId} is not in the read plan`)
    }
    return slots.get(slotStart) ?? 0
  }

  waitlist(): readonly WaitlistEntry[] {
    if (this.data.waitlist === undefined)
      throw new NotPreloadedError(`the waitlist of ${this.resourceId} is not in the read plan`)
    return this.data.waitlist
  }

  liveReservations(range: MinuteRange): readonly Reservation[] {
    const live = this.data.live
    if (live === undefined || !containsRange(live.range, range)) {
      throw new NotPreloadedError(`live reservations of ${this.resourceId} are not in the read plan`)
    }
    return live.reservations.filter((r) => overlaps(rangeOfReservation(r), range))
  }

  promotion(code: string): PromotionDefinition | undefined {
    return planned(this.data.promotions, code, 'promotion')
  }

  promotionUses(code: string): number {
    return planned(this.data.promotionUses, code, 'promotion uses of')
  }

  outcomeOf(idempotencyKey: string): string | undefined {
    return planned(this.data.outcomes, idempotencyKey, 'commands key')
  }
}

function planned<K, V>(map: ReadonlyMap<K, V>, key: K, what: string): V {
  if (!map.has(key)) throw new NotPreloadedError(`${what} ${String(key)} is not in the read plan`)
  return map.get(key) as V
}

/** The minute range of a stored reservation (its instants are normalised, so they always parse). */
export function rangeOfReservation(reservation: {
  readonly start: string
  readonly end: string
}): MinuteRange {
  return { start: Date.parse(reservation.start) / 60_000, end: Date.parse(reservation.end) / 60_000 }
}
