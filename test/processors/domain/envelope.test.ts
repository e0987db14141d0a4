// The event envelope (spec §6) and command idempotency (spec §4, G2, G3).
import { describe, expect, it } from 'vitest'
import { valueSchema } from '../../../schemas/value-schema.js'
import { decide } from '../../../processors/domain/decide.js'
import type { DecisionInput } from '../../../processors/domain/decision-input.js'
import { isOutcomeOf } from '../../../processors/domain/outcome-table.js'
import { Harness, jan, T0 } from './harness.js'

describe('the event envelope', () => {
  it('numbers each resource’s events 1, 2, 3… with no gap across decisions', () => {
    const h = new Harness()
    h.define()
    h.create('r-1', 10, 12)
    h.create('r-2', 10, 12, { quantity: 5 })
    h.cancel('r-1')
    const other = new Harness(h.config, 'table-7')
    other.define()
    other.create('t-1', 10, 11)
    expect(h.log.map((e) => e.sequence)).toEqual(h.log.map((_, index) => index + 1))
    expect(other.log.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5])
    expect(h.state.stores['resource-meta'].get(h.resourceId)?.sequence).toBe(h.log.length)
  })

  it('stamps events with the resource, the stream time and UUID-shaped ids', () => {
    const h = new Harness()
    h.define()
    for (const event of h.create('r-1', 10, 12).events) {
      expect(event).toMatchObject({ resourceId: 'room-double', reservationId: 'r-1', occurredAt: T0 })
      expect(event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    }
  })

  it('derives the same event ids from the same input on the same state', () => {
    const h = new Harness()
    h.define()
    const input: DecisionInput = {
      type: 'command',
      command: {
        commandId: 'c-1',
        type: 'CreateReservation',
        resourceId: h.resourceId,
        issuedAt: 0,
        reservationId: 'r-1',
        customerId: 'alice',
        start: jan(10),
        end: jan(11),
        quantity: 1,
        waitlistIfUnavailable: false,
        promotionCode: null,
      },
    }
    const first = decide(h.state.view(input, T0, h.config), input, T0, h.config)
    const retried = decide(h.state.view(input, T0, h.config), input, T0, h.config)
    expect(retried).toEqual(first)
    expect(new Set(first.events.map((e) => e.eventId)).size).toBe(first.events.length)
  })

  it('writes events and notifications that conform to the Avro schemas', () => {
    const h = new Harness()
    h.define({ overbookingLimit: 1 })
    h.create('r-1', 10, 12, { quantity: 3 })
    h.payInFull('r-1')
    h.define({ capacity: 1 })
    h.command({ type: 'ProcessOverreservation', start: null, end: null })
    h.create('r-2', 10, 12, { waitlistIfUnavailable: true })
    for (const event of h.log) valueSchema('reservation-event').assertValid(event)
    for (const notification of h.notifications)
      valueSchema('reservation-notification').assertValid(notification)
    expect(h.notifications.map((n) => n.type)).toEqual(
      expect.arrayContaining(['Overbooked', 'ReservationConfirmation', 'Bumped']),
    )
  })
})

describe('idempotency', () => {
  it('emits nothing and changes nothing for a repeated commandId', () => {
    const h = new Harness()
    h.define()
    const first = h.create('r-1', 10, 12)
    const outcome = first.events.find((event) => event.type === 'ReservationCreated')
    expect(h.state.stores.commands.get(`room-double|${h.commands[0]?.commandId}`)).toBe(outcome?.eventId)
    const again = h.command(
      {
        type: 'CancelReservation',
        reservationId: 'r-1',
        reason: null,
      },
      h.commands[0]?.commandId,
    )
    expect(again).toEqual({ events: [], notifications: [], writes: [] })
    expect(h.reservation('r-1')?.status).toBe('PENDING_PAYMENT')
  })

  it('gives every command exactly one outcome, rejected or not', () => {
    const h = new Harness()
    h.define()
    h.create('r-1', 10, 12)
    h.create('r-1', 10, 12)
    h.cancel('r-1')
    h.cancel('r-1')
    h.waitlist('w-1', 10, 11)
    for (const command of h.commands)
      expect(h.log.filter((event) => isOutcomeOf(command, event))).toHaveLength(1)
    expect(h.violations()).toEqual([])
  })
})
