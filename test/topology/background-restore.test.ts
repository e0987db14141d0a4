// Restore in the background (Kafka Streams' state updater, KIP-869) against the real broker: a task whose
// changelog is empty runs and processes at once, while another task of the same instance still restores a
// big changelog; readiness reports restoring until the big task runs, and it then continues from its
// restored state.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { jsonSerde, storeRef, stringSerde } from '../../state/index.js'
import { changelogTopic, KafkaStreams, valueAndTimestampSerde } from '../../topology/index.js'
import { client, createTopic, uniqueName } from '../support/kafka.js'
import { summingTopology } from '../support/summing-topology.js'

const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

const num = jsonSerde<number>()
// a DSL aggregate's store keeps each value with its timestamp
const sums = storeRef({ name: 'sums', keySerde: stringSerde, valueSerde: valueAndTimestampSerde(num) })
/** Changelog records of the big task: enough that its restore outlasts a record's trip through the other. */
const BIG = 400_000

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('background restore', () => {
  it.each(['confluent', 'kafkajs'] as const)(
    '%s: a task with nothing to restore processes while another task of the instance restores',
    async (kind) => {
      const kafka = client(kind)
      const app = uniqueName('bg-restore')
      const [input, output] = [`${app}-in`, `${app}-out`]
      const changelog = changelogTopic(app, 'sums')
      await createTopic(kafka, input, 2)
      await createTopic(kafka, output, 2)
      await createTopic(kafka, changelog, 2, { 'cleanup.policy': 'compact' })
      // task 0_1's changelog holds BIG rows (as if another instance had built them); 0_0's is empty
      const rows = valueAndTimestampSerde(num)
      // the fixture is written with one client (kafkajs's producer refuses batches this big)
      const producer = client('confluent').producer()
      await producer.connect()
      for (let from = 0; from < BIG; from += 50_000)
        await producer.send(
          Array.from({ length: 50_000 }, (_, i) => ({
            topic: changelog,
            partition: 1,
            key: Buffer.from(`big-${from + i}`),
            value: rows.serialize({ value: 1, timestamp: Date.now() }),
          })),
        )
      const stateDir = await mkdtemp(path.join(os.tmpdir(), 'bg-restore-'))
      dirs.push(stateDir)
      const streams = new KafkaStreams(summingTopology(input, output), {
        applicationId: app,
        client: kafka,
        stateDir,
        commitIntervalMs: 100,
      })
      const keyOf = (prefix: string, taskId: string) =>
        Array.from({ length: 100 }, (_, k) => `${prefix}-${k}`).find(
          (k) => streams.queries.taskIdFor('sums', Buffer.from(k)) === taskId,
        )!
      try {
        await streams.start()
        await until('task 0_0 running', () =>
          streams.activeTasks.some((t) => t.id === '0_0') ? true : undefined,
        )
        const key = keyOf('small', '0_0')
        await producer.send([{ topic: input, partition: 0, key: Buffer.from(key), value: num.serialize(5) }])
        // processed by 0_0 while 0_1 restores: the instance is not ready, 0_1 has no restore report yet
        await until(`the record of ${key} processed`, async () => {
          const answer = await streams.queries.queryKey(sums, key)
          return answer.where === 'local' && answer.value !== undefined ? answer : undefined
        })
        expect(streams.ready).toBe(false)
        expect(streams.state).toBe('REBALANCING')
        expect(streams.restores.filter((r) => r.taskId === '0_1')).toEqual([])
        expect(streams.activeTasks.map((t) => t.id)).toEqual(['0_0'])

        // once 0_1 is restored it runs, the instance is ready, and it continues from the restored rows
        await streams.restored()
        await until('RUNNING', () => (streams.ready ? true : undefined))
        expect(streams.restores.find((r) => r.taskId === '0_1')).toMatchObject({
          from: 'earliest',
          records: BIG,
        })
        const bigKey = keyOf('big', '0_1')
        await producer.send([
          { topic: input, partition: 1, key: Buffer.from(bigKey), value: num.serialize(2) },
        ])
        await until(`${bigKey} updated`, async () => {
          const answer = await streams.queries.queryKey(sums, bigKey)
          return answer.where === 'local' && answer.value?.value === 3 ? true : undefined
        })
      } finally {
        await producer.disconnect()
        await streams.close()
      }
    },
    180_000,
  )
})
