// Property: whatever commands, payments, definition changes and ticks arrive, in any order and
// repeated, the event log decide() produces satisfies G1–G5 and the status machine, and the stores
// stay consistent with the reservations. Every decision reads only what its read plan loaded
// (MemoryState.load), so this also checks that the read plans are sufficient.
import { describe, expect, it } from 'vitest'
import type {
  PaymentEvent,
  ReservationCommand,
  ReservationEvent,
  ResourceDefinition,
} from '../../../schemas/generated/types.js'
import {
  checkInvariants,
  type CommandSent,
  resourceHistory,
} from '../../../processors/domain/check-invariants.js'
import { decide } from '../../../processors/domain/decide.js'
import {
  type DecisionConfig,
  defaultDecisionConfig,
  type WaitlistPolicy,
} from '../../../processors/domain/decision-config.js'
import type { DecisionInput } from '../../../processors/domain/decision-input.js'
import { rangeOfReservation } from '../../../processors/domain/decision-view.js'
import { MemoryState } from '../../../processors/domain/memory-state.js'
import { holdsUnits, isUnpaid } from '../../../processors/domain/reservation-status.js'
import { openRetentionStart } from '../../../processors/domain/retention.js'
import { parseCommandIndexKey, parseRetentionKey, storeKeys } from '../../../processors/domain/store-keys.js'
import { slotStarts } from '../../../processors/domain/time-range.js'

/** mulberry32: a small seeded generator, so a failure is reproducible from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const BASE = Date.UTC(2029, 11, 2)
const resources: ResourceDefinition[] = [
  {
    resourceId: 'hotel',
    category: 'room',
    capacity: 3,
    slotMinutes: 1440,
    overbookingLimit: 1,
    priceCentsPerUnitSlot: 9_000,
  },
  {
    resourceId: 'table|4',
    category: 'table',
    capacity: 2,
    slotMinutes: 30,
    overbookingLimit: 0,
    priceCentsPerUnitSlot: 1_500,
  },
  {
    resourceId: 'seats',
    category: 'event',
    capacity: 5,
    slotMinutes: 60,
    overbookingLimit: 2,
    priceCentsPerUnitSlot: 4_000,
  },
]

/** Short retention settings, so that a run of a day and a half removes state many times over. */
const shortRetention = { retentionMs: 6 * 3600_000, dedupRetentionMs: 2 * 3600_000 } as const

