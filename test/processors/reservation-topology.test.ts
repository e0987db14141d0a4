// The service topology on the broker-free test driver: commands, resources and payments in; events in
// per-resource sequence out; payments routed from reservationId to the resource's task; strays dead-lettered.
import { describe, expect, it } from 'vitest'
import { defaultDecisionConfig } from '../../processors/domain/index.js'
import { reservationTopology, type ReservationTopics } from '../../processors/reservation-topology.js'
import { reservationCodecs } from '../../processors/service-codecs.js'
import type { ReservationEvent } from '../../schemas/index.js'
import { TopologyTestDriver } from '../../topology/index.js'

const topics: ReservationTopics = {
  commands: 'reservation-commands',
  payments: 'payments',
  resources: 'resources',
  promotions: 'promotions',
  events: 'reservation',
  notifications: 'reservation-notifications',
}
const T0 = Date.UTC(2029, 11, 1)

async function setup(partitions = 3) {
  const codecs = await reservationCodecs('avro', topics)
  const topology = reservationTopology({
    topics,
    codecs,
    decision: defaultDecisionConfig,
    punctuationIntervalMs: 60_000,
    strayPaymentGraceMs: 30_000,
  })
  const driver = new TopologyTestDriver(topology, {
    partitions,
    deadLetterTopic: 'reservation-dlq',
    applicationId: 'svc',
  })
  const pipe = (topic: string, key: string, value: Buffer, timestamp: number) =>
    driver.pipeRaw(topic, Buffer.from(key), value, { timestamp })
  const events = () => driver.readRawOutput(topics.events).map((r) => codecs.event.decode(r.value!))
  return { driver, codecs, pipe, events }
}

describe('reservation topology on the test driver', () => {
  it('runs the creation workflow end to end: payment routed by reservation id to the resource task', async () => {
    const { driver, codecs, pipe, events } = await setup()
    await pipe(
      topics.resources,
      'room-1',
      codecs.resource.encode({
        resourceId: 'room-1',
        category: 'hotel',
        capacity: 1,
        slotMinutes: 1440,
        overbookingLimit: 0,
        priceCentsPerUnitSlot: 10_000,
      }),
      T0,
    )
    await pipe(
      topics.commands,
      'room-1',
      codecs.command.encode({
        type: 'CreateReservation',
        commandId: 'c1',
        resourceId: 'room-1',
        issuedAt: T0,
        reservationId: 'r1',
        customerId: 'alice',
        start: '2030-01-10T00:00:00Z',
        end: '2030-01-12T00:00:00Z',
        quantity: 1,
        waitlistIfUnavailable: false,
        promotionCode: null,
      }),
      T0 + 1000,
    )
    const created = events()
    expect(created.map((e) => e.type)).toEqual([
      'ReservationRequested',
      'AvailabilityConfirmed',
      'ReservationCreated',
      'ReservationConfirmationSent',
      'PaymentRequested',
    ])
    const price = (
      created.find((e) => e.type === 'PaymentRequested') as Extract<
        ReservationEvent,
        { type: 'PaymentRequested' }
      >
    ).amountCents
    await pipe(
      topics.payments,
      'r1',
      codecs.payment.encode({
        type: 'PaymentAuthorized',
        paymentId: 'p1',
        reservationId: 'r1',
        amountCents: price,
        method: 'card',
        occurredAt: T0 + 2000,
      }),
      T0 + 2000,
    )
    await pipe(
      topics.payments,
      'r1',
      codecs.payment.encode({
        type: 'PaymentCompleted',
        paymentId: 'p2',
        method: 'card',
        reservationId: 'r1',
        amountCents: price,
        occurredAt: T0 + 3000,
      }),
      T0 + 3000,
    )
    const paid = events()
    expect(paid.map((e) => e.type)).toEqual(['PaymentAuthorized', 'PaymentCompleted', 'ReservationFinalized'])
    expect([...created, ...paid].map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(driver.readRawOutput('reservation-notifications').length).toBeGreaterThan(0)
    await driver.close()
  })

  it('dead-letters a payment for an unknown reservation after the grace period, and an undecodable command at once', async () => {
    const { driver, codecs, pipe } = await setup(1)
    await pipe(
      topics.payments,
      'ghost',
      codecs.payment.encode({
        type: 'PaymentAuthorized',
        paymentId: 'p9',
        reservationId: 'ghost',
        amountCents: 1,
        method: null,
        occurredAt: T0,
      }),
      T0,
    )
    await pipe(topics.commands, 'room-1', Buffer.from('not a command'), T0)
    expect(driver.readRawOutput('reservation-dlq').map((r) => r.headers!['dlq.stage']!.toString())).toEqual([
      'deserialization',
    ])
    // stream time of the router's task moves past the grace period
    await pipe(
      topics.payments,
      'other',
      codecs.payment.encode({
        type: 'PaymentFailed',
        paymentId: 'p10',
        method: null,
        reservationId: 'other',
        amountCents: 1,
        reason: 'declined',
        occurredAt: T0 + 40_000,
      }),
      T0 + 40_000,
    )
    const dead = driver.readRawOutput('reservation-dlq')
    expect(dead.map((r) => r.key!.toString())).toEqual(['ghost'])
    expect(dead[0]!.headers!['dlq.reason']!.toString()).toMatch(/unknown reservation 'ghost'/)
    expect(dead[0]!.headers!['dlq.source.topic']!.toString()).toBe('payments')
    expect(codecs.payment.decode(dead[0]!.value!).paymentId).toBe('p9')
    await driver.close()
  })
})
