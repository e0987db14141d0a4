// Validation of commands beyond their Avro schema (spec §4, rejection reason INVALID): instants are
// ISO-8601 UTC, ranges end after they start, quantities are at least 1, ids are not empty.
// Alignment to the resource's slots needs the resource and is checked by the domain.
import type { ReservationCommand } from './generated/types.js'

/** The first thing wrong with a command, naming the field. */
export interface CommandProblem {
  readonly field: string
  readonly message: string
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/

/** Epoch milliseconds of an ISO-8601 UTC instant ("2030-01-01T00:00:00Z"), or undefined when it is not one. */
export function parseInstant(text: string): number | undefined {
  if (!ISO_UTC.test(text)) return undefined
  const millis = Date.parse(text)
  if (Number.isNaN(millis)) return undefined
  // Date.parse rolls "2030-02-30" over to March and "T24:00" to the next day: reject a day past its
  // month's last and hour 24 (the digits read in place, where a round trip through toISOString cost a
  // Date and three strings per instant)
  const year = Number(text.slice(0, 4))
  const month = digitsAt(text, 5)
  const day = digitsAt(text, 8)
  const valid = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  return valid && digitsAt(text, 11) <= 23 ? millis : undefined
}

/** The two-digit number at `index` (the pattern has checked they are digits). */
function digitsAt(text: string, index: number): number {
  return (text.charCodeAt(index) - 48) * 10 + (text.charCodeAt(index + 1) - 48)
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  return month === 2 && leap ? 29 : monthDays[month - 1]!
}

/** Checks what the Avro schema cannot express; undefined when the command is valid. */
export function validateCommand(command: ReservationCommand): CommandProblem | undefined {
  // the first problem only: the checks after it are not run
  for (const problem of commonProblems(command)) return problem
  for (const problem of specificProblems(command)) return problem
  return undefined
}

function* commonProblems(command: ReservationCommand): Iterable<CommandProblem> {
  yield* nonEmpty({ commandId: command.commandId, resourceId: command.resourceId })
}

function* specificProblems(command: ReservationCommand): Iterable<CommandProblem> {
  switch (command.type) {
    case 'CreateReservation':
      yield* nonEmpty({ reservationId: command.reservationId, customerId: command.customerId })
      if (command.promotionCode !== null) yield* nonEmpty({ promotionCode: command.promotionCode })
      yield* rangeProblems(command.start, command.end)
      yield* quantityProblems(command.quantity)
      return
    case 'AddToWaitlist':
      yield* nonEmpty({ waitlistEntryId: command.waitlistEntryId, customerId: command.customerId })
      yield* rangeProblems(command.start, command.end)
      yield* quantityProblems(command.quantity)
      return
    case 'ModifyReservation': {
      yield* nonEmpty({ reservationId: command.reservationId })
      for (const field of ['start', 'end'] as const) {
        const value = command[field]
        if (value !== null && parseInstant(value) === undefined) yield notInstant(field, value)
      }
      if (command.start !== null && command.end !== null) yield* rangeProblems(command.start, command.end)
      if (command.quantity !== null) yield* quantityProblems(command.quantity)
      return
    }
    case 'ProcessOverreservation':
      if ((command.start === null) !== (command.end === null)) {
        yield {
          field: command.start === null ? 'start' : 'end',
          message: 'give both start and end, or neither',
        }
      }
      if (command.start !== null && command.end !== null) yield* rangeProblems(command.start, command.end)
      return
    case 'ApplyPromotion':
      yield* nonEmpty({ reservationId: command.reservationId, promotionCode: command.promotionCode })
      return
    case 'SendReservationConfirmation':
    case 'CancelReservation':
    case 'Checkin':
    case 'Checkout':
    case 'ExpireReservation':
      yield* nonEmpty({ reservationId: command.reservationId })
      return
  }
}

function* nonEmpty(fields: Record<string, string>): Iterable<CommandProblem> {
  for (const [field, value] of Object.entries(fields)) {
    if (value.trim() === '') yield { field, message: `${field} must not be empty` }
  }
}

function notInstant(field: string, value: string): CommandProblem {
  return {
    field,
    message: `${field} must be an ISO-8601 UTC instant like 2030-01-31T00:00:00Z, got "${value}"`,
  }
}

function* rangeProblems(start: string, end: string): Iterable<CommandProblem> {
  const from = parseInstant(start)
  const to = parseInstant(end)
  if (from === undefined) yield notInstant('start', start)
  else if (to === undefined) yield notInstant('end', end)
  else if (to <= from) yield { field: 'end', message: `end ${end} must be after start ${start}` }
}

function* quantityProblems(quantity: number): Iterable<CommandProblem> {
  if (!Number.isInteger(quantity) || quantity < 1) {
    yield { field: 'quantity', message: `quantity must be at least 1, got ${quantity}` }
  }
}