function simulate(
  seed: number,
  steps: number,
  waitlistPolicy: WaitlistPolicy,
  retention: Partial<typeof shortRetention> = {},
) {
  const next = random(seed)
  const int = (below: number): number => Math.floor(next() * below)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T
  const config: DecisionConfig = {
    ...defaultDecisionConfig,
    waitlistPolicy,
    alternativesWindowSlots: 6,
    ...retention,
  }
  const state = new MemoryState()
  state.definePromotion({
    code: 'TEN',
    percentOff: 10,
    amountOffCents: null,
    validFrom: '2029-01-01T00:00:00Z',
    validUntil: '2031-01-01T00:00:00Z',
    maxUses: null,
  })
  state.definePromotion({
    code: 'FIVER',
    percentOff: null,
    amountOffCents: 500,
    validFrom: '2029-01-01T00:00:00Z',
    validUntil: '2031-01-01T00:00:00Z',
    maxUses: 3,
  })
  state.definePromotion({
    code: 'OLD',
    percentOff: 50,
    amountOffCents: null,
    validFrom: '2020-01-01T00:00:00Z',
    validUntil: '2021-01-01T00:00:00Z',
    maxUses: null,
  })
  const log: ReservationEvent[] = []
  const commands: CommandSent[] = []
  const sent: ReservationCommand[] = []
  const payments: { resourceId: string; payment: PaymentEvent; at: number }[] = []
  const updates: { at: number; definition: ResourceDefinition }[] = []
  const definitions = new Map<string, ResourceDefinition>()
  const reservationIds = new Map<string, string[]>(resources.map((r) => [r.resourceId, []]))
  let now = Date.UTC(2029, 11, 1)
  let counter = 0
  let duplicatesIgnored = 0
  let removed = 0
  /** Repeats come within the dedup window: a command id older than that may be decided anew. */
  const remembered = <T extends { issuedAt?: number; at?: number }>(items: readonly T[]): T[] =>
    items.filter((item) => (item.issuedAt ?? item.at ?? 0) > now - config.dedupRetentionMs)

  const run = (input: DecisionInput): ReservationEvent[] => {
    const view = state.view(input, now, config)
    const result = decide(view, input, now, config)
    if (counter % 7 === 0) expect(decide(view, input, now, config)).toEqual(result) // deterministic
    state.apply(result.writes)
    log.push(...result.events)
    return [...result.events]
  }
  const define = (definition: ResourceDefinition): void => {
    definitions.set(definition.resourceId, definition)
    updates.push({ at: now, definition })
    run({ type: 'resource-updated', definition, causationId: `resources@${++counter}` })
  }
  resources.forEach(define)

  const range = (resource: ResourceDefinition): { start: string; end: string } => {
    const current = Math.floor((now - BASE) / (resource.slotMinutes * 60_000))
    const startSlot = Math.max(0, current - 2 + int(resource.slotMinutes === 1440 ? 8 : 30))
    const length = 1 + int(3)
    const iso = (slot: number) => new Date(BASE + slot * resource.slotMinutes * 60_000).toISOString()
    return { start: iso(startSlot), end: iso(startSlot + length) }
  }
  /**
   * An id to create again (DUPLICATE_RESERVATION). With retention only one that exists: the id of a removed
   * reservation is free again and would create a second reservation under it (ids are meant to be unique).
   */
  const reused = (resourceId: string): string => {
    if (retention.retentionMs === undefined) return known(resourceId)
    const live = (reservationIds.get(resourceId) ?? []).filter((id) =>
      state.stores.reservations.has(storeKeys.reservation(resourceId, id)),
    )
    return live.length === 0 ? `r-${counter}` : pick(live)
  }
  const known = (resourceId: string): string => {
    const ids = reservationIds.get(resourceId) ?? []
    return ids.length === 0 || next() < 0.05 ? `ghost-${int(3)}` : pick(ids)
  }

  for (let step = 0; step < steps; step++) {
    now += 1 + int(90_000)
    counter++
    const resource = definitions.get(pick(resources).resourceId) as ResourceDefinition
    const resourceId = resource.resourceId
    const common = { commandId: `c-${counter}`, resourceId, issuedAt: now }
    const roll = next()
    let command: ReservationCommand | undefined
    if (roll < 0.3) {
      const id = next() < 0.05 ? reused(resourceId) : `r-${counter}`
      reservationIds.get(resourceId)?.push(id)
      command = {
        ...common,
        type: 'CreateReservation',
        reservationId: id,
        customerId: `cust-${int(20)}`,
        ...range(resource),
        quantity: next() < 0.03 ? 0 : 1 + int(3),
        waitlistIfUnavailable: next() < 0.3,
        promotionCode: next() < 0.15 ? pick(['TEN', 'FIVER', 'OLD', 'NONE']) : null,
      }
    } else if (roll < 0.35) {
      command = {
        ...common,
        type: 'AddToWaitlist',
        waitlistEntryId: `w-${counter}`,
        customerId: `cust-${int(20)}`,
        ...range(resource),
        quantity: 1 + int(2),
      }
    } else if (roll < 0.42) {
      command = { ...common, type: 'CancelReservation', reservationId: known(resourceId), reason: null }
    } else if (roll < 0.5) {
      const changes = range(resource)
      command = {
        ...common,
        type: 'ModifyReservation',
        reservationId: known(resourceId),
        start: next() < 0.7 ? changes.start : null,
        end: next() < 0.7 ? changes.end : null,
        quantity: next() < 0.5 ? 1 + int(3) : null,
      }
    } else if (roll < 0.58) {
      const type = pick(['Checkin', 'Checkout', 'ExpireReservation', 'SendReservationConfirmation'] as const)
      const wanted = type === 'Checkin' ? 'FINALIZED' : type === 'Checkout' ? 'CHECKED_IN' : undefined
      const ready = [...state.stores.reservations.values()].filter(
        (r) => r.resourceId === resourceId && r.status === wanted,
      )
      const reservationId = ready.length > 0 && next() < 0.7 ? pick(ready).reservationId : known(resourceId)
      command = { ...common, type, reservationId }
    } else if (roll < 0.61) {
      command = {
        ...common,
        type: 'ApplyPromotion',
        reservationId: known(resourceId),
        promotionCode: pick(['TEN', 'FIVER', 'OLD', 'NONE']),
      }
    } else if (roll < 0.64) {
      const bounds = next() < 0.5 ? range(resource) : { start: null, end: null }
      command = { ...common, type: 'ProcessOverreservation', ...bounds }
    } else if (roll < 0.86) {
      const unpaid = [...state.stores.reservations.values()].filter(
        (r) => r.resourceId === resourceId && (isUnpaid(r.status) || r.status === 'AUTHORIZED'),
      )
      const reservationId = unpaid.length > 0 && next() < 0.7 ? pick(unpaid).reservationId : known(resourceId)
      const reservation = state.stores.reservations.get(storeKeys.reservation(resourceId, reservationId))
      if (reservation !== undefined) {
        const recent = remembered(payments)
        const repeat = recent.length > 0 && next() < 0.05
        const payment: PaymentEvent = repeat
          ? pick(recent).payment
          : {
              paymentId: `p-${counter}`,
              type: pick([
                'PaymentAuthorized',
                'PaymentAuthorized',
                'PaymentCompleted',
                'PaymentFailed',
              ] as const),
              reservationId,
              amountCents: next() < 0.8 ? reservation.priceCents : int(10_000),
              method: pick(['card', 'paypal', null]),
              occurredAt: now,
              reason: null,
            }
        const target = repeat
          ? (payments.find((p) => p.payment === payment)?.resourceId ?? resourceId)
          : resourceId
        if (!repeat) payments.push({ resourceId, payment, at: now })
        const emitted = run({ type: 'payment', resourceId: target, payment })
        if (repeat) expect(emitted).toEqual([])
      }
    } else if (roll < 0.88) {
      define({ ...resource, capacity: 1 + int(5), overbookingLimit: int(3) })
    } else if (remembered(sent).length > 0) {
      const repeated = pick(remembered(sent))
      expect(run({ type: 'command', command: repeated })).toEqual([])
      duplicatesIgnored++
    }
    if (command !== undefined) {
      sent.push(command)
      commands.push({ commandId: command.commandId, type: command.type, resourceId })
      run({ type: 'command', command })
    }
    if (next() < 0.3) {
      state.dueHolds(now).forEach(run)
      for (const input of state.retentionDue(now, config)) {
        const before = state.stores.reservations.size
        expect(run(input)).toEqual([]) // removal emits nothing
        removed += before - state.stores.reservations.size
      }
    }
  }
  now += config.holdTimeoutMs + 1
  state.dueHolds(now).forEach(run)
  state.retentionDue(now, config).forEach(run)
  return { state, log, commands, updates, config, duplicatesIgnored, removed, now }
}

