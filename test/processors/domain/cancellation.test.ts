import { beforeEach, describe, expect, it } from 'vitest'
import { Harness, only, types } from './harness.js'

describe('workflow happy 3: cancellation', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
    h.define()
  })

  it('cancels, releases the units and confirms the cancellation', () => {
    h.create('r-1', 10, 12, { quantity: 2 })
    const result = h.cancel('r-1')
    expect(types(result)).toEqual(['ReservationCanceled', 'ReservationConfirmationSent'])
    expect(only(result, 'ReservationCanceled')).toMatchObject({
      status: 'CANCELED',
      previousStatus: 'PENDING_PAYMENT',
      quantity: 2,
    })
    expect(only(result, 'ReservationConfirmationSent').confirms).toBe('CANCELED')
    expect(h.slotUsed(10)).toBe(0)
    expect(h.state.stores.holds.size).toBe(0)
    expect(h.state.stores['reservation-index'].size).toBe(0)
  })

  it('requests a refund of what was paid', () => {
    h.create('r-1', 10, 12)
    h.payInFull('r-1')
    const result = h.cancel('r-1')
    expect(types(result)).toEqual(['ReservationCanceled', 'ReservationConfirmationSent', 'RefundRequested'])
    expect(only(result, 'RefundRequested')).toMatchObject({
      amountCents: 20_000,
      refundReason: 'CANCELED',
      status: 'CANCELED',
    })
  })

  it('promotes the waitlist with the freed units, caused by ReservationCanceled', () => {
    h.create('r-1', 10, 12, { quantity: 2 })
    h.create('r-2', 10, 11, { waitlistIfUnavailable: true })
    const result = h.cancel('r-1')
    const canceled = only(result, 'ReservationCanceled')
    const created = only(result, 'ReservationCreated')
    expect(created).toMatchObject({
      reservationId: 'r-2',
      fromWaitlistEntryId: 'r-2',
      causationId: canceled.eventId,
    })
    expect(types(result).slice(-3)).toEqual([
      'ReservationCreated',
      'ReservationConfirmationSent',
      'PaymentRequested',
    ])
    expect(h.state.stores.waitlist.size).toBe(0)
  })
})

describe('workflow alternative 3: cancellation failure', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
    h.define()
  })

  it('tells the customer to contact support when the reservation is checked in', () => {
    h.create('r-1', 10, 12)
    h.payInFull('r-1')
    h.now = Date.parse('2030-01-10T15:00:00Z')
    h.simple('Checkin', 'r-1')
    const rejected = only(h.cancel('r-1'), 'CommandRejected')
    expect(rejected).toMatchObject({ reason: 'INVALID_STATE', commandType: 'CancelReservation' })
    expect(rejected.message).toContain('contact support')
  })

  it('tells the customer to contact support when the reservation is unknown or already canceled', () => {
    expect(only(h.cancel('nope'), 'CommandRejected')).toMatchObject({
      reason: 'NOT_FOUND',
      message: expect.stringContaining('contact support') as string,
    })
    h.create('r-1', 10, 12)
    h.cancel('r-1')
    expect(only(h.cancel('r-1'), 'CommandRejected')).toMatchObject({
      reason: 'INVALID_STATE',
      message: expect.stringContaining('contact support') as string,
    })
  })
})
