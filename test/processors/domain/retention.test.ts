// Retention (spec §9, processors/domain/retention.ts): what a reservation, a waitlist entry and a command id
// leave in state is removed once it is old enough in stream time, without breaking G1–G5.
import { describe, expect, it } from 'vitest'
import { checkInvariants, resourceHistory } from '../../../processors/domain/check-invariants.js'
import { defaultDecisionConfig, type DecisionConfig } from '../../../processors/domain/decision-config.js'
import { DAY, Harness, HOUR, jan, MINUTE, only, T0, types } from './harness.js'

const RETENTION = defaultDecisionConfig.retentionMs
const DEDUP = defaultDecisionConfig.dedupRetentionMs
const at = (day: number, hour = 0): number => Date.UTC(2030, 0, day, hour)

/** Every key of every store that mentions `id` (URI-encoded ids are plain for these tests). */
function keysMentioning(h: Harness, id: string): string[] {
  return Object.entries(h.state.stores).flatMap(([store, map]) =>
    [...(map as Map<string, unknown>)]
      .filter(([key, value]) => key.includes(id) || JSON.stringify(value).includes(id))
      .map(([key]) => `${store}:${key}`),
  )
}

describe('retention of reservations', () => {
  it('removes a finished stay RETENTION_MS after its end, with its slot usage and index entries', () => {
    const h = new Harness()
    h.define()
    h.create('r1', 10, 12)
    h.payInFull('r1')
    expect(h.slotUsed(10)).toBe(1)

    h.now = at(12) + RETENTION - 1
    expect(h.sweep().flatMap(types)).toEqual([])
    expect(h.reservation('r1')?.status).toBe('FINALIZED')

    h.now += 1
    const removal = h.sweep()
    expect(removal.flatMap(types)).toEqual([]) // removal emits nothing
    expect(removal.flatMap((r) => r.notifications)).toEqual([])
    expect(h.reservation('r1')).toBeUndefined()
    expect(h.slotUsed(10)).toBe(0)
    expect(h.slotUsed(11)).toBe(0)
    // nothing of r1 is left (the ids of the commands and payments about it have their own retention)
    expect(keysMentioning(h, 'r1')).toEqual([])
    expect(h.violations()).toEqual([])
  })

  it('removes a canceled reservation RETENTION_MS after the cancellation, even before its range', () => {
    const h = new Harness()
    h.define()
    h.create('r1', 10, 12)
    h.now += HOUR
    h.cancel('r1')
    h.now = T0 + HOUR + RETENTION - 1
    h.sweep()
    expect(h.reservation('r1')?.status).toBe('CANCELED')
    h.now += 1
    h.sweep()
    expect(h.reservation('r1')).toBeUndefined()
    expect(keysMentioning(h, 'r1')).toEqual([])
    expect(h.violations()).toEqual([])
  })

  it('removes an expired hold RETENTION_MS after it expired', () => {
    const h = new Harness()
    h.define()
    h.create('r1', 10, 12)
    h.advance(defaultDecisionConfig.holdTimeoutMs)
    expect(h.reservation('r1')?.status).toBe('EXPIRED')
    h.now += RETENTION - 1
    h.sweep()
    expect(h.reservation('r1')).toBeDefined()
    h.now += 1
    h.sweep()
    expect(h.reservation('r1')).toBeUndefined()
  })

  it('never removes an unpaid hold before it expires, even when its range ended long before (G5)', () => {
    const config: DecisionConfig = { ...defaultDecisionConfig, retentionMs: MINUTE, holdTimeoutMs: 2 * HOUR }
    const h = new Harness(config, 'table-7')
    h.now = T0 + MINUTE
    h.define({ slotMinutes: 30 })
    const start = new Date(T0).toISOString()
    const end = new Date(T0 + 30 * MINUTE).toISOString()
    h.command({
      type: 'CreateReservation',
      reservationId: 'r1',
      customerId: 'ann',
      start,
      end,
      quantity: 1,
      waitlistIfUnavailable: false,
      promotionCode: null,
    })
    h.now = T0 + HOUR // the range ended 30 minutes ago, retention is a minute: the hold still counts
    h.sweep()
    expect(h.reservation('r1')?.status).toBe('PENDING_PAYMENT')
    h.advance(HOUR + MINUTE) // the hold expires
    expect(h.reservation('r1')?.status).toBe('EXPIRED')
    h.now += MINUTE
    h.sweep()
    expect(h.reservation('r1')).toBeUndefined()
    expect(h.violations()).toEqual([])
  })

  it('removes a waitlist entry RETENTION_MS after its range ended', () => {
    const h = new Harness()
    h.define()
    h.create('r1', 10, 12, { quantity: 2 })
    expect(types(h.waitlist('w1', 10, 12))).toEqual(['AddedToWaitlist'])
    h.now = at(12) + RETENTION - 1
    h.sweep()
    expect(h.state.stores.waitlist.size).toBe(1)
    h.now += 1
    h.sweep()
    expect(h.state.stores.waitlist.size).toBe(0)
    expect(keysMentioning(h, 'w1')).toEqual([])
  })
})

