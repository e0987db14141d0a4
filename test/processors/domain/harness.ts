// A broker-free harness for the domain: MemoryState + decide(), with command builders and the log.
import type {
  PaymentEvent,
  ReservationCommand,
  ReservationEvent,
  ReservationEventType,
  ReservationNotification,
  ResourceDefinition,
} from '../../../schemas/generated/types.js'
import {
  checkInvariants,
  type CommandSent,
  resourceHistory,
  type Violation,
} from '../../../processors/domain/check-invariants.js'
import { decide } from '../../../processors/domain/decide.js'
import { type DecisionConfig, defaultDecisionConfig } from '../../../processors/domain/decision-config.js'
import type { DecisionInput } from '../../../processors/domain/decision-input.js'
import { MemoryState } from '../../../processors/domain/memory-state.js'
import type { Reservation } from '../../../processors/domain/state-records.js'
import type { DecisionResult } from '../../../processors/domain/state-write.js'
import { storeKeys } from '../../../processors/domain/store-keys.js'

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
/** Stream time at the start of every test: a month before the stays. */
export const T0 = Date.UTC(2029, 11, 1)

/** ISO instant of midnight UTC on January `day`, 2030 (day 32 is February 1st). */
export const jan = (day: number): string => new Date(Date.UTC(2030, 0, day)).toISOString()

export const hotel: ResourceDefinition = {
  resourceId: 'room-double',
  category: 'hotel-room',
  capacity: 2,
  slotMinutes: 1440,
  overbookingLimit: 0,
  priceCentsPerUnitSlot: 10_000,
}

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
type CommandBody = Without<ReservationCommand, 'commandId' | 'resourceId' | 'issuedAt'>

export class Harness {
  readonly state = new MemoryState()
  readonly log: ReservationEvent[] = []
  readonly notifications: ReservationNotification[] = []
  readonly commands: CommandSent[] = []
  readonly resources: { at: number; definition: ResourceDefinition }[] = []
  now = T0
  private counter = 0

  constructor(
    readonly config: DecisionConfig = defaultDecisionConfig,
    readonly resourceId = hotel.resourceId,
  ) {}

  run(input: DecisionInput): DecisionResult {
    const result = decide(this.state.view(input, this.now, this.config), input, this.now, this.config)
    this.state.apply(result.writes)
    this.log.push(...result.events)
    this.notifications.push(...result.notifications)
    return result
  }

  define(changes: Partial<ResourceDefinition> = {}): DecisionResult {
    const definition = { ...hotel, resourceId: this.resourceId, ...changes }
    this.resources.push({ at: this.now, definition })
    return this.run({ type: 'resource-updated', definition, causationId: `resources-0@${++this.counter}` })
  }

  command(body: CommandBody, commandId = `cmd-${++this.counter}`): DecisionResult {
    const command = {
      ...body,
      commandId,
      resourceId: this.resourceId,
      issuedAt: this.now,
    }
    this.commands.push({ commandId, type: command.type, resourceId: this.resourceId })
    return this.run({ type: 'command', command })
  }

  create(
    reservationId: string,
    from: number,
    to: number,
    extra: Partial<{
      quantity: number
      customerId: string
      waitlistIfUnavailable: boolean
      promotionCode: string | null
    }> = {},
  ): DecisionResult {
    return this.command({
      type: 'CreateReservation',
      reservationId,
      customerId: extra.customerId ?? `customer-of-${reservationId}`,
      start: jan(from),
      end: jan(to),
      quantity: extra.quantity ?? 1,
      waitlistIfUnavailable: extra.waitlistIfUnavailable ?? false,
      promotionCode: extra.promotionCode ?? null,
    })
  }

  cancel(reservationId: string): DecisionResult {
    return this.command({ type: 'CancelReservation', reservationId, reason: null })
  }

  modify(
    reservationId: string,
    changes: { start?: string; end?: string; quantity?: number },
  ): DecisionResult {
    return this.command({
      type: 'ModifyReservation',
      reservationId,
      start: changes.start ?? null,
      end: changes.end ?? null,
      quantity: changes.quantity ?? null,
    })
  }

  simple(
    type: 'Checkin' | 'Checkout' | 'ExpireReservation' | 'SendReservationConfirmation',
    reservationId: string,
  ): DecisionResult {
    return this.command({ type, reservationId })
  }

  waitlist(waitlistEntryId: string, from: number, to: number, quantity = 1): DecisionResult {
    return this.command({
      type: 'AddToWaitlist',
      waitlistEntryId,
      customerId: `customer-of-${waitlistEntryId}`,
      start: jan(from),
      end: jan(to),
      quantity,
    })
  }

  pay(
    type: PaymentEvent['type'],
    reservationId: string,
    amountCents: number,
    paymentId = `pay-${++this.counter}`,
  ): DecisionResult {
    const payment = {
      paymentId,
      type,
      reservationId,
      amountCents,
      method: 'card',
      occurredAt: this.now,
      ...(type === 'PaymentFailed' ? { reason: 'declined' } : {}),
    } as PaymentEvent
    return this.run({ type: 'payment', resourceId: this.resourceId, payment })
  }

  /** Authorizes and captures the full price: the reservation ends FINALIZED. */
  payInFull(reservationId: string): void {
    const price = this.reservation(reservationId)?.priceCents ?? 0
    this.pay('PaymentAuthorized', reservationId, price)
    this.pay('PaymentCompleted', reservationId, price)
  }

  /** Advances stream time and runs the expiry punctuator. */
  advance(ms: number): DecisionResult[] {
    this.now += ms
    return this.state.dueHolds(this.now).map((input) => this.run(input))
  }

  /** Runs the retention sweep at the current stream time (retention.ts). */
  sweep(): DecisionResult[] {
    return this.state.retentionDue(this.now, this.config).map((input) => this.run(input))
  }

  reservation(reservationId: string): Reservation | undefined {
    return this.state.stores.reservations.get(storeKeys.reservation(this.resourceId, reservationId))
  }

  slotUsed(day: number): number {
    const minute = Date.UTC(2030, 0, day) / MINUTE
    return (
      [...this.state.stores.slots].find(([key]) => key.endsWith(`|${String(minute).padStart(10, '0')}`))?.[1]
        .used ?? 0
    )
  }

  violations(): Violation[] {
    return checkInvariants(this.log, {
      resourceAt: resourceHistory(this.resources),
      commands: this.commands,
      holdTimeoutMs: this.config.holdTimeoutMs,
      punctuationIntervalMs: 0,
      waitlistPolicy: this.config.waitlistPolicy,
    })
  }
}

export const types = (result: DecisionResult): ReservationEventType[] =>
  result.events.map((event) => event.type)

/** The single event of a type in a result (fails the test when there is not exactly one). */
export function only<K extends ReservationEventType>(
  result: DecisionResult,
  type: K,
): Extract<ReservationEvent, { type: K }> {
  const found = result.events.filter((event) => event.type === type)
  if (found.length !== 1)
    throw new Error(`expected one ${type}, got ${found.length} in ${types(result).join(', ')}`)
  return found[0] as Extract<ReservationEvent, { type: K }>
}
