// The workflows of spec §5 as scripted scenarios: what to publish, and which events each step must yield
// for the scenario's resource, in order. `npm run demo` prints them as they happen; the scenario tests
// run the same scripts against a real broker and check the exact sequences.
import type {
  PaymentEvent,
  ReservationCommand,
  ReservationEventType,
  ResourceDefinition,
} from '../../schemas/index.js'

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
type CommandBody = Without<ReservationCommand, 'commandId' | 'resourceId' | 'issuedAt'>
type PaymentBody = Without<PaymentEvent, 'paymentId' | 'occurredAt'>

export type Step =
  | {
      readonly kind: 'resource'
      readonly definition: ResourceDefinition
      readonly expect: readonly ReservationEventType[]
    }
  | {
      readonly kind: 'command'
      readonly command: ReservationCommand
      readonly expect: readonly ReservationEventType[]
    }
  | {
      readonly kind: 'payment'
      readonly payment: PaymentEvent
      readonly expect: readonly ReservationEventType[]
    }

export interface Scenario {
  readonly id: string
  readonly title: string
  readonly resourceId: string
  readonly steps: readonly Step[]
  /** The id a script's reservation label ('r1') has in this run: unique across scenarios and runs, as
   * payments route by reservation id alone. */
  reservationId(label: string): string
}

const DAY = 86_400_000
const NIGHT_PRICE = 10_000

