import { beforeEach, describe, expect, it } from 'vitest'
import { Harness, jan, only, T0, types } from './harness.js'

describe('workflow happy 1: creation', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
    h.define()
  })

  it('creates a reservation holding its units, confirms it and requests payment', () => {
    const result = h.create('r-1', 10, 12, { quantity: 2 })
    expect(types(result)).toEqual([
      'ReservationRequested',
      'AvailabilityConfirmed',
      'ReservationCreated',
      'ReservationConfirmationSent',
      'PaymentRequested',
    ])
    const created = only(result, 'ReservationCreated')
    expect(created).toMatchObject({
      reservationId: 'r-1',
      start: jan(10),
      end: jan(12),
      quantity: 2,
      priceCents: 40_000,
      status: 'PENDING_PAYMENT',
      holdExpiresAt: T0 + 15 * 60_000,
      overbooked: false,
      fromWaitlistEntryId: null,
      causationId: result.events[0]?.causationId,
    })
    expect(only(result, 'ReservationConfirmationSent')).toMatchObject({
      causationId: created.eventId,
      confirms: 'CREATED',
    })
    expect(only(result, 'PaymentRequested')).toMatchObject({
      causationId: created.eventId,
      amountCents: 40_000,
      purpose: 'INITIAL',
    })
    expect(result.notifications).toEqual([
      expect.objectContaining({
        type: 'ReservationConfirmation',
        customerId: 'customer-of-r-1',
        reservationId: 'r-1',
      }),
    ])
    expect([h.slotUsed(10), h.slotUsed(11), h.slotUsed(12)]).toEqual([2, 2, 0])
    expect(h.state.stores.holds.size).toBe(1)
  })

  it('authorizes, completes and finalizes the payment; an authorized hold no longer expires', () => {
    h.create('r-1', 10, 12)
    const authorized = h.pay('PaymentAuthorized', 'r-1', 20_000)
    expect(only(authorized, 'PaymentAuthorized')).toMatchObject({
      status: 'AUTHORIZED',
      amountCents: 20_000,
      method: 'card',
    })
    expect(h.state.stores.holds.size).toBe(0)
    const completed = h.pay('PaymentCompleted', 'r-1', 20_000)
    expect(types(completed)).toEqual(['PaymentCompleted', 'ReservationFinalized'])
    expect(only(completed, 'ReservationFinalized')).toMatchObject({
      status: 'FINALIZED',
      paidCents: 20_000,
      causationId: only(completed, 'PaymentCompleted').eventId,
    })
    expect(h.advance(60 * 60_000).flatMap((r) => r.events)).toEqual([])
    expect(h.reservation('r-1')?.status).toBe('FINALIZED')
    expect(h.violations()).toEqual([])
  })

  it('applies a promotion given at creation to the price', () => {
    h.state.definePromotion({
      code: 'TEN',
      percentOff: 10,
      amountOffCents: null,
      validFrom: jan(-60),
      validUntil: jan(60),
      maxUses: null,
    })
    const created = only(h.create('r-1', 10, 12, { promotionCode: 'TEN' }), 'ReservationCreated')
    expect(created).toMatchObject({ priceCents: 18_000, promotionCode: 'TEN' })
  })

  it('rejects an unusable promotion code at creation as INVALID', () => {
    const rejected = only(h.create('r-1', 10, 12, { promotionCode: 'NOPE' }), 'CommandRejected')
    expect(rejected).toMatchObject({ reason: 'INVALID', message: 'promotion NOPE does not exist' })
  })

  it('normalises instants in events to the ISO form with milliseconds', () => {
    const result = h.command({
      type: 'CreateReservation',
      reservationId: 'r-1',
      customerId: 'c',
      start: '2030-01-10T00:00Z',
      end: '2030-01-11T00:00:00Z',
      quantity: 1,
      waitlistIfUnavailable: false,
      promotionCode: null,
    })
    expect(only(result, 'ReservationCreated')).toMatchObject({
      start: '2030-01-10T00:00:00.000Z',
      end: '2030-01-11T00:00:00.000Z',
    })
  })
})

describe('workflow alternative 1: creation failure', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
    h.define()
    h.create('a', 10, 12, { quantity: 2 })
  })

  it('rejects an unavailable request as UNAVAILABLE with the 3 nearest alternatives, listed earliest first', () => {
    h.create('b', 13, 14, { quantity: 2 })
    h.create('d', 7, 8, { quantity: 2 })
    const result = h.create('c', 10, 12)
    expect(types(result)).toEqual(['ReservationRequested', 'CommandRejected'])
    const rejected = only(result, 'CommandRejected')
    expect(rejected).toMatchObject({
      reason: 'UNAVAILABLE',
      commandType: 'CreateReservation',
      reservationId: 'c',
    })
    expect(rejected.alternatives).toEqual([
      { resourceId: 'room-double', start: jan(5), end: jan(7), quantity: 1 },
      { resourceId: 'room-double', start: jan(8), end: jan(10), quantity: 1 },
      { resourceId: 'room-double', start: jan(14), end: jan(16), quantity: 1 },
    ])
    expect(h.slotUsed(10)).toBe(2)
  })

  it('offers no alternative that starts before stream time', () => {
    h.now = Date.UTC(2030, 0, 9)
    const rejected = only(h.create('c', 10, 12), 'CommandRejected')
    expect(rejected.alternatives.map((a) => a.start)).toEqual([jan(12), jan(13), jan(14)])
  })

  it('adds the request to the waitlist when asked instead of rejecting it', () => {
    const result = h.create('c', 10, 12, { waitlistIfUnavailable: true })
    expect(types(result)).toEqual(['ReservationRequested', 'AddedToWaitlist'])
    expect(only(result, 'AddedToWaitlist')).toMatchObject({
      waitlistEntryId: 'c',
      reservationId: 'c',
      position: 1,
    })
    expect(h.reservation('c')).toBeUndefined()
  })

  it('rejects an existing reservationId as DUPLICATE_RESERVATION', () => {
    expect(only(h.create('a', 20, 21), 'CommandRejected').reason).toBe('DUPLICATE_RESERVATION')
  })
})
