// A backlog of commands and payments for the Reservation Service (issue #11): a randomised workload
// (reservation-workload.ts: repeated and invalid records mixed in, every payment stamped no earlier than its
// reservation's command) of which a share is published BEFORE the service starts, the rest in bursts while
// it runs — optionally SIGKILLing it twice between bursts. Then the event log and the DLQ are audited: every
// payment whose reservation had been created at or before the payment's timestamp must be applied, none
// dead-lettered. Used by test/processors/backlog.test.ts and by `npm run backlog` (tools/backlog/cli.ts).
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createKafkaClient, type ConsumedRecord, type KafkaClient } from '../../kafka/index.js'
import { reservationCodecs } from '../../processors/service-codecs.js'
import type { PaymentEvent, ReservationCommand, ReservationEvent } from '../../schemas/index.js'
import { configFromEnv } from '../../service/config.js'
import { serviceTopicSpecs } from '../../service/topics.js'
import { dlqHeaders } from '../../topology/index.js'
import { startChild, type ChildApp } from './child-app.js'
import { encodeWorkloadRecord, reservationWorkload } from './reservation-workload.js'
import { namedServiceEnv } from './service-env.js'

export interface BacklogOptions {
  readonly brokers: readonly string[]
  readonly commands: number
  readonly resources: number
  /** SIGKILLs of the service between bursts (0, 1 or 2). */
  readonly kills: number
  readonly seed: number
  /** Share of the records published before the service starts. */
  readonly preloaded: number
  readonly bursts: number
  /** Extra environment for the service (e.g. STRAY_PAYMENT_GRACE_MS). */
  readonly env?: Readonly<Record<string, string>>
  readonly log?: (line: string) => void
  /** Where the service app lives (relative to the working directory). */
  readonly app?: string
}

export interface BacklogResult {
  readonly records: number
  readonly validPayments: number
  /** Payments whose reservation was created at or before the payment's timestamp. */
  readonly eligible: number
  /** Eligible payments with their outcome event (PaymentAuthorized/Completed/Failed or RefundRequested). */
  readonly applied: number
  /** Eligible payments dead-lettered (must be 0). */
  readonly eligibleDeadLettered: number
  /** Eligible payments neither applied nor dead-lettered. */
  readonly missing: number
  /** Every valid payment dead-lettered, eligible or not (payments for rejected creations are stray). */
  readonly paymentsDeadLettered: number
  readonly events: number
  readonly killed: number
  readonly elapsedMs: number
  /** A few eligible payments dead-lettered or missing, with the DLQ reason, for the report. */
  readonly examples: readonly string[]
}

const paymentOutcomes: ReadonlySet<ReservationEvent['type']> = new Set([
  'PaymentAuthorized',
  'PaymentCompleted',
  'PaymentFailed',
  'RefundRequested',
])

export async function runBacklog(options: BacklogOptions): Promise<BacklogResult> {
  const started = Date.now()
  const log = options.log ?? (() => {})
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'backlog-'))
  const name = `backlog-${Math.random().toString(36).slice(2, 10)}`
  const env = namedServiceEnv(name, {
    RESERVATION_FORMAT: 'json',
    KAFKA_BROKERS: options.brokers.join(','),
    STATE_DIR: stateDir,
    INSTANCE_ID: 'backlog',
    COMMIT_INTERVAL_MS: '1000',
    HOLD_TIMEOUT_MS: String(15 * 60_000),
    ...options.env,
  })
  const config = configFromEnv(env)
  const codecs = await reservationCodecs('json', config.topics)
  const workload = reservationWorkload({
    seed: options.seed,
    resources: options.resources,
    commands: options.commands,
    start: Date.now() - 3 * 3_600_000 - options.commands * 1000,
    runId: name.slice(-8),
  })
  const kafka: KafkaClient = createKafkaClient({ brokers: [...options.brokers], clientId: 'backlog' })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics(serviceTopicSpecs(config.topics, config.layout))
  const producer = kafka.producer()
  await producer.connect()
  const topicOf = {
    commands: config.topics.commands,
    payments: config.topics.payments,
    resources: config.topics.resources,
  }
  const publish = async (from: number, to: number) => {
    for (let i = from; i < to; i += 500) {
      await producer.send(
        workload.records.slice(i, Math.min(to, i + 500)).map((r) => encodeWorkloadRecord(r, codecs, topicOf)),
      )
    }
  }

  const app = options.app ?? 'test/support/apps/service-app.ts'
  let child: ChildApp | undefined
  let killed = 0
  try {
    const total = workload.records.length
    const preloaded = Math.floor(total * options.preloaded)
    await publish(0, preloaded)
    log(`published ${preloaded} of ${total} records before the service started`)
    child = startChild(app, env)
    await child.waitFor('READY', 90_000)
    const burst = Math.ceil((total - preloaded) / options.bursts)
    // the kills fall after the first and the middle burst, while the backlog is still being worked off
    const killAfter = new Set([0, Math.floor(options.bursts / 2)].slice(0, options.kills))
    for (let b = 0; b < options.bursts; b++) {
      await publish(preloaded + b * burst, Math.min(total, preloaded + (b + 1) * burst))
      await new Promise((resolve) => setTimeout(resolve, 300))
      if (killAfter.has(b)) {
        await child.kill('SIGKILL')
        killed += 1
        log(`SIGKILL ${killed} after burst ${b + 1}`)
        child = startChild(app, env)
        await child.waitFor('READY', 90_000)
      }
    }
    log(`published all ${total} records; waiting for the service to catch up`)
    await caughtUp(kafka, config.applicationId, [...Object.values(topicOf)], () => child!.output())
    await child.kill('SIGTERM')
    child = undefined

    const eventRecords = await readTopic(kafka, config.topics.events)
    const events = eventRecords.map((r) => codecs.event.decode(r.value!))
    const dead = await readTopic(kafka, config.topics.dlq)
    return {
      ...audit(workload.records, events, dead, config.topics.payments, (bytes) =>
        codecs.payment.decode(bytes),
      ),
      records: workload.records.length,
      events: events.length,
      killed,
      elapsedMs: Date.now() - started,
    }
  } finally {
    await child?.kill('SIGKILL').catch(() => undefined)
    await producer.disconnect().catch(() => undefined)
    await admin.disconnect().catch(() => undefined)
    await rm(stateDir, { recursive: true, force: true })
  }
}

