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
  it('parses an instant as Date.parse with a round trip through toISOString does, on every day of 1999–2101', () => {
    // the former implementation: a date that Date.parse rolls over does not come back the same
    const roundTrip = (text: string): number | undefined => {
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/.test(text)) return undefined
      const millis = Date.parse(text)
      if (Number.isNaN(millis)) return undefined
      return new Date(millis).toISOString().slice(0, 10) === text.slice(0, 10) ? millis : undefined
    }
    const cases = [
      '2030-13-01T00:00Z',
      '2030-00-10T00:00Z',
      '2030-01-01T24:00Z',
      '2030-12-31T24:00Z',
      '2030-01-01T23:60Z',
      '2030-01-01T00:00:60Z',
      '2030-01-01T99:00Z',
      '2030-01-01T23:59:59.999999999Z',
      '0000-01-01T00:00Z',
    ]
    for (let year = 1999; year <= 2101; year++)
      for (let month = 1; month <= 12; month++)
        for (let day = 0; day <= 32; day++)
          cases.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T12:30:00.5Z`)
    for (const text of cases) expect(parseInstant(text), text).toBe(roundTrip(text))
  })
})
