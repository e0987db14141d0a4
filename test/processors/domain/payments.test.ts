import { beforeEach, describe, expect, it } from 'vitest'
import { Harness, MINUTE, only, types } from './harness.js'

describe('workflow alternative 4: payment failure', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
    h.define()
    h.create('r-1', 10, 12)
  })

  it('records PaymentFailed, keeps the hold and suggests other payment methods', () => {
    const result = h.pay('PaymentFailed', 'r-1', 20_000)
    expect(only(result, 'PaymentFailed')).toMatchObject({
      status: 'PAYMENT_FAILED',
      method: 'card',
      reason: 'declined',
    })
    expect(result.notifications).toEqual([
      expect.objectContaining({
        type: 'PaymentFailed',
        customerId: 'customer-of-r-1',
        message: expect.stringContaining('another payment method') as string,
      }),
    ])
    expect(h.state.stores.holds.size).toBe(1)
    expect(h.slotUsed(10)).toBe(1)
  })

  it('still accepts a later authorization within the hold', () => {
    h.pay('PaymentFailed', 'r-1', 20_000)
    h.advance(10 * MINUTE)
    expect(only(h.pay('PaymentAuthorized', 'r-1', 20_000), 'PaymentAuthorized').status).toBe('AUTHORIZED')
    expect(h.advance(60 * MINUTE).flatMap((r) => r.events)).toEqual([])
    expect(h.violations()).toEqual([])
  })

  it('expires a failed payment hold like an unpaid one', () => {
    h.pay('PaymentFailed', 'r-1', 20_000)
    const expired = h.advance(16 * MINUTE).flatMap((r) => r.events)
    expect(expired.map((e) => e.type)).toEqual(['ReservationExpired'])
    expect(expired[0]).toMatchObject({ previousStatus: 'PAYMENT_FAILED' })
  })
})

describe('late and stray payments', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
    h.define()
    h.create('r-1', 10, 12)
  })

  it('refunds an authorization for a reservation that expired', () => {
    h.advance(16 * MINUTE)
    const result = h.pay('PaymentAuthorized', 'r-1', 20_000, 'late-pay')
    expect(types(result)).toEqual(['RefundRequested'])
    expect(result.events[0]).toMatchObject({
      amountCents: 20_000,
      paymentId: 'late-pay',
      causationId: 'late-pay',
      refundReason: 'LATE_PAYMENT',
      status: 'EXPIRED',
    })
  })

  it('refunds a captured payment for a canceled reservation', () => {
    h.cancel('r-1')
    expect(only(h.pay('PaymentCompleted', 'r-1', 20_000), 'RefundRequested').refundReason).toBe(
      'LATE_PAYMENT',
    )
  })

  it('authorizes and finalizes at once when a capture arrives without authorization', () => {
    const result = h.pay('PaymentCompleted', 'r-1', 20_000)
    expect(types(result)).toEqual(['PaymentCompleted', 'ReservationFinalized'])
    expect(result.events.map((e) => ('status' in e ? e.status : undefined))).toEqual([
      'AUTHORIZED',
      'FINALIZED',
    ])
    expect(h.violations()).toEqual([])
  })

  it('sends a payment for a reservation its resource does not know to the DLQ, with the reason, and decides nothing else', () => {
    const result = h.pay('PaymentCompleted', 'nope', 100)
    expect(result).toMatchObject({ events: [], notifications: [], writes: [] })
    expect(result.deadLetter).toMatch(
      /unknown reservation 'nope': resource '.+' holds no reservation with this id/,
    )
  })

  it('ignores a repeated payment event', () => {
    h.pay('PaymentAuthorized', 'r-1', 20_000, 'p-1')
    expect(h.pay('PaymentAuthorized', 'r-1', 20_000, 'p-1')).toEqual({
      events: [],
      notifications: [],
      writes: [],
    })
    expect(types(h.pay('PaymentCompleted', 'r-1', 20_000, 'p-1'))).toEqual([
      'PaymentCompleted',
      'ReservationFinalized',
    ])
  })
})