/** A whole topic as committed (read_committed), every partition to its end. */
async function readTopic(kafka: KafkaClient, topic: string): Promise<ConsumedRecord[]> {
  const admin = kafka.admin()
  await admin.connect()
  const reader = kafka.reader()
  try {
    const partitions = (await admin.endOffsets(topic)).map((e) => e.partition)
    const records: ConsumedRecord[] = []
    await reader.readAllToEnd(
      partitions.map((partition) => ({ partition: { topic, partition }, from: 'earliest' as const })),
      (_, batch) => {
        records.push(...batch)
      },
    )
    return records
  } finally {
    await reader.close()
    await admin.disconnect()
  }
}

/**
 * Every input, internal repartition topics included, committed past its last record twice in a row (500 ms
 * apart): nothing is read from the committed offsets on (read_committed; the commit markers that end a
 * transactional topic, one per producer writing it, are no records).
 */
async function caughtUp(
  kafka: KafkaClient,
  applicationId: string,
  external: readonly string[],
  output: () => string,
): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  const reader = kafka.reader()
  try {
    const inputs = [
      ...external,
      `${applicationId}-reservation-routes-repartition`,
      `${applicationId}-payments-by-resource-repartition`,
    ]
    const deadline = Date.now() + 180_000
    for (let stable = 0; stable < 2;) {
      const lagging: string[] = []
      for (const topic of inputs) {
        const committed = await admin.committedOffsets(applicationId, topic)
        for (const { partition } of await admin.endOffsets(topic)) {
          const at = committed.find((c) => c.partition === partition)?.offset
          let unread = 0
          await reader.readToEnd({ topic, partition }, at ?? 'earliest', (records) => {
            unread += records.length
          })
          if (unread > 0) lagging.push(`${topic}-${partition}: ${unread} after ${at ?? 'nothing'}`)
        }
      }
      stable = lagging.length === 0 ? stable + 1 : 0
      if (Date.now() > deadline)
        throw new Error(`service did not catch up (${lagging.join(', ')}):\n${output().slice(-3000)}`)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  } finally {
    await reader.close()
    await admin.disconnect()
  }
}

function audit(
  records: ReturnType<typeof reservationWorkload>['records'],
  events: readonly ReservationEvent[],
  dead: readonly { readonly headers: Record<string, Buffer>; readonly value: Buffer | null }[],
  paymentsTopic: string,
  decodePayment: (bytes: Buffer) => PaymentEvent,
): Omit<BacklogResult, 'records' | 'events' | 'killed' | 'elapsedMs'> {
  const commandTime = new Map<string, number>()
  const payments: { payment: PaymentEvent; timestamp: number }[] = []
  for (const r of records) {
    if (r.value.kind !== 'valid') continue
    if (r.topic === 'commands') {
      const id = (r.value.data as ReservationCommand).commandId
      if (!commandTime.has(id)) commandTime.set(id, r.timestamp)
    } else if (r.topic === 'payments')
      payments.push({ payment: r.value.data as PaymentEvent, timestamp: r.timestamp })
  }
  // when each reservation was created: its command's timestamp (a waitlist promotion: the event's stream time)
  const createdAt = new Map<string, number>()
  const outcomes = new Set<string>()
  for (const e of events) {
    if (e.type === 'ReservationCreated') {
      const at = commandTime.get(e.causationId) ?? e.occurredAt
      createdAt.set(e.reservationId, Math.min(at, createdAt.get(e.reservationId) ?? at))
    }
    if (paymentOutcomes.has(e.type)) outcomes.add(e.causationId)
  }
  const deadReasons = new Map<string, string>()
  for (const d of dead) {
    // the router dead-letters a payment read from the payments topic; the decider one it was routed
    // (read from the repartition topic) whose reservation it no longer holds
    const source = d.headers[dlqHeaders.topic]?.toString()
    const payment = source === paymentsTopic || source?.endsWith('-payments-by-resource-repartition')
    if (!payment || d.value === null) continue
    try {
      deadReasons.set(decodePayment(d.value).paymentId, d.headers[dlqHeaders.reason]?.toString() ?? '')
    } catch {
      // not a payment (an undecodable record): not ours to count
    }
  }
  let eligible = 0
  let applied = 0
  let eligibleDeadLettered = 0
  let missing = 0
  const examples: string[] = []
  for (const { payment, timestamp } of payments) {
    const created = createdAt.get(payment.reservationId)
    if (created === undefined || created > timestamp) continue
    eligible += 1
    if (outcomes.has(payment.paymentId)) applied += 1
    else if (deadReasons.has(payment.paymentId)) {
      eligibleDeadLettered += 1
      if (examples.length < 5) examples.push(`${payment.paymentId}: ${deadReasons.get(payment.paymentId)}`)
    } else {
      missing += 1
      if (examples.length < 5) examples.push(`${payment.paymentId}: neither applied nor dead-lettered`)
    }
  }
  return {
    validPayments: payments.length,
    eligible,
    applied,
    eligibleDeadLettered,
    missing,
    paymentsDeadLettered: payments.filter((p) => deadReasons.has(p.payment.paymentId)).length,
    examples,
  }
}
