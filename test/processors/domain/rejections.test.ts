// Every rejection reason of every command (spec §4), each one a CommandRejected outcome.
import { describe, expect, it } from 'vitest'
import type { RejectionReason, ReservationCommandType } from '../../../schemas/generated/types.js'
import { commandRejectionReasons, isOutcomeOf } from '../../../processors/domain/outcome-table.js'
import { Harness, jan, only } from './harness.js'

/** Sends, last, a command that must be rejected with the reason; returns the harness it used if not `h`. */
type Scenario = (h: Harness) => unknown

/** A harness whose resource is not defined. */
const undefinedResource = (h: Harness): Harness => new Harness(h.config, 'nowhere')

const paidAndCheckedIn = (h: Harness, id: string): void => {
  h.create(id, 10, 12)
  h.payInFull(id)
  h.now = Date.parse('2030-01-10T12:00:00Z')
  h.simple('Checkin', id)
}

const scenarios: { [C in ReservationCommandType]: Partial<Record<RejectionReason, Scenario>> } = {
  CreateReservation: {
    INVALID: (h) => h.create('r', 10, 10),
    UNKNOWN_RESOURCE: (h) => {
      const other = undefinedResource(h)
      other.create('r', 10, 11)
      return other
    },
    UNAVAILABLE: (h) => (h.create('a', 10, 11, { quantity: 2 }), h.create('r', 10, 11)),
    DUPLICATE_RESERVATION: (h) => (h.create('r', 10, 11), h.create('r', 12, 13)),
  },
  SendReservationConfirmation: {
    INVALID: (h) => h.simple('SendReservationConfirmation', ''),
    NOT_FOUND: (h) => h.simple('SendReservationConfirmation', 'nope'),
    INVALID_STATE: (h) => (
      h.create('r', 10, 11),
      h.simple('ExpireReservation', 'r'),
      h.simple('SendReservationConfirmation', 'r')
    ),
  },
  CancelReservation: {
    INVALID: (h) => h.cancel(' '),
    NOT_FOUND: (h) => h.cancel('nope'),
    INVALID_STATE: (h) => (paidAndCheckedIn(h, 'r'), h.cancel('r')),
  },
  ModifyReservation: {
    INVALID: (h) => (h.create('r', 10, 11), h.modify('r', { start: '2030-01-10T05:00:00Z' })),
    NOT_FOUND: (h) => h.modify('nope', { quantity: 2 }),
    INVALID_STATE: (h) => (paidAndCheckedIn(h, 'r'), h.modify('r', { quantity: 2 })),
    CONFLICT: (h) => (
      h.create('a', 12, 13, { quantity: 2 }),
      h.create('r', 10, 11),
      h.modify('r', { end: jan(13) })
    ),
  },
  Checkin: {
    INVALID: (h) => h.simple('Checkin', ''),
    NOT_FOUND: (h) => h.simple('Checkin', 'nope'),
    INVALID_STATE: (h) => (h.create('r', 10, 11), h.simple('Checkin', 'r')),
  },
  Checkout: {
    INVALID: (h) => h.simple('Checkout', ''),
    NOT_FOUND: (h) => h.simple('Checkout', 'nope'),
    INVALID_STATE: (h) => (h.create('r', 10, 11), h.simple('Checkout', 'r')),
  },
  AddToWaitlist: {
    INVALID: (h) => h.waitlist('w', 10, 11, 0),
    UNKNOWN_RESOURCE: (h) => {
      const other = undefinedResource(h)
      other.waitlist('w', 10, 11)
      return other
    },
  },
  ApplyPromotion: {
    INVALID: (h) => h.command({ type: 'ApplyPromotion', reservationId: 'r', promotionCode: '' }),
    NOT_FOUND: (h) => h.command({ type: 'ApplyPromotion', reservationId: 'nope', promotionCode: 'TEN' }),
    INVALID_STATE: (h) => (
      h.create('r', 10, 11),
      h.payInFull('r'),
      h.command({ type: 'ApplyPromotion', reservationId: 'r', promotionCode: 'TEN' })
    ),
    PROMOTION_INVALID: (h) => (
      h.create('r', 10, 11),
      h.command({ type: 'ApplyPromotion', reservationId: 'r', promotionCode: 'NOPE' })
    ),
  },
  ExpireReservation: {
    INVALID: (h) => h.simple('ExpireReservation', ''),
    NOT_FOUND: (h) => h.simple('ExpireReservation', 'nope'),
    INVALID_STATE: (h) => (
      h.create('r', 10, 11),
      h.pay('PaymentAuthorized', 'r', 1),
      h.simple('ExpireReservation', 'r')
    ),
  },
  ProcessOverreservation: {
    INVALID: (h) => h.command({ type: 'ProcessOverreservation', start: jan(10), end: null }),
    UNKNOWN_RESOURCE: (h) => {
      const other = undefinedResource(h)
      other.command({ type: 'ProcessOverreservation', start: null, end: null })
      return other
    },
  },
}

const cases = Object.entries(commandRejectionReasons).flatMap(([command, reasons]) =>
  reasons.map((reason) => [command as ReservationCommandType, reason] as const),
)

describe('rejections', () => {
  it.each(cases)('rejects %s with %s as its one outcome', (command, reason) => {
    const scenario = scenarios[command][reason]
    expect(scenario, `no scenario for ${command} ${reason}`).toBeDefined()
    const h = new Harness()
    h.define()
    h.state.definePromotion({
      code: 'TEN',
      percentOff: 10,
      amountOffCents: null,
      validFrom: jan(-60),
      validUntil: jan(60),
      maxUses: null,
    })
    const used = scenario?.(h)
    const target = used instanceof Harness ? used : h
    const sent = target.commands.at(-1)
    const outcomes = target.log.filter((event) => sent !== undefined && isOutcomeOf(sent, event))
    expect(sent?.type).toBe(command)
    expect(outcomes).toHaveLength(1)
    expect(outcomes[0]).toMatchObject({ type: 'CommandRejected', commandType: command, reason })
    expect(target.violations()).toEqual([])
  })

  it('names the problem in the message', () => {
    const h = new Harness()
    h.define()
    const rejected = only(h.create('r', 10, 10), 'CommandRejected')
    expect(rejected.message).toBe(`end ${jan(10)} must be after start ${jan(10)}`)
    const unaligned = only(h.modify('x', {}), 'CommandRejected')
    expect(unaligned.reason).toBe('NOT_FOUND')
  })
})
