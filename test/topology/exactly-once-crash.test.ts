// Exactly-once under crashes (after Kafka's StreamsEosTest): the application runs as a child process and is
// killed with SIGKILL several times while it processes, with a commit interval long enough that the kills
// land inside open transactions. A read_committed verifier then checks every input exactly once in the
// echo output and in the final aggregates. The same run under at-least-once shows the duplicates.
import { describe, expect, it } from 'vitest'
import { brokers, client, collect, createTopic, uniqueName } from '../support/kafka.js'
import { startChild, type ChildApp } from '../support/child-app.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'
import { until } from '../support/until.js'

const cleanup = cleanupAfterAll()

const KEYS = 10
const RECORDS = 4000

interface RunResult {
  echoed: number[]
  duplicates: number
  finalSums: Map<string, { sum: number; count: number }>
  /** Per key, the `count` of every aggregate update in the output topic, in order. */
  countsSeen: Map<string, number[]>
  expectedSums: Map<string, { sum: number; count: number }>
  kills: number
}

async function runWithCrashes(guarantee: 'exactly_once' | 'at_least_once'): Promise<RunResult> {
  const app = uniqueName(`crash-${guarantee}`)
  const [input, echo, sums] = [`${app}-in`, `${app}-echo`, `${app}-sums`]
  const kafka = client()
  for (const t of [input, echo, sums]) await createTopic(kafka, t, 3)
  const stateDir = await cleanup.tempDir('crash-')
  const env = {
    BROKERS: brokers().join(','),
    APP_ID: app,
    STATE_DIR: stateDir,
    GUARANTEE: guarantee,
    COMMIT_MS: '1500',
    INPUT: input,
    ECHO: echo,
    SUMS: sums,
    INSTANCE_ID: 'crash-instance',
  }
  const expectedSums = new Map<string, { sum: number; count: number }>()
  const producer = kafka.producer()
  await producer.connect()
  let produced = 0
  const produceSome = async (n: number) => {
    const batch = Array.from({ length: n }, (_, i) => {
      const value = produced + i
      const key = `k${value % KEYS}`
      const e = expectedSums.get(key) ?? { sum: 0, count: 0 }
      expectedSums.set(key, { sum: e.sum + value, count: e.count + 1 })
      return { topic: input, key: Buffer.from(key), value: Buffer.from(JSON.stringify(value)) }
    })
    produced += n
    await producer.send(batch)
  }

  // a timeline on stdout, so that a slow or stuck run shows which phase it was in
  const started = Date.now()
  const phase = (name: string) => console.log(`${guarantee} +${Date.now() - started} ms: ${name}`)
  let child: ChildApp = startChild('test/support/apps/eos-app.ts', env)
  await child.waitFor('STATE RUNNING')
  phase('running')
  let kills = 0
  // feed the input in steps while the application runs, killing it three times mid-stream
  for (let step = 0; step < 8; step++) {
    await produceSome(RECORDS / 8)
    await new Promise((r) => setTimeout(r, 400 + step * 50))
    if (step === 1 || step === 3 || step === 5) {
      await child.kill('SIGKILL')
      kills++
      phase(`killed (${kills})`)
      child = startChild('test/support/apps/eos-app.ts', env)
      await child.waitFor('STATE RUNNING')
      phase('running again')
    }
  }
  await producer.disconnect()

  // wait until the group has committed the end of the input, then stop cleanly
  const admin = kafka.admin()
  await admin.connect()
  await until(
    'the application caught up',
    async () => {
      const end = await admin.endOffsets(input)
      const committed = await admin.committedOffsets(app, input)
      return end.every((e) => committed.find((c) => c.partition === e.partition)?.offset === e.offset)
    },
    { intervalMs: 200, observed: () => `\n${child.output().slice(-2000)}` },
  )
  await admin.disconnect()
  phase('input committed')
  await child.kill('SIGTERM')
  phase('stopped')

  const echoed = (await collect(kafka, [echo], (r) => r.length >= RECORDS, { settleMs: 1000 })).map(
    (r) => JSON.parse(r.value!.toString()) as number,
  )
  const duplicates = echoed.length - new Set(echoed).size
  const sumRecords = await collect(kafka, [sums], (r) => r.length >= RECORDS, { settleMs: 1000 })
  const finalSums = new Map<string, { sum: number; count: number }>()
  const countsSeen = new Map<string, number[]>()
  for (const r of sumRecords) {
    const key = r.key!.toString()
    const value = JSON.parse(r.value!.toString()) as { sum: number; count: number }
    finalSums.set(key, value)
    countsSeen.set(key, [...(countsSeen.get(key) ?? []), value.count])
  }
  return { echoed, duplicates, finalSums, countsSeen, expectedSums, kills }
}

describe('processing guarantees under SIGKILL', () => {
  it(
    'exactly_once: every input appears exactly once in the output and in the aggregates after three kills',
    { timeout: 180_000 },
    async () => {
      const result = await runWithCrashes('exactly_once')
      expect(result.kills).toBe(3)
      expect(result.duplicates).toBe(0)
      expect(new Set(result.echoed).size).toBe(RECORDS)
      expect([...result.echoed].sort((a, b) => a - b)).toEqual(Array.from({ length: RECORDS }, (_, i) => i))
      expect(Object.fromEntries(result.finalSums)).toEqual(Object.fromEntries(result.expectedSums))
      for (const [key, counts] of result.countsSeen) {
        expect(counts, `aggregate updates of ${key}`).toEqual(
          Array.from({ length: counts.length }, (_, i) => i + 1),
        )
      }
    },
  )

  it(
    'at_least_once: the same crashes write replayed records and aggregate updates twice',
    { timeout: 180_000 },
    async () => {
      const result = await runWithCrashes('at_least_once')
      expect(new Set(result.echoed).size).toBe(RECORDS) // nothing lost
      expect(result.duplicates).toBeGreaterThan(0) // but replayed records were written twice
      const repeatedUpdates = [...result.countsSeen.values()].some(
        (counts) => new Set(counts).size < counts.length,
      )
      expect(repeatedUpdates).toBe(true)
    },
  )
})
