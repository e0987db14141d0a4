// The working state of one decision: reads go through an overlay of this decision's own changes to the
// view, changes are collected as store writes, and events get their envelope here — eventId from the
// input and position, sequence = meta.sequence + 1, +1 per event, occurredAt = stream time.
import type {
  ReservationEvent,
  ReservationEventType,
  ReservationNotification,
  ResourceDefinition,
} from '../../schemas/generated/types.js'
import type { DecisionConfig } from './decision-config.js'
import type { DecisionInput } from './decision-input.js'
import { inputId } from './decision-input.js'
import { type DecisionView, rangeOfReservation } from './decision-view.js'
import { deterministicId } from './event-id.js'
import { holdsUnits } from './reservation-status.js'
import { openRetentionStart } from './retention.js'
import {
  emptyResourceMeta,
  type Reservation,
  type ResourceMeta,
  type WaitlistEntry,
} from './state-records.js'
import type { DecisionResult, StateWrite } from './state-write.js'
import { storeKeys } from './store-keys.js'
import { type MinuteRange, slotStarts } from './time-range.js'

export type EventOf<K extends ReservationEventType> = Extract<ReservationEvent, { type: K }>
/** An event's fields without the envelope the workspace fills in. */
export type EventFields<K extends ReservationEventType> = Omit<
  EventOf<K>,
  'eventId' | 'type' | 'resourceId' | 'sequence' | 'occurredAt'
>
export type NotificationFields = Omit<ReservationNotification, 'notificationId' | 'resourceId' | 'occurredAt'>

// a reservation's keys in the derived stores (module functions: saveReservation runs for most records)
function indexKey(r: Reservation | undefined): string | undefined {
  return r === undefined
    ? undefined
    : storeKeys.reservationIndex(r.resourceId, rangeOfReservation(r).end, r.reservationId)
}

function holdKey(r: Reservation | undefined): string | undefined {
  return r?.holdExpiresAt === null || r === undefined
    ? undefined
    : storeKeys.hold(r.holdExpiresAt, r.resourceId, r.reservationId)
}

function retentionKey(r: Reservation, since: number): string {
  return storeKeys.reservationRetention(since, r.resourceId, r.reservationId)
}

export class Workspace {
  readonly resourceId: string
  private readonly seed: string
  private readonly events: ReservationEvent[] = []
  private readonly notifications: ReservationNotification[] = []
  private readonly writes = new Map<string, StateWrite>()
  private unprocessable: string | undefined
  private meta: ResourceMeta
  private definition: ResourceDefinition | undefined
  private readonly reservations = new Map<string, Reservation>()
  private readonly slots = new Map<number, number>()
  private readonly promotionUseCounts = new Map<string, number>()
  private readonly appended: WaitlistEntry[] = []
  private readonly removed = new Set<number>()
  private readonly removedReservations = new Set<string>()

  constructor(
    readonly view: DecisionView,
    readonly input: DecisionInput,
    readonly now: number,
    readonly config: DecisionConfig,
  ) {
    this.resourceId = view.resourceId
    this.seed = inputId(input, now)
    this.meta = view.meta() ?? emptyResourceMeta
    this.definition = view.resource()
  }

  resource(): ResourceDefinition | undefined {
    return this.definition
  }

  setResource(definition: ResourceDefinition): void {
    this.definition = definition
    this.write({ store: 'resources', key: storeKeys.resource(definition.resourceId), value: definition })
  }

  reservation(reservationId: string): Reservation | undefined {
    if (this.removedReservations.has(reservationId)) return undefined
    return this.reservations.get(reservationId) ?? this.view.reservation(reservationId)
  }

  /**
   * The earliest instant (stream time) a range may start at: slots before it may have lost the usage of
   * reservations removed by retention, so nothing may be booked there.
   */
  get horizon(): number {
    return this.now - this.config.retentionMs
  }

