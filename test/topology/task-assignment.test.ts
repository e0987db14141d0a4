// The assignment that follows the state against the real broker (kafkajs, whose consumer takes the
// engine's assignor; librdkafka takes none): three instances with a standby copy of every task; when one
// leaves, the others keep every task they ran (the range assignor moves one of them) and take the
// departed instance's tasks over from their standby copies wherever the load allows.
import { describe, expect, it } from 'vitest'
import { KafkaStreams } from '../../topology/index.js'
import { client, createTopic, recentTimestamp, uniqueName } from '../support/kafka.js'
import { summingTopology } from '../support/summing-topology.js'
import { cleanupAfterAll } from '../support/cleanup-after-all.js'
import { until } from '../support/until.js'

const cleanup = cleanupAfterAll()

const ids = (streams: KafkaStreams) => streams.activeTasks.map((t) => t.id).sort()

describe('assignment that follows the state', () => {
  it('kafkajs: a departed instance’s tasks go to their standby copies, and no other task moves', async () => {
    const app = uniqueName('assign')
    const [input, output] = [`${app}-in`, `${app}-out`]
    await createTopic(client(), input, 6)
    await createTopic(client(), output, 6)
    const start = async (name: string) => {
      const stateDir = await cleanup.tempDir(`assign-${name}-`)
      const streams = new KafkaStreams(summingTopology(input, output), {
        applicationId: app,
        client: client('kafkajs'),
        stateDir,
        instanceId: name,
        commitIntervalMs: 100,
        numStandbyReplicas: 1,
      })
      cleanup.closing(streams)
      await streams.start()
      return streams
    }
    const [a, b, c] = [await start('a'), await start('b'), await start('c')]
    const all = [a, b, c]
    const seen = () => all.map((s) => `${s.instanceId}: ${ids(s).join(',')} ${s.state}`).join('; ')
    await until(
      'two running tasks on each instance',
      async () => all.every((s) => s.activeTasks.length === 2 && s.state === 'RUNNING'),
      { observed: seen, timeoutMs: 90_000 },
    )
    const producer = client().producer()
    await producer.connect()
    const timestamp = recentTimestamp()
    await producer.send(
      Array.from({ length: 600 }, (_, i) => ({
        topic: input,
        key: Buffer.from(`key-${i % 60}`),
        value: Buffer.from('1'),
        timestamp,
      })),
    )
    await producer.disconnect()
    // every task has a standby copy on another instance, with rows in it
    let placement = ''
    await until(
      'a standby copy of every task, with rows',
      async () => {
        const copies = new Map<string, string>()
        for (const s of all)
          for (const standby of await s.standbyTasks())
            if ((standby.stores[0]?.position ?? 0) > 0) copies.set(standby.taskId, s.instanceId)
        placement = JSON.stringify([...copies])
        return copies.size === 6
      },
      { observed: () => `${seen()}; copies ${placement}`, timeoutMs: 90_000 },
    )
    const before = new Map(all.map((s) => [s.instanceId, ids(s)]))
    // the instance running 0_0 leaves: after it the range assignor would give [0_0 0_1 0_2] and
    // [0_3 0_4 0_5], moving a task of one that stays
    const leaving = all.find((s) => ids(s).includes('0_0'))!
    const staying = all.filter((s) => s !== leaving)
    const departed = before.get(leaving.instanceId)!
    const copies = new Map<string, string>()
    for (const s of staying)
      for (const standby of await s.standbyTasks()) copies.set(standby.taskId, s.instanceId)

    await leaving.close()
    await until(
      'three running tasks on each instance that stays',
      async () => staying.every((s) => s.activeTasks.length === 3 && s.state === 'RUNNING'),
      { observed: seen, timeoutMs: 90_000 },
    )
    // no task of those that stay moved
    for (const s of staying) expect(ids(s)).toEqual(expect.arrayContaining(before.get(s.instanceId)!))
    // each of c's tasks went to its copy's holder while it had room: both when the copies are on different
    // instances, one when both are on the same (it has room for one more)
    const holders = departed.map((t) => copies.get(t))
    const expectedFromCopy = new Set(holders).size === holders.length ? 2 : 1
    const fromCopy = departed.filter((t) => {
      const owner = staying.find((s) => ids(s).includes(t))!
      return (
        owner.instanceId === copies.get(t) &&
        owner.restores.some((r) => r.taskId === t && r.from !== 'earliest')
      )
    })
    expect(fromCopy).toHaveLength(expectedFromCopy)
  }, 240_000)
})
