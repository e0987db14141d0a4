// Bad input on the service's topics: a malformed record, an unknown type, a field of the wrong type and a
// key that is not the command's resource go to the DLQ with the reason; a command that fails validation
// becomes CommandRejected(INVALID). The service keeps running and the valid records around them are decided.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReservationCommand } from '../../schemas/index.js'
import { dlqHeaders } from '../../topology/index.js'
import { collect } from '../support/kafka.js'
import { serviceEnv, startTestService, testClient, type TestService } from '../support/service.js'

describe.each(['json', 'avro'] as const)('bad input (%s format)', (format) => {
  let svc: TestService
  beforeAll(async () => {
    svc = await startTestService(serviceEnv(`bad-${format}`, { RESERVATION_FORMAT: format }))
  }, 120_000)
  afterAll(async () => svc?.stop())

  it('dead-letters unreadable records with the reason, rejects invalid commands, and decides every valid record', async () => {
    const { topics } = svc.config
    const resourceId = `room-${format}`
    const now = Date.now()
    const day = (n: number) => new Date(Math.floor(now / 86_400_000 + n) * 86_400_000).toISOString()
    const create = (id: string, start: string, end: string): ReservationCommand => ({
      type: 'CreateReservation',
      commandId: `c-${id}`,
      resourceId,
      issuedAt: now,
      reservationId: id,
      customerId: 'ann',
      start,
      end,
      quantity: 1,
      waitlistIfUnavailable: false,
      promotionCode: null,
    })
    const producer = testClient().producer()
    await producer.connect()
    await producer.send([
      {
        topic: topics.resources,
        key: Buffer.from(resourceId),
        value: svc.codecs.resource.encode({
          resourceId,
          category: 'room',
          capacity: 5,
          slotMinutes: 1440,
          overbookingLimit: 0,
          priceCentsPerUnitSlot: 100,
        }),
      },
    ])
    // no wait: the definition is older than the commands, and the decider chooses the older record first
    const json = (value: unknown) => Buffer.from(JSON.stringify(value))
    const cases = [
      { key: resourceId, value: svc.codecs.command.encode(create('r1', day(3), day(4))) },
      { key: resourceId, value: Buffer.from([0xc3, 0x01, 0x00, 0x01, 0x02]), bad: 'malformed' },
      {
        key: resourceId,
        value:
          format === 'json'
            ? json({ commandId: 'x1', type: 'TeleportGuest', resourceId, issuedAt: now })
            : Buffer.from('{"type":"TeleportGuest"}'),
        bad: 'unknown type',
      },
      {
        key: resourceId,
        value:
          format === 'json'
            ? json({ ...create('r9', day(3), day(4)), quantity: 'two' })
            : Buffer.from([0xc3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x02]),
        bad: 'wrong field',
      },
      {
        key: 'another-room',
        value: svc.codecs.command.encode(create('r8', day(3), day(4))),
        bad: 'key mismatch',
      },
      { key: resourceId, value: svc.codecs.command.encode(create('r2', day(5), day(4))) }, // end before start
      { key: resourceId, value: svc.codecs.command.encode(create('r3', day(6), day(7))) },
    ]
    await producer.send(
      cases.map((c) => ({ topic: topics.commands, key: Buffer.from(c.key), value: c.value })),
    )
    await producer.disconnect()

    const dead = await collect(testClient(), [topics.dlq], (r) => r.length >= 4, { settleMs: 1000 })
    expect(dead).toHaveLength(4)
    expect(dead.every((d) => d.headers[dlqHeaders.topic]!.toString() === topics.commands)).toBe(true)
    // by source coordinates: offsets 1–3 of the resource's partition, offset 0 of the other key's partition
    const reasonAt = (key: string, offset: number) =>
      dead
        .find((d) => d.key!.toString() === key && Number(d.headers[dlqHeaders.offset]!.toString()) === offset)
        ?.headers[dlqHeaders.reason]?.toString()
    for (const offset of [1, 2, 3]) expect(reasonAt(resourceId, offset)).toBeTruthy()
    if (format === 'json') {
      expect(reasonAt(resourceId, 2)).toMatch(/TeleportGuest|type/)
      expect(reasonAt(resourceId, 3)).toMatch(/quantity/)
    }
    expect(reasonAt('another-room', 0)).toMatch(/record key 'another-room' is not the command's resourceId/)

    const events = (
      await collect(testClient(), [topics.events], (r) => r.length >= 11, { settleMs: 1000 })
    ).map((r) => svc.codecs.event.decode(r.value!))
    const created = events.filter((e) => e.type === 'ReservationCreated').map((e) => e.reservationId)
    expect(created).toEqual(['r1', 'r3'])
    const rejected = events.filter((e) => e.type === 'CommandRejected')
    expect(rejected.map((e) => [e.reservationId, (e as { reason: string }).reason])).toEqual([
      ['r2', 'INVALID'],
    ])
    expect(svc.service.streams.state).toBe('RUNNING')
  })
})
