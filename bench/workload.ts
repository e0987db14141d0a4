// The benchmark's workload: resource definitions and a stream of reservation commands (keyed by resourceId)
// and payment events (keyed by reservationId), in the JSON format both the TypeScript service
// (RESERVATION_FORMAT=json) and the Kafka Streams application read. Deterministic for a seed.
//
// Each booking is a CreateReservation; later in the stream (followUpDelay records after it) come, for 5%,
// a CancelReservation, for another 5% a ModifyReservation, and after that its PaymentAuthorized (90%) and
// PaymentCompleted (95% of those), each a followUpDelay after the one before. Resources are picked
// uniformly or by a Zipf law (rank 1 the hottest); 70% are hotel rooms (1440-minute slots, 1–4 nights in 2030), 30% restaurant tables (30-minute slots, 1–4 slots
// between 17:00 and 22:00). Capacities are sized from the expected load so that few creates are rejected.

export type Distribution = { readonly kind: 'uniform' } | { readonly kind: 'zipf'; readonly exponent: number }

export interface WorkloadOptions {
  readonly seed: number
  readonly resources: number
  readonly distribution: Distribution
  /** Input records to generate (commands and payments together). */
  readonly records: number
  /** Distinguishes the ids of one generation from another's (backlog vs live phase). */
  readonly idPrefix: string
  /** How many records after its create a booking's follow-ups come, [min, max]. */
  readonly followUpDelay: readonly [number, number]
  /** The `issuedAt` / `occurredAt` written into the record at a position. */
  readonly clock?: (position: number) => number
}

export interface ResourceRecord {
  readonly key: string
  readonly value: Buffer
}

export const recordKinds = [
  'CreateReservation',
  'CancelReservation',
  'ModifyReservation',
  'PaymentAuthorized',
  'PaymentCompleted',
] as const
export type RecordKind = (typeof recordKinds)[number]

export interface WorkloadRecord {
  readonly topic: 'commands' | 'payments'
  readonly kind: RecordKind
  readonly key: string
  readonly value: Buffer
  /** commandId or paymentId: the causationId of the outcome event. */
  readonly id: string
  readonly position: number
  readonly resourceIndex: number
}

const YEAR_2030 = Date.UTC(2030, 0, 1)
const DAY = 86_400_000
const HOTEL_DAYS = 365
const RESTAURANT_DAYS = 90
const RESTAURANT_SLOTS_PER_DAY = 10 // 17:00 .. 22:00
/** Records per booking: 1 create + 0.9 authorized + 0.855 completed + 0.1 cancel/modify. */
export const recordsPerBooking = 1 + 0.9 + 0.9 * 0.95 + 0.1

/** mulberry32: a small, fast, seedable PRNG with uniform floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Probability of each resource index under the distribution (sums to 1). */
export function resourceWeights(count: number, distribution: Distribution): number[] {
  if (distribution.kind === 'uniform') return new Array<number>(count).fill(1 / count)
  const raw = Array.from({ length: count }, (_, k) => 1 / Math.pow(k + 1, distribution.exponent))
  const total = raw.reduce((a, b) => a + b, 0)
  return raw.map((w) => w / total)
}

/** Picks indexes with the given probabilities (inverse CDF, binary search). */
export function sampler(weights: readonly number[], random: () => number): () => number {
  const cdf: number[] = []
  let sum = 0
  for (const w of weights) cdf.push((sum += w))
  return () => {
    const u = random() * sum
    let lo = 0
    let hi = cdf.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cdf[mid]! > u) hi = mid
      else lo = mid + 1
    }
    return lo
  }
}

export function resourceId(index: number): string {
  return `res-${String(index).padStart(5, '0')}`
}

function isHotel(index: number): boolean {
  return index % 10 < 7
}

/** Resource definitions, capacities sized for `records` input records under the distribution. */
export function resourceDefinitions(
  options: Pick<WorkloadOptions, 'resources' | 'distribution' | 'records'>,
): ResourceRecord[] {
  const weights = resourceWeights(options.resources, options.distribution)
  const bookings = options.records / recordsPerBooking
  return weights.map((weight, index) => {
    const hotel = isHotel(index)
    // expected units per slot: bookings × share × mean units (1.5) × mean slots (2.5) / slots in the horizon
    const slots = hotel ? HOTEL_DAYS : RESTAURANT_DAYS * RESTAURANT_SLOTS_PER_DAY
    const load = (bookings * weight * 1.5 * 2.5) / slots
    const definition = {
      resourceId: resourceId(index),
      category: hotel ? 'hotel-room' : 'restaurant-table',
      capacity: Math.ceil(10 + 4 * load),
      slotMinutes: hotel ? 1440 : 30,
      overbookingLimit: 0,
      priceCentsPerUnitSlot: hotel ? 12_900 + (index % 7) * 1000 : 2_500 + (index % 5) * 500,
    }
    return { key: definition.resourceId, value: Buffer.from(JSON.stringify(definition)) }
  })
}

interface Booking {
  readonly reservationId: string
  readonly resourceIndex: number
  readonly start: number
  readonly end: number
  readonly slotMs: number
  readonly quantity: number
  readonly amountCents: number
}

interface FollowUp {
  readonly due: number
  readonly seq: number
  readonly kind: Exclude<RecordKind, 'CreateReservation'>
  readonly booking: Booking
}

