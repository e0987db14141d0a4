// The read plan: what a decision loads, and that it is enough (reading outside it throws).
import { describe, expect, it } from 'vitest'
import { decide } from '../../../processors/domain/decide.js'
import type { DecisionInput } from '../../../processors/domain/decision-input.js'
import { NotPreloadedError, preloadedView } from '../../../processors/domain/decision-view.js'
import { readPlan } from '../../../processors/domain/read-plan.js'
import { keyRanges, parseHoldKey, storeKeys } from '../../../processors/domain/store-keys.js'
import { Harness, jan, T0 } from './harness.js'

const create = (h: Harness, reservationId: string, from: number, to: number): DecisionInput => ({
  type: 'command',
  command: {
    commandId: `c-${reservationId}`,
    type: 'CreateReservation',
    resourceId: h.resourceId,
    issuedAt: 0,
    reservationId,
    customerId: 'c',
    start: jan(from),
    end: jan(to),
    quantity: 1,
    waitlistIfUnavailable: false,
    promotionCode: null,
  },
})

describe('readPlan', () => {
  it('loads for a creation only its reservation id, its idempotency key and a window of slots', () => {
    const h = new Harness()
    h.define({ capacity: 10_000 })
    for (let day = 1; day <= 300; day++) h.create(`r-${day}`, day, day + 1, { quantity: 3 })
    const input = create(h, 'new', 150, 152)
    expect(readPlan(input, T0)).toEqual({
      resourceId: 'room-double',
      reservationIds: ['new'],
      idempotencyKey: 'room-double|c-new',
      promotionCodes: [],
      waitlist: false,
      live: undefined,
    })
    const loaded = h.state.load(input, T0, h.config)
    expect(loaded.slotWindows).toEqual([
      { start: Date.parse(jan(150 - 14)) / 60_000, end: Date.parse(jan(152 + 14)) / 60_000 },
    ])
    expect(loaded.slots.size).toBe(30)
    expect(loaded.waitlist).toBeUndefined()
  })

  it('asks for the waitlist only for inputs that can free units or add entries', () => {
    const h = new Harness()
    const waitlistNeeded = (input: DecisionInput) => readPlan(input, T0).waitlist
    expect(waitlistNeeded(create(h, 'r', 1, 2))).toBe(false)
    expect(waitlistNeeded({ type: 'holds-due', resourceId: 'x', holds: [] })).toBe(true)
    expect(
      waitlistNeeded({
        type: 'command',
        command: {
          commandId: 'c',
          type: 'CancelReservation',
          resourceId: 'x',
          issuedAt: 0,
          reservationId: 'r',
          reason: null,
        },
      }),
    ).toBe(true)
  })

  it('makes a decision fail loudly when it reads outside the plan', () => {
    const h = new Harness()
    h.define()
    const input = create(h, 'r-1', 10, 11)
    const loaded = h.state.load(input, T0, h.config)
    const starved = preloadedView({ ...loaded, slotWindows: [] })
    expect(() => decide(starved, input, T0, h.config)).toThrow(NotPreloadedError)
  })
})

describe('store keys', () => {
  it('orders slot keys numerically and keeps resources with separators apart', () => {
    expect(storeKeys.slot('a|b', 5)).toBe('a%7Cb|0000000005')
    expect(storeKeys.slot('a', 10) > storeKeys.slot('a', 9)).toBe(true)
    const range = keyRanges.slots('a', { start: 0, end: 100 })
    expect(storeKeys.slot('a|b', 5) >= range.gte && storeKeys.slot('a|b', 5) < range.lt).toBe(false)
  })

  it('finds due holds with one range scan and parses them back', () => {
    const key = storeKeys.hold(T0, 'table|4', 'r|1')
    expect(key < keyRanges.dueHolds(T0).lt).toBe(true)
    expect(key < keyRanges.dueHolds(T0 - 1).lt).toBe(false)
    expect(parseHoldKey(key)).toEqual({ expiresAt: T0, resourceId: 'table|4', reservationId: 'r|1' })
  })
})
