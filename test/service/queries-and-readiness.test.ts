// Two instances of the service share the partitions. Each answers health and queries over its local
// state; for a key the other instance owns it answers 307 with that instance's address, which serves it.
// Retention (15 minutes here) removes a canceled reservation once stream time has moved past it: queries
// answer 404, the changelogs carry the tombstones, and a fresh instance restores without it.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ScenarioRunner } from '../../service/demo/scenario-runner.js'
import { scenarios } from '../../service/demo/scenarios.js'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { ReservationCommand } from '../../schemas/index.js'
import { ensureKafkaDistribution } from '../../tools/local-kafka/kafka-distribution.js'
import { requireJava } from '../../tools/local-kafka/prerequisites.js'
import { client, collect } from '../support/kafka.js'
import { serviceEnv, startTestService, testClient, type TestService } from '../support/service.js'
import { until } from '../support/until.js'

const execFileAsync = promisify(execFile)
/** Retention as short as the hold timeout (15 minutes) allows, so stream time can be moved past it. */
const RETENTION_MS = 15 * 60_000
let env: Record<string, string>
let a: TestService
let b: TestService
let runner: ScenarioRunner
const stopped = new Set<TestService>()

beforeAll(async () => {
  env = serviceEnv('queries', {
    PARTITIONS: '4',
    RETENTION_MS: String(RETENTION_MS),
    DEDUP_RETENTION_MS: String(RETENTION_MS),
  })
  a = await startTestService(env)
  b = await startTestService(env)
  const deadline = Date.now() + 60_000
  const taskCount = () => a.service.streams.activeTasks.length + b.service.streams.activeTasks.length
  while (!(
    a.service.streams.ready &&
    b.service.streams.ready &&
    taskCount() === 8 &&
    a.service.streams.activeTasks.length > 0 &&
    b.service.streams.activeTasks.length > 0
  )) {
    if (Date.now() > deadline)
      throw new Error(
        `tasks not split: a=${a.service.streams.activeTasks.length} b=${b.service.streams.activeTasks.length}`,
      )
    await new Promise((r) => setTimeout(r, 200))
  }
  // let both announcements arrive
  while (a.service.streams.queries.instances().length < 2 || b.service.streams.queries.instances().length < 2)
    await new Promise((r) => setTimeout(r, 200))
  runner = new ScenarioRunner({
    client: testClient(),
    topics: a.config.topics,
    codecs: a.codecs,
    serviceUrl: a.url,
  })
  await runner.start()
}, 180_000)

afterAll(async () => {
  await runner?.stop()
  if (b && !stopped.has(b)) await b.stop()
  if (a && !stopped.has(a)) await a.stop()
})

