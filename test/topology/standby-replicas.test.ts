// Standby replicas against the real broker: with numStandbyReplicas 1, each of two instances keeps a warm
// copy of the other's task by reading its changelog, never of a task it runs itself, and answers stale
// interactive queries from it when asked; when one instance
// leaves, the other takes the task over from its copy — restoring nothing already copied — and goes on
// with the right sums.
import { describe, expect, it } from 'vitest'
import { jsonSerde, storeRef, stringSerde, type KeyValueStore } from '../../state/index.js'
import { KafkaStreams, type ValueAndTimestamp } from '../../topology/index.js'
import { client, createTopic, recentTimestamp, uniqueName } from '../support/kafka.js'
import { summingTopology } from '../support/summing-topology.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'
import { until } from '../support/until.js'

const cleanup = cleanupAfterAll()

async function produce(topic: string, from: number, count: number, keys: number) {
  const producer = client().producer()
  await producer.connect()
  const timestamp = recentTimestamp()
  await producer.send(
    Array.from({ length: count }, (_, i) => ({
      topic,
      key: Buffer.from(`key-${(from + i) % keys}`),
      value: Buffer.from('1'),
      timestamp,
    })),
  )
  await producer.disconnect()
}

async function offsets(group: string, input: string, changelog: string) {
  const admin = client().admin()
  await admin.connect()
  try {
    return {
      inputEnd: await admin.endOffsets(input),
      committed: await admin.committedOffsets(group, input),
      changelogEnd: await admin.endOffsets(changelog),
    }
  } finally {
    await admin.disconnect()
  }
}

async function total(streams: KafkaStreams, keys: number): Promise<number> {
  let sum = 0
  for (const task of streams.activeTasks) {
    const store = task.stores.get('sums')?.store as
      KeyValueStore<string, ValueAndTimestamp<number>> | undefined
    for (let k = 0; k < keys; k++) sum += (await store?.get(`key-${k}`))?.value ?? 0
  }
  return sum
}

describe('standby replicas', () => {
  it.each(['confluent', 'kafkajs'] as const)(
    '%s: keeps a caught-up copy of the other instance’s task and takes it over without restoring what it copied',
    async (kind) => {
      const app = uniqueName('standby')
      const [input, output, changelog] = [`${app}-in`, `${app}-out`, `${app}-sums-changelog`]
      await createTopic(client(), input, 2)
      await createTopic(client(), output, 2)
      const start = async (name: string) => {
        const stateDir = await cleanup.tempDir(`standby-${name}-`)
        const streams = new KafkaStreams(summingTopology(input, output), {
          applicationId: app,
          client: client(kind),
          stateDir,
          instanceId: name,
          commitIntervalMs: 100,
          numStandbyReplicas: 1,
        })
        cleanup.closing(streams)
        await streams.start()
        return streams
      }
      const a = await start('a')
      const b = await start('b')
      const KEYS = 40
      await until(
        'the two tasks split over the instances',
        async () => (a.activeTasks.length === 1 && b.activeTasks.length === 1 ? true : undefined),
        { observed: () => `a=${a.activeTasks.length} b=${b.activeTasks.length}` },
      )
      for (let round = 0; round < 4; round++) await produce(input, round * 250, 250, KEYS)

      // every input committed, and each instance's standby at its changelog's end
      let seen = 'nothing yet'
      const [aTask, bTask] = [a.activeTasks[0]!.id, b.activeTasks[0]!.id]
      await until(
        'inputs committed and each standby caught up with its changelog',
        async () => {
          const { inputEnd, committed, changelogEnd } = await offsets(app, input, changelog)
          const [aStandbys, bStandbys] = [await a.standbyTasks(), await b.standbyTasks()]
          const endOf = (taskId: string) =>
            changelogEnd.find((o) => o.partition === Number(taskId.split('_')[1]))?.offset
          seen = `committed ${JSON.stringify(committed)} of ${JSON.stringify(inputEnd)}; a standbys ${JSON.stringify(aStandbys)}, b standbys ${JSON.stringify(bStandbys)}, changelog ends ${JSON.stringify(changelogEnd)}`
          const allCommitted = inputEnd.every(
            (e) => committed.find((c) => c.partition === e.partition)?.offset === e.offset,
          )
          const caughtUp = (standbys: typeof aStandbys, task: string) =>
            standbys.length === 1 &&
            standbys[0]!.taskId === task &&
            standbys[0]!.stores[0]!.position === endOf(task)
          return allCommitted && caughtUp(aStandbys, bTask) && caughtUp(bStandbys, aTask) ? true : undefined
        },
        { observed: () => seen },
      )
      expect((await a.standbyTasks()).map((s) => s.taskId)).not.toContain(aTask)
      // a key of b's task, asked of a: remote, or a's standby copy's value when stale reads are allowed
      const sums = storeRef({ name: 'sums', keySerde: stringSerde, valueSerde: jsonSerde<number>() })
      const bKey = Array.from({ length: KEYS }, (_, k) => `key-${k}`).find(
        (k) => a.queries.taskIdFor('sums', Buffer.from(k)) === bTask,
      )!
      const onB = await b.queries.queryKey(sums, bKey)
      expect(onB.where).toBe('local')
      expect(await a.queries.queryKey(sums, bKey)).toMatchObject({ where: 'remote', taskId: bTask })
      const stale = await a.queries.queryKey(sums, bKey, { staleStores: true })
      expect(stale).toEqual({ where: 'standby', taskId: bTask, value: (onB as { value: unknown }).value })
      expect((await total(a, KEYS)) + (await total(b, KEYS))).toBe(1000)
      const changelogEnd = (await offsets(app, input, changelog)).changelogEnd
      const aPartitionEnd = changelogEnd.find((o) => o.partition === Number(aTask.split('_')[1]))!.offset
      expect(aPartitionEnd).toBeGreaterThan(KEYS / 2) // a full restore would read this many records

      // a leaves: b takes a's task over from its standby copy, reading none of the changelog again
      await a.close()
      await until(
        'b running both tasks',
        async () => (b.activeTasks.length === 2 && b.state === 'RUNNING' ? true : undefined),
        { observed: () => `b=${b.activeTasks.map((t) => t.id).join(',')} ${b.state}` },
      )
      const takeover = b.restores.filter((r) => r.taskId === aTask)
      expect(takeover).toMatchObject([{ store: 'sums', taskId: aTask, from: aPartitionEnd, records: 0 }])
      await until(
        'b keeping no standby of a task it runs',
        async () => ((await b.standbyTasks()).length === 0 ? true : undefined),
        { observed: () => 'b still has a standby' },
      )
      await produce(input, 1000, 100, KEYS)
      await until(
        'the sums over both tasks on b',
        async () => ((await total(b, KEYS)) === 1100 ? true : undefined),
        { observed: () => `total ${seen}` },
      )
      await b.close()
    },
    180_000,
  )
})
