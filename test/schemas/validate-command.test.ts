import { describe, expect, it } from 'vitest'
import type { ReservationCommand } from '../../schemas/generated/types.js'
import { parseInstant, validateCommand } from '../../schemas/validate-command.js'

const create = {
  commandId: 'c-1',
  type: 'CreateReservation',
  resourceId: 'room',
  issuedAt: 0,
  reservationId: 'r-1',
  customerId: 'alice',
  start: '2030-01-01T00:00:00Z',
  end: '2030-01-02T00:00:00Z',
  quantity: 1,
  waitlistIfUnavailable: false,
  promotionCode: null,
} satisfies ReservationCommand

describe('validateCommand', () => {
  it('accepts a valid command', () => {
    expect(validateCommand(create)).toBeUndefined()
  })

  it.each([
    [{ quantity: 0 }, 'quantity'],
    [{ end: '2030-01-01T00:00:00Z' }, 'end'],
    [{ start: '2030-01-01' }, 'start'],
    [{ start: '2030-02-30T00:00:00Z' }, 'start'],
    [{ end: '2030-01-02T00:00:00+02:00' }, 'end'],
    [{ customerId: ' ' }, 'customerId'],
    [{ commandId: '' }, 'commandId'],
    [{ promotionCode: '' }, 'promotionCode'],
  ])('rejects CreateReservation with %j, naming %s', (change, field) => {
    expect(validateCommand({ ...create, ...change })?.field).toBe(field)
  })

  it('checks only the given fields of ModifyReservation', () => {
    const modify = { ...create, type: 'ModifyReservation', start: null, end: null, quantity: null } as const
    const { customerId: _c, waitlistIfUnavailable: _w, promotionCode: _p, ...base } = modify
    expect(validateCommand(base)).toBeUndefined()
    expect(validateCommand({ ...base, quantity: -1 })?.field).toBe('quantity')
    expect(validateCommand({ ...base, end: 'tomorrow' })?.field).toBe('end')
  })

  it('wants both or neither bound of ProcessOverreservation', () => {
    const process = {
      commandId: 'c',
      type: 'ProcessOverreservation',
      resourceId: 'room',
      issuedAt: 0,
    } as const
    expect(validateCommand({ ...process, start: null, end: null })).toBeUndefined()
    expect(validateCommand({ ...process, start: '2030-01-01T00:00:00Z', end: null })?.message).toContain(
      'both',
    )
  })

  it('parses ISO-8601 UTC instants only', () => {
    expect(parseInstant('2030-01-01T00:30Z')).toBe(Date.UTC(2030, 0, 1, 0, 30))
    expect(parseInstant('2030-01-01T00:00:00.000Z')).toBe(Date.UTC(2030, 0, 1))
    expect(parseInstant('2030-01-01 00:00:00Z')).toBeUndefined()
  })
})
