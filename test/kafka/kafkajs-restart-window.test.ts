// kafkajs restarts its consumer after a crash on a retriable error (what a broker gone for longer than its
// retries causes). A seek or pause asked for while it restarts must neither throw nor be lost: the engine's
// recovery rewinds its tasks at such moments. And a crash kafkajs does not restart from must not leave the
// consumer stopped for good. Here the crashes come from a batch handler throwing errors as kafkajs's own.
import { describe, expect, it } from 'vitest'
import type { TopicPartition } from '../../kafka/index.js'
import { client, createTopic, uniqueName } from '../support/kafka.js'

// what kafkajs's fetch throws when no broker answers: its runner crashes at once and kafkajs restarts it
const noBroker = () =>
  Object.assign(new Error('No broker available'), { name: 'KafkaJSNoBrokerAvailableError', retriable: true })
// a crash kafkajs does not restart from (as "Failed to find group coordinator" with every broker down): the
// adapter runs the consumer again itself
const notRetriable = () => Object.assign(new Error('Failed to find group coordinator'), { retriable: false })
// the same as kafkajs's class, which also a group ACL missing raises: the adapter asks the broker, which names
// the coordinator here (no ACLs on this broker), so it is not a refusal and the consumer runs again
const coordinatorNotFound = () =>
  Object.assign(new Error('Failed to find group coordinator'), {
    name: 'KafkaJSGroupCoordinatorNotFound',
    retriable: false,
  })

describe.each([
  { crash: 'kafkajs restarts from', error: noBroker },
  { crash: 'kafkajs gives up on', error: notRetriable },
  { crash: 'kafkajs gives up on, its coordinator not found', error: coordinatorNotFound },
])('kafkajs consumer after a crash $crash', ({ error }) => {
  it('runs again, keeps the seeks and pauses asked for meanwhile, and applies them when it has joined', async () => {
    const kafka = client('kafkajs')
    const topic = uniqueName('restart-window')
    await createTopic(kafka, topic, 1)
    const producer = kafka.producer()
    await producer.connect()
    await producer.send(
      Array.from({ length: 10 }, (_, i) => ({ topic, key: null, value: Buffer.from(`v${i}`) })),
    )
    await producer.disconnect()
    const tp: TopicPartition = { topic, partition: 0 }
    const consumer = kafka.consumer({ groupId: uniqueName('restart-window-group') })
    const deliveries: number[][] = []
    const failures: unknown[] = []
    let crashed = false
    let calls: ReturnType<typeof setInterval> | undefined
    await consumer.connect()
    await consumer.subscribe([topic])
    try {
      await consumer.run({
        eachBatch: (batch) => {
          deliveries.push(batch.records.map((r) => r.offset))
          if (!crashed) {
            crashed = true
            // from now on, until the restarted consumer delivers, seek and pause/resume every millisecond:
            // many calls land while the consumer is down (300 ms or more)
            calls = setInterval(() => {
              try {
                consumer.pause([tp])
                consumer.seek({ ...tp, offset: 6 })
                consumer.resume([tp])
              } catch (error) {
                failures.push(error)
              }
            }, 1)
            return Promise.reject(error())
          }
          clearInterval(calls)
          return Promise.resolve()
        },
      })
      await expect.poll(() => deliveries.length, { timeout: 60_000 }).toBeGreaterThan(1)
      expect(failures).toEqual([])
      expect(deliveries[0]![0]).toBe(0)
      // the seek asked for during the restart decides where the new consumer group starts (no offsets were
      // committed: without it, it would start again at 0)
      expect(deliveries[1]![0]).toBe(6)
    } finally {
      clearInterval(calls)
      await consumer.disconnect()
    }
  }, 120_000)
})