/** A binary min-heap of follow-ups by (due, seq). */
class FollowUps {
  private readonly items: FollowUp[] = []
  get size(): number {
    return this.items.length
  }
  peek(): FollowUp | undefined {
    return this.items[0]
  }
  push(item: FollowUp): void {
    const items = this.items
    items.push(item)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(items[i]!, items[parent]!)) break
      ;[items[i], items[parent]] = [items[parent]!, items[i]!]
      i = parent
    }
  }
  pop(): FollowUp | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (items.length > 0 && last) {
      items[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < items.length && before(items[l]!, items[m]!)) m = l
        if (r < items.length && before(items[r]!, items[m]!)) m = r
        if (m === i) break
        ;[items[i], items[m]] = [items[m]!, items[i]!]
        i = m
      }
    }
    return top
  }
}

function before(a: FollowUp, b: FollowUp): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq)
}

/** An id shaped like a UUID (36 characters), from the PRNG. */
function uuidLike(random: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('')
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`
}

const iso = (ms: number) => new Date(ms).toISOString()

/** The records of the workload, in stream order, generated lazily. */
export function* workloadRecords(options: WorkloadOptions): Generator<WorkloadRecord> {
  const random = prng(options.seed)
  const pick = sampler(resourceWeights(options.resources, options.distribution), random)
  const clock = options.clock ?? ((position: number) => 1_700_000_000_000 + position)
  const [minDelay, maxDelay] = options.followUpDelay
  const delay = () => minDelay + Math.floor(random() * (maxDelay - minDelay + 1))
  const pending = new FollowUps()
  let seq = 0
  let bookings = 0
  for (let position = 0; position < options.records; position++) {
    const due = pending.peek()
    if (due && due.due <= position) {
      pending.pop()
      yield followUp(due, position, clock(position), random)
      continue
    }
    const booking = newBooking(options.idPrefix, bookings++, pick(), random)
    const commandId = uuidLike(random)
    const command = {
      commandId,
      type: 'CreateReservation',
      resourceId: resourceId(booking.resourceIndex),
      issuedAt: clock(position),
      reservationId: booking.reservationId,
      customerId: `cust-${String(Math.floor(random() * 1_000_000)).padStart(6, '0')}`,
      start: iso(booking.start),
      end: iso(booking.end),
      quantity: booking.quantity,
    }
    yield {
      topic: 'commands',
      kind: 'CreateReservation',
      key: command.resourceId,
      value: Buffer.from(JSON.stringify(command)),
      id: commandId,
      position,
      resourceIndex: booking.resourceIndex,
    }
    // a change comes before the booking's payments: the other order would race (a payment reaches the
    // decider through the router and a repartition topic, a change directly), and which one wins would
    // depend on timing — the systems would then do different work
    const change = random()
    const changeKind = change < 0.05 ? 'CancelReservation' : change < 0.1 ? 'ModifyReservation' : undefined
    const changedAt = changeKind === undefined ? position : position + delay()
    if (changeKind !== undefined) pending.push({ due: changedAt, seq: seq++, kind: changeKind, booking })
    if (random() < 0.9) {
      const authorizedAt = changedAt + delay()
      pending.push({ due: authorizedAt, seq: seq++, kind: 'PaymentAuthorized', booking })
      if (random() < 0.95)
        pending.push({ due: authorizedAt + delay(), seq: seq++, kind: 'PaymentCompleted', booking })
    }
  }
}

function newBooking(prefix: string, n: number, resourceIndex: number, random: () => number): Booking {
  const hotel = isHotel(resourceIndex)
  const quantity = random() < 0.5 ? 1 : 2
  const slots = 1 + Math.floor(random() * 4)
  const slotMs = hotel ? DAY : 30 * 60_000
  const start = hotel
    ? YEAR_2030 + Math.floor(random() * HOTEL_DAYS) * DAY
    : YEAR_2030 +
      Math.floor(random() * RESTAURANT_DAYS) * DAY +
      17 * 3_600_000 +
      Math.floor(random() * (RESTAURANT_SLOTS_PER_DAY - 3)) * slotMs
  const priceCentsPerUnitSlot = hotel
    ? 12_900 + (resourceIndex % 7) * 1000
    : 2_500 + (resourceIndex % 5) * 500
  return {
    reservationId: `rsv-${prefix}-${String(n).padStart(9, '0')}`,
    resourceIndex,
    start,
    end: start + slots * slotMs,
    slotMs,
    quantity,
    amountCents: priceCentsPerUnitSlot * slots * quantity,
  }
}

function followUp(item: FollowUp, position: number, now: number, random: () => number): WorkloadRecord {
  const { booking } = item
  const resource = resourceId(booking.resourceIndex)
  switch (item.kind) {
    case 'PaymentAuthorized':
    case 'PaymentCompleted': {
      const paymentId = uuidLike(random)
      const payment = {
        paymentId,
        type: item.kind,
        reservationId: booking.reservationId,
        amountCents: booking.amountCents,
        method: random() < 0.7 ? 'card' : 'paypal',
        occurredAt: now,
      }
      return {
        topic: 'payments',
        kind: item.kind,
        key: booking.reservationId,
        value: Buffer.from(JSON.stringify(payment)),
        id: paymentId,
        position,
        resourceIndex: booking.resourceIndex,
      }
    }
    case 'CancelReservation':
    case 'ModifyReservation': {
      const commandId = uuidLike(random)
      const command =
        item.kind === 'CancelReservation'
          ? {
              commandId,
              type: item.kind,
              resourceId: resource,
              issuedAt: now,
              reservationId: booking.reservationId,
              reason: 'customer request',
            }
          : {
              commandId,
              type: item.kind,
              resourceId: resource,
              issuedAt: now,
              reservationId: booking.reservationId,
              start: null,
              end: iso(booking.end + booking.slotMs),
              quantity: booking.quantity,
            }
      return {
        topic: 'commands',
        kind: item.kind,
        key: resource,
        value: Buffer.from(JSON.stringify(command)),
        id: commandId,
        position,
        resourceIndex: booking.resourceIndex,
      }
    }
  }
}