describe('health and interactive queries across two instances', () => {
  it('reports live and ready on both instances once their tasks are restored', async () => {
    for (const svc of [a, b]) {
      expect((await fetch(`${svc.url}/health/live`)).status).toBe(200)
      const ready = await fetch(`${svc.url}/health/ready`)
      expect(ready.status).toBe(200)
      expect(((await ready.json()) as { tasks: string[] }).tasks.length).toBeGreaterThan(0)
    }
  })

  it('answers a reservation and an availability query where the key lives, and names the owner elsewhere', async () => {
    const all = scenarios(`q${Date.now().toString(36)}`, Date.now())
    const created = all.filter(
      (s) =>
        s.id === 'creation' || s.id === 'modification' || s.id === 'cancellation' || s.id === 'unavailable',
    )
    for (const scenario of created) await runner.run(scenario)
    let redirects = 0
    for (const scenario of created) {
      const reservationId = scenario.reservationId('r1')
      const resourcePath = `/resources/${encodeURIComponent(scenario.resourceId)}/reservations/${reservationId}`
      for (const svc of [a, b]) {
        const direct = await fetch(`${svc.url}${resourcePath}`, { redirect: 'manual' })
        if (direct.status === 307) {
          redirects++
          const body = (await direct.json()) as { owner: string; location: string }
          const other = svc === a ? b : a
          expect(body.owner).toBe(other.service.streams.instanceId)
          expect(direct.headers.get('location')).toBe(`${other.url}${resourcePath}`)
          const followed = await fetch(body.location)
          expect(followed.status).toBe(200)
          expect(await followed.json()).toMatchObject({ reservationId, resourceId: scenario.resourceId })
        } else {
          expect(direct.status).toBe(200)
          expect(await direct.json()).toMatchObject({ reservationId, resourceId: scenario.resourceId })
        }
      }
      const day = new Date(Math.floor(Date.now() / 86_400_000 + 10) * 86_400_000)
      const availability = await fetch(
        `${a.url}/resources/${encodeURIComponent(scenario.resourceId)}/availability?start=${day.toISOString()}&end=${new Date(day.getTime() + 2 * 86_400_000).toISOString()}`,
      )
      expect(availability.status).toBe(200) // fetch follows the 307 when the other instance owns it
      const slots = (
        (await availability.json()) as { slots: { used: number; capacity: number; available: number }[] }
      ).slots
      expect(slots).toHaveLength(2)
      expect(slots.every((s) => s.used + s.available === s.capacity || s.available === 0)).toBe(true)
    }
    expect(redirects).toBe(created.length) // each key is local to exactly one of the two instances
  })

  it('finds a reservation by id alone through the payment routes table, wherever it lives', async () => {
    const [scenario] = scenarios(`id${Date.now().toString(36)}`, Date.now())
    await runner.run(scenario!)
    const response = await fetch(`${b.url}/reservations/${scenario!.reservationId('r1')}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      reservationId: scenario!.reservationId('r1'),
      resourceId: scenario!.resourceId,
    })
    expect((await fetch(`${a.url}/reservations/no-such-reservation`)).status).toBe(404)
  })

  it(
    'answers 404 for a reservation retention removed, whose tombstones reach the changelogs, and a fresh instance restores without it',
    { timeout: 240_000 },
    async () => {
      const run = Date.now().toString(36)
      const resourceId = `ret-${run}`
      const [removed, kept] = [`ret-${run}-canceled`, `ret-${run}-kept`]
      const { topics } = a.config
      const producer = client().producer()
      await producer.connect()
      const hour = Math.ceil(Date.now() / 3_600_000) * 3_600_000
      const iso = (ms: number) => new Date(ms).toISOString()
      const command = (body: Record<string, unknown>, commandId: string, timestamp: number) => ({
        topic: topics.commands,
        key: Buffer.from(resourceId),
        timestamp,
        value: a.codecs.command.encode({
          commandId,
          resourceId,
          issuedAt: timestamp,
          ...body,
        } as ReservationCommand),
      })
      const create = (reservationId: string, start: number) => ({
        type: 'CreateReservation',
        reservationId,
        customerId: 'ann',
        start: iso(start),
        end: iso(start + 3_600_000),
        quantity: 1,
        waitlistIfUnavailable: false,
        promotionCode: null,
      })
      const t0 = Date.now()
      await producer.send([
        {
          topic: topics.resources,
          key: Buffer.from(resourceId),
          timestamp: t0,
          value: a.codecs.resource.encode({
            resourceId,
            category: 'room',
            capacity: 2,
            slotMinutes: 60,
            overbookingLimit: 0,
            priceCentsPerUnitSlot: 100,
          }),
        },
      ])
      await producer.send([
        command(create(removed, hour + 3_600_000), `${run}-c1`, t0),
        command(create(kept, hour + 48 * 3_600_000), `${run}-c2`, t0),
        command({ type: 'CancelReservation', reservationId: removed, reason: null }, `${run}-c3`, t0),
      ])
      const path = (id: string) => `/resources/${encodeURIComponent(resourceId)}/reservations/${id}`
      const status = async (svc: TestService, url: string) => (await fetch(`${svc.url}${url}`)).status
      let seen = 'nothing yet'
      await until(
        'the canceled reservation, and both by id (their routes reached the router)',
        async () => {
          const response = await fetch(`${a.url}${path(removed)}`)
          const body = response.status === 200 ? ((await response.json()) as { status: string }) : undefined
          const byId = await Promise.all([removed, kept].map((id) => status(b, `/reservations/${id}`)))
          seen = `a ${path(removed)}: ${response.status} ${body?.status ?? ''}; b by id (removed, kept): ${byId.join(', ')}`
          return body?.status === 'CANCELED' && byId.every((s) => s === 200) ? true : undefined
        },
        { intervalMs: 250, observed: () => seen, retryErrors: true },
      )
      // stream time of the resource's task moves past the cancellation + RETENTION_MS: the next sweep removes it
      await producer.send([
        command(
          { type: 'SendReservationConfirmation', reservationId: 'nothing' },
          `${run}-advance`,
          t0 + RETENTION_MS + 2 * 60_000,
        ),
      ])
      await producer.disconnect()
      await until(
        '404 for the removed reservation',
        async () => {
          const statuses = [await status(a, path(removed)), await status(b, `/reservations/${removed}`)]
          seen = `a by resource, b by id: ${statuses.join(', ')}`
          return statuses.every((s) => s === 404) ? true : undefined
        },
        { intervalMs: 250, observed: () => seen, retryErrors: true },
      )
      expect(await status(a, path(kept))).toBe(200)
      expect(await status(b, `/reservations/${kept}`)).toBe(200)
      // availability answers for slots from the retention horizon (stream time - RETENTION_MS) on
      const availability = (from: number) =>
        `/resources/${encodeURIComponent(resourceId)}/availability?start=${iso(from)}&end=${iso(from + 3_600_000)}`
      expect(await status(a, availability(hour - 2 * 3_600_000))).toBe(404)
      expect(await status(a, availability(hour + 3_600_000))).toBe(200)

      // the removal is in the changelogs as tombstones
      const changelog = (store: string) => `${a.config.applicationId}-${store}-changelog`
      const tombstoneOf = (
        records: readonly { topic: string; key: Buffer | null; value: Buffer | null }[],
        store: string,
        key: string,
      ) => records.some((r) => r.topic === changelog(store) && r.value === null && r.key?.toString() === key)
      const reservationKey = `${encodeURIComponent(resourceId)}|${encodeURIComponent(removed)}`
      const records = await collect(
        client(),
        [changelog('reservations'), changelog('payment-routes')],
        (seen) =>
          tombstoneOf(seen, 'reservations', reservationKey) && tombstoneOf(seen, 'payment-routes', removed),
        { timeoutMs: 60_000 },
      )
      expect(records.some((r) => r.value !== null && r.key?.toString() === reservationKey)).toBe(true)
      // and every changelog is compacted, so the tombstones replace what they delete for good
      const { stdout } = await execFileAsync(
        requireJava(),
        [
          '-XX:TieredStopAtLevel=1',
          '-XX:+UseSerialGC',
          '-cp',
          (await ensureKafkaDistribution()).classPath,
          'org.apache.kafka.tools.TopicCommand',
          '--bootstrap-server',
          inject('brokers'),
          '--describe',
          '--topic',
          changelog('.*'),
        ],
        { timeout: 60_000 },
      )
      const changelogs = stdout.split('\n').filter((line) => line.includes('PartitionCount:'))
      expect(changelogs.length).toBeGreaterThanOrEqual(13)
      for (const line of changelogs) expect(line).toContain('cleanup.policy=compact')

      // a fresh instance (empty state directory) restores every task from the changelogs: without it
      await b.stop()
      stopped.add(b)
      await a.stop()
      stopped.add(a)
      const fresh = await startTestService(env)
      try {
        await until(
          'the fresh instance running every task',
          async () =>
            fresh.service.streams.ready && fresh.service.streams.activeTasks.length === 8 ? true : undefined,
          {
            timeoutMs: 120_000,
            intervalMs: 250,
            observed: () =>
              `ready ${fresh.service.streams.ready}, ${fresh.service.streams.activeTasks.length} active tasks`,
            retryErrors: true,
          },
        )
        expect(await status(fresh, path(removed))).toBe(404)
        expect(await status(fresh, `/reservations/${removed}`)).toBe(404)
        expect(await status(fresh, path(kept))).toBe(200)
        expect(await status(fresh, `/reservations/${kept}`)).toBe(200)
      } finally {
        await fresh.stop()
      }
    },
  )
})
