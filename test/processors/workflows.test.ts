// Every numbered workflow of spec §5, through the service's topics on a real broker: the exact sequence of
// events per resource, their per-resource sequence numbers and the key fields that link them to their cause.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commandOutcomes } from '../../processors/domain/index.js'
import type { ReservationEvent } from '../../schemas/index.js'
import { ScenarioRunner } from '../../service/demo/scenario-runner.js'
import { scenarios, type Scenario } from '../../service/demo/scenarios.js'
import { serviceEnv, startTestService, testClient, type TestService } from '../support/service.js'

let svc: TestService
let runner: ScenarioRunner
const runId = Math.random().toString(36).slice(2, 8)
const all = scenarios(runId, Date.now())

beforeAll(async () => {
  svc = await startTestService(serviceEnv('workflows'))
  runner = new ScenarioRunner({
    client: testClient(),
    topics: svc.config.topics,
    codecs: svc.codecs,
    serviceUrl: svc.url,
  })
  await runner.start()
}, 120_000)

afterAll(async () => {
  await runner?.stop()
  await svc?.stop()
})

function check(scenario: Scenario, events: readonly ReservationEvent[]) {
  expect(events.map((e) => e.type)).toEqual(scenario.steps.flatMap((s) => s.expect))
  expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1))
  expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length)
  expect(events.every((e) => e.resourceId === scenario.resourceId)).toBe(true)
  // each command has exactly one outcome event, caused by it
  for (const step of scenario.steps) {
    if (step.kind !== 'command') continue
    const outcomes = events.filter(
      (e) =>
        e.causationId === step.command.commandId &&
        commandOutcomes[step.command.type].includes(e.type as never),
    )
    expect(outcomes, `outcome of ${step.command.type} ${step.command.commandId}`).toHaveLength(1)
  }
}

describe('spec §5 workflows against the broker', () => {
  for (const scenario of all) {
    it(scenario.title, async () => {
      const events = await runner.run(scenario)
      check(scenario, events)
      const byType = (type: string) => events.filter((e) => e.type === type)
      switch (scenario.id) {
        case 'creation': {
          const created = byType('ReservationCreated')[0] as Extract<
            (typeof events)[number],
            { type: 'ReservationCreated' }
          >
          expect(created).toMatchObject({
            reservationId: scenario.reservationId('r1'),
            status: 'PENDING_PAYMENT',
            quantity: 1,
          })
          expect(byType('ReservationFinalized')[0]).toMatchObject({
            reservationId: scenario.reservationId('r1'),
            status: 'FINALIZED',
          })
          break
        }
        case 'modification':
          expect(byType('ReservationModified')[0]).toMatchObject({
            reservationId: scenario.reservationId('r1'),
          })
          expect(byType('PaymentRequested')[1]).toMatchObject({ amountCents: 10_000 })
          break
        case 'cancellation':
          expect(byType('RefundRequested')[0]).toMatchObject({
            reservationId: scenario.reservationId('r1'),
            amountCents: 20_000,
          })
          expect(byType('ReservationCreated')[1]).toMatchObject({
            reservationId: scenario.reservationId('r2'),
          })
          expect(
            (byType('ReservationCreated')[1] as { fromWaitlistEntryId: string | null }).fromWaitlistEntryId,
          ).not.toBeNull()
          expect(byType('ReservationCreated')[1]!.causationId).toBe(byType('ReservationCanceled')[0]!.eventId)
          break
        case 'checkin':
          expect(byType('ReservationCheckedOut')[0]).toMatchObject({ status: 'CHECKED_OUT' })
          break
        case 'unavailable': {
          const rejected = byType('CommandRejected')[0] as Extract<
            (typeof events)[number],
            { type: 'CommandRejected' }
          >
          expect(rejected.reason).toBe('UNAVAILABLE')
          expect(rejected.alternatives.length).toBeGreaterThan(0)
          expect(rejected.alternatives.length).toBeLessThanOrEqual(3)
          break
        }
        case 'conflict': {
          const rejected = byType('CommandRejected')[0] as Extract<
            (typeof events)[number],
            { type: 'CommandRejected' }
          >
          expect(rejected.reason).toBe('CONFLICT')
          expect(rejected.alternatives.length).toBeGreaterThan(0)
          break
        }
        case 'cancel-after-checkin': {
          const rejected = byType('CommandRejected')[0] as Extract<
            (typeof events)[number],
            { type: 'CommandRejected' }
          >
          expect(rejected.reason).toBe('INVALID_STATE')
          expect(rejected.message).toMatch(/support/i)
          break
        }
        case 'payment-failure':
          expect(byType('PaymentFailed')[0]).toMatchObject({ status: 'PAYMENT_FAILED' })
          expect(byType('PaymentAuthorized')[0]).toMatchObject({ status: 'AUTHORIZED' })
          break
        case 'overbooking': {
          expect(byType('ReservationCreated')[1]).toMatchObject({
            reservationId: scenario.reservationId('r2'),
            overbooked: true,
          })
          expect((byType('CommandRejected')[0] as { reason: string }).reason).toBe('UNAVAILABLE')
          const processed = byType('OverreservationProcessed')[0] as Extract<
            (typeof events)[number],
            { type: 'OverreservationProcessed' }
          >
          expect(processed.bumped.map((b) => b.reservationId)).toEqual([scenario.reservationId('r2')])
          break
        }
      }
    })
  }
})
