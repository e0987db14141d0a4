// Static membership (groupInstanceId, KIP-345) against the real broker: an instance restarted with the same
// id within the session timeout takes its task back and the other instance does not rebalance at all.
// kafkajs has no static membership: the engine says at start that it ignores the setting.
import { describe, expect, it } from 'vitest'
import { KafkaStreams, type StreamsState } from '../../topology/index.js'
import { client, createTopic, recentTimestamp, uniqueName } from '../support/kafka.js'
import { summingTopology } from '../support/summing-topology.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'
import { until } from '../support/until.js'

const cleanup = cleanupAfterAll()

async function produce(topic: string, count: number) {
  const producer = client().producer()
  await producer.connect()
  const timestamp = recentTimestamp()
  await producer.send(
    Array.from({ length: count }, (_, i) => ({
      topic,
      key: Buffer.from(`key-${i % 20}`),
      value: Buffer.from('1'),
      timestamp,
    })),
  )
  await producer.disconnect()
}

async function committedAll(group: string, topic: string): Promise<boolean> {
  const admin = client().admin()
  await admin.connect()
  try {
    const end = await admin.endOffsets(topic)
    const committed = await admin.committedOffsets(group, topic)
    return end.every((e) => committed.find((c) => c.partition === e.partition)?.offset === e.offset)
  } finally {
    await admin.disconnect()
  }
}

describe('static membership', () => {
  it('confluent: an instance restarted with its groupInstanceId takes its task back without rebalancing the other', async () => {
    const app = uniqueName('static')
    const [input, output] = [`${app}-in`, `${app}-out`]
    await createTopic(client(), input, 2)
    await createTopic(client(), output, 2)
    const stateDirs = new Map<string, string>()
    const start = async (name: string) => {
      if (!stateDirs.has(name)) {
        stateDirs.set(name, await cleanup.tempDir(`static-${name}-`))
      }
      const streams = new KafkaStreams(summingTopology(input, output), {
        applicationId: app,
        client: client('confluent'),
        stateDir: stateDirs.get(name)!,
        instanceId: name,
        groupInstanceId: name,
        sessionTimeoutMs: 45_000,
        commitIntervalMs: 100,
      })
      cleanup.closing(streams)
      await streams.start()
      return streams
    }
    // b first: the group's leader stays up
    const b = await start('b')
    await until('b running both tasks', async () => b.activeTasks.length === 2 && b.state === 'RUNNING', {
      observed: () => b.state,
    })
    const a = await start('a')
    await until(
      'the tasks split',
      async () =>
        a.activeTasks.length === 1 &&
        b.activeTasks.length === 1 &&
        a.state === 'RUNNING' &&
        b.state === 'RUNNING',
      { observed: () => `a=${a.activeTasks.length} b=${b.activeTasks.length}` },
    )
    const aTask = a.activeTasks[0]!.id
    const bStates: StreamsState[] = []
    b.onStateChange((state) => bStates.push(state))
    await produce(input, 200)
    await until('every input committed', () => committedAll(app, input), { observed: () => 'not yet' })

    // a stops and comes back with the same id, well within the session timeout
    await a.close()
    const restarted = Date.now()
    const a2 = await start('a')
    await until(
      'a running its task again',
      async () => a2.activeTasks.length === 1 && a2.state === 'RUNNING',
      { observed: () => `a=${a2.activeTasks.map((t) => t.id).join(',')} ${a2.state}`, timeoutMs: 40_000 },
    )
    const back = Date.now() - restarted
    expect(a2.activeTasks[0]!.id).toBe(aTask)
    await produce(input, 200)
    await until('every input committed again', () => committedAll(app, input), { observed: () => 'not yet' })
    expect(bStates).toEqual([]) // b never rebalanced: not on a's stop, not on its return
    expect(b.activeTasks.length).toBe(1)
    console.log(`static membership: a back with its task ${back} ms after its restart; b rebalanced 0 times`)
    await a2.close()
    await b.close()
  }, 180_000)

  it('kafkajs: says at start that it ignores groupInstanceId', async () => {
    const app = uniqueName('static-kjs')
    const input = `${app}-in`
    await createTopic(client(), input, 1)
    await createTopic(client(), `${app}-out`, 1)
    const dir = await cleanup.tempDir('static-kjs-')
    const lines: string[] = []
    const streams = new KafkaStreams(summingTopology(input, `${app}-out`), {
      applicationId: app,
      client: client('kafkajs'),
      stateDir: dir,
      groupInstanceId: 'a',
      log: (level, message) => lines.push(`${level} ${message}`),
    })
    cleanup.closing(streams)
    await streams.start()
    await streams.close()
    expect(lines.filter((l) => l.includes('groupInstanceId'))).toEqual([
      "warn groupInstanceId 'a' is ignored: kafkajs has no static membership (the confluent client has)",
    ])
  }, 120_000)
})