/**
 * The stores agree with the reservations: slot usage, hold keys and index entries are derived state; every
 * reservation and waitlist entry has one retention key (from its end while it holds units), every
 * remembered command one command-index key.
 */
function consistencyProblems(state: MemoryState): string[] {
  const problems: string[] = []
  const slots = new Map<string, number>()
  const holds = new Set<string>()
  const index = new Set<string>()
  const retained = new Map<string, number>()
  for (const key of state.stores['retention-index'].keys()) {
    const parsed = parseRetentionKey(key)
    const id =
      parsed.kind === 'reservation'
        ? `r ${parsed.resourceId} ${parsed.reservationId}`
        : `w ${parsed.resourceId} ${parsed.seq}`
    if (retained.has(id)) problems.push(`two retention keys for ${id}`)
    retained.set(id, parsed.since)
  }
  for (const [key, entry] of state.stores.waitlist) {
    const id = `w ${decodeURIComponent(key.split('|')[0]!)} ${entry.seq}`
    if (retained.get(id) !== Date.parse(entry.end))
      problems.push(`waitlist entry ${entry.waitlistEntryId}: retention key ${retained.get(id)}`)
    retained.delete(id)
  }
  for (const reservation of state.stores.reservations.values()) {
    const id = `r ${reservation.resourceId} ${reservation.reservationId}`
    const since = retained.get(id)
    if (since === undefined) problems.push(`${reservation.reservationId}: no retention key`)
    else if (holdsUnits(reservation.status) && since !== openRetentionStart(reservation))
      problems.push(`${reservation.reservationId}: retention key ${since} is not its end`)
    retained.delete(id)
  }
  if (retained.size > 0) problems.push(`retention keys without data: ${[...retained.keys()].join(', ')}`)
  const indexed = [...state.stores['command-index'].keys()].map(
    (key) => parseCommandIndexKey(key).commandsKey,
  )
  if (JSON.stringify(indexed.sort()) !== JSON.stringify([...state.stores.commands.keys()].sort()))
    problems.push('command-index differs from commands')
  for (const reservation of state.stores.reservations.values()) {
    if (holdsUnits(reservation.status)) {
      const range = rangeOfReservation(reservation)
      for (const slot of slotStarts(range, reservation.slotMinutes)) {
        const key = storeKeys.slot(reservation.resourceId, slot)
        slots.set(key, (slots.get(key) ?? 0) + reservation.quantity)
      }
      index.add(storeKeys.reservationIndex(reservation.resourceId, range.end, reservation.reservationId))
    }
    if ((reservation.holdExpiresAt !== null) !== isUnpaid(reservation.status))
      problems.push(`${reservation.reservationId}: hold/status mismatch`)
    if (reservation.holdExpiresAt !== null)
      holds.add(storeKeys.hold(reservation.holdExpiresAt, reservation.resourceId, reservation.reservationId))
  }
  const stored = new Map([...state.stores.slots].map(([key, usage]) => [key, usage.used]))
  if (JSON.stringify([...stored].sort()) !== JSON.stringify([...slots].sort()))
    problems.push('slots differ from reservations')
  if (JSON.stringify([...state.stores.holds.keys()].sort()) !== JSON.stringify([...holds].sort()))
    problems.push('holds differ')
  if (
    JSON.stringify([...state.stores['reservation-index'].keys()].sort()) !== JSON.stringify([...index].sort())
  )
    problems.push('index differs')
  return problems
}

