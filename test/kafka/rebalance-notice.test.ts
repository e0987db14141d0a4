// Every member of a group hears of every rebalance, also one that leaves its partitions as they were: the
// consumer calls onAssigned (with no partition) after it, as Java's consumer calls onPartitionsAssigned.
// The engine relies on it to pass through REBALANCING as Kafka Streams does after every rebalance; with a
// sticky assignment (kafkajs: the engine's task assignor) most members keep their partitions.
import { describe, expect, it } from 'vitest'
import {
  clientKinds,
  createKafkaClient,
  type ClientKind,
  type KafkaConsumer,
  type TopicPartition,
} from '../../kafka/index.js'
import { brokers, client, createTopic, uniqueName } from '../support/kafka.js'

describe.each(clientKinds)('rebalance notice on %s', (kind) => {
  it('calls onAssigned on a member whose partitions a rebalance did not change', async () => {
    const topic = uniqueName(`notice-${kind}`)
    await createTopic(client(kind), topic, 1)
    const groupId = uniqueName(`notice-group-${kind}`)
    const consumers: KafkaConsumer[] = []
    const join = async (clientId: string) => {
      const consumer = consumerOf(kind, clientId, groupId)
      consumers.push(consumer)
      const notices: { assigned: TopicPartition[][]; revoked: TopicPartition[][] } = {
        assigned: [],
        revoked: [],
      }
      await consumer.connect()
      await consumer.subscribe([topic])
      await consumer.run({
        eachBatch: () => Promise.resolve(),
        onAssigned: (partitions) => {
          notices.assigned.push([...partitions])
          return Promise.resolve()
        },
        onRevoked: (partitions) => {
          notices.revoked.push([...partitions])
          return Promise.resolve()
        },
      })
      return notices
    }
    try {
      // member ids start with the client id: the range assignor, which sorts them, keeps the topic's one
      // partition on the first member when the second joins
      const first = await join('a-first')
      await expect.poll(() => first.assigned.flat(), { timeout: 30_000 }).toEqual([{ topic, partition: 0 }])
      const heard = first.assigned.length
      const second = await join('b-second')
      await expect.poll(() => second.assigned.length, { timeout: 30_000 }).toBeGreaterThan(0)
      // the first member was told that the rebalance happened, and kept its partition
      await expect.poll(() => first.assigned.length, { timeout: 30_000 }).toBeGreaterThan(heard)
      expect(second.assigned.flat()).toEqual([])
      const kept = first.assigned.flat().length - first.revoked.flat().length
      expect(kept).toBe(1)
    } finally {
      await Promise.all(consumers.map((c) => c.disconnect()))
    }
  }, 120_000)
})

function consumerOf(kind: ClientKind, clientId: string, groupId: string): KafkaConsumer {
  return createKafkaClient({ kind, brokers: brokers(), clientId }).consumer({ groupId })
}
