import { beforeEach, describe, expect, it } from 'vitest'
import { defaultDecisionConfig } from '../../../processors/domain/decision-config.js'
import { HOUR, Harness, only, types } from './harness.js'

describe('workflow happy 4: check-in and check-out', () => {
  let h: Harness
  beforeEach(() => {
    h = new Harness()
    h.define()
    h.create('r-1', 10, 12)
  })

  it('checks a paid reservation in within its window, then out', () => {
    h.payInFull('r-1')
    h.now = Date.parse('2030-01-10T14:00:00Z')
    expect(only(h.simple('Checkin', 'r-1'), 'ReservationCheckedIn')).toMatchObject({ status: 'CHECKED_IN' })
    expect(types(h.simple('Checkout', 'r-1'))).toEqual(['ReservationCheckedOut'])
    expect(h.reservation('r-1')?.status).toBe('CHECKED_OUT')
    expect(h.slotUsed(10)).toBe(1)
    expect(h.violations()).toEqual([])
  })

  it('rejects checking in an unpaid reservation', () => {
    h.now = Date.parse('2030-01-10T14:00:00Z')
    const rejected = only(h.simple('Checkin', 'r-1'), 'CommandRejected')
    expect(rejected).toMatchObject({
      reason: 'INVALID_STATE',
      message: expect.stringContaining('not paid') as string,
    })
  })

  it('rejects checking in outside the reservation window', () => {
    h.payInFull('r-1')
    const early = only(h.simple('Checkin', 'r-1'), 'CommandRejected')
    expect(early).toMatchObject({
      reason: 'INVALID_STATE',
      message: expect.stringContaining('possible only from') as string,
    })
    h.now = Date.parse('2030-01-12T00:00:00Z')
    expect(only(h.simple('Checkin', 'r-1'), 'CommandRejected').reason).toBe('INVALID_STATE')
  })

  it('opens check-in early when configured', () => {
    const early = new Harness({ ...defaultDecisionConfig, checkinOpensBeforeStartMs: 6 * HOUR })
    early.define()
    early.create('r-1', 10, 12)
    early.payInFull('r-1')
    early.now = Date.parse('2030-01-09T20:00:00Z')
    expect(types(early.simple('Checkin', 'r-1'))).toEqual(['ReservationCheckedIn'])
  })

  it('rejects checking out a reservation that is not checked in, and unknown reservations', () => {
    expect(only(h.simple('Checkout', 'r-1'), 'CommandRejected').reason).toBe('INVALID_STATE')
    expect(only(h.simple('Checkout', 'nope'), 'CommandRejected').reason).toBe('NOT_FOUND')
    expect(only(h.simple('Checkin', 'nope'), 'CommandRejected').reason).toBe('NOT_FOUND')
  })
})

describe('SendReservationConfirmation', () => {
  it('sends the confirmation again as the outcome, with a notification', () => {
    const h = new Harness()
    h.define()
    h.create('r-1', 10, 12)
    const result = h.simple('SendReservationConfirmation', 'r-1')
    expect(types(result)).toEqual(['ReservationConfirmationSent'])
    expect(result.events[0]).toMatchObject({ confirms: 'RESENT', causationId: h.commands.at(-1)?.commandId })
    expect(result.notifications).toHaveLength(1)
  })

  it('has nothing to confirm for an expired reservation', () => {
    const h = new Harness()
    h.define()
    h.create('r-1', 10, 12)
    h.simple('ExpireReservation', 'r-1')
    expect(only(h.simple('SendReservationConfirmation', 'r-1'), 'CommandRejected').reason).toBe(
      'INVALID_STATE',
    )
    expect(only(h.simple('SendReservationConfirmation', 'nope'), 'CommandRejected').reason).toBe('NOT_FOUND')
  })
})