  /**
   * Stores a new version of a reservation and keeps the derived state consistent: the slots it holds
   * (only touched when its units change), its reservation-index entry, its hold key and its
   * retention-index key (from its end while it holds units — see retention.ts —, from now once it
   * stops holding them; a reservation that no longer holds units never holds them again).
   */
  saveReservation(next: Reservation): void {
    const previous = this.reservation(next.reservationId)
    this.reservations.set(next.reservationId, next)
    this.write({
      store: 'reservations',
      key: storeKeys.reservation(this.resourceId, next.reservationId),
      value: next,
    })

    const before = previous !== undefined && holdsUnits(previous.status) ? previous : undefined
    const after = holdsUnits(next.status) ? next : undefined
    const unitsChanged =
      before?.start !== after?.start || before?.end !== after?.end || before?.quantity !== after?.quantity
    if (unitsChanged) {
      if (before !== undefined)
        this.addUnits(rangeOfReservation(before), before.slotMinutes, -before.quantity)
      if (after !== undefined) this.addUnits(rangeOfReservation(after), after.slotMinutes, after.quantity)
    }
    this.replaceKey('reservation-index', indexKey(before), indexKey(after), next.reservationId)
    this.replaceKey('holds', holdKey(previous), holdKey(next), next.resourceId)
    const retainedFrom = before === undefined ? undefined : retentionKey(before, openRetentionStart(before))
    if (after !== undefined) {
      this.replaceKey(
        'retention-index',
        retainedFrom,
        retentionKey(after, openRetentionStart(after)),
        next.resourceId,
      )
    } else if (previous === undefined || before !== undefined) {
      this.replaceKey('retention-index', retainedFrom, retentionKey(next, this.now), next.resourceId)
    }
  }

  /**
   * Removes a reservation whose retention (which began at `since`) is over, with everything derived from
   * it: the units it still holds, its index, hold and retention keys.
   */
  removeReservation(reservation: Reservation, since: number): void {
    const { resourceId, reservationId } = reservation
    this.removedReservations.add(reservationId)
    this.reservations.delete(reservationId)
    this.write({ store: 'reservations', key: storeKeys.reservation(resourceId, reservationId), value: null })
    if (holdsUnits(reservation.status)) {
      const range = rangeOfReservation(reservation)
      this.addUnits(range, reservation.slotMinutes, -reservation.quantity)
      const indexKey = storeKeys.reservationIndex(resourceId, range.end, reservationId)
      this.write({ store: 'reservation-index', key: indexKey, value: null })
    }
    if (reservation.holdExpiresAt !== null) this.deleteHold(reservation.holdExpiresAt, reservationId)
    this.deleteRetentionKey(since, reservationId)
  }

  /** Deletes a reservation's retention-index key (also one the sweep found without its reservation). */
  deleteRetentionKey(since: number, reservationId: string): void {
    const key = storeKeys.reservationRetention(since, this.resourceId, reservationId)
    this.write({ store: 'retention-index', key, value: null })
  }

  private replaceKey(
    store: 'reservation-index' | 'holds' | 'retention-index',
    from: string | undefined,
    to: string | undefined,
    value: string,
  ): void {
    if (from === to) return
    if (from !== undefined) this.write({ store, key: from, value: null })
    if (to !== undefined) this.write({ store, key: to, value })
  }

  /** Deletes a hold key the punctuator found, whatever its reservation looks like now. */
  deleteHold(expiresAt: number, reservationId: string): void {
    this.write({
      store: 'holds',
      key: storeKeys.hold(expiresAt, this.resourceId, reservationId),
      value: null,
    })
  }

  slotUsed(slotStart: number): number {
    return this.slots.get(slotStart) ?? this.view.slotUsed(slotStart)
  }

  private addUnits(range: MinuteRange, slotMinutes: number, delta: number): void {
    for (const slot of slotStarts(range, slotMinutes)) {
      const used = this.slotUsed(slot) + delta
      this.slots.set(slot, used)
      const key = storeKeys.slot(this.resourceId, slot)
      this.write({ store: 'slots', key, value: used === 0 ? null : { used } })
    }
  }

  /** The waitlist in FIFO order, with this decision's appends and removals (reads the view's waitlist). */
  waitlist(): readonly WaitlistEntry[] {
    return [...this.view.waitlist(), ...this.appended].filter((entry) => !this.removed.has(entry.seq))
  }