describe('decide() over thousands of random inputs', () => {
  it.each([
    [1, 'blocking'],
    [2, 'blocking'],
    [3, 'skipping'],
    [4, 'skipping'],
  ] as const)('keeps G1–G5 and the status machine (seed %i, %s waitlist)', (seed, policy) => {
    const { state, log, commands, updates, config, duplicatesIgnored } = simulate(seed, 3000, policy)
    const violations = checkInvariants(log, {
      resourceAt: resourceHistory(updates),
      commands,
      holdTimeoutMs: config.holdTimeoutMs,
      punctuationIntervalMs: 0,
      waitlistPolicy: policy,
    })
    expect(violations.slice(0, 5)).toEqual([])
    expect(consistencyProblems(state)).toEqual([])
    // the run exercised what it claims to
    const seen = new Set(log.map((event) => event.type))
    for (const type of [
      'ReservationCreated',
      'ReservationModified',
      'ReservationCanceled',
      'ReservationExpired',
      'ReservationFinalized',
      'RefundRequested',
      'OverreservationProcessed',
      'ReservationCheckedIn',
    ]) {
      expect(seen, type).toContain(type)
    }
    expect(
      log.some((event) => event.type === 'ReservationCreated' && event.fromWaitlistEntryId !== null),
    ).toBe(true)
    expect(log.some((event) => event.type === 'OverreservationProcessed' && event.bumped.length > 0)).toBe(
      true,
    )
    expect(duplicatesIgnored).toBeGreaterThan(50)
  })

  it.each([
    [5, 'blocking'],
    [6, 'skipping'],
  ] as const)(
    'keeps G1–G5 while retention removes reservations, waitlist entries and command ids (seed %i, %s waitlist)',
    (seed, policy) => {
      const { state, log, commands, updates, config, duplicatesIgnored, removed, now } = simulate(
        seed,
        3000,
        policy,
        shortRetention,
      )
      const violations = checkInvariants(log, {
        resourceAt: resourceHistory(updates),
        commands,
        holdTimeoutMs: config.holdTimeoutMs,
        punctuationIntervalMs: 0,
        waitlistPolicy: policy,
        retentionMs: config.retentionMs,
      })
      expect(violations.slice(0, 5)).toEqual([])
      expect(consistencyProblems(state)).toEqual([])
      expect(removed).toBeGreaterThan(100)
      expect(duplicatesIgnored).toBeGreaterThan(20)
      // after the final sweep nothing older than the retention periods is left
      for (const key of state.stores['command-index'].keys())
        expect(parseCommandIndexKey(key).recordedAt).toBeGreaterThan(now - config.dedupRetentionMs)
      for (const key of state.stores['retention-index'].keys())
        expect(parseRetentionKey(key).since).toBeGreaterThan(now - config.retentionMs)
    },
  )
})