/** Builds the scenarios for one run: resource ids carry `runId`, dates are relative to `now`. */
export function scenarios(runId: string, now: number): Scenario[] {
  const today = Math.floor(now / DAY) * DAY
  const night = (offset: number) => new Date(today + offset * DAY).toISOString()
  let counter = 0
  const script = (id: string, title: string, capacity: number, overbookingLimit = 0) => {
    const resourceId = `${id}-${runId}`
    const steps: Step[] = [
      {
        kind: 'resource',
        definition: {
          resourceId,
          category: 'hotel-room',
          capacity,
          slotMinutes: 1440,
          overbookingLimit,
          priceCentsPerUnitSlot: NIGHT_PRICE,
        },
        expect: [],
      },
    ]
    const tag = `${list.length}${runId.slice(-4)}`
    const rid = (label: string) => `${label}-${tag}`
    const withId = <T>(body: T): T =>
      'reservationId' in (body as object)
        ? { ...body, reservationId: rid((body as { reservationId: string }).reservationId) }
        : body
    const command = (body: CommandBody, expect: readonly ReservationEventType[]) => {
      steps.push({
        kind: 'command',
        command: {
          ...withId(body),
          commandId: `${resourceId}-c${++counter}`,
          resourceId,
          issuedAt: now,
        },
        expect,
      })
    }
    const payment = (body: PaymentBody, expect: readonly ReservationEventType[]) => {
      steps.push({
        kind: 'payment',
        payment: { ...withId(body), paymentId: `${resourceId}-p${++counter}`, occurredAt: now },
        expect,
      })
    }
    const create = (
      reservationId: string,
      from: number,
      to: number,
      extra: { quantity?: number; waitlistIfUnavailable?: boolean } = {},
    ) => ({
      type: 'CreateReservation' as const,
      reservationId,
      customerId: `guest-${reservationId}`,
      start: night(from),
      end: night(to),
      quantity: extra.quantity ?? 1,
      waitlistIfUnavailable: extra.waitlistIfUnavailable ?? false,
      promotionCode: null,
    })
    const created = [
      'ReservationRequested',
      'AvailabilityConfirmed',
      'ReservationCreated',
      'ReservationConfirmationSent',
      'PaymentRequested',
    ] as const
    const pay = (reservationId: string, amountCents: number) => {
      payment({ type: 'PaymentAuthorized', reservationId, amountCents, method: 'card' }, [
        'PaymentAuthorized',
      ])
      payment({ type: 'PaymentCompleted', reservationId, amountCents, method: 'card' }, [
        'PaymentCompleted',
        'ReservationFinalized',
      ])
    }
    return {
      resourceId,
      steps,
      command,
      payment,
      create,
      created,
      pay,
      done: (): Scenario => ({ id, title, resourceId, steps, reservationId: rid }),
    }
  }

  const list: Scenario[] = []

  // Happy path 1: creation, confirmation, payment authorized and completed, finalized
  {
    const s = script('creation', 'Happy path 1 — creation: hold, confirmation, payment, finalized', 2)
    s.command(s.create('r1', 10, 12), s.created)
    s.pay('r1', 2 * NIGHT_PRICE)
    list.push(s.done())
  }
  // Happy path 2: modification with an additional charge
  {
    const s = script('modification', 'Happy path 2 — modification: one more night, additional charge paid', 1)
    s.command(s.create('r1', 10, 12), s.created)
    s.pay('r1', 2 * NIGHT_PRICE)
    s.command(
      { type: 'ModifyReservation', reservationId: 'r1', start: null, end: night(13), quantity: null },
      ['ReservationModified', 'ReservationConfirmationSent', 'PaymentRequested'],
    )
    s.pay('r1', NIGHT_PRICE)
    list.push(s.done())
  }
  // Happy path 3: cancellation with a refund, and the waitlist promoted into the freed room
  {
    const s = script('cancellation', 'Happy path 3 — cancellation: refund, waitlist promoted', 1)
    s.command(s.create('r1', 10, 12), s.created)
    s.payment(
      { type: 'PaymentAuthorized', reservationId: 'r1', amountCents: 2 * NIGHT_PRICE, method: 'card' },
      ['PaymentAuthorized'],
    )
    s.command(s.create('r2', 10, 12, { waitlistIfUnavailable: true }), [
      'ReservationRequested',
      'AddedToWaitlist',
    ])
    s.command({ type: 'CancelReservation', reservationId: 'r1', reason: 'change of plans' }, [
      'ReservationCanceled',
      'ReservationConfirmationSent',
      'RefundRequested',
      'ReservationCreated',
      'ReservationConfirmationSent',
      'PaymentRequested',
    ])
    list.push(s.done())
  }
  // Happy path 4: check-in and check-out (a stay that started today, so stream time is inside it)
  {
    const s = script('checkin', 'Happy path 4 — check-in and check-out', 1)
    s.command(s.create('r1', 0, 2), s.created)
    s.pay('r1', 2 * NIGHT_PRICE)
    s.command({ type: 'Checkin', reservationId: 'r1' }, ['ReservationCheckedIn'])
    s.command({ type: 'Checkout', reservationId: 'r1' }, ['ReservationCheckedOut'])
    list.push(s.done())
  }
  // Alternative 1: no availability — rejected with alternatives, or waitlisted when asked
  {
    const s = script(
      'unavailable',
      'Alternative 1 — creation failure: unavailable with alternatives, or waitlisted',
      1,
    )
    s.command(s.create('r1', 10, 12), s.created)
    s.command(s.create('r2', 10, 12), ['ReservationRequested', 'CommandRejected'])
    s.command(s.create('r3', 10, 12, { waitlistIfUnavailable: true }), [
      'ReservationRequested',
      'AddedToWaitlist',
    ])
    list.push(s.done())
  }
  // Alternative 2: a modification that conflicts is rejected; the reservation stays as it was
  {
    const s = script('conflict', 'Alternative 2 — modification failure: conflict, alternatives offered', 1)
    s.command(s.create('r1', 10, 11), s.created)
    s.command(s.create('r2', 11, 12), s.created)
    s.command(
      { type: 'ModifyReservation', reservationId: 'r1', start: null, end: night(12), quantity: null },
      ['CommandRejected'],
    )
    list.push(s.done())
  }
  // Alternative 3: canceling after check-in fails, telling the customer to contact support
  {
    const s = script(
      'cancel-after-checkin',
      'Alternative 3 — cancellation failure: after check-in, contact support',
      1,
    )
    s.command(s.create('r1', 0, 1), s.created)
    s.pay('r1', NIGHT_PRICE)
    s.command({ type: 'Checkin', reservationId: 'r1' }, ['ReservationCheckedIn'])
    s.command({ type: 'CancelReservation', reservationId: 'r1', reason: null }, ['CommandRejected'])
    list.push(s.done())
  }
  // Alternative 4: payment fails, the hold is kept, another method succeeds
  {
    const s = script(
      'payment-failure',
      'Alternative 4 — payment failure: hold kept, another method authorized',
      1,
    )
    s.command(s.create('r1', 10, 12), s.created)
    s.payment(
      {
        type: 'PaymentFailed',
        reservationId: 'r1',
        amountCents: 2 * NIGHT_PRICE,
        method: 'card',
        reason: 'card declined',
      },
      ['PaymentFailed'],
    )
    s.payment(
      { type: 'PaymentAuthorized', reservationId: 'r1', amountCents: 2 * NIGHT_PRICE, method: 'paypal' },
      ['PaymentAuthorized'],
    )
    list.push(s.done())
  }
  // Alternative 5: overbooking within the limit is flagged; beyond it rejected; processing bumps the latest
  {
    const s = script('overbooking', 'Alternative 5 — overreservation: overbooked, then bumped', 1, 1)
    s.command(s.create('r1', 10, 12), s.created)
    s.command(s.create('r2', 10, 12), s.created)
    s.command(s.create('r3', 10, 12), ['ReservationRequested', 'CommandRejected'])
    s.command({ type: 'ProcessOverreservation', start: null, end: null }, ['OverreservationProcessed'])
    list.push(s.done())
  }
  return list
}
