// Bounded state (spec §9): a simulated year of hotel traffic through the whole service topology on the
// broker-free test driver. With retention, every store's key count levels off once the first retention
// period has passed; without it, the stores keep growing. The event log keeps G1–G5 either way, and a
// command repeated within DEDUP_RETENTION_MS emits nothing.
import { describe, expect, it } from 'vitest'
import {
  checkInvariants,
  defaultDecisionConfig,
  resourceHistory,
  type CommandSent,
  type DecisionConfig,
} from '../../processors/domain/index.js'
import {
  paymentRoutesRef,
  pendingPaymentsRef,
  reservationStoreRefs,
} from '../../processors/reservation-stores.js'
import { reservationTopology, type ReservationTopics } from '../../processors/reservation-topology.js'
import { reservationCodecs } from '../../processors/service-codecs.js'
import type {
  PaymentEvent,
  ReservationCommand,
  ReservationEvent,
  ResourceDefinition,
} from '../../schemas/index.js'
import { TopologyTestDriver } from '../../topology/index.js'

const topics: ReservationTopics = {
  commands: 'reservation-commands',
  payments: 'payments',
  resources: 'resources',
  promotions: 'promotions',
  events: 'reservation',
  notifications: 'reservation-notifications',
}
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const T0 = Date.UTC(2030, 0, 1)
const PARTITIONS = 2
const PUNCTUATION_MS = 10 * MINUTE
const CREATES_PER_DAY = 8
const YEAR_END = T0 + 365 * DAY
const stores = [...Object.values(reservationStoreRefs), paymentRoutesRef, pendingPaymentsRef]

/** mulberry32: deterministic for a seed. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Action =
  | {
      readonly at: number
      readonly kind: 'command'
      readonly command: ReservationCommand
      /** A redelivery of a command already sent. */
      readonly repeat?: boolean
    }
  | { readonly at: number; readonly kind: 'payment'; readonly payment: PaymentEvent }

/** Key counts per store (all partitions) at the end of each simulated month. */
type Samples = { readonly day: number; readonly keys: Readonly<Record<string, number>> }[]

