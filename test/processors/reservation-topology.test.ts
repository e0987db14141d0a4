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

  it('dead-letters a payment for an unknown reservation once the reservation side has processed past its time plus the grace, and an undecodable command at once', async () => {
    const { driver, codecs, pipe } = await setup(1)
    await pipe(topics.resources, 'room-1', resource(codecs), T0)
    await pipe(topics.payments, 'ghost', authorized(codecs, 'p9', 'ghost', T0), T0)
    await pipe(topics.commands, 'room-1', Buffer.from('not a command'), T0)
    expect(driver.readRawOutput('reservation-dlq').map((r) => r.headers!['dlq.stage']!.toString())).toEqual([
      'deserialization',
    ])
    // the payments' own stream time moving on says nothing of the reservations: 'ghost' keeps waiting
    await pipe(topics.payments, 'other', authorized(codecs, 'p10', 'other', T0 + 40_000), T0 + 40_000)
    expect(driver.readRawOutput('reservation-dlq')).toEqual([])
    // the decider's stream time passes T0 + grace (30 s): its progress tells the router
    await pipe(topics.resources, 'room-1', resource(codecs), T0 + 31_000)
    const dead = driver.readRawOutput('reservation-dlq')
    expect(dead.map((r) => r.key!.toString())).toEqual(['ghost'])
    expect(dead[0]!.headers!['dlq.reason']!.toString()).toMatch(
      /unknown reservation 'ghost': no reservation with this id was created by 2029-12-01T00:00:30.000Z/,
    )
    expect(dead[0]!.headers!['dlq.source.topic']!.toString()).toBe('payments')
    expect(codecs.payment.decode(dead[0]!.value!).paymentId).toBe('p9')
    // 'other' (T0 + 40 s) is not past yet
    expect(dead).toHaveLength(1)
    await driver.close()
  })

  it('dead-letters a routed payment whose reservation its resource no longer holds, with the reason, instead of deciding nothing', async () => {
    const { driver, codecs, pipe, events } = await setup(1)
    await pipe(topics.resources, 'room-1', resource(codecs), T0)
    // as the router forwards a payment whose route it knew, when retention removed the reservation on the
    // resource's side while the payment was on its way
    await pipe('svc-payments-by-resource-repartition', 'room-1', authorized(codecs, 'p1', 'gone', T0), T0)
    const dead = driver.readRawOutput('reservation-dlq')
    expect(dead.map((r) => codecs.payment.decode(r.value!).paymentId)).toEqual(['p1'])
    expect(dead[0]!.headers!['dlq.reason']!.toString()).toMatch(
      /unknown reservation 'gone': resource 'room-1' holds no reservation with this id/,
    )
    expect(events().filter((e) => e.type.startsWith('Payment'))).toEqual([])
    await driver.close()
  })

  it('judges strays without waiting for decider tasks that have no traffic once they say they are idle', async () => {
    const { driver, codecs, pipe } = await setup(3)
    await pipe(topics.resources, 'room-1', resource(codecs), T0)
    await pipe(topics.payments, 'ghost', authorized(codecs, 'p9', 'ghost', T0), T0)
    await pipe(topics.resources, 'room-1', resource(codecs), T0 + 31_000)
    // room-1's task is past T0 + grace, but the two tasks without a resource have said nothing
    expect(driver.readRawOutput('reservation-dlq')).toEqual([])
    await driver.advanceWallClockTime(30_000)
    const dead = driver.readRawOutput('reservation-dlq')
    expect(dead.map((r) => codecs.payment.decode(r.value!).paymentId)).toEqual(['p9'])
    expect(dead[0]!.headers!['dlq.reason']!.toString()).toMatch(
      /processed past it, to 2029-12-01T00:00:31.000Z/,
    )
    await driver.close()
  })

  it('routes a payment read before its reservation was created (a backlog), as of the payment time plus the grace', async () => {
    const { driver, codecs, pipe, events } = await setup()
    await pipe(topics.resources, 'room-1', resource(codecs), T0)
    // both payments are read before the commands that create their reservations
    await pipe(topics.payments, 'r1', authorized(codecs, 'p1', 'r1', T0 + 2000), T0 + 2000)
    await pipe(topics.payments, 'r2', authorized(codecs, 'p2', 'r2', T0 + 3000), T0 + 3000)
    await pipe(topics.commands, 'room-1', create(codecs, 'c1', 'r1', '2030-01-10T00:00:00Z'), T0 + 1000)
    // r2 is created 40 s after its payment: more than the grace (30 s) later
    await pipe(topics.commands, 'room-1', create(codecs, 'c2', 'r2', '2030-02-10T00:00:00Z'), T0 + 43_000)
    const paid = events().filter((e) => e.type === 'PaymentAuthorized')
    expect(paid.map((e) => (e as { paymentId: string }).paymentId)).toEqual(['p1'])
    const dead = driver.readRawOutput('reservation-dlq')
    expect(dead.map((r) => codecs.payment.decode(r.value!).paymentId)).toEqual(['p2'])
    expect(dead[0]!.headers!['dlq.reason']!.toString()).toMatch(
      /unknown reservation 'r2': it was created at 2029-12-01T00:00:43.000Z, later than the payment's time plus STRAY_PAYMENT_GRACE_MS/,
    )
    await driver.close()
  })

  it('applies a resource definition to a command of the same timestamp, whichever arrives first in a fetch', async () => {
    const { driver, codecs, events } = await setup()
    // one fetch delivers both, the command first: on a timestamp tie the resources input is taken first
    await driver.pipeRawRecords([
      {
        topic: topics.commands,
        key: Buffer.from('room-1'),
        value: create(codecs, 'c1', 'r1', '2030-01-10T00:00:00Z'),
        timestamp: T0,
      },
      { topic: topics.resources, key: Buffer.from('room-1'), value: resource(codecs), timestamp: T0 },
    ])
    const types = events().map((e) => e.type)
    expect(types).toContain('ReservationCreated')
    expect(types).not.toContain('CommandRejected')
    await driver.close()
  })
})

type Codecs = Awaited<ReturnType<typeof setup>>['codecs']

function resource(codecs: Codecs): Buffer {
  return codecs.resource.encode({
    resourceId: 'room-1',
    category: 'hotel',
    capacity: 1,
    slotMinutes: 1440,
    overbookingLimit: 0,
    priceCentsPerUnitSlot: 10_000,
  })
}

function create(codecs: Codecs, commandId: string, reservationId: string, start: string): Buffer {
  const from = Date.parse(start)
  return codecs.command.encode({
    type: 'CreateReservation',
    commandId,
    resourceId: 'room-1',
    issuedAt: T0,
    reservationId,
    customerId: 'alice',
    start,
    end: new Date(from + 86_400_000).toISOString(),
    quantity: 1,
    waitlistIfUnavailable: false,
    promotionCode: null,
  })
}

function authorized(codecs: Codecs, paymentId: string, reservationId: string, at: number): Buffer {
  return codecs.payment.encode({
    type: 'PaymentAuthorized',
    paymentId,
    reservationId,
    amountCents: 20_000,
    method: 'card',
    occurredAt: at,
  })
}
