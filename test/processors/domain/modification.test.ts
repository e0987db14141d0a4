import { beforeEach, describe, expect, it } from 'vitest'
import { Harness, jan, only, types } from './harness.js'

describe('workflow happy 2: modification', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
    h.define()
  })

  it('modifies the range, carrying old and new values, and confirms it', () => {
    h.create('r-1', 10, 12)
    const result = h.modify('r-1', { start: jan(11), end: jan(14) })
    expect(types(result)).toEqual(['ReservationModified', 'ReservationConfirmationSent', 'PaymentRequested'])
    expect(only(result, 'ReservationModified')).toMatchObject({
      oldStart: jan(10),
      oldEnd: jan(12),
      oldQuantity: 1,
      oldPriceCents: 20_000,
      start: jan(11),
      end: jan(14),
      quantity: 1,
      priceCents: 30_000,
      status: 'PENDING_PAYMENT',
    })
    expect(only(result, 'ReservationConfirmationSent').confirms).toBe('MODIFIED')
    expect(only(result, 'PaymentRequested')).toMatchObject({ amountCents: 30_000, purpose: 'PRICE_CHANGED' })
    expect([10, 11, 12, 13, 14].map((day) => h.slotUsed(day))).toEqual([0, 1, 1, 1, 0])
  })

  it('counts the units of the old range as free when checking the new one', () => {
    h.create('r-1', 10, 12, { quantity: 2 })
    const result = h.modify('r-1', { start: jan(11), end: jan(13) })
    expect(types(result)).toContain('ReservationModified')
    expect([10, 11, 12].map((day) => h.slotUsed(day))).toEqual([0, 2, 2])
  })

  it('requests an additional charge when the price of a paid reservation rises', () => {
    h.create('r-1', 10, 12)
    h.payInFull('r-1')
    const result = h.modify('r-1', { quantity: 2 })
    expect(only(result, 'PaymentRequested')).toMatchObject({
      amountCents: 20_000,
      purpose: 'ADDITIONAL_CHARGE',
      status: 'FINALIZED',
    })
    h.pay('PaymentAuthorized', 'r-1', 20_000)
    const completed = h.pay('PaymentCompleted', 'r-1', 20_000)
    expect(types(completed)).toEqual(['PaymentCompleted', 'ReservationFinalized'])
    expect(h.reservation('r-1')).toMatchObject({ status: 'FINALIZED', paidCents: 40_000 })
  })

  it('requests a refund when the price of a paid reservation falls', () => {
    h.create('r-1', 10, 13)
    h.payInFull('r-1')
    const result = h.modify('r-1', { end: jan(11) })
    expect(only(result, 'RefundRequested')).toMatchObject({
      amountCents: 20_000,
      refundReason: 'PRICE_DECREASED',
    })
    expect(types(result)).not.toContain('PaymentRequested')
  })

  it('promotes the waitlist with the units a modification frees, caused by ReservationModified', () => {
    h.create('r-1', 10, 12, { quantity: 2 })
    h.waitlist('w-1', 11, 12)
    const result = h.modify('r-1', { end: jan(11) })
    const created = only(result, 'ReservationCreated')
    expect(created).toMatchObject({
      fromWaitlistEntryId: 'w-1',
      causationId: only(result, 'ReservationModified').eventId,
    })
  })

  it('flags a modification into the overbooking allowance and notifies the customer', () => {
    h.define({ overbookingLimit: 1 })
    h.create('a', 10, 11, { quantity: 2 })
    h.create('r-1', 11, 12)
    const result = h.modify('r-1', { start: jan(10) })
    expect(only(result, 'ReservationModified')).toMatchObject({ overbooked: true })
    expect(result.notifications.map((n) => n.type)).toContain('Overbooked')
  })
})

describe('workflow alternative 2: modification failure', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
    h.define()
    h.create('full', 14, 16, { quantity: 2 })
    h.create('r-1', 10, 12)
  })

  it('rejects a conflicting range as CONFLICT with alternatives and leaves the reservation as it was', () => {
    const before = h.reservation('r-1')
    const result = h.modify('r-1', { start: jan(14), end: jan(16) })
    expect(types(result)).toEqual(['CommandRejected'])
    const rejected = only(result, 'CommandRejected')
    expect(rejected.reason).toBe('CONFLICT')
    expect(rejected.alternatives.map((a) => [a.start, a.end])).toEqual([
      [jan(11), jan(13)],
      [jan(12), jan(14)],
      [jan(16), jan(18)],
    ])
    expect(h.reservation('r-1')).toEqual(before)
    expect(h.slotUsed(10)).toBe(1)
  })

  it('rejects an unknown reservation as NOT_FOUND, a range ending before it starts as INVALID', () => {
    expect(only(h.modify('nope', { quantity: 2 }), 'CommandRejected').reason).toBe('NOT_FOUND')
    expect(only(h.modify('r-1', { end: jan(9) }), 'CommandRejected').reason).toBe('INVALID')
  })

  it('rejects modifying a canceled reservation as INVALID_STATE', () => {
    h.cancel('r-1')
    expect(only(h.modify('r-1', { quantity: 2 }), 'CommandRejected').reason).toBe('INVALID_STATE')
  })
})
