import { beforeEach, describe, expect, it } from 'vitest'
import { Harness, jan, only, types } from './harness.js'

describe('workflow alternative 5: overreservation', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
    h.define({ overbookingLimit: 1 })
    h.create('a', 10, 12, { quantity: 2 })
  })

  it('accepts a request within the overbooking limit, flagged overbooked, and notifies with alternatives', () => {
    const result = h.create('over', 10, 11)
    expect(only(result, 'AvailabilityConfirmed').overbooked).toBe(true)
    const created = only(result, 'ReservationCreated')
    expect(created.overbooked).toBe(true)
    expect(created.alternatives).toEqual([
      { resourceId: 'room-double', start: jan(8), end: jan(9), quantity: 1 },
      { resourceId: 'room-double', start: jan(9), end: jan(10), quantity: 1 },
      { resourceId: 'room-double', start: jan(12), end: jan(13), quantity: 1 },
    ])
    expect(result.notifications.find((n) => n.type === 'Overbooked')).toMatchObject({
      alternatives: created.alternatives,
    })
    expect(h.slotUsed(10)).toBe(3)
  })

  it('rejects a request beyond the overbooking limit as UNAVAILABLE', () => {
    h.create('over', 10, 11)
    expect(only(h.create('beyond', 10, 11), 'CommandRejected').reason).toBe('UNAVAILABLE')
  })

  it('bumps latest-created first, never a checked-in reservation, until every slot is within capacity', () => {
    h.payInFull('a')
    h.define({ overbookingLimit: 2 })
    h.create('b', 11, 12)
    h.create('c', 11, 12)
    h.payInFull('c')
    h.now = Date.parse('2030-01-10T12:00:00Z')
    h.simple('Checkin', 'a')
    h.define({ capacity: 1, overbookingLimit: 0 })
    const result = h.command({ type: 'ProcessOverreservation', start: null, end: null })
    const processed = only(result, 'OverreservationProcessed')
    expect(processed.bumped.map((b) => b.reservationId)).toEqual(['c', 'b'])
    expect(processed.bumped[0]).toMatchObject({ previousStatus: 'FINALIZED', start: jan(11), quantity: 1 })
    expect(processed.resolved).toBe(false)
    expect(h.reservation('a')?.status).toBe('CHECKED_IN')
    expect(h.reservation('c')?.status).toBe('BUMPED')
    expect(types(result).filter((t) => t === 'RefundRequested')).toHaveLength(1)
    expect(result.notifications.filter((n) => n.type === 'Bumped').map((n) => n.reservationId)).toEqual([
      'c',
      'b',
    ])
    expect(h.violations()).toEqual([])
  })

  it('bumps only as many as needed and only within the requested range', () => {
    h.create('b', 12, 13)
    h.create('x', 10, 11)
    h.create('later', 15, 16, { quantity: 2 })
    h.create('later-over', 15, 16)
    const result = h.command({ type: 'ProcessOverreservation', start: jan(10), end: jan(11) })
    const processed = only(result, 'OverreservationProcessed')
    expect(processed.bumped.map((b) => b.reservationId)).toEqual(['x'])
    expect(processed).toMatchObject({ resolved: true, start: jan(10), end: jan(11) })
    expect(processed.bumped[0]?.alternatives.map((a) => a.start)).toEqual([jan(8), jan(9), jan(12)])
    expect(h.reservation('later-over')?.status).toBe('PENDING_PAYMENT')
    expect(h.slotUsed(10)).toBe(2)
  })

  it('without a range, leaves reservations that are over in stream time alone', () => {
    h.create('past-over', 10, 11)
    h.create('future', 20, 21, { quantity: 2 })
    h.define({ capacity: 1 })
    h.now = Date.parse(jan(15))
    const processed = only(
      h.command({ type: 'ProcessOverreservation', start: null, end: null }),
      'OverreservationProcessed',
    )
    expect(processed).toMatchObject({ start: null, end: null, resolved: true })
    expect(processed.bumped.map((b) => b.reservationId)).toEqual(['future'])
    expect(h.reservation('past-over')?.status).toBe('PENDING_PAYMENT')
  })

  it('processes a resource within capacity with an empty list', () => {
    const processed = only(
      h.command({ type: 'ProcessOverreservation', start: null, end: null }),
      'OverreservationProcessed',
    )
    expect(processed).toMatchObject({ bumped: [], resolved: true })
  })
})
