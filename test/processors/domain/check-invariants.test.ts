// The auditor finds what it is meant to find: each guarantee broken on purpose.
import { describe, expect, it } from 'vitest'
import type { ReservationEvent } from '../../../schemas/generated/types.js'
import {
  checkInvariants,
  resourceHistory,
  type Violation,
} from '../../../processors/domain/check-invariants.js'
import { Harness, MINUTE } from './harness.js'

function scenario(): Harness {
  const h = new Harness()
  h.define()
  h.create('a', 10, 12)
  h.create('b', 10, 12)
  h.waitlist('w-1', 10, 11)
  h.waitlist('w-2', 10, 11)
  h.cancel('a')
  h.payInFull('b')
  return h
}

function audit(h: Harness, log: ReservationEvent[]): Violation[] {
  return checkInvariants(log, {
    resourceAt: resourceHistory(h.resources),
    commands: h.commands,
    holdTimeoutMs: h.config.holdTimeoutMs,
    punctuationIntervalMs: MINUTE,
  })
}

const guaranteesOf = (violations: Violation[]) => [...new Set(violations.map((v) => v.guarantee))]

describe('checkInvariants', () => {
  it('accepts a correct log', () => {
    const h = scenario()
    expect(audit(h, h.log)).toEqual([])
  })

  it('finds a sequence gap, a repeated sequence and a repeated eventId (G3)', () => {
    const h = scenario()
    expect(
      guaranteesOf(
        audit(
          h,
          h.log.filter((_, index) => index !== 3),
        ),
      ),
    ).toContain('G3')
    const repeated = [...h.log, { ...h.log.at(-1), sequence: h.log.length + 1 } as ReservationEvent]
    expect(audit(h, repeated).map((v) => v.message)).toContain(
      `eventId ${h.log.at(-1)?.eventId} appears twice`,
    )
  })

  it('finds a command without outcome and one with two (G2)', () => {
    const h = scenario()
    const outcome = h.log.findIndex((e) => e.type === 'ReservationCanceled')
    const withoutOutcome = h.log.map((e, index) => (index === outcome ? { ...e, causationId: 'other' } : e))
    expect(
      audit(h, withoutOutcome).some((v) => v.guarantee === 'G2' && v.message.includes('has 0 outcome')),
    ).toBe(true)
  })

  it('finds units beyond capacity and a missing overbooked flag (G1)', () => {
    const h = scenario()
    const created = h.log.find((e) => e.type === 'ReservationCreated') as ReservationEvent
    const extra = {
      ...created,
      eventId: 'x',
      reservationId: 'extra',
      quantity: 5,
      sequence: h.log.length + 1,
    }
    const violations = audit(h, [...h.log, extra])
    expect(violations.filter((v) => v.guarantee === 'G1')).not.toEqual([])
  })

  it('finds a promotion that overtakes an earlier waiting entry (G4)', () => {
    const h = scenario()
    const swapped = h.log.map((e) =>
      e.type === 'ReservationCreated' && e.fromWaitlistEntryId === 'w-1'
        ? { ...e, fromWaitlistEntryId: 'w-2' }
        : e,
    )
    expect(guaranteesOf(audit(h, swapped))).toContain('G4')
  })

  it('finds a hold that outlived holdTimeout plus one punctuation interval (G5)', () => {
    const h = scenario()
    h.now += 40 * MINUTE // stream time moves on, but no punctuation expires the promoted w-1's hold
    h.create('c', 20, 21)
    const violations = audit(h, h.log)
    expect(violations.map((v) => v.guarantee)).toEqual(['G5'])
    expect(violations[0]?.message).toContain('reservation w-1 is still PENDING_PAYMENT')
  })

  it('finds a status change that is not an edge of the status machine', () => {
    const h = scenario()
    const finalized = h.log.map((e) =>
      e.type === 'ReservationFinalized' ? { ...e, status: 'CHECKED_OUT' as const } : e,
    )
    expect(audit(h, finalized).map((v) => v.message)).toContain('b moves AUTHORIZED → CHECKED_OUT')
  })
})
