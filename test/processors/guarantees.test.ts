// Guarantees G1–G6 of spec §7, audited from the whole event log after a randomised workload of thousands
// of commands and payments over tens of resources — with repeated command ids, invalid commands and
// undecodable records mixed in — once undisturbed and once with the service SIGKILLed twice mid-run.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkInvariants, resourceHistory, type CommandSent } from '../../processors/domain/index.js'
import { reservationCodecs } from '../../processors/service-codecs.js'
import type { ReservationCommand, ReservationEvent } from '../../schemas/index.js'
import { configFromEnv } from '../../service/config.js'
import { dlqHeaders } from '../../topology/index.js'
import { startChild, type ChildApp } from '../support/child-app.js'
import { brokers, client, collect } from '../support/kafka.js'
import { encodeWorkloadRecord, reservationWorkload } from '../support/reservation-workload.js'
import { serviceEnv } from '../support/service.js'

const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

const COMMANDS = 2500
const HOLD_TIMEOUT_MS = 15 * 60_000
const PUNCTUATION_MS = 10_000

async function runWorkload(kills: number) {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'guarantees-'))
  dirs.push(stateDir)
  const env = serviceEnv(`g${kills}`, {
    RESERVATION_FORMAT: 'json',
    KAFKA_BROKERS: brokers().join(','),
    STATE_DIR: stateDir,
    COMMIT_INTERVAL_MS: '1000',
    INSTANCE_ID: 'guarantees',
    PUNCTUATION_INTERVAL_MS: String(PUNCTUATION_MS),
    HOLD_TIMEOUT_MS: String(HOLD_TIMEOUT_MS),
  })
  const config = configFromEnv(env)
  const codecs = await reservationCodecs('json', config.topics)
  const runId = env['APPLICATION_ID']!.slice(-8)
  const workload = reservationWorkload({
    seed: 42 + kills,
    resources: 30,
    commands: COMMANDS,
    start: Date.now() - 2 * 3_600_000,
    runId,
  })

  let child: ChildApp = startChild('test/support/apps/service-app.ts', env)
  await child.waitFor('READY', 90_000)
  const kafka = client()
  const producer = kafka.producer()
  await producer.connect()
  const topicOf = {
    commands: config.topics.commands,
    payments: config.topics.payments,
    resources: config.topics.resources,
  }
  const chunk = Math.ceil(workload.records.length / 8)
  let killed = 0
  for (let i = 0; i < workload.records.length; i += chunk) {
    await producer.send(
      workload.records.slice(i, i + chunk).map((r) => encodeWorkloadRecord(r, codecs, topicOf)),
    )
    await new Promise((resolve) => setTimeout(resolve, 400))
    if (killed < kills && (i / chunk === 2 || i / chunk === 5)) {
      await child.kill('SIGKILL')
      killed++
      child = startChild('test/support/apps/service-app.ts', env)
      await child.waitFor('READY', 90_000)
    }
  }
  await producer.disconnect()

  // caught up: every input, internal repartition topics included, committed to its end twice in a row
  const admin = kafka.admin()
  await admin.connect()
  const inputs = [
    ...Object.values(topicOf),
    `${config.applicationId}-reservation-routes-repartition`,
    `${config.applicationId}-payments-by-resource-repartition`,
  ]
  const deadline = Date.now() + 120_000
  for (let stable = 0; stable < 2;) {
    let done = true
    for (const topic of inputs) {
      const end = await admin.endOffsets(topic)
      const committed = await admin.committedOffsets(config.applicationId, topic)
      // internal topics are written in transactions: their last offset is a commit marker no consumer reads
      const markers = topic.startsWith(config.applicationId) ? 1 : 0
      const behind = (e: { partition: number; offset: number }) =>
        e.offset - (committed.find((c) => c.partition === e.partition)?.offset ?? 0) > markers
      if (end.some((e) => e.offset > 0 && behind(e))) done = false
    }
    stable = done ? stable + 1 : 0
    if (Date.now() > deadline) throw new Error(`service did not catch up:\n${child.output().slice(-3000)}`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  await admin.disconnect()
  await child.kill('SIGTERM')

  const eventRecords = await collect(kafka, [config.topics.events], () => true, { settleMs: 3000 })
  const events = eventRecords.map((r) => codecs.event.decode(r.value!))
  const dead = await collect(kafka, [config.topics.dlq], () => true, { settleMs: 2000 })
  return { workload, events, dead, config, killed }
}

function audit(result: Awaited<ReturnType<typeof runWorkload>>) {
  const { workload, events, dead, config } = result
  const commands = new Map<string, CommandSent>()
  for (const r of workload.records) {
    if (r.topic === 'commands' && r.value.kind === 'valid') {
      const c = r.value.data as ReservationCommand
      commands.set(c.commandId, { commandId: c.commandId, type: c.type, resourceId: c.resourceId })
    }
  }
  const violations = checkInvariants(events, {
    resourceAt: resourceHistory(workload.resources),
    commands: [...commands.values()],
    holdTimeoutMs: HOLD_TIMEOUT_MS,
    punctuationIntervalMs: PUNCTUATION_MS,
  })
  expect(violations.slice(0, 10)).toEqual([])
  // G3 in its own words: per resource 1, 2, 3… and no eventId twice
  const byResource = new Map<string, ReservationEvent[]>()
  for (const e of events) byResource.set(e.resourceId, [...(byResource.get(e.resourceId) ?? []), e])
  for (const [resourceId, list] of byResource) {
    expect(
      list.map((e) => e.sequence),
      resourceId,
    ).toEqual(list.map((_, i) => i + 1))
  }
  expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length)
  // G6: every bad command record is in the DLQ with its reason and source coordinates
  const bad = workload.records.filter((r) => r.topic === 'commands' && r.value.kind === 'bad')
  const deadCommands = dead.filter((d) => d.headers[dlqHeaders.topic]?.toString() === config.topics.commands)
  expect(deadCommands).toHaveLength(bad.length)
  for (const d of deadCommands) {
    expect(d.headers[dlqHeaders.reason]!.toString().length).toBeGreaterThan(0)
    expect(Number(d.headers[dlqHeaders.offset]!.toString())).toBeGreaterThanOrEqual(0)
  }
  const badBytes = new Set(bad.map((r) => (r.value as { bytes: Buffer }).bytes.toString('base64')))
  expect(new Set(deadCommands.map((d) => d.value!.toString('base64')))).toEqual(badBytes)
  return { events: events.length, resources: byResource.size, dead: dead.length, commands: commands.size }
}

describe('guarantees G1–G6 under a randomised workload', () => {
  it('hold for the whole event log of an undisturbed run', { timeout: 240_000 }, async () => {
    const summary = audit(await runWorkload(0))
    console.log(
      `undisturbed: ${summary.commands} distinct commands → ${summary.events} events on ${summary.resources} resources, ${summary.dead} dead letters`,
    )
  })

  it(
    'hold when the service is killed with SIGKILL twice mid-run and restarted',
    { timeout: 300_000 },
    async () => {
      const result = await runWorkload(2)
      expect(result.killed).toBe(2)
      const summary = audit(result)
      console.log(
        `two kills: ${summary.commands} distinct commands → ${summary.events} events on ${summary.resources} resources, ${summary.dead} dead letters`,
      )
    },
  )
})
