import { describe, expect, it } from 'vitest'
import { defaultDecisionConfig } from '../../../processors/domain/decision-config.js'
import { Harness, jan, only, types } from './harness.js'

const promoted = (h: Harness): string[] =>
  h.log.flatMap((e) =>
    e.type === 'ReservationCreated' && e.fromWaitlistEntryId !== null ? [e.fromWaitlistEntryId] : [],
  )

describe('waitlist promotion', () => {
  it('adds an entry that does not fit and promotes waiting entries FIFO as units free up', () => {
    const h = new Harness()
    h.define()
    h.create('full', 10, 12, { quantity: 2 })
    expect(only(h.waitlist('w-1', 10, 11), 'AddedToWaitlist')).toMatchObject({
      position: 1,
      quantity: 1,
      start: jan(10),
    })
    h.waitlist('w-2', 10, 12)
    h.waitlist('w-3', 11, 12, 2)
    h.cancel('full')
    expect(promoted(h)).toEqual(['w-1', 'w-2'])
    expect(h.state.stores.waitlist.size).toBe(1)
    expect(h.violations()).toEqual([])
  })

  it('promotes an entry at once when it fits', () => {
    const h = new Harness()
    h.define()
    const result = h.waitlist('w-1', 10, 11)
    expect(types(result)).toEqual([
      'AddedToWaitlist',
      'ReservationCreated',
      'ReservationConfirmationSent',
      'PaymentRequested',
    ])
    expect(only(result, 'ReservationCreated')).toMatchObject({
      reservationId: 'w-1',
      causationId: only(result, 'AddedToWaitlist').eventId,
    })
  })

  it('with the blocking policy, a head that does not fit blocks later overlapping entries', () => {
    const h = new Harness()
    h.define()
    h.create('a', 10, 12)
    h.create('b', 10, 12)
    h.waitlist('big', 10, 12, 2)
    h.waitlist('small', 10, 11, 1)
    h.waitlist('elsewhere', 20, 21, 1)
    expect(promoted(h)).toEqual(['elsewhere'])
    h.cancel('a')
    expect(promoted(h)).toEqual(['elsewhere'])
    h.cancel('b')
    expect(promoted(h)).toEqual(['elsewhere', 'big'])
    expect(h.violations()).toEqual([])
  })

  it('with the skipping policy, later smaller entries pass a head that does not fit', () => {
    const h = new Harness({ ...defaultDecisionConfig, waitlistPolicy: 'skipping' })
    h.define()
    h.create('a', 10, 12)
    h.create('b', 10, 12)
    h.waitlist('big', 10, 12, 2)
    h.waitlist('small', 10, 11, 1)
    h.cancel('a')
    expect(promoted(h)).toEqual(['small'])
    expect(h.violations()).toEqual([])
  })

  it('promotes when capacity is raised, caused by the resource record', () => {
    const h = new Harness()
    h.define()
    h.create('full', 10, 12, { quantity: 2 })
    h.waitlist('w-1', 10, 11)
    const result = h.define({ capacity: 3 })
    expect(only(result, 'ReservationCreated')).toMatchObject({
      fromWaitlistEntryId: 'w-1',
      causationId: expect.stringMatching(/^resources-0@\d+$/) as string,
    })
    expect(h.violations()).toEqual([])
  })

  it('promotes nothing when capacity drops', () => {
    const h = new Harness()
    h.define()
    h.create('full', 10, 12, { quantity: 2 })
    h.waitlist('w-1', 10, 11)
    expect(h.define({ capacity: 1 }).events).toEqual([])
  })

  it('drops an entry whose reservation id was taken meanwhile', () => {
    const h = new Harness()
    h.define()
    h.create('full', 10, 12, { quantity: 2 })
    h.create('r-1', 10, 11, { waitlistIfUnavailable: true })
    h.create('r-1', 20, 21)
    const result = h.cancel('full')
    expect(types(result)).not.toContain('ReservationCreated')
    expect(h.state.stores.waitlist.size).toBe(0)
    expect(h.violations()).toEqual([])
  })
})
