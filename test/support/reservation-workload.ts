// A randomised reservation workload for the guarantee tests: resources, commands (with repeated ids and
// invalid ones) and payments, plus bad records (undecodable bytes, wrong field types, unknown types), with
// record timestamps that advance stream time so holds expire. Deterministic for a seed.
import type { PaymentEvent, ReservationCommand, ResourceDefinition } from '../../schemas/index.js'
import type { ReservationCodecs } from '../../processors/reservation-topology.js'

export interface WorkloadRecord {
  readonly topic: 'commands' | 'payments' | 'resources'
  readonly key: string
  /** A value to encode, or raw bytes that must end in the DLQ. */
  readonly value:
    | { readonly kind: 'valid'; readonly data: ReservationCommand | PaymentEvent | ResourceDefinition }
    | { readonly kind: 'bad'; readonly bytes: Buffer; readonly why: string }
  readonly timestamp: number
}

export interface Workload {
  readonly records: readonly WorkloadRecord[]
  readonly resources: readonly { readonly at: number; readonly definition: ResourceDefinition }[]
}

function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

const DAY = 86_400_000

export function reservationWorkload(options: {
  seed: number
  resources: number
  commands: number
  start: number
  runId: string
}): Workload {
  const rnd = random(options.seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!
  const records: WorkloadRecord[] = []
  const resources: { at: number; definition: ResourceDefinition }[] = []
  let time = options.start
  const tick = () => (time += 200 + Math.floor(rnd() * 1000))
  const ids: string[] = []
  for (let r = 0; r < options.resources; r++) {
    const definition: ResourceDefinition = {
      resourceId: `res-${options.runId}-${r}`,
      category: 'room',
      capacity: 1 + Math.floor(rnd() * 3),
      slotMinutes: 1440,
      overbookingLimit: rnd() < 0.3 ? 1 : 0,
      priceCentsPerUnitSlot: 5000 + r * 100,
    }
    resources.push({ at: time, definition })
    records.push({
      topic: 'resources',
      key: definition.resourceId,
      value: { kind: 'valid', data: definition },
      timestamp: time,
    })
    ids.push(definition.resourceId)
  }
  const today = Math.floor(options.start / DAY) * DAY
  const reservations: { id: string; resourceId: string }[] = []
  const sent: ReservationCommand[] = []
  let counter = 0
  for (let i = 0; i < options.commands; i++) {
    tick()
    const roll = rnd()
    if (roll < 0.01) {
      records.push({
        topic: 'commands',
        key: pick(ids),
        value: { kind: 'bad', bytes: Buffer.from([0xde, 0xad, 0xbe, 0xef, i & 0xff]), why: 'undecodable' },
        timestamp: time,
      })
      continue
    }
    if (roll < 0.02) {
      const bytes = Buffer.from(
        JSON.stringify({
          commandId: `bad-${i}`,
          type: 'CreateReservation',
          resourceId: pick(ids),
          issuedAt: time,
          reservationId: 'x',
          customerId: 'c',
          start: 'a',
          end: 'b',
          quantity: 'two',
        }),
      )
      records.push({
        topic: 'commands',
        key: pick(ids),
        value: { kind: 'bad', bytes, why: 'wrong field type' },
        timestamp: time,
      })
      continue
    }
    if (roll < 0.025) {
      const bytes = Buffer.from(
        JSON.stringify({
          commandId: `bad-${i}`,
          type: 'TeleportGuest',
          resourceId: pick(ids),
          issuedAt: time,
        }),
      )
      records.push({
        topic: 'commands',
        key: pick(ids),
        value: { kind: 'bad', bytes, why: 'unknown type' },
        timestamp: time,
      })
      continue
    }
    if (roll < 0.07 && sent.length > 0) {
      const again = pick(sent) // a repeated command id: must change nothing and emit nothing new
      records.push({
        topic: 'commands',
        key: again.resourceId,
        value: { kind: 'valid', data: again },
        timestamp: time,
      })
      continue
    }
    if (roll < 0.35 && reservations.length > 0) {
      const target = pick(reservations)
      const payRoll = rnd()
      const payment: PaymentEvent =
        payRoll < 0.6
          ? {
              type: 'PaymentAuthorized',
              paymentId: `pay-${options.runId}-${++counter}`,
              reservationId: target.id,
              amountCents: 10_000,
              method: 'card',
              occurredAt: time,
            }
          : payRoll < 0.85
            ? {
                type: 'PaymentCompleted',
                paymentId: `pay-${options.runId}-${++counter}`,
                reservationId: target.id,
                amountCents: 10_000,
                method: 'card',
                occurredAt: time,
              }
            : {
                type: 'PaymentFailed',
                paymentId: `pay-${options.runId}-${++counter}`,
                reservationId: target.id,
                amountCents: 10_000,
                method: 'card',
                reason: 'declined',
                occurredAt: time,
              }
      records.push({
        topic: 'payments',
        key: target.id,
        value: { kind: 'valid', data: payment },
        timestamp: time,
      })
      continue
    }
    const resourceId = pick(ids)
    const from = 2 + Math.floor(rnd() * 10)
    const nights = 1 + Math.floor(rnd() * 3)
    const base = { commandId: `cmd-${options.runId}-${++counter}`, resourceId, issuedAt: time }
    const existing = reservations.filter((r) => r.resourceId === resourceId)
    const kindRoll = rnd()
    let command: ReservationCommand
    if (kindRoll < 0.55 || existing.length === 0) {
      const id = `rsv-${options.runId}-${counter}`
      const invalid = rnd() < 0.03
      command = {
        ...base,
        type: 'CreateReservation',
        reservationId: id,
        customerId: `cust-${Math.floor(rnd() * 50)}`,
        start: new Date(today + (invalid ? from + 2 : from) * DAY).toISOString(),
        end: new Date(today + from * DAY + (invalid ? 0 : nights * DAY)).toISOString(),
        quantity: 1 + (rnd() < 0.2 ? 1 : 0),
        waitlistIfUnavailable: rnd() < 0.3,
        promotionCode: null,
      }
      reservations.push({ id, resourceId })
    } else {
      const target = pick(existing).id
      const k = rnd()
      if (k < 0.35) command = { ...base, type: 'CancelReservation', reservationId: target, reason: null }
      else if (k < 0.6)
        command = {
          ...base,
          type: 'ModifyReservation',
          reservationId: target,
          start: null,
          end: new Date(today + (from + nights) * DAY).toISOString(),
          quantity: null,
        }
      else if (k < 0.7) command = { ...base, type: 'ExpireReservation', reservationId: target }
      else if (k < 0.8) command = { ...base, type: 'SendReservationConfirmation', reservationId: target }
      else if (k < 0.88) command = { ...base, type: 'ProcessOverreservation', start: null, end: null }
      else if (k < 0.94)
        command = {
          ...base,
          type: 'AddToWaitlist',
          waitlistEntryId: `wl-${options.runId}-${counter}`,
          customerId: 'cust-w',
          start: new Date(today + from * DAY).toISOString(),
          end: new Date(today + (from + 1) * DAY).toISOString(),
          quantity: 1,
        }
      else command = { ...base, type: 'Checkin', reservationId: target }
    }
    sent.push(command)
    records.push({
      topic: 'commands',
      key: resourceId,
      value: { kind: 'valid', data: command },
      timestamp: time,
    })
  }
  return { records, resources }
}

/** A workload record as the producer sends it: encoded with the service's codecs, to the named topic. */
export function encodeWorkloadRecord(
  record: WorkloadRecord,
  codecs: ReservationCodecs,
  topics: { readonly commands: string; readonly payments: string; readonly resources: string },
): { topic: string; key: Buffer; value: Buffer; timestamp: number } {
  const { value } = record
  return {
    topic: topics[record.topic],
    key: Buffer.from(record.key),
    value:
      value.kind === 'bad'
        ? value.bytes
        : record.topic === 'commands'
          ? codecs.command.encode(value.data as ReservationCommand)
          : record.topic === 'payments'
            ? codecs.payment.encode(value.data as PaymentEvent)
            : codecs.resource.encode(value.data as ResourceDefinition),
    timestamp: record.timestamp,
  }
}