async function simulateYear(decision: DecisionConfig) {
  const codecs = await reservationCodecs('json', topics)
  const driver = new TopologyTestDriver(
    reservationTopology({
      topics,
      codecs,
      decision,
      punctuationIntervalMs: PUNCTUATION_MS,
      strayPaymentGraceMs: 5 * MINUTE,
    }),
    { partitions: PARTITIONS, deadLetterTopic: 'reservation-dlq', applicationId: 'year' },
  )
  const next = random(42)
  const int = (below: number) => Math.floor(next() * below)
  const resources: ResourceDefinition[] = Array.from({ length: 6 }, (_, i) => ({
    resourceId: `room-type-${i}`,
    category: 'hotel-room',
    capacity: 4,
    slotMinutes: 1440,
    overbookingLimit: 0,
    priceCentsPerUnitSlot: 10_000 + 1000 * i,
  }))
  for (const definition of resources) {
    await driver.pipeRaw(
      topics.resources,
      Buffer.from(definition.resourceId),
      codecs.resource.encode(definition),
      { timestamp: T0 },
    )
  }
  const log: ReservationEvent[] = []
  const commands: CommandSent[] = []
  const queue: Action[] = []
  const schedule = (action: Action) => {
    if (action.at >= YEAR_END) return
    let i = queue.length
    while (i > 0 && queue[i - 1]!.at > action.at) i--
    queue.splice(i, 0, action)
  }
  let counter = 0
  let repeatsIgnored = 0
  for (let day = 0; day < 365; day++) {
    for (let n = 0; n < CREATES_PER_DAY; n++) {
      const resourceId = resources[int(resources.length)]!.resourceId
      const start = T0 + (day + 1 + int(60)) * DAY
      const id = `r${++counter}`
      schedule({
        at: T0 + day * DAY + n * (DAY / CREATES_PER_DAY) + int(HOUR),
        kind: 'command',
        command: {
          type: 'CreateReservation',
          commandId: `create-${id}`,
          resourceId,
          issuedAt: 0,
          reservationId: id,
          customerId: `guest-${int(500)}`,
          start: new Date(start).toISOString(),
          end: new Date(start + (1 + int(4)) * DAY).toISOString(),
          quantity: 1 + int(2),
          waitlistIfUnavailable: next() < 0.3,
          promotionCode: null,
        },
      })
    }
  }
  const stays = new Map<string, { start: number; end: number }>()
  const samples: Samples = []
  let nextSample = T0 + 30 * DAY
  const sample = async (day: number) => {
    const keys: Record<string, number> = {}
    for (const ref of stores) {
      keys[ref.name] = 0
      for (let p = 0; p < PARTITIONS; p++) {
        for await (const _ of (await driver.store(ref, p)).range()) keys[ref.name]! += 1
      }
    }
    samples.push({ day, keys })
  }
  const pipe = async (action: Action) => {
    const [topic, key, value] =
      action.kind === 'command'
        ? [topics.commands, action.command.resourceId, codecs.command.encode(action.command)]
        : [topics.payments, action.payment.reservationId, codecs.payment.encode(action.payment)]
    await driver.pipeRaw(topic, Buffer.from(key), value, { timestamp: action.at })
    return driver.readRawOutput(topics.events).map((r) => codecs.event.decode(r.value!))
  }
  while (queue.length > 0) {
    const action = queue.shift()!
    while (action.at >= nextSample) {
      await sample(Math.round((nextSample - T0) / DAY))
      nextSample += 30 * DAY
    }
    const events = await pipe(action)
    log.push(...events)
    if (action.kind === 'command' && action.repeat === true) {
      // a redelivery within DEDUP_RETENTION_MS: nothing new (the events of punctuations may come along)
      const caused = events.filter((e) => e.causationId === action.command.commandId)
      if (caused.length > 0) throw new Error(`repeated ${action.command.commandId} emitted ${caused.length}`)
      repeatsIgnored++
    } else if (action.kind === 'command') {
      commands.push({
        commandId: action.command.commandId,
        type: action.command.type,
        resourceId: action.command.resourceId,
      })
      if (next() < 0.05) schedule({ ...action, at: action.at + int(3 * DAY), repeat: true })
    }
    for (const event of events) followUp(event, action.at)
  }
  await sample(365)
  const tombstones: Record<string, number> = {}
  for (const ref of stores) {
    const changelog = driver.readRawOutput(`year-${ref.name}-changelog`)
    tombstones[ref.name] = changelog.filter((r) => r.value === null).length
  }
  await driver.close()
  return { samples, log, commands, resources, repeatsIgnored, tombstones }

  /** What guests do next: pay (most), cancel (some), check in and out (the paid ones). */
  function followUp(event: ReservationEvent, at: number): void {
    const command = (type: string, fields: object, when: number) =>
      schedule({
        at: when,
        kind: 'command',
        command: {
          type,
          commandId: `${type}-${event.reservationId}`,
          resourceId: event.resourceId,
          issuedAt: 0,
          reservationId: event.reservationId,
          ...fields,
        } as ReservationCommand,
      })
    const payment = (type: PaymentEvent['type'], amountCents: number, when: number) =>
      schedule({
        at: when,
        kind: 'payment',
        payment: {
          type,
          paymentId: `${type}-${event.reservationId}`,
          reservationId: event.reservationId!,
          amountCents,
          method: 'card',
          occurredAt: when,
          ...(type === 'PaymentFailed' ? { reason: 'declined' } : {}),
        } as PaymentEvent,
      })
    if (event.type === 'ReservationCreated') {
      stays.set(event.reservationId, { start: Date.parse(event.start), end: Date.parse(event.end) })
      const roll = next()
      if (roll < 0.85) {
        payment('PaymentAuthorized', event.priceCents, at + 2 * MINUTE)
        payment('PaymentCompleted', event.priceCents, at + 5 * MINUTE)
      } else if (roll < 0.9) {
        payment('PaymentFailed', event.priceCents, at + 2 * MINUTE) // then the hold expires
      }
      if (next() < 0.08) command('CancelReservation', { reason: null }, at + HOUR + int(5 * DAY))
    }
    const stay = stays.get(event.reservationId ?? '')
    if (event.type === 'ReservationFinalized' && stay !== undefined)
      command('Checkin', {}, Math.max(at + MINUTE, stay.start + 15 * HOUR))
    if (event.type === 'ReservationCheckedIn' && stay !== undefined)
      command('Checkout', {}, stay.end + 10 * HOUR)
    if (event.type === 'ReservationCheckedOut') stays.delete(event.reservationId)
  }
}