  /** Appends an entry with the next waitlist sequence number (`seq` is assigned here). */
  appendToWaitlist(entry: Omit<WaitlistEntry, 'seq'>): WaitlistEntry {
    const stored: WaitlistEntry = { ...entry, seq: this.meta.nextWaitlistSeq }
    this.meta = { ...this.meta, nextWaitlistSeq: stored.seq + 1 }
    this.appended.push(stored)
    this.write({ store: 'waitlist', key: storeKeys.waitlist(this.resourceId, stored.seq), value: stored })
    this.write({
      store: 'retention-index',
      key: storeKeys.waitlistRetention(Date.parse(stored.end), this.resourceId, stored.seq),
      value: this.resourceId,
    })
    this.writeMeta()
    return stored
  }

  removeFromWaitlist(entry: WaitlistEntry): void {
    this.forgetWaitlistEntry(entry.seq, Date.parse(entry.end))
  }

  /** Removes the waitlist entry `seq` and its retention-index key (`since` = the entry's end). */
  forgetWaitlistEntry(seq: number, since: number): void {
    this.removed.add(seq)
    this.write({ store: 'waitlist', key: storeKeys.waitlist(this.resourceId, seq), value: null })
    const key = storeKeys.waitlistRetention(since, this.resourceId, seq)
    this.write({ store: 'retention-index', key, value: null })
  }

  promotionUses(code: string): number {
    return this.promotionUseCounts.get(code) ?? this.view.promotionUses(code)
  }

  countPromotionUse(code: string): void {
    const uses = this.promotionUses(code) + 1
    this.promotionUseCounts.set(code, uses)
    this.write({ store: 'promotion-uses', key: storeKeys.promotionUses(this.resourceId, code), value: uses })
  }

  /** The sequence number the next emitted event gets. */
  nextSequence(): number {
    return this.meta.sequence + 1
  }

  /** Emits an event: assigns its eventId, sequence and occurredAt. */
  emit<K extends ReservationEventType>(type: K, fields: EventFields<K>): EventOf<K> {
    const sequence = this.nextSequence()
    const event = {
      eventId: deterministicId(this.resourceId, this.seed, String(this.events.length)),
      type,
      resourceId: this.resourceId,
      ...fields,
      sequence,
      occurredAt: this.now,
    } as unknown as EventOf<K>
    this.events.push(event)
    this.meta = { ...this.meta, sequence }
    this.writeMeta()
    return event
  }

  notify(fields: NotificationFields): void {
    this.notifications.push({
      notificationId: deterministicId(
        'notification',
        this.resourceId,
        this.seed,
        String(this.notifications.length),
      ),
      resourceId: this.resourceId,
      occurredAt: this.now,
      ...fields,
    })
  }

  /**
   * Remembers the outcome of a command or payment so that a repeat emits nothing, and when it was
   * recorded, so that the retention sweep forgets it after `dedupRetentionMs`.
   */
  recordOutcome(idempotencyKey: string, eventId: string): void {
    this.write({ store: 'commands', key: idempotencyKey, value: eventId })
    const key = storeKeys.commandIndex(this.now, idempotencyKey)
    this.write({ store: 'command-index', key, value: this.resourceId })
  }

  /** Forgets a command or payment recorded at `recordedAt`: a repeat from now on is decided anew. */
  forgetOutcome(idempotencyKey: string, recordedAt: number): void {
    this.write({ store: 'commands', key: idempotencyKey, value: null })
    const key = storeKeys.commandIndex(recordedAt, idempotencyKey)
    this.write({ store: 'command-index', key, value: null })
  }

  result(): DecisionResult {
    if (this.unprocessable !== undefined)
      return { events: [], notifications: [], writes: [], deadLetter: this.unprocessable }
    return { events: this.events, notifications: this.notifications, writes: [...this.writes.values()] }
  }

  /** The input cannot be decided: it goes to the DLQ with `reason`, and nothing else comes of it. */
  reject(reason: string): void {
    this.unprocessable = reason
  }

  private writeMeta(): void {
    this.write({ store: 'resource-meta', key: storeKeys.meta(this.resourceId), value: this.meta })
  }

  private write(write: StateWrite): void {
    this.writes.set(`${write.store}\u0000${write.key}`, write)
  }
}
