// Two instances of the service share the partitions. Each answers health and queries over its local
// state; for a key the other instance owns it answers 307 with that instance's address, which serves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScenarioRunner } from '../../service/demo/scenario-runner.js'
import { scenarios } from '../../service/demo/scenarios.js'
import { serviceEnv, startTestService, testClient, type TestService } from '../support/service.js'

let a: TestService
let b: TestService
let runner: ScenarioRunner

beforeAll(async () => {
  const env = serviceEnv('queries', { PARTITIONS: '4' })
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
  await b?.stop()
  await a?.stop()
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
})