function table(samples: Samples): string {
  const names = Object.keys(samples[0]!.keys)
  const rows = samples.map((s) => [`day ${s.day}`, ...names.map((n) => String(s.keys[n]))])
  return [['', ...names], ...rows].map((r) => r.map((c) => c.padStart(9)).join(' ')).join('\n')
}

// A year of traffic is CPU-bound work on the test driver: ~25 s (without retention) and ~55 s (with it,
// invariants checked over the whole log) on this 2-core machine at load 18. The timeout only guards a hang.
const SIMULATED_YEAR_TIMEOUT_MS = 240_000

describe('state over a simulated year of traffic', () => {
  it(
    'levels off with retention: key counts after the first retention period stay within a band, and G1–G5 hold',
    async () => {
      const started = Date.now()
      const { samples, log, commands, resources, repeatsIgnored, tombstones } =
        await simulateYear(defaultDecisionConfig)
      console.log(`with retention (${Date.now() - started} ms):\n${table(samples)}`)
      console.log(`changelog tombstones: ${JSON.stringify(tombstones)}`)
      // after 30 days of retention plus the 60-day booking horizon and the longest stay the state is steady
      const steady = samples.filter((s) => s.day >= 120)
      for (const store of [
        'reservations',
        'reservation-index',
        'slots',
        'retention-index',
        'commands',
        'command-index',
        'payment-routes',
      ]) {
        const counts = steady.map((s) => s.keys[store]!)
        expect(Math.max(...counts), `${store}: ${counts.join(', ')}`).toBeLessThanOrEqual(1.25 * counts[0]!)
      }
      // removal reached the changelogs: a restore does not bring the data back
      for (const store of ['reservations', 'retention-index', 'commands', 'command-index', 'payment-routes'])
        expect(tombstones[store], store).toBeGreaterThan(1000)
      const violations = checkInvariants(log, {
        resourceAt: resourceHistory(resources.map((definition) => ({ at: T0, definition }))),
        commands,
        holdTimeoutMs: defaultDecisionConfig.holdTimeoutMs,
        punctuationIntervalMs: PUNCTUATION_MS,
        retentionMs: defaultDecisionConfig.retentionMs,
      })
      expect(violations.slice(0, 5)).toEqual([])
      expect(repeatsIgnored).toBeGreaterThan(100)
    },
    SIMULATED_YEAR_TIMEOUT_MS,
  )

  it(
    'keeps growing without retention',
    async () => {
      const forever = 100 * 365 * DAY
      const started = Date.now()
      const { samples } = await simulateYear({
        ...defaultDecisionConfig,
        retentionMs: forever,
        dedupRetentionMs: forever,
      })
      console.log(`without retention (${Date.now() - started} ms):\n${table(samples)}`)
      const at = (day: number, store: string) => samples.find((s) => s.day === day)!.keys[store]!
      for (const store of [
        'reservations',
        'commands',
        'command-index',
        'payment-routes',
        'retention-index',
      ]) {
        expect(at(360, store), store).toBeGreaterThan(2.5 * at(120, store))
      }
    },
    SIMULATED_YEAR_TIMEOUT_MS,
  )
})
