// The replayed state of one resource for the invariant checker: reservations, units per slot, waitlist.
import type { ReservationStatus, ResourceDefinition } from '../../schemas/generated/types.js'
import { type MinuteRange, slotStarts } from './time-range.js'

export interface HeldUnits {
  readonly range: MinuteRange
  readonly quantity: number
  readonly slotMinutes: number
}

export interface ReplayedReservation {
  readonly id: string
  status: ReservationStatus
  held: HeldUnits | undefined
  readonly createdSeq: number
  readonly createdAt: number
}

export interface ReplayedEntry {
  readonly entryId: string
  /** The id the entry's reservation would get; once taken by another reservation the entry can never be promoted. */
  readonly reservationId: string
  readonly range: MinuteRange
  readonly quantity: number
  readonly seq: number
  promoted: boolean
}

export class ResourceReplay {
  lastSequence = 0
  lastOccurredAt = Number.NEGATIVE_INFINITY
  readonly reservations = new Map<string, ReplayedReservation>()
  readonly slots = new Map<number, number>()
  readonly waitlist: ReplayedEntry[] = []

  constructor(readonly resourceId: string) {}

  create(event: { reservationId: string; sequence: number; occurredAt: number }, held: HeldUnits): void {
    const reservation: ReplayedReservation = {
      id: event.reservationId,
      status: 'PENDING_PAYMENT',
      held: undefined,
      createdSeq: event.sequence,
      createdAt: event.occurredAt,
    }
    this.reservations.set(event.reservationId, reservation)
    this.hold(reservation, held)
  }

  hold(reservation: ReplayedReservation, held: HeldUnits): void {
    reservation.held = held
    this.add(held, held.quantity)
  }

  release(reservation: ReplayedReservation): void {
    if (reservation.held !== undefined) this.add(reservation.held, -reservation.held.quantity)
    reservation.held = undefined
  }

  slotUsed(slot: number): number {
    return this.slots.get(slot) ?? 0
  }

  fits(range: MinuteRange, quantity: number, definition: ResourceDefinition): boolean {
    return slotStarts(range, definition.slotMinutes).every(
      (slot) => this.slotUsed(slot) + quantity <= definition.capacity,
    )
  }

  addToWaitlist(entry: Omit<ReplayedEntry, 'promoted'>): void {
    this.waitlist.push({ ...entry, promoted: false })
  }

  /** Entries still waiting whose reservationId was taken by another reservation are void (never promoted). */
  voidEntriesFor(reservationId: string): void {
    for (const entry of this.waitlist) if (entry.reservationId === reservationId) entry.promoted = true
  }

  private add(held: HeldUnits, delta: number): void {
    for (const slot of slotStarts(held.range, held.slotMinutes)) {
      const used = this.slotUsed(slot) + delta
      if (used === 0) this.slots.delete(slot)
      else this.slots.set(slot, used)
    }
  }
}
