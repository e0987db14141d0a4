import { beforeEach, describe, expect, it } from 'vitest'
import { Harness, jan, only, types } from './harness.js'

describe('ApplyPromotion', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
    h.define()
    h.state.definePromotion({
      code: 'TEN',
      percentOff: 10,
      amountOffCents: null,
      validFrom: jan(-60),
      validUntil: jan(60),
      maxUses: null,
    })
    h.state.definePromotion({
      code: 'FIVER',
      percentOff: null,
      amountOffCents: 500,
      validFrom: jan(-60),
      validUntil: jan(60),
      maxUses: 1,
    })
    h.state.definePromotion({
      code: 'SOON',
      percentOff: 10,
      amountOffCents: null,
      validFrom: jan(1),
      validUntil: jan(60),
      maxUses: null,
    })
    h.create('r-1', 10, 12)
  })

  const apply = (reservationId: string, promotionCode: string) =>
    h.command({ type: 'ApplyPromotion', reservationId, promotionCode })

  it('lowers the price of an unpaid reservation and requests payment of the new price', () => {
    const result = apply('r-1', 'TEN')
    expect(types(result)).toEqual(['PromotionApplied', 'PaymentRequested'])
    expect(only(result, 'PromotionApplied')).toMatchObject({
      oldPriceCents: 20_000,
      priceCents: 18_000,
      discountCents: 2_000,
    })
    expect(only(result, 'PaymentRequested')).toMatchObject({ amountCents: 18_000, purpose: 'PRICE_CHANGED' })
  })

  it('keeps the discount through a modification', () => {
    apply('r-1', 'TEN')
    expect(only(h.modify('r-1', { end: jan(13) }), 'ReservationModified').priceCents).toBe(27_000)
  })

  it('rejects a promotion not yet valid in stream time, a used-up one and a second one', () => {
    expect(only(apply('r-1', 'SOON'), 'CommandRejected')).toMatchObject({
      reason: 'PROMOTION_INVALID',
      message: expect.stringContaining('valid only from') as string,
    })
    expect(types(apply('r-1', 'FIVER'))).toContain('PromotionApplied')
    h.create('r-2', 13, 14)
    expect(only(apply('r-2', 'FIVER'), 'CommandRejected').message).toContain('used its 1 times')
    expect(only(apply('r-1', 'TEN'), 'CommandRejected')).toMatchObject({
      reason: 'INVALID_STATE',
      message: expect.stringContaining('already has promotion FIVER') as string,
    })
  })
})
