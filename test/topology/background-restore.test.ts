// Restore in the background (Kafka Streams' state updater, KIP-869) against the real broker: a task whose
// changelog is empty runs and processes at once, while another task of the same instance still restores a
// big changelog; readiness reports restoring until the big task runs, and it then continues from its
// restored state.
import { describe, expect, it } from 'vitest'
import { jsonSerde, storeRef, stringSerde } from '../../state/index.js'
import { changelogTopic, KafkaStreams, valueAndTimestampSerde } from '../../topology/index.js'
import { client, createTopic, uniqueName } from '../support/kafka.js'
import { summingTopology } from '../support/summing-topology.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'
import { until } from '../support/until.js'

const cleanup = cleanupAfterAll()

const num = jsonSerde<number>()
// a DSL aggregate's store keeps each value with its timestamp
const sums = storeRef({ name: 'sums', keySerde: stringSerde, valueSerde: valueAndTimestampSerde(num) })
/** Changelog records of the big task: enough that its restore outlasts a record's trip through the other. */
const BIG = 400_000

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
      const stateDir = await cleanup.tempDir('bg-restore-')
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
        await until(
          'task 0_0 running',
          () => (streams.activeTasks.some((t) => t.id === '0_0') ? true : undefined),
          { intervalMs: 20 },
        )
        const key = keyOf('small', '0_0')
        await producer.send([{ topic: input, partition: 0, key: Buffer.from(key), value: num.serialize(5) }])
        // processed by 0_0 while 0_1 restores: the instance is not ready, 0_1 has no restore report yet
        await until(
          `the record of ${key} processed`,
          async () => {
            const answer = await streams.queries.queryKey(sums, key)
            return answer.where === 'local' && answer.value !== undefined ? answer : undefined
          },
          { intervalMs: 20 },
        )
        expect(streams.ready).toBe(false)
        expect(streams.state).toBe('REBALANCING')
        expect(streams.restores.filter((r) => r.taskId === '0_1')).toEqual([])
        expect(streams.activeTasks.map((t) => t.id)).toEqual(['0_0'])

        // once 0_1 is restored it runs, the instance is ready, and it continues from the restored rows
        await streams.restored()
        await until('RUNNING', () => (streams.ready ? true : undefined), { intervalMs: 20 })
        expect(streams.restores.find((r) => r.taskId === '0_1')).toMatchObject({
          from: 'earliest',
          records: BIG,
        })
        const bigKey = keyOf('big', '0_1')
        await producer.send([
          { topic: input, partition: 1, key: Buffer.from(bigKey), value: num.serialize(2) },
        ])
        await until(
          `${bigKey} updated`,
          async () => {
            const answer = await streams.queries.queryKey(sums, bigKey)
            return answer.where === 'local' && answer.value?.value === 3 ? true : undefined
          },
          { intervalMs: 20 },
        )
      } finally {
        await producer.disconnect()
        await streams.close()
      }
    },
    180_000,
  )
})
