// JSON timestamps in either form: epoch milliseconds or ISO-8601 in every timestamp field, in both
// directions; a malformed one is a decode error naming the field (and on the service topology, a DLQ record
// with that reason).
import { describe, expect, it } from 'vitest'
import { defaultDecisionConfig } from '../../processors/domain/index.js'
import { reservationTopology, type ReservationTopics } from '../../processors/reservation-topology.js'
import { reservationCodecs } from '../../processors/service-codecs.js'
import { DecodeError, jsonCodec } from '../../schemas/index.js'
import { parseIsoInstant } from '../../schemas/json-instants.js'
import { dlqHeaders, TopologyTestDriver } from '../../topology/index.js'

const json = (value: unknown) => Buffer.from(JSON.stringify(value))
const T = Date.UTC(2030, 0, 1, 10, 30)
const create = {
  type: 'CreateReservation',
  commandId: 'c-1',
  resourceId: 'room-1',
  issuedAt: T,
  reservationId: 'r-1',
  customerId: 'ann',
  start: '2030-02-01T00:00:00Z',
  end: '2030-02-02T00:00:00Z',
  quantity: 1,
  waitlistIfUnavailable: false,
  promotionCode: null,
}

function decodeError(decode: () => unknown): DecodeError {
  try {
    decode()
  } catch (error) {
    if (error instanceof DecodeError) return error
    throw error
  }
  throw new Error('expected a DecodeError')
}

describe('JSON timestamps', () => {
  const commands = jsonCodec('reservation-command')

  it('reads issuedAt as epoch milliseconds or as an ISO-8601 instant, with Z or an offset', () => {
    expect(commands.decode(json(create)).issuedAt).toBe(T)
    expect(commands.decode(json({ ...create, issuedAt: '2030-01-01T10:30:00Z' })).issuedAt).toBe(T)
    expect(commands.decode(json({ ...create, issuedAt: '2030-01-01T10:30:00.000Z' })).issuedAt).toBe(T)
    expect(commands.decode(json({ ...create, issuedAt: '2030-01-01T11:30+01:00' })).issuedAt).toBe(T)
  })

  it('reads start and end as ISO-8601 strings or as epoch milliseconds (stored as ISO-8601 UTC)', () => {
    const decoded = commands.decode(
      json({ ...create, start: Date.UTC(2030, 1, 1), end: '2030-02-02T00:00:00Z' }),
    )
    expect(decoded).toMatchObject({ start: '2030-02-01T00:00:00.000Z', end: '2030-02-02T00:00:00Z' })
    const modify = commands.decode(
      json({
        type: 'ModifyReservation',
        commandId: 'c-2',
        resourceId: 'room-1',
        issuedAt: '2030-01-01T10:30:00Z',
        reservationId: 'r-1',
        start: null,
        end: Date.UTC(2030, 1, 3),
        quantity: null,
      }),
    )
    expect(modify).toMatchObject({ issuedAt: T, start: null, end: '2030-02-03T00:00:00.000Z' })
  })

  it('reads occurredAt of payments, events and notifications and validFrom of promotions in both forms', () => {
    const payment = jsonCodec('payment-event').decode(
      json({
        type: 'PaymentCompleted',
        paymentId: 'p',
        reservationId: 'r',
        amountCents: 1,
        method: null,
        occurredAt: '2030-01-01T10:30:00Z',
      }),
    )
    expect(payment.occurredAt).toBe(T)
    const promotion = jsonCodec('promotion-definition').decode(
      json({ code: 'X', percentOff: 10, validFrom: T, validUntil: '2031-01-01T00:00:00Z' }),
    )
    expect(promotion).toMatchObject({
      validFrom: '2030-01-01T10:30:00.000Z',
      validUntil: '2031-01-01T00:00:00Z',
    })
    const notification = jsonCodec('reservation-notification').decode(
      json({
        notificationId: 'n',
        type: 'Bumped',
        customerId: 'c',
        resourceId: 'r',
        causationId: 'e',
        occurredAt: '2030-01-01T10:30:00Z',
        message: 'm',
        alternatives: [{ resourceId: 'r', start: T, end: '2030-01-02T00:00:00Z', quantity: 1 }],
      }),
    )
    expect(notification.occurredAt).toBe(T)
    expect(notification.alternatives[0]?.start).toBe('2030-01-01T10:30:00.000Z')
  })

  it('rejects a malformed instant, naming the field and both accepted forms', () => {
    for (const bad of [
      'yesterday',
      '2030-01-01',
      '2030-01-01T10:30:00',
      '2030-02-30T00:00:00Z',
      '2030-01-01T25:00Z',
    ]) {
      const error = decodeError(() => commands.decode(json({ ...create, issuedAt: bad })))
      expect(error.code).toBe('INVALID_FIELD')
      expect(error.message).toBe(
        `field 'issuedAt' must be epoch milliseconds or an ISO-8601 instant with a time zone ` +
          `(e.g. "2026-12-01T10:00:00Z"), got ${JSON.stringify(bad)}`,
      )
    }
    expect(parseIsoInstant('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29))
  })

  it('dead-letters a command with a malformed timestamp with that reason, and decides one in ISO form', async () => {
    const topics: ReservationTopics = {
      commands: 'commands',
      payments: 'payments',
      resources: 'resources',
      promotions: 'promotions',
      events: 'events',
      notifications: 'notifications',
    }
    const codecs = await reservationCodecs('json', topics)
    const driver = new TopologyTestDriver(
      reservationTopology({
        topics,
        codecs,
        decision: defaultDecisionConfig,
        punctuationIntervalMs: 60_000,
        strayPaymentGraceMs: 30_000,
      }),
      { deadLetterTopic: 'dlq', applicationId: 'instants' },
    )
    const pipe = (topic: string, value: unknown) =>
      driver.pipeRaw(topic, Buffer.from('room-1'), json(value), { timestamp: T })
    await pipe(topics.resources, {
      resourceId: 'room-1',
      category: 'room',
      capacity: 1,
      slotMinutes: 1440,
      overbookingLimit: 0,
      priceCentsPerUnitSlot: 100,
    })
    await pipe(topics.commands, { ...create, issuedAt: 'tomorrow morning' })
    await pipe(topics.commands, { ...create, commandId: 'c-2', issuedAt: '2030-01-01T10:30:00Z' })
    const dead = driver.readRawOutput('dlq')
    expect(dead).toHaveLength(1)
    expect(dead[0]!.headers![dlqHeaders.stage]!.toString()).toBe('deserialization')
    expect(dead[0]!.headers![dlqHeaders.reason]!.toString()).toContain(
      `field 'issuedAt' must be epoch milliseconds or an ISO-8601 instant`,
    )
    const events = driver.readRawOutput(topics.events).map((r) => codecs.event.decode(r.value!))
    expect(events.filter((e) => e.type === 'ReservationCreated').map((e) => e.causationId)).toEqual(['c-2'])
    await driver.close()
  })
})
