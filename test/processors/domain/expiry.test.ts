import { beforeEach, describe, expect, it } from 'vitest'
import { Harness, MINUTE, only, T0 } from './harness.js'

describe('hold expiry', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
    h.define()
    h.create('r-1', 10, 12, { quantity: 2 })
  })

  it('expires an unpaid hold after holdTimeout of stream time', () => {
    expect(h.advance(14 * MINUTE)).toEqual([])
    const results = h.advance(1 * MINUTE)
    expect(results.flatMap((r) => r.events.map((e) => e.type))).toEqual(['ReservationExpired'])
    const expired = results[0]?.events[0]
    expect(expired).toMatchObject({
      status: 'EXPIRED',
      previousStatus: 'PENDING_PAYMENT',
      occurredAt: T0 + 15 * MINUTE,
    })
    expect(expired?.causationId).toBe(h.log.find((e) => e.type === 'ReservationCreated')?.eventId)
    expect(results[0]?.notifications.map((n) => n.type)).toEqual(['HoldExpired'])
    expect(h.slotUsed(10)).toBe(0)
    expect(h.state.stores.holds.size).toBe(0)
    expect(h.violations()).toEqual([])
  })

  it('expires a hold on demand with ExpireReservation', () => {
    const expired = only(h.simple('ExpireReservation', 'r-1'), 'ReservationExpired')
    expect(expired).toMatchObject({ status: 'EXPIRED', causationId: h.commands.at(-1)?.commandId })
    expect(h.slotUsed(10)).toBe(0)
    expect(h.advance(20 * MINUTE)).toEqual([])
  })

  it('refuses to expire an authorized reservation', () => {
    h.pay('PaymentAuthorized', 'r-1', 40_000)
    const rejected = only(h.simple('ExpireReservation', 'r-1'), 'CommandRejected')
    expect(rejected).toMatchObject({
      reason: 'INVALID_STATE',
      message: expect.stringContaining('already authorized') as string,
    })
    expect(only(h.simple('ExpireReservation', 'nope'), 'CommandRejected').reason).toBe('NOT_FOUND')
  })

  it('promotes the waitlist with the units an expiry frees, caused by ReservationExpired', () => {
    h.waitlist('w-1', 11, 12, 2)
    const events = h.advance(15 * MINUTE).flatMap((r) => r.events)
    const expired = events.find((e) => e.type === 'ReservationExpired')
    expect(events.find((e) => e.type === 'ReservationCreated')).toMatchObject({
      fromWaitlistEntryId: 'w-1',
      causationId: expired?.eventId,
    })
  })

  it('deletes a due hold key whose reservation was authorized meanwhile', () => {
    const stale = { reservationId: 'r-1', expiresAt: T0 + 15 * MINUTE }
    h.pay('PaymentAuthorized', 'r-1', 40_000)
    h.now += 16 * MINUTE
    const result = h.run({ type: 'holds-due', resourceId: h.resourceId, holds: [stale] })
    expect(result.events).toEqual([])
    expect(result.writes).toEqual([expect.objectContaining({ store: 'holds', value: null })])
  })
})