describe('retention of command ids', () => {
  it('ignores a repeated command within DEDUP_RETENTION_MS and decides it anew after the sweep forgot it', () => {
    const h = new Harness()
    h.define()
    const create = {
      type: 'CreateReservation',
      reservationId: 'r1',
      customerId: 'ann',
      start: jan(10),
      end: jan(12),
      quantity: 1,
      waitlistIfUnavailable: false,
      promotionCode: null,
    } as const
    h.command(create, 'c-1')
    h.now = T0 + DEDUP - 1
    h.sweep()
    expect(types(h.command(create, 'c-1'))).toEqual([])
    h.now += 1
    h.sweep()
    expect(h.state.stores.commands.size).toBe(0)
    expect(h.state.stores['command-index'].size).toBe(0)
    expect(only(h.command(create, 'c-1'), 'CommandRejected').reason).toBe('DUPLICATE_RESERVATION')
  })

  it('forgets payment ids as it forgets command ids', () => {
    const h = new Harness()
    h.define()
    h.create('r1', 10, 12)
    h.pay('PaymentFailed', 'r1', 100, 'p-1')
    expect(h.pay('PaymentFailed', 'r1', 100, 'p-1').events).toEqual([])
    h.now += DEDUP
    h.sweep()
    expect([...h.state.stores.commands.keys()].some((key) => key.includes('p-1'))).toBe(false)
  })
})

describe('the retention horizon', () => {
  it('rejects a range that starts more than RETENTION_MS before stream time', () => {
    const h = new Harness()
    h.define()
    h.now = at(1) + RETENTION
    const rejected = only(h.create('old', 0, 2), 'CommandRejected')
    expect(rejected.reason).toBe('INVALID')
    expect(rejected.message).toContain('retention period')
    expect(types(h.create('edge', 1, 2))).toContain('ReservationCreated')
    expect(only(h.modify('edge', { start: jan(0) }), 'CommandRejected').reason).toBe('INVALID')
    expect(only(h.waitlist('w-old', 0, 1), 'CommandRejected').reason).toBe('INVALID')
  })

  it.each(['blocking', 'skipping'] as const)(
    'never promotes a waitlist entry that starts before it, and holds back later entries overlapping it (%s)',
    (waitlistPolicy) => {
      const h = new Harness({ ...defaultDecisionConfig, waitlistPolicy })
      h.define()
      h.create('r1', 10, 15, { quantity: 2 })
      h.waitlist('w1', 10, 12)
      h.waitlist('w2', 11, 13)
      h.waitlist('w3', 13, 15)
      h.now = at(10, 12) + RETENTION // w1 starts before the horizon, w2 and w3 after it
      const freed = h.cancel('r1')
      const promoted = freed.events.flatMap((e) =>
        e.type === 'ReservationCreated' ? [e.fromWaitlistEntryId] : [],
      )
      expect(promoted).toEqual(['w3'])
      expect(h.state.stores.waitlist.size).toBe(2)
      expect(h.violations()).toEqual([])
    },
  )
})

describe('overreservation and the horizon', () => {
  it('leaves slots before the horizon out of ProcessOverreservation, and the auditor told of retention agrees', () => {
    const h = new Harness()
    h.define({ capacity: 2 })
    h.create('long', 1, 60) // a two-month stay, still running when the short one is removed
    h.payInFull('long')
    h.create('short', 2, 4)
    h.payInFull('short')
    h.now += HOUR
    h.define({ capacity: 1 }) // January 2–3 now hold 2 units of 1
    h.now = at(4) + RETENTION
    h.sweep()
    expect(h.reservation('short')).toBeUndefined()
    const processed = only(
      h.command({ type: 'ProcessOverreservation', start: null, end: null }),
      'OverreservationProcessed',
    )
    expect(processed.bumped).toEqual([])
    expect(processed.resolved).toBe(true)
    const audit = (retentionMs?: number) =>
      checkInvariants(h.log, {
        resourceAt: resourceHistory(h.resources),
        holdTimeoutMs: h.config.holdTimeoutMs,
        punctuationIntervalMs: 0,
        ...(retentionMs === undefined ? {} : { retentionMs }),
      })
    expect(audit(RETENTION)).toEqual([])
    // the log alone still has "short" in January 2–3: without the retention horizon the auditor objects
    expect(audit().map((v) => v.guarantee)).toContain('G1')
  })
})

describe('retention over many days', () => {
  it('keeps the reservation stores bounded by what is still within retention', () => {
    const h = new Harness()
    h.define({ capacity: 50 })
    for (let day = 0; day < 200; day++) {
      h.now = T0 + day * DAY
      const from = Math.floor((h.now - at(0)) / DAY) + 3
      h.create(`r${day}`, from, from + 2)
      h.payInFull(`r${day}`)
      h.sweep()
    }
    // reservations end 5 days after they are booked, and are kept 30 days more: about 35 are left
    expect(h.state.stores.reservations.size).toBeLessThanOrEqual(36)
    expect(h.state.stores.commands.size).toBeLessThanOrEqual(8 * 3)
    expect(h.state.stores.slots.size).toBeLessThanOrEqual(2 * 36)
    expect(h.violations()).toEqual([])
  })
})
